/// What a terminal said about itself in answer to `ControlSequence.capabilityQueries`.
public struct TerminalReplies: Sendable, Hashable {
  /// The terminal answered DA1 (so it also had its chance to answer the rest).
  public var answered = false
  /// DA1 lists 4: sixel graphics.
  public var sixel = false
  /// The kitty graphics query came back OK.
  public var kitty = false
  /// Mode 2026 is recognised (set or reset).
  public var synchronizedOutput = false
  /// Cell size in pixels (CSI 16t), if given.
  public var cellWidth = 0
  public var cellHeight = 0
  /// Text area size in pixels (CSI 14t), if given.
  public var areaWidth = 0
  public var areaHeight = 0
  /// Bytes that were not part of any reply: keys pressed meanwhile, in order.
  public var keystrokes: [UInt8] = []

  public init() {}

  /// Reads replies out of everything received; incomplete sequences at the end are dropped.
  public init(parsing bytes: [UInt8]) {
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      guard byte == 0x1B, index + 1 < bytes.count else {
        if byte != 0x1B { keystrokes.append(byte) }
        index += 1
        continue
      }
      switch bytes[index + 1] {
      case UInt8(ascii: "["):
        // CSI: parameters and intermediates up to a final byte in 0x40...0x7E.
        var end = index + 2
        while end < bytes.count, !(0x40...0x7E).contains(bytes[end]) { end += 1 }
        guard end < bytes.count else { return }
        record(csi: Array(bytes[(index + 2)..<end]), final: bytes[end])
        index = end + 1
      case UInt8(ascii: "_"), UInt8(ascii: "P"), UInt8(ascii: "]"):
        // APC, DCS or OSC: up to ST (ESC \) or BEL.
        var end = index + 2
        while end < bytes.count, bytes[end] != 0x07,
          !(bytes[end] == 0x1B && end + 1 < bytes.count && bytes[end + 1] == 0x5C)
        {
          end += 1
        }
        guard end < bytes.count else { return }
        let body = Array(bytes[(index + 2)..<end])
        if bytes[index + 1] == UInt8(ascii: "_"), body.first == UInt8(ascii: "G"),
          String(decoding: body, as: UTF8.self).hasSuffix(";OK")
        {
          kitty = true
        }
        index = end + (bytes[end] == 0x07 ? 1 : 2)
      default:
        // A lone Escape, or Alt+key: a keystroke.
        keystrokes.append(byte)
        index += 1
      }
    }
  }

  private mutating func record(csi: [UInt8], final: UInt8) {
    let text = String(decoding: csi, as: UTF8.self)
    switch final {
    case UInt8(ascii: "c") where text.hasPrefix("?"):
      answered = true
      let attributes = text.dropFirst().split(separator: ";").compactMap { Int($0) }
      sixel = sixel || attributes.dropFirst().contains(4)
    case UInt8(ascii: "t"):
      let numbers = text.split(separator: ";").compactMap { Int($0) }
      guard numbers.count == 3, numbers[1] > 0, numbers[2] > 0 else { return }
      if numbers[0] == 6 {
        cellHeight = numbers[1]
        cellWidth = numbers[2]
      } else if numbers[0] == 4 {
        areaHeight = numbers[1]
        areaWidth = numbers[2]
      }
    case UInt8(ascii: "y") where text.hasPrefix("?2026;") && text.hasSuffix("$"):
      let value = text.dropFirst(6).dropLast()
      synchronizedOutput = value == "1" || value == "2"
    default:
      break
    }
  }
}
