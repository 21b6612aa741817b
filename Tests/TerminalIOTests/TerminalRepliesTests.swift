import TerminalIO
import Testing

@Suite struct TerminalRepliesTests {
  func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

  @Test func xtermWithSixel() {
    let replies = TerminalReplies(
      parsing: bytes("\u{1B}[6;20;10t\u{1B}[4;600;800t\u{1B}[?2026;2$y\u{1B}[?63;1;2;4;6;9;15;22c"))
    #expect(replies.answered)
    #expect(replies.sixel)
    #expect(!replies.kitty)
    #expect(replies.synchronizedOutput)
    #expect((replies.cellWidth, replies.cellHeight) == (10, 20))
    #expect((replies.areaWidth, replies.areaHeight) == (800, 600))
    #expect(replies.keystrokes.isEmpty)
  }

  @Test func kittyAnswersItsGraphicsQuery() {
    let replies = TerminalReplies(parsing: bytes("\u{1B}_Gi=31;OK\u{1B}\\\u{1B}[?62;c"))
    #expect(replies.kitty)
    #expect(!replies.sixel)
    #expect(replies.answered)
  }

  @Test func kittyErrorIsNotSupport() {
    let replies = TerminalReplies(parsing: bytes("\u{1B}_Gi=31;ENOTSUPPORTED:no\u{1B}\\\u{1B}[?62;c"))
    #expect(!replies.kitty)
  }

  @Test func tmuxLikeTerminalWithoutGraphics() {
    // DA1 "?1;2c": a VT100 with advanced video; the 2 is not sixel, and mode 2026 unknown (0).
    let replies = TerminalReplies(parsing: bytes("\u{1B}[?2026;0$y\u{1B}[?1;2c"))
    #expect(replies.answered)
    #expect(!replies.sixel)
    #expect(!replies.synchronizedOutput)
    #expect(replies.cellWidth == 0)
  }

  @Test func keysPressedDuringTheQueryAreKeptApart() {
    let replies = TerminalReplies(parsing: bytes("ab\u{1B}[6;18;9tq\u{1B}[?62;4c x"))
    #expect(replies.keystrokes == bytes("abq x"))
    #expect(replies.sixel)
    #expect((replies.cellWidth, replies.cellHeight) == (9, 18))
  }

  @Test func incompleteReplyIsNotAnAnswer() {
    let replies = TerminalReplies(parsing: bytes("\u{1B}[6;20;10t\u{1B}[?62;4"))
    #expect(!replies.answered)
    #expect(replies.cellWidth == 10)
    #expect(replies.keystrokes.isEmpty)
  }

  @Test func noReplyAtAll() {
    let replies = TerminalReplies(parsing: [])
    #expect(!replies.answered && !replies.sixel && !replies.kitty && !replies.synchronizedOutput)
  }
}
