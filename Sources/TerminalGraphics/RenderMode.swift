/// How pictures are drawn in a terminal.
public enum RenderMode: String, CaseIterable, Sendable {
  /// Printable ASCII characters only.
  case ascii
  /// Unicode half and quarter blocks and sextants.
  case blocks
  /// DEC sixel graphics.
  case sixel
  /// The kitty graphics protocol.
  case kitty

  /// True for the modes that send pixels rather than characters.
  public var isGraphics: Bool { self == .sixel || self == .kitty }
}

/// How many colours character output may use.
public enum ColorDepth: String, CaseIterable, Sendable {
  /// The terminal's own foreground and background only.
  case none
  case ansi16 = "16"
  case ansi256 = "256"
  case truecolor
}
