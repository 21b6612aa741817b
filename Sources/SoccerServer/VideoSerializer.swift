import Foundation
import GRPCCore
import GRPCProtobuf
import SoccerProtocol
import SwiftProtobuf

/// Writes `Video` messages as SwiftProtobuf does, byte for byte, with one copy of the pixels.
///
/// SwiftProtobuf's `serializedBytes()` zero-fills a buffer the size of the message and copies
/// the pixels into it, and the transport then copies that buffer into its own. Here the
/// transport's bytes are made from a sequence that copies itself in: the pixels go once, with
/// no zero-fill, straight into the transport's buffer (`ByteBuffer` fills a sequence through
/// its `_copyContents(initializing:)`). Transports with other byte types get the same bytes.
struct VideoSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: Stream_Video) throws -> Bytes {
    Bytes(try VideoWireBytes(message))
  }
}

/// A `Video` message's wire format in three parts: field 1's key and length, the pixels, and
/// fields 2 to 8, which SwiftProtobuf writes (they are a few dozen bytes).
struct VideoWireBytes: Sequence {
  private let head: [UInt8]
  private let pixels: Data
  private let tail: [UInt8]

  init(_ video: Stream_Video) throws {
    var rest = video
    rest.data = Data()
    tail = try rest.serializedBytes()
    pixels = video.data
    // proto3 leaves out a field that holds its default: no pixels, no field 1.
    head = pixels.isEmpty ? [] : [0x0A] + Self.varint(UInt64(pixels.count))
  }

  /// Bytes in the whole message.
  var count: Int { head.count + pixels.count + tail.count }

  var underestimatedCount: Int { count }

  /// Byte by byte, for whatever iterates; the transport's buffer is filled by `_copyContents`.
  func makeIterator() -> IndexingIterator<[UInt8]> { (head + Array(pixels) + tail).makeIterator() }

  func _copyContents(initializing buffer: UnsafeMutableBufferPointer<UInt8>) -> (IndexingIterator<[UInt8]>, Int) {
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

/// Watch and Play registered again with `VideoSerializer` for their frames in place of the
/// generated code's SwiftProtobuf serializer: listed after the service, whose registrations of
/// the two methods these replace.
struct VideoRoutes: RegistrableRPCService {
  let service: SoccerService

  func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    router.registerHandler(
      forMethod: Stream_Soccer.Method.Watch.descriptor, deserializer: ProtobufDeserializer<Stream_Match>(),
      serializer: VideoSerializer()
    ) { [service] request, context in
      try await service.watch(request: request, context: context)
    }
    router.registerHandler(
      forMethod: Stream_Soccer.Method.Play.descriptor, deserializer: ProtobufDeserializer<Stream_PlayControl>(),
      serializer: VideoSerializer()
    ) { [service] request, context in
      try await service.play(request: request, context: context)
    }
  }
}
