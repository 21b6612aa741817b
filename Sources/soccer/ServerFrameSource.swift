import SoccerClient
import TerminalPlayback
import VideoFrames

/// The player's frames from a server: `Watch` streams of RGB frames, `Describe` for the totals.
struct ServerFrameSource: FrameSource {
  let client: SoccerClient
  let id: String
  /// How a stream that breaks mid-match goes on.
  var resumption = Resumption(retries: 0)

  func describe() async throws -> MediaInfo {
    do {
      return try await client.describe(id)
    } catch  where error.code == .unimplemented {
      // The Python demo has only Watch: play without totals.
      return MediaInfo()
    }
  }

  func frames<Result: Sendable>(
    _ request: FrameRequest, _ body: @escaping @Sendable (ServerFrames) async throws -> Result
  ) async throws -> Result {
    var watch = WatchRequest(id: id)
    watch.format = .rgb24
    watch.startSeconds = request.startSeconds
    watch.maxWidth = request.maxWidth
    watch.maxHeight = request.maxHeight
    watch.maxFrames = request.maxFrames
    let result: Result?
    do {
      // The player's body takes frames, not streams: after a break it simply goes on with the next one.
      result = try await client.watch(watch, resuming: resumption, state: Result?.none) { result, frames in
        result = try await body(ServerFrames(frames: frames))
      }
    } catch {
      if error.code == .outOfRange && request.startSeconds > 0 { throw PastTheEnd() }
      throw error
    }
    // Only a stream that ended without its body finishing leaves no result, and that throws.
    guard let result else { throw ClientError.noFrames(id) }
    return result
  }
}

/// A `Watch` stream's frames as the player takes them: plain 8-bit frames.
struct ServerFrames: AsyncSequence, Sendable {
  let frames: WatchFrames

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(frames: frames.makeAsyncIterator()) }

  struct AsyncIterator: AsyncIteratorProtocol {
    var frames: WatchFrames.AsyncIterator

    mutating func next() async throws -> Frame? {
      try await frames.next()?.frame()
    }
  }
}
