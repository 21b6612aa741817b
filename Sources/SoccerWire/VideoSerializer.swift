import Foundation
import GRPCCore
import SoccerProtocol
import SwiftProtobuf

/// Writes `Video` messages as SwiftProtobuf does, byte for byte, with one copy of the pixels.
///
/// SwiftProtobuf's `serializedBytes()` zero-fills a buffer the size of the message and copies
/// the pixels into it, and the transport then copies that buffer into its own. Here the
/// transport's bytes are made from a sequence that copies itself in: the pixels go once, with
/// no zero-fill, straight into the transport's buffer (`ByteBuffer` fills a sequence through
/// its `_copyContents(initializing:)`). Transports with other byte types get the same bytes.
public struct VideoSerializer: MessageSerializer {
  public init() {}

  public func serialize<Bytes: GRPCContiguousBytes>(_ message: Stream_Video) throws -> Bytes {
    Bytes(try VideoWireBytes(message))
  }
}

/// A `Video` message's wire format in three parts: field 1's key and length, the pixels, and
/// fields 2 to 8, which SwiftProtobuf writes (they are a few dozen bytes).
public struct VideoWireBytes: Sequence {
  private let head: [UInt8]
  private let pixels: Data
  private let tail: [UInt8]

  public init(_ video: Stream_Video) throws {
    var rest = video
    rest.data = Data()
    tail = try rest.serializedBytes()
    pixels = video.data
    // proto3 leaves out a field that holds its default: no pixels, no field 1.
    head = pixels.isEmpty ? [] : [VideoField.data.key] + Self.varint(UInt64(pixels.count))
  }

  /// Where the pixels lie in the message.
  public var pixelRange: Range<Int> { head.count..<(head.count + pixels.count) }

  /// Bytes in the whole message.
  public var count: Int { head.count + pixels.count + tail.count }

  public var underestimatedCount: Int { count }

  /// Byte by byte, for whatever iterates; the transport's buffer is filled by `_copyContents`.
  public func makeIterator() -> IndexingIterator<[UInt8]> { (head + Array(pixels) + tail).makeIterator() }

  public func _copyContents(initializing buffer: UnsafeMutableBufferPointer<UInt8>) -> (IndexingIterator<[UInt8]>, Int)
  {
    guard buffer.count >= count else {
      // A buffer too small for the whole message (no transport gives one): fill it byte by
      // byte and leave the rest to the iterator.
      var iterator = makeIterator()
      var written = 0
      while written < buffer.count, let byte = iterator.next() {
        buffer[written] = byte
        written += 1
      }
      return (iterator, written)
    }
    // UInt8 is a trivial type: copying bytes into the uninitialised buffer initialises it.
    let target = UnsafeMutableRawBufferPointer(buffer)
    var offset = 0
    func append(_ source: UnsafeRawBufferPointer) {
      UnsafeMutableRawBufferPointer(rebasing: target[offset..<offset + source.count]).copyMemory(from: source)
      offset += source.count
    }
    head.withUnsafeBytes(append)
    pixels.withUnsafeBytes(append)
    tail.withUnsafeBytes(append)
    return ([UInt8]().makeIterator(), offset)
  }

  private static func varint(_ value: UInt64) -> [UInt8] {
    var value = value
    var bytes: [UInt8] = []
    while value >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
    return bytes
  }
}
