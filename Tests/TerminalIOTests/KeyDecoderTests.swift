import TerminalIO
import Testing

@Suite struct KeyDecoderTests {
  @Test(arguments: ["q", "Q", "\u{03}", "\u{1B}", "xq"])
  func quits(_ key: String) {
    #expect(KeyDecoder.commands(in: Array(key.utf8)) == [.quit])
  }

  @Test func ctrlZSuspends() {
    #expect(KeyDecoder.commands(in: [0x1A]) == [.suspend])
  }

  @Test(arguments: ["\u{1B}[A", "\u{1B}OB", "x", " ", "\u{1B}[1;5C", "\r"])
  func ignores(_ key: String) {
    #expect(KeyDecoder.commands(in: Array(key.utf8)).isEmpty)
  }
}
