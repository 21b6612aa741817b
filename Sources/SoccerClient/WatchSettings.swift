import TerminalGraphics
import TerminalPlayback

/// What `soccer watch` was asked to do.
public struct WatchSettings: Sendable {
  public var id: String
  public var mode: ModeChoice = .auto
  public var colors: ColorChoice = .auto
  /// Area for the picture; nil fills the terminal and follows its resizes.
  public var size: CellGrid?
  public var speed = 1.0
  public var startSeconds = 0.0
  public var loop = false
  public var showStatus = true
  /// How long to wait for the terminal to answer the capability queries.
  public var queryTimeout: Duration = .milliseconds(250)

  public init(id: String) { self.id = id }
}

/// What a playback did, for the line printed after it.
public struct PlaybackSummary: Sendable {
  public var received = 0
  public var shown = 0
  public var skipped = 0
  public var bytes = 0
  public var seconds = 0.0
  /// Time spent turning frames into terminal output, in seconds.
  public var renderSeconds = 0.0
  public var cpuSeconds = 0.0
  /// The person quit (q, Esc, Ctrl-C) before the end.
  public var quit = false
  public var mode: RenderMode = .blocks

  public init() {}

  /// Mean render time per shown frame, in milliseconds.
  public var renderMilliseconds: Double { shown > 0 ? renderSeconds * 1000 / Double(shown) : 0 }
}
