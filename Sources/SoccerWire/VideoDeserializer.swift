import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SoccerProtocol

/// Reads `Video` messages leaving the pixels where the transport put them.
///
/// SwiftProtobuf copies the `data` field into a new `Data`: a whole frame per message. Here
/// `data` is a `Data` that points into the received message and keeps it alive. The other
/// fields are read from the wire format directly; unknown fields are skipped as protobuf
/// requires.
public struct VideoDeserializer: MessageDeserializer {
  public init() {}

  public func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Stream_Video {
    var video = Stream_Video()
    let pixels = try serializedMessageBytes.withUnsafeBytes { raw throws(VideoWireError) -> Range<Int>? in
      var reader = WireReader(raw)
      var pixels: Range<Int>?
      while !reader.atEnd {
        let key = try reader.varint()
        guard let field = VideoField(rawValue: key >> 3), key & 7 == field.wireType else {
          // Unknown fields, and known ones with another wire type, are skipped as protobuf says.
          guard key >> 3 > 0 else { throw VideoWireError("field number 0") }
          try reader.skip(wireType: key & 7)
          continue
        }
        switch field {
        case .data: pixels = try reader.lengthDelimited()
        case .dataType: video.dataType = try reader.string()
        case .dataShape: video.dataShape = try reader.string()
        case .frameIndex: video.frameIndex = try reader.varint()
        case .ptsSeconds: video.ptsSeconds = Double(bitPattern: try reader.fixed64())
        case .pixelFormat:
          video.pixelFormat =
            Stream_PixelFormat(rawValue: Int(Int32(truncatingIfNeeded: try reader.varint())))
            ?? .UNRECOGNIZED(0)
        case .command: video.command = try reader.varint()
        case .refusal:
          // A small message: SwiftProtobuf reads it.
          let range = try reader.lengthDelimited()
          do {
            video.refusal = try Stream_CommandRefusal(serializedBytes: Array(raw[range]))
          } catch {
            throw VideoWireError("refusal: \(error)")
          }
        case .slot:
          let range = try reader.lengthDelimited()
          do {
            video.slot = try Stream_SharedMemorySlot(serializedBytes: Array(raw[range]))
          } catch {
            throw VideoWireError("slot: \(error)")
          }
        case .encoding:
          let value = Int(Int32(truncatingIfNeeded: try reader.varint()))
          video.encoding = Stream_FrameEncoding(rawValue: value) ?? .UNRECOGNIZED(value)
        }
      }
      return pixels
    }
    if let pixels, !pixels.isEmpty {
      video.data = Self.data(pixels, of: serializedMessageBytes)
    }
    return video
  }

  /// The bytes at `range` of `message` as `Data`, without a copy for the HTTP/2 transport's
  /// messages.
  private static func data<Bytes: GRPCContiguousBytes>(_ range: Range<Int>, of message: Bytes) -> Data {
    guard let owner = message as? GRPCNIOTransportBytes else {
      return message.withUnsafeBytes { Data($0[range]) }
    }
    return owner.data(in: range)
  }
}

/// A `Video` message that breaks the protobuf wire format.
public struct VideoWireError: Error, CustomStringConvertible {
  public var description: String
  init(_ why: String) { description = "malformed Video message: \(why)" }
}

/// Reads protobuf wire-format primitives, checking every length against what is there.
struct WireReader {
  private let bytes: UnsafeRawBufferPointer
  private(set) var offset = 0

  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  var atEnd: Bool { offset >= bytes.count }

  mutating func varint() throws(VideoWireError) -> UInt64 {
    var value: UInt64 = 0
    for shift in stride(from: UInt64(0), to: 70, by: 7) {
      guard offset < bytes.count else { throw VideoWireError("truncated varint") }
      let byte = bytes[offset]
      offset += 1
      value |= UInt64(byte & 0x7F) << shift
      if byte & 0x80 == 0 { return value }
    }
    throw VideoWireError("varint longer than 10 bytes")
  }

  mutating func fixed64() throws(VideoWireError) -> UInt64 {
    guard bytes.count - offset >= 8 else { throw VideoWireError("truncated fixed64") }
    var value: UInt64 = 0
    for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
    offset += 8
    return value
  }

  /// The range of a length-delimited field's contents.
  mutating func lengthDelimited() throws(VideoWireError) -> Range<Int> {
    let length = try varint()
    guard length <= UInt64(bytes.count - offset) else { throw VideoWireError("field longer than the message") }
    let range = offset..<(offset + Int(length))
    offset = range.upperBound
    return range
  }

  mutating func string() throws(VideoWireError) -> String {
    let range = try lengthDelimited()
    guard let text = String(validating: bytes[range], as: UTF8.self) else {
      throw VideoWireError("string field is not UTF-8")
    }
    return text
  }

  mutating func skip(wireType: UInt64) throws(VideoWireError) {
    switch wireType {
    case 0: _ = try varint()
    case 1: _ = try fixed64()
    case 2: _ = try lengthDelimited()
    case 5:
      guard bytes.count - offset >= 4 else { throw VideoWireError("truncated fixed32") }
      offset += 4
    default: throw VideoWireError("unsupported wire type \(wireType)")
    }
  }
}
