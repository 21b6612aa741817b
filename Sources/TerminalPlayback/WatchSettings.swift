import TerminalGraphics

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
