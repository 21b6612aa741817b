import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SoccerClient
import SoccerProtocol
import SoccerServer
import Synchronization
import TestSupport

/// A media folder holding the sample under several ids, and every kind of bad file.
enum TestLibrary {
  static let folder: String = {
    do {
      return try make()
    } catch {
      fatalError("cannot build the test media folder: \(error)")
    }
  }()

  private static func make() throws -> String {
    let folder = try makeTemporaryFolder("soccer-library")
    let fm = FileManager.default
    for id in ["sample", "final-2022", "KKNuUdn4wI4"] {
      try fm.copyItem(atPath: Repository.sample, toPath: "\(folder)/\(id).mp4")
    }
    try fm.copyItem(
      atPath: try TestMedia.make("big", ["--size", "1920x1080", "--seconds", "1", "--rate", "5"]),
      toPath: "\(folder)/big.mp4")
    try Data().write(to: URL(fileURLWithPath: "\(folder)/zero.mp4"))
    var generator = SystemRandomNumberGenerator()
    try Data((0..<50_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
      .write(to: URL(fileURLWithPath: "\(folder)/random.mp4"))
    try Data(String(repeating: "this is not a video\n", count: 100).utf8).write(
      to: URL(fileURLWithPath: "\(folder)/text.mp4"))
    _ = try TestMedia.audioOnly(in: folder)
    _ = try TestMedia.truncatedBeforeTheIndex(in: folder)
    let sample = try Data(contentsOf: URL(fileURLWithPath: Repository.sample))
    try sample.prefix(sample.count * 6 / 10).write(to: URL(fileURLWithPath: "\(folder)/cut.mp4"))
    // A symlink that leads out of the media folder, and one that stays inside.
    let outside = try makeTemporaryFolder("soccer-outside")
    try fm.copyItem(atPath: Repository.sample, toPath: "\(outside)/secret.mp4")
    try fm.createSymbolicLink(atPath: "\(folder)/escape.mp4", withDestinationPath: "\(outside)/secret.mp4")
    try fm.createSymbolicLink(atPath: "\(folder)/alias.mp4", withDestinationPath: "\(folder)/sample.mp4")
    try fm.createDirectory(atPath: "\(folder)/folder.mp4", withIntermediateDirectories: true)
    return folder
  }
}

/// Runs `body` against a real server listening on 127.0.0.1 on a free port; stops the server afterwards.
func withServer<T: Sendable>(
  media: String = TestLibrary.folder,
  configure: (inout ServerConfiguration) -> Void = { _ in },
  _ body: @Sendable (_ server: SoccerServer, _ client: ClientConfiguration) async throws -> T
) async throws -> T {
  var configuration = ServerConfiguration(mediaRoot: media, host: "127.0.0.1", port: 0)
  // Hundreds of streams per run: their log lines would bury the test results.
  configuration.logger.logLevel = .critical
  // Streams a test leaves open get a moment, not the default ten seconds, once it is done.
  configuration.grace = .seconds(1)
  configure(&configuration)
  let server = try SoccerServer(configuration: configuration)
  return try await withThrowingTaskGroup(of: T?.self) { group in
    group.addTask {
      try await server.run()
      return nil
    }
    let address = try await server.listeningAddress
    let configuration = ClientConfiguration(server: ServerTarget(ServerAddress(host: address.host, port: address.port)))
    let result = try await body(server, configuration)
    // Stopped as an operator stops it. Cancelling the server's task instead, while a client
    // still opens a stream (a retry, a resumption), leaves NIO an inbound stream channel that
    // nobody reads, and its writer traps when freed (apple/swift-nio#3481).
    server.beginGracefulShutdown()
    try await group.waitForAll()
    return result
  }
}

/// Waits up to `seconds` for every stream's decoder on `server` to be freed; true once they are.
func decodersFreed(_ server: SoccerServer, within seconds: Double = 3) async throws -> Bool {
  try await waitUntil(seconds: seconds) { server.openDecoders == 0 }
}

/// Calls `Watch` with the generated client and returns the raw messages, as any gRPC client sees them.
func rawWatch(_ match: Stream_Match, _ configuration: ClientConfiguration) async throws -> [Stream_Video] {
  let transport = try HTTP2ClientTransport.Posix(
    target: .ipv4(address: configuration.server.addresses[0].host, port: configuration.server.addresses[0].port),
    transportSecurity: .plaintext)
  return try await withGRPCClient(transport: transport) { grpc in
    var options = CallOptions.defaults
    options.maxRequestMessageBytes = 64 << 20
    options.maxResponseMessageBytes = 64 << 20
    return try await Stream_Soccer.Client(wrapping: grpc).watch(match, options: options) { response in
      var all: [Stream_Video] = []
      for try await video in response.messages { all.append(video) }
      return all
    }
  }
}

/// Collects the frames a `WatchRequest` brings.
func frames(_ request: WatchRequest, _ configuration: ClientConfiguration) async throws -> [ReceivedFrame] {
  try await SoccerClient.with(configuration) { client in
    try await client.watch(request) { frames in
      var all: [ReceivedFrame] = []
      for try await frame in frames { all.append(frame) }
      return all
    }
  }
}

/// The frames a stream brought and the status that ended it early, if one did; `onFrame` hears
/// the count after each frame.
func framesUntilEnd(
  _ request: WatchRequest, _ client: SoccerClient, onFrame: @escaping @Sendable (Int) -> Void = { _ in }
) async throws -> (frames: [ReceivedFrame], endedBy: RPCError.Code?) {
  try await client.watch(request) { frames in
    var all: [ReceivedFrame] = []
    do {
      for try await frame in frames {
        all.append(frame)
        onFrame(all.count)
      }
      return (all, nil)
    } catch let error as RPCError {
      return (all, error.code)
    }
  }
}

/// Runs `body` while a slow stream (real time, tiny frames) holds one of the server's stream
/// places and has received its first frame; the stream is cancelled afterwards.
func whileAStreamIsHeld<T: Sendable>(
  _ client: ClientConfiguration, _ body: @Sendable () async throws -> T
) async throws -> T {
  let firstFrame = AsyncStream<Void>.makeStream()
  return try await withThrowingTaskGroup(of: T?.self) { group in
    group.addTask {
      var slow = WatchRequest(id: "sample")
      slow.realTime = true
      slow.maxWidth = 64
      _ = try? await SoccerClient.with(client) { c in
        try await framesUntilEnd(slow, c) { _ in firstFrame.continuation.yield() }
      }
      return nil
    }
    for await _ in firstFrame.stream { break }
    let result = try await body()
    group.cancelAll()
    return result
  }
}
