import VideoFrames

/// Where a player gets a match's frames from: a server, in `soccer watch`.
public protocol FrameSource: Sendable {
  associatedtype Frames: AsyncSequence & Sendable where Frames.Element == Frame

  /// What the source knows of the match; what it cannot tell is 0 (`MediaInfo()` for nothing).
  func describe() async throws -> MediaInfo

  /// Streams the frames `request` asks for: `body` reads them and what it returns is returned.
  /// A source asked to start past the match's end throws `PastTheEnd`.
  func frames<Result: Sendable>(
    _ request: FrameRequest, _ body: @escaping @Sendable (Frames) async throws -> Result
  ) async throws -> Result
}

/// The frames a player asks a source for: RGB, from a time, no bigger than the screen can show.
public struct FrameRequest: Sendable, Hashable {
  public var startSeconds: Double
  /// Largest frame size worth sending; 0 for no limit.
  public var maxWidth: Int
  public var maxHeight: Int
  /// Frames wanted; 0 for all.
  public var maxFrames = 0

  public init(startSeconds: Double, maxWidth: Int, maxHeight: Int, maxFrames: Int = 0) {
    self.startSeconds = startSeconds
    self.maxWidth = maxWidth
    self.maxHeight = maxHeight
    self.maxFrames = maxFrames
  }
}

/// What a source throws when asked to start after the match's last frame.
public struct PastTheEnd: Error {
  public init() {}
}
