import Foundation
import GRPCCore
import NIOCore
import SoccerProtocol
import SwiftProtobuf
import TestSupport
import Testing

@testable import SoccerWire

@Suite struct VideoSerializerTests {
  /// Random messages: empty and large pixels, every field set or left at its default.
  static func messages(count: Int) -> [Stream_Video] {
    var generator = SplitMix(seed: 16)
    return (0..<count).map { n in
      Stream_Video.with { video in
        let size = [0, 1, 127, 128, 16_383, 16_384, 2_000_000][n % 7] + Int.random(in: 0...3, using: &generator)
        video.data = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
        if Bool.random(using: &generator) { video.dataType = "uint8" }
        if Bool.random(using: &generator) { video.dataShape = "(\(n), 640, 3)" }
        if Bool.random(using: &generator) { video.frameIndex = UInt64.random(in: 0...UInt64.max, using: &generator) }
        if Bool.random(using: &generator) { video.ptsSeconds = Double.random(in: -1...1e6, using: &generator) }
        if Bool.random(using: &generator) { video.pixelFormat = .gray8 }
        if Bool.random(using: &generator) { video.command = UInt64.random(in: 1...1 << 40, using: &generator) }
        if n % 5 == 0 {
          video.refusal = Stream_CommandRefusal.with {
            $0.code = 11
            $0.message = "frame \(n) is past the end"
          }
        }
      }
    }
  }

  @Test func itsBytesAreSwiftProtobufs() throws {
    for message in Self.messages(count: 60) {
      let expected: [UInt8] = try message.serializedBytes()
      let ours: [UInt8] = try VideoSerializer().serialize(message)
      #expect(ours == expected, "\(message.data.count) bytes of pixels")
      // The transport's own bytes, filled the way it fills them.
      let buffer = ByteBuffer(bytes: try VideoWireBytes(message))
      #expect(Array(buffer.readableBytesView) == expected)
      #expect(try Stream_Video(serializedBytes: ours) == message)
    }
  }

  @Test func aBufferTooSmallIsFilledAndTheRestIterated() throws {
    for message in Self.messages(count: 14) {
      let bytes = try VideoWireBytes(message)
      let expected: [UInt8] = try message.serializedBytes()
      let part = bytes.count / 2
      let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: part)
      defer { buffer.deallocate() }
      var (rest, written) = buffer.initialize(from: bytes)
      var all = Array(buffer.prefix(written))
      while let byte = rest.next() { all.append(byte) }
      #expect(written == part)
      #expect(all == expected)
    }
  }
}
