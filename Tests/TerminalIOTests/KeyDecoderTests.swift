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

  @Test(arguments: [
    ("\u{1B}[C", KeyCommand.seek(seconds: 5)), ("\u{1B}OD", .seek(seconds: -5)), ("\u{1B}[A", .seek(seconds: 60)),
    ("\u{1B}[B", .seek(seconds: -60)), (" ", .togglePause), ("p", .togglePause), ("[", .scaleSpeed(0.9)),
    ("]", .scaleSpeed(1.1)), ("{", .scaleSpeed(0.5)), ("}", .scaleSpeed(2)), ("\u{7F}", .resetSpeed),
    (".", .step(1)), (",", .step(-1)), ("s", .save), ("i", .info), ("?", .help),
  ])
  func playbackKeys(_ key: String, _ command: KeyCommand) {
    #expect(KeyDecoder.commands(in: Array(key.utf8)) == [command])
  }

  @Test func severalKeysInOneRead() {
    #expect(
      KeyDecoder.commands(in: Array("\u{1B}[C\u{1B}[C.".utf8)) == [.seek(seconds: 5), .seek(seconds: 5), .step(1)])
  }

  @Test(arguments: ["x", "\u{1B}[1;5C", "\r", "\u{1B}[?62;4c", "\u{1B}[200~"])
  func ignores(_ key: String) {
    #expect(KeyDecoder.commands(in: Array(key.utf8)).isEmpty)
  }
}
