import Dispatch
import VideoFrames

extension VideoDecoder {
  /// Opens `path` and returns what it holds. Opening reads and parses the file, so it runs on
  /// Dispatch's shared pool of threads, never on a thread of the cooperative pool.
  public static func probe(path: String) async throws -> MediaInfo {
    try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global(qos: .userInitiated).async {
        do {
          continuation.resume(returning: try VideoDecoder(path: path).info)
        } catch {
          continuation.resume(throwing: error)
        }
      }
    }
  }
}
