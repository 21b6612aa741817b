import Foundation
import VideoFrames

extension VideoDecoder {
  /// Opens `path` on a thread of its own (opening reads and parses the file) and returns what it holds.
  public static func probe(path: String) async throws -> MediaInfo {
    try await withCheckedThrowingContinuation { continuation in
      let thread = Thread {
        do {
          continuation.resume(returning: try VideoDecoder(path: path).info)
        } catch {
          continuation.resume(throwing: error)
        }
      }
      thread.name = "soccer-probe"
      thread.start()
    }
  }
}
