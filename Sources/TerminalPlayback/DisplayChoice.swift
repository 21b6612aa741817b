import TerminalGraphics
import TerminalIO

/// `--mode`: a render mode, or `auto` to let the terminal decide.
public enum ModeChoice: String, CaseIterable, Sendable {
  case auto, ascii, blocks, sixel, kitty
}

/// `--colors`: a colour depth, or `auto` to read it from the environment.
public enum ColorChoice: String, CaseIterable, Sendable {
  case auto, none
  case ansi16 = "16"
  case ansi256 = "256"
  case truecolor
}

/// The mode and colours to draw with, resolved from the options, the environment and the
/// terminal's replies.
public struct DisplayChoice: Sendable, Hashable {
  public var mode: RenderMode
  public var colors: ColorDepth

  public init(mode: RenderMode, colors: ColorDepth) {
    self.mode = mode
    self.colors = colors
  }

  /// Graphics when the terminal answered that it has them (kitty first, then sixel), else
  /// blocks; colours from COLORTERM, TERM and TERM_PROGRAM, else 256. A terminal that did
  /// not answer at all is judged by TERM and TERM_PROGRAM alone.
  public static func resolve(
    mode: ModeChoice, colors: ColorChoice, environment: [String: String], replies: TerminalReplies?
  ) -> DisplayChoice {
    let depth: ColorDepth
    switch colors {
    case .none: depth = .none
    case .ansi16: depth = .ansi16
    case .ansi256: depth = .ansi256
    case .truecolor: depth = .truecolor
    case .auto: depth = colorDepth(environment: environment)
    }
    let resolved: RenderMode
    switch mode {
    case .ascii: resolved = .ascii
    case .blocks: resolved = .blocks
    case .sixel: resolved = .sixel
    case .kitty: resolved = .kitty
    case .auto:
      if replies?.kitty == true {
        resolved = .kitty
      } else if replies?.sixel == true {
        resolved = .sixel
      } else if replies?.answered != true, let known = graphics(environment: environment) {
        resolved = known
      } else {
        resolved = .blocks
      }
    }
    return DisplayChoice(mode: resolved, colors: depth)
  }

  /// Graphics the environment names for certain; none inside tmux or screen, which do not
  /// pass them through.
  public static func graphics(environment: [String: String]) -> RenderMode? {
    let term = environment["TERM"]?.lowercased() ?? ""
    let program = environment["TERM_PROGRAM"] ?? ""
    if environment["TMUX"] != nil || term.hasPrefix("screen") || term.hasPrefix("tmux") { return nil }
    if term == "xterm-kitty" || environment["KITTY_WINDOW_ID"] != nil || ["WezTerm", "ghostty"].contains(program) {
      return .kitty
    }
    if term.hasPrefix("mlterm") || term.hasPrefix("foot") || term.hasPrefix("contour") || term.hasPrefix("yaft") {
      return .sixel
    }
    return nil
  }

  /// The colour depth the environment promises.
  public static func colorDepth(environment: [String: String]) -> ColorDepth {
    let term = environment["TERM"]?.lowercased() ?? ""
    let colorTerm = environment["COLORTERM"]?.lowercased() ?? ""
    let program = environment["TERM_PROGRAM"] ?? ""
    // https://no-color.org: any non-empty NO_COLOR turns colour off.
    if term == "dumb" || !(environment["NO_COLOR"] ?? "").isEmpty { return .none }
    if colorTerm == "truecolor" || colorTerm == "24bit" || term.hasSuffix("-direct") || term == "xterm-kitty"
      || ["iTerm.app", "WezTerm", "vscode", "ghostty", "kitty"].contains(program)
    {
      return .truecolor
    }
    if term.contains("256color") { return .ansi256 }
    if term == "linux" || term == "vt100" || term == "vt220" || term == "ansi" { return .ansi16 }
    return .ansi256
  }
}
