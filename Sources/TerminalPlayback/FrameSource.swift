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

/// A command from the player to a stream it controls.
public enum PlaybackCommand: Sendable, Hashable {
  case pause
  case resume
  /// To this time, in seconds from the start.
  case seek(seconds: Double)
  /// To the frame with this index, exactly; a paused stream sends that one frame.
  case seekTo(frame: Int)
  /// Pacing at this multiple of real time.
  case speed(Double)
  /// The largest frame size from the next frame on.
  case resize(maxWidth: Int, maxHeight: Int)
}

/// What a controlled stream brings: a frame with the number of the last command it follows,
/// or a command that could not be carried out.
public enum ControlledFrame: Sendable {
  case frame(Frame, command: UInt64)
  case refused(command: UInt64, message: String)
  /// Something to tell on the status line: how this source plays.
  case note(String)
}

/// Sends the player's commands on a controlled stream.
public protocol PlaybackControls: Sendable {
  /// Sends `command`; returns its number, which the frames chosen after it carry.
  func send(_ command: PlaybackCommand) -> UInt64
}

/// A source whose streams take commands: pause, seek, speed.
public protocol ControllableFrameSource: FrameSource {
  associatedtype Events: AsyncSequence & Sendable where Events.Element == ControlledFrame

  /// Streams the frames `request` asks for, paced at `speed`, under the commands `body` sends,
  /// until the match ends. A source may call `body` again with a new stream (after a break).
  func play(
    _ request: FrameRequest, speed: Double,
    _ body: @escaping @Sendable (any PlaybackControls, Events) async throws -> Void
  ) async throws

  /// The frame with this index at the match's own size, for saving.
  func fullFrame(index: Int) async throws -> Frame
}
