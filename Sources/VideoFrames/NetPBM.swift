import Foundation

/// Why bytes could not be read as a PPM or PGM image.
public enum NetPBMError: Error, Equatable, CustomStringConvertible {
  case notNetPBM
  case malformedHeader
  case truncated(expected: Int, actual: Int)
  case unsupportedChannels(Int)

  public var description: String {
    switch self {
    case .notNetPBM: return "not a binary PPM (P6) or PGM (P5) image"
    case .malformedHeader: return "malformed PPM/PGM header"
    case .truncated(let e, let a): return "PPM/PGM pixel data has \(a) bytes, header says \(e)"
    case .unsupportedChannels(let c): return "PPM/PGM holds 1 or 3 channels, not \(c)"
    }
  }
}

/// A decoded PPM/PGM: 8-bit gray or RGB pixels.
public struct NetPBMImage: Equatable, Sendable {
  public var width: Int
  public var height: Int
  /// 1 (gray, P5) or 3 (RGB, P6).
  public var channels: Int
  public var pixels: [UInt8]

  public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }
}

/// Binary PPM (P6) and PGM (P5) with 8-bit samples.
public enum NetPBM {
  /// The header for an image of this size: "P6\n<w> <h>\n255\n".
  public static func header(width: Int, height: Int, channels: Int) throws(NetPBMError) -> Data {
    guard channels == 1 || channels == 3 else { throw .unsupportedChannels(channels) }
    return Data("\(channels == 1 ? "P5" : "P6")\n\(width) \(height)\n255\n".utf8)
  }

  /// Encodes packed pixels; `bgr` says the three channels come as B, G, R and must be swapped.
  public static func encode(
    pixels: Data, width: Int, height: Int, channels: Int, bgr: Bool = false
  ) throws(NetPBMError) -> Data {
    var out = try header(width: width, height: height, channels: channels)
    let count = width * height * channels
    guard pixels.count == count else { throw .truncated(expected: count, actual: pixels.count) }
    if channels == 3 && bgr {
      let start = out.count
      out.append(pixels)
      out.withUnsafeMutableBytes { raw in
        let p = raw.bindMemory(to: UInt8.self)
        var i = start
        while i < start + count {
          p.swapAt(i, i + 2)
          i += 3
        }
      }
    } else {
      out.append(pixels)
    }
    return out
  }

  /// Decodes a binary PPM/PGM with maxval 255, allowing comments in the header.
  public static func decode(_ data: Data) throws(NetPBMError) -> NetPBMImage {
    let bytes = [UInt8](data)
    guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"),
      bytes[1] == UInt8(ascii: "5") || bytes[1] == UInt8(ascii: "6")
    else { throw .notNetPBM }
    let channels = bytes[1] == UInt8(ascii: "5") ? 1 : 3
    var i = 2
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
    func number() throws(NetPBMError) -> Int {
      while i < bytes.count {
        if isSpace(bytes[i]) {
          i += 1
        } else if bytes[i] == UInt8(ascii: "#") {
          while i < bytes.count, bytes[i] != 0x0A { i += 1 }
        } else {
          break
        }
      }
      var value = 0
      var digits = 0
      while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, digits < 9 {
        value = value * 10 + Int(bytes[i] - 0x30)
        digits += 1
        i += 1
      }
      guard digits > 0 else { throw .malformedHeader }
      return value
    }
    let width = try number()
    let height = try number()
    let maxval = try number()
    guard maxval == 255, width > 0, height > 0, i < bytes.count, isSpace(bytes[i]) else { throw .malformedHeader }
    i += 1
    let count = width * height * channels
    let available = bytes.count - i
    guard available == count else { throw .truncated(expected: count, actual: available) }
    return NetPBMImage(width: width, height: height, channels: channels, pixels: Array(bytes[i...]))
  }
}
