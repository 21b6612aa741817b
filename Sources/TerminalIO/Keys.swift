/// What a key press asks the player to do (mpv's keys where mpv has one).
public enum KeyCommand: Sendable, Hashable {
  /// `q`, Esc, Ctrl-C.
  case quit
  /// Ctrl-Z: stop for job control, as a shell expects.
  case suspend
  /// Space or `p`.
  case togglePause
  /// ← → (∓5 s), ↓ ↑ (∓60 s).
  case seek(seconds: Double)
  /// `[` `]` (×0.9, ×1.1), `{` `}` (halve, double).
  case scaleSpeed(Double)
  /// Backspace.
  case resetSpeed
  /// `.` one frame forward, `,` one back.
  case step(Int)
  /// `s`: save the frame on screen.
  case save
  /// `i`: tell about the match.
  case info
  /// `?`: list the keys.
  case help
}

/// Turns bytes read from the terminal into commands.
public enum KeyDecoder {
  /// The keys, for the `?` list and `--help`.
  public static let summary =
    "space/p pause  ←/→ 5 s  ↓/↑ 60 s  [ ] speed ×0.9/×1.1  { } ½/×2  Backspace speed 1  , . frame  s save  i info  q quit"

  /// Decodes key presses; unknown keys and escape sequences other than the arrows (terminal
  /// replies, say) are ignored.
  ///
  /// A read returns the bytes of one key press, so Escape alone in a read is the Escape key,
  /// while Escape followed by more bytes is a sequence.
  public static func commands(in bytes: [UInt8]) -> [KeyCommand] {
    if bytes == [0x1B] { return [.quit] }
    var commands: [KeyCommand] = []
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      if let command = plain[byte] {
        commands.append(command)
      } else if byte == 0x1B {
        // An escape sequence: ESC, an introducer ([ or O), parameters, then a final byte.
        let start = index
        index += 1
        while index < bytes.count, !(0x40...0x7E).contains(bytes[index]) { index += 1 }
        let final = index < bytes.count ? bytes[index] : 0
        index += 1
        // Only a bare arrow (no parameters: ESC [ C or ESC O C) is a seek; Ctrl- and Shift-arrows are not.
        guard index - start == 2, start < bytes.count,
          bytes[start] == UInt8(ascii: "[") || bytes[start] == UInt8(ascii: "O")
        else { continue }
        switch final {
        case UInt8(ascii: "C"): commands.append(.seek(seconds: 5))
        case UInt8(ascii: "D"): commands.append(.seek(seconds: -5))
        case UInt8(ascii: "A"): commands.append(.seek(seconds: 60))
        case UInt8(ascii: "B"): commands.append(.seek(seconds: -60))
        default: break
        }
      }
    }
    return commands
  }

  private static let plain: [UInt8: KeyCommand] = [
    UInt8(ascii: "q"): .quit, UInt8(ascii: "Q"): .quit, 0x03: .quit, 0x1A: .suspend,
    UInt8(ascii: " "): .togglePause, UInt8(ascii: "p"): .togglePause,
    UInt8(ascii: "["): .scaleSpeed(0.9), UInt8(ascii: "]"): .scaleSpeed(1.1),
    UInt8(ascii: "{"): .scaleSpeed(0.5), UInt8(ascii: "}"): .scaleSpeed(2),
    0x7F: .resetSpeed, 0x08: .resetSpeed,
    UInt8(ascii: "."): .step(1), UInt8(ascii: ","): .step(-1),
    UInt8(ascii: "s"): .save, UInt8(ascii: "i"): .info, UInt8(ascii: "?"): .help,
  ]
}
