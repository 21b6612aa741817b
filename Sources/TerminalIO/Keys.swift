/// What a key press asks the player to do.
public enum KeyCommand: Sendable, Hashable {
  case quit
  /// Ctrl-Z: stop for job control, as a shell expects.
  case suspend
}

/// Turns bytes read from the terminal into commands.
public enum KeyDecoder {
  /// `q`, `Q`, a lone Escape and Ctrl-C quit; Ctrl-Z suspends; escape sequences (arrows,
  /// replies) are ignored.
  ///
  /// A read returns the bytes of one key press, so Escape alone in a read is the Escape key,
  /// while Escape followed by more bytes is a sequence.
  public static func commands(in bytes: [UInt8]) -> [KeyCommand] {
    if bytes == [0x1B] { return [.quit] }
    var commands: [KeyCommand] = []
    var index = 0
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: "q"), UInt8(ascii: "Q"), 0x03:
        commands.append(.quit)
        index += 1
      case 0x1A:
        commands.append(.suspend)
        index += 1
      case 0x1B:
        // Skip an escape sequence: ESC, an introducer, then up to a final byte.
        index += 2
        while index < bytes.count, !(0x40...0x7E).contains(bytes[index]) { index += 1 }
        index += 1
      default:
        index += 1
      }
    }
    return commands
  }
}
