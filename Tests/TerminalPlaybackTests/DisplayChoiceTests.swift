import TerminalGraphics
import TerminalIO
import TerminalPlayback
import Testing

@Suite struct DisplayChoiceTests {
  func replies(_ text: String) -> TerminalReplies { TerminalReplies(parsing: Array(text.utf8)) }

  @Test func autoPrefersKittyThenSixelThenBlocks() {
    let kitty = DisplayChoice.resolve(
      mode: .auto, colors: .auto, environment: [:], replies: replies("\u{1B}_Gi=31;OK\u{1B}\\\u{1B}[?62;4c"))
    #expect(kitty.mode == .kitty)
    let sixel = DisplayChoice.resolve(mode: .auto, colors: .auto, environment: [:], replies: replies("\u{1B}[?62;4c"))
    #expect(sixel.mode == .sixel)
    let silent = DisplayChoice.resolve(mode: .auto, colors: .auto, environment: [:], replies: nil)
    #expect(silent == DisplayChoice(mode: .blocks, colors: .ansi256))
  }

  @Test func silentTerminalsAreJudgedByTheEnvironment() {
    let kitty = DisplayChoice.resolve(mode: .auto, colors: .auto, environment: ["TERM": "xterm-kitty"], replies: nil)
    #expect(kitty.mode == .kitty)
    let foot = DisplayChoice.resolve(
      mode: .auto, colors: .auto, environment: ["TERM": "foot"], replies: TerminalReplies())
    #expect(foot.mode == .sixel)
    // An answer without graphics outweighs the name, and tmux never passes graphics through.
    let answered = DisplayChoice.resolve(
      mode: .auto, colors: .auto, environment: ["TERM": "xterm-kitty"], replies: replies("\u{1B}[?62;22c"))
    #expect(answered.mode == .blocks)
    let tmux = DisplayChoice.resolve(
      mode: .auto, colors: .auto, environment: ["TERM": "foot", "TMUX": "/tmp/tmux-0/default,1,0"], replies: nil)
    #expect(tmux.mode == .blocks)
  }

  @Test func explicitModeWins() {
    let choice = DisplayChoice.resolve(
      mode: .ascii, colors: .none, environment: ["COLORTERM": "truecolor"], replies: replies("\u{1B}[?62;4c"))
    #expect(choice == DisplayChoice(mode: .ascii, colors: .none))
  }

  @Test func colorsFromTheEnvironment() {
    #expect(DisplayChoice.colorDepth(environment: ["COLORTERM": "truecolor", "TERM": "xterm"]) == .truecolor)
    #expect(DisplayChoice.colorDepth(environment: ["TERM": "xterm-256color"]) == .ansi256)
    #expect(DisplayChoice.colorDepth(environment: ["TERM": "linux"]) == .ansi16)
    #expect(DisplayChoice.colorDepth(environment: ["TERM": "dumb"]) == .none)
    #expect(DisplayChoice.colorDepth(environment: ["TERM_PROGRAM": "WezTerm"]) == .truecolor)
    #expect(DisplayChoice.colorDepth(environment: [:]) == .ansi256)
  }
}
