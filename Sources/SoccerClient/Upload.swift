import ContentDigest
import Foundation
import GRPCCore
import GRPCProtobuf
import SoccerProtocol
import SoccerWire
import Synchronization
import VideoFrames

/// A local file to upload as a match: checked to be a readable regular file with bytes in it.
public struct UploadSource: Sendable {
  /// Bytes of file each chunk carries: the most the protocol allows.
  public static let chunkBytes = 1 << 20

  public let path: String
  public let size: Int

  /// Checks `path` before anything is sent, so a typo fails at once and locally.
  public init(path: String) throws(ClientError) {
    var status = stat()
    guard stat(path, &status) == 0 else {
      throw .local("cannot upload \(path): \(String(cString: strerror(errno)))")
    }
    guard status.st_mode & S_IFMT == S_IFREG else { throw .local("cannot upload \(path): not a regular file") }
    guard access(path, R_OK) == 0 else { throw .local("cannot upload \(path): \(String(cString: strerror(errno)))") }
    guard status.st_size > 0 else { throw .local("cannot upload \(path): the file is empty") }
    self.path = path
    size = Int(status.st_size)
  }

  /// The match id a file gives when none is chosen: its name without ".mp4".
  public var defaultID: String {
    let name = (path as NSString).lastPathComponent
    return name.lowercased().hasSuffix(".mp4") ? String(name.dropLast(4)) : name
  }

  /// Reads the file chunk by chunk off the cooperative pool, handing each to `body`; fails if
  /// the file does not hold `size` bytes any more.
  func chunks(_ body: (Data) async throws -> Void) async throws {
    let reader = try ChunkReader(self)
    defer { reader.close() }
    while let chunk = try await offCooperativePool({ try reader.next() }) { try await body(chunk) }
  }

  /// SHA-256 of the whole file, which the upload's first message declares; `progress` hears
  /// the bytes read so far. The whole pass runs off the cooperative pool.
  public func sha256(progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws(ClientError) -> [UInt8] {
    do {
      return try await offCooperativePool { [self] in
        let reader = try ChunkReader(self)
        defer { reader.close() }
        let hasher = SHA256()
        var read = 0
        while let chunk = try reader.next() {
          hasher.update(chunk)
          read += chunk.count
          progress(read)
        }
        return hasher.finalize()
      }
    } catch {
      throw ClientError.from(error, path: path)
    }
  }
}

/// Reads an upload's file in chunks, checking it still holds the bytes it had when checked.
/// Blocks: call it off the cooperative pool.
private final class ChunkReader: Sendable {
  private let handle: FileHandle
  private let source: UploadSource
  private let total = Mutex(0)

  init(_ source: UploadSource) throws {
    handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: source.path))
    self.source = source
  }

  /// The next chunk, or nil at the end of the file.
  func next() throws -> Data? {
    let chunk = try handle.read(upToCount: UploadSource.chunkBytes) ?? Data()
    let total = self.total.withLock {
      $0 += chunk.count
      return $0
    }
    guard total <= source.size, !chunk.isEmpty || total == source.size else {
      throw ClientError.local("\(source.path) changed while it was read (\(total) bytes, not \(source.size))")
    }
    return chunk.isEmpty ? nil : chunk
  }

  func close() { try? handle.close() }
}

extension ClientError {
  /// A failure reading a local file, as one line naming it.
  static func from(_ error: any Error, path: String) -> ClientError {
    if let error = error as? ClientError { return error }
    return .local("cannot read \(path): \((error as NSError).localizedDescription)")
  }
}

extension SoccerClient {
  /// Uploads `source` as match `id` (replacing one with that id when `replace`), with its
  /// SHA-256 `digest`; `progress` hears the bytes sent so far. Returns the new match as the
  /// server describes it, once it is published.
  public func upload(
    _ source: UploadSource, id: String, digest: [UInt8], replace: Bool,
    progress: @escaping @Sendable (Int) -> Void = { _ in }
  ) async throws(ClientError) -> MediaInfo {
    let start = Stream_UploadChunk.with {
      $0.start = Stream_UploadStart.with {
        $0.id = id
        $0.size = UInt64(source.size)
        $0.sha256 = Data(digest)
        $0.replace = replace
      }
    }
    do {
      let request = StreamingClientRequest<Stream_UploadChunk>(metadata: metadata(match: id)) { writer in
        try await writer.write(start)
        var sent = 0
        try await source.chunks { chunk in
          try await writer.write(Stream_UploadChunk.with { $0.data = chunk })
          sent += chunk.count
          progress(sent)
        }
      }
      let info = try await grpc.clientStreaming(
        request: request, descriptor: Stream_Soccer.Method.Upload.descriptor,
        serializer: ProtobufSerializer<Stream_UploadChunk>(), deserializer: ProtobufDeserializer<Stream_MatchInfo>(),
        options: callOptions(timeout: nil)
      ) { response in try response.message }
      return MediaInfo(info)
    } catch let error as ClientError {
      throw error
    } catch {
      throw ClientError.from(error, server: configuration.server)
    }
  }
}
