import TerminalGraphics

/// What a playback did, for the line printed after it.
public struct PlaybackSummary: Sendable {
  public var received = 0
  public var shown = 0
  public var skipped = 0
  public var bytes = 0
  public var seconds = 0.0
  /// Time spent turning frames into terminal output, in seconds.
  public var renderSeconds = 0.0
  /// The person quit (q, Esc, Ctrl-C) before the end.
  public var quit = false
  public var mode: RenderMode = .blocks

  public init() {}

  /// Mean render time per shown frame, in milliseconds.
  public var renderMilliseconds: Double { shown > 0 ? renderSeconds * 1000 / Double(shown) : 0 }
}
