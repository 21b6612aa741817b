/// The numpy element types a frame may carry.
public enum ElementType: String, Sendable, Hashable {
  case uint8
  case uint16

  /// Bytes per element.
  public var size: Int { self == .uint8 ? 1 : 2 }
}

/// Why a `data_type`/`data_shape` pair was refused.
public enum ArrayHeaderError: Error, Equatable, CustomStringConvertible {
  case unsupportedType(String)
  case malformedShape(String)
  case unsupportedRank(Int)
  case sizeMismatch(expected: Int, actual: Int)

  public var description: String {
    switch self {
    case .unsupportedType(let name):
      return "unsupported data_type \(quoted(name)): expected \"uint8\" or \"uint16\""
    case .malformedShape(let text):
      return "malformed data_shape \(quoted(text)): expected a tuple like \"(720, 1280, 3)\""
    case .unsupportedRank(let rank):
      return "data_shape has \(rank) dimensions: expected (height, width) or (height, width, channels)"
    case .sizeMismatch(let expected, let actual):
      return "frame has \(actual) bytes but its data_type and data_shape need \(expected)"
    }
  }
}

/// Quotes untrusted text for an error message, shortened and with control characters escaped.
private func quoted(_ text: String) -> String {
  let limit = 40
  let head = text.unicodeScalars.prefix(limit)
  var out = "\""
  for scalar in head {
    out += scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
  }
  return out + (text.unicodeScalars.count > limit ? "…\"" : "\"")
}

/// The `data_type` and `data_shape` of a frame: numpy's element type and array shape.
public struct ArrayHeader: Sendable, Hashable {
  public var elementType: ElementType
  public var height: Int
  public var width: Int
  /// Channels per pixel; 1 for a two-dimensional shape.
  public var channels: Int
  /// Whether the shape has two dimensions, (height, width), rather than three.
  public var isTwoDimensional: Bool

  public init(elementType: ElementType = .uint8, height: Int, width: Int, channels: Int) {
    self.elementType = elementType
    self.height = height
    self.width = width
    self.channels = channels
    self.isTwoDimensional = channels == 1
  }

  /// Bytes of pixel data the header describes.
  public var byteCount: Int { height * width * channels * elementType.size }

  /// The numpy dtype name, as sent in `data_type`.
  public var dataType: String { elementType.rawValue }

  /// The Python tuple text, as sent in `data_shape`: "(720, 1280, 3)" or "(720, 1280)".
  public var dataShape: String {
    isTwoDimensional && channels == 1 ? "(\(height), \(width))" : "(\(height), \(width), \(channels))"
  }

  /// Parses what a Python server sends, checking it against the payload size (nil: a JPEG or
  /// PNG file of the array, whose size says nothing of it).
  public init(dataType: String, dataShape: String, byteCount: Int?) throws(ArrayHeaderError) {
    guard let type = ElementType(rawValue: dataType) else { throw .unsupportedType(dataType) }
    let dims = try Self.parseShape(dataShape)
    guard dims.count == 2 || dims.count == 3 else { throw .unsupportedRank(dims.count) }
    guard dims.allSatisfy({ $0 > 0 }) else { throw .malformedShape(dataShape) }
    var expected = type.size
    for d in dims {
      let (product, overflow) = expected.multipliedReportingOverflow(by: d)
      guard !overflow else { throw .malformedShape(dataShape) }
      expected = product
    }
    if let byteCount, expected != byteCount { throw .sizeMismatch(expected: expected, actual: byteCount) }
    self.elementType = type
    self.height = dims[0]
    self.width = dims[1]
    self.channels = dims.count == 3 ? dims[2] : 1
    self.isTwoDimensional = dims.count == 2
  }

  /// Parses Python tuple text of non-negative integers: "(720, 1280, 3)", "(2,3)", "(5,)".
  static func parseShape(_ text: String) throws(ArrayHeaderError) -> [Int] {
    let bytes = Array(text.utf8)
    guard bytes.count <= 128 else { throw .malformedShape(text) }
    var i = 0
    func skipSpaces() { while i < bytes.count, bytes[i] == 0x20 { i += 1 } }
    skipSpaces()
    guard i < bytes.count, bytes[i] == UInt8(ascii: "(") else { throw .malformedShape(text) }
    i += 1
    var dims: [Int] = []
    var trailingComma = false
    while true {
      skipSpaces()
      guard i < bytes.count else { throw .malformedShape(text) }
      if bytes[i] == UInt8(ascii: ")") {
        // As in Python, "(5)" is not a tuple but "(5,)" and "(2, 3,)" are; "()" has no dimensions.
        guard !dims.isEmpty, dims.count > 1 || trailingComma else { throw .malformedShape(text) }
        i += 1
        break
      }
      var value = 0
      var digits = 0
      while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
        let (m, o1) = value.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.addingReportingOverflow(Int(bytes[i] - 0x30))
        guard !o1, !o2 else { throw .malformedShape(text) }
        value = s
        digits += 1
        i += 1
      }
      guard digits > 0 else { throw .malformedShape(text) }
      dims.append(value)
      skipSpaces()
      guard i < bytes.count else { throw .malformedShape(text) }
      if bytes[i] == UInt8(ascii: ",") {
        i += 1
        trailingComma = true
      } else if bytes[i] == UInt8(ascii: ")") {
        trailingComma = false
      } else {
        throw .malformedShape(text)
      }
    }
    skipSpaces()
    guard i == bytes.count else { throw .malformedShape(text) }
    return dims
  }
}
