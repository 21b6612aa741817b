import ContentDigest
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SoccerClient
import SoccerProtocol
import SoccerServer
import Synchronization
import TestSupport
import Testing
import VideoFrames

// What the upload tests share: a server with uploads on, a folder, and Upload calls made by hand.

/// How many messages have gone out.
final class Counter: Sendable {
  private let count = Atomic<Int>(0)
  func add() { count.add(1, ordering: .relaxed) }
  var value: Int { count.load(ordering: .relaxed) }
}

let sampleBytes: Data = (try? Data(contentsOf: URL(fileURLWithPath: Repository.sample))) ?? Data()

/// Expects, within a few seconds, the folder to hold only the sample and the server no stream.
func expectNothingLeft(in folder: String, by server: SoccerServer) async throws {
  let cleaned = try await waitUntil { (try? folderContents(folder)) == ["sample.mp4"] }
  #expect(cleaned, "left \((try? folderContents(folder)) ?? [])")
  let freed = try await waitUntil { server.activeStreams == 0 }
  #expect(freed)
}

/// A fresh media folder holding the sample, for a server that takes uploads.
func uploadFolder() throws -> String {
  let folder = try makeTemporaryFolder("soccer-uploads")
  try FileManager.default.copyItem(atPath: Repository.sample, toPath: folder + "/sample.mp4")
  return folder
}

func withUploadServer<T: Sendable>(
  _ folder: String, configure: @escaping (inout ServerConfiguration) -> Void = { _ in },
  _ body: @Sendable (SoccerServer, ClientConfiguration) async throws -> T
) async throws -> T {
  try await withServer(
    media: folder,
    configure: {
      $0.uploads = UploadPolicy()
      configure(&$0)
    }, body)
}

/// Every name in `folder`, hidden ones too, sorted.
func folderContents(_ folder: String) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
}

func bytes(of path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

func randomBytes(_ count: Int) -> Data {
  var generator = SplitMix(seed: 15)
  return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
}

func flipped(_ data: Data, at offset: Int) -> Data {
  var copy = data
  copy[copy.startIndex + offset] ^= 0xFF
  return copy
}

/// Uploads the file at `path` with our client.
func upload(
  _ path: String, as id: String, _ client: ClientConfiguration, replace: Bool = false
) async throws(ClientError) -> MediaInfo {
  let source = try UploadSource(path: path)
  let digest = try await source.sha256()
  return try await SoccerClient.with(client) { try await $0.upload(source, id: id, digest: digest, replace: replace) }
}

func start(id: String, size: Int = sampleBytes.count, digest: [UInt8]) -> [Stream_UploadChunk] {
  [
    Stream_UploadChunk.with {
      $0.start = Stream_UploadStart.with {
        $0.id = id
        $0.size = UInt64(size)
        $0.sha256 = Data(digest)
      }
    }
  ]
}

func chunk(_ data: Data) -> Stream_UploadChunk { Stream_UploadChunk.with { $0.data = data } }

func chunks(_ data: Data, size: Int = 64 * 1024) -> [Stream_UploadChunk] {
  stride(from: 0, to: data.count, by: size).map { chunk(data.subdata(in: $0..<min($0 + size, data.count))) }
}

/// A well-formed upload of `data`.
func whole(_ data: Data, id: String) -> [Stream_UploadChunk] {
  start(id: id, size: data.count, digest: SHA256.digest(data)) + chunks(data)
}

/// Sends `messages` on one Upload call with the generated client; with `thenWait`, keeps the
/// request stream open afterwards until the call ends.
func rawUpload(
  _ messages: [Stream_UploadChunk], _ configuration: ClientConfiguration, thenWait: Bool = false,
  timeout: Duration? = nil, sent: Counter? = nil
) async throws -> Stream_MatchInfo {
  let address = configuration.server.addresses[0]
  let transport = try HTTP2ClientTransport.Posix(
    target: .ipv4(address: address.host, port: address.port), transportSecurity: .plaintext)
  let metadata: Metadata = configuration.token.map { ["authorization": "Bearer \($0)"] } ?? [:]
  var options = CallOptions.defaults
  options.timeout = timeout
  return try await withGRPCClient(transport: transport) { grpc in
    try await Stream_Soccer.Client(wrapping: grpc).upload(metadata: metadata, options: options) { writer in
      for message in messages {
        try await writer.write(message)
        sent?.add()
      }
      if thenWait { try await Task.sleep(for: .seconds(60)) }
    }
  }
}

/// The status a raw upload of `messages` fails with.
func rawUploadError(
  _ messages: [Stream_UploadChunk], _ configuration: ClientConfiguration, thenWait: Bool = false,
  timeout: Duration? = nil
) async -> RPCError? {
  do {
    _ = try await rawUpload(messages, configuration, thenWait: thenWait, timeout: timeout)
    Issue.record("expected the upload to fail")
    return nil
  } catch let error as RPCError {
    return error
  } catch {
    Issue.record("not an RPCError: \(error)")
    return nil
  }
}
