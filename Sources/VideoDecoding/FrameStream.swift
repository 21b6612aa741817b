import VideoFrames

/// A stream's frames as its handler takes them: from a decoder of its own (`DecodeAhead`) or
/// from one it shares with other streams (`SharedFrames`).
public protocol FrameStream: AnyObject, Sendable {
  /// The next frame, nil at the end, or the error that stopped decoding.
  func next() async throws -> Frame?
  /// Stops the stream's frames; a waiting `next()` throws `CancellationError`.
  func cancel()
  /// Frames decoded for this stream so far, those only passed on the way included.
  var framesDecoded: Int { get }
}

extension DecodeAhead: FrameStream {}
