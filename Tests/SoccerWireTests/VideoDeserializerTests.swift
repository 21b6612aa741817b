import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SoccerProtocol
import SwiftProtobuf
import TestSupport
import Testing

@testable import SoccerWire

@Suite struct VideoDeserializerTests {
  func randomVideo(_ numbers: inout SplitMix) -> Stream_Video {
    Stream_Video.with {
      $0.data = Data(
        (0..<Int.random(in: 0...3000, using: &numbers)).map { _ in UInt8.random(in: 0...255, using: &numbers) })
      $0.dataType = ["uint8", "", "float32", "ü"].randomElement(using: &numbers) ?? ""
      $0.dataShape = "(\(Int.random(in: 0...2000, using: &numbers)), 7, 3)"
      $0.frameIndex = UInt64.random(in: 0...UInt64.max, using: &numbers)
      $0.ptsSeconds = Double.random(in: -1e6...1e6, using: &numbers)
      $0.pixelFormat = [.bgr24, .rgb24, .gray8].randomElement(using: &numbers) ?? .bgr24
      $0.encoding = [.raw, .jpeg, .png].randomElement(using: &numbers) ?? .raw
      // Play's fields: the command number always, a refusal on one message in four.
      $0.command = UInt64.random(in: 0...UInt64.max, using: &numbers)
      if Int.random(in: 0..<4, using: &numbers) == 0 {
        $0.refusal = .with {
          $0.code = 11
          $0.message = "frame \(Int.random(in: 0...999, using: &numbers)) is past the end"
        }
      }
    }
  }

  @Test func readsWhatSwiftProtobufWrites() throws {
    var numbers = SplitMix(seed: 1)
    for _ in 0..<300 {
      let video = randomVideo(&numbers)
      let bytes: [UInt8] = try video.serializedBytes()
      #expect(try VideoDeserializer().deserialize(bytes) == video)
      #expect(try VideoDeserializer().deserialize(GRPCNIOTransportBytes(bytes)) == video)
    }
  }

  @Test func fieldsInAnyOrderAndUnknownFieldsSkipped() throws {
    // pts (5, fixed64), unknown 9 (varint), data (1), unknown 10 (fixed32), shape (3),
    // unknown 11 (length-delimited), type (2), unknown 12 (fixed64), index (4), format (6).
    var wire: [UInt8] = [0x29] + withUnsafeBytes(of: (2.5).bitPattern.littleEndian, Array.init)
    wire += [0x48, 0xAC, 0x02]
    wire += [0x0A, 3, 7, 8, 9]
    wire += [0x55, 1, 2, 3, 4]
    wire += [0x1A, 9] + Array("(1, 1, 3)".utf8)
    wire += [0x5A, 2, 0xFF, 0xFE]
    wire += [0x12, 5] + Array("uint8".utf8)
    wire += [0x61, 0, 0, 0, 0, 0, 0, 0, 0]
    wire += [0x20, 0x96, 0x01]
    wire += [0x30, 1]
    let video = try VideoDeserializer().deserialize(GRPCNIOTransportBytes(wire))
    #expect(video.data == Data([7, 8, 9]))
    #expect(video.dataType == "uint8" && video.dataShape == "(1, 1, 3)")
    #expect(video.frameIndex == 150 && video.ptsSeconds == 2.5 && video.pixelFormat == .rgb24)
    // SwiftProtobuf reads the same, keeping the unknown fields, which Watch has no use for.
    var reference = try Stream_Video(serializedBytes: wire)
    reference.unknownFields = UnknownStorage()
    #expect(video == reference)
  }

  @Test func pixelsStayInTheReceivedBuffer() throws {
    let video = Stream_Video.with { $0.data = Data(repeating: 0x5A, count: 1 << 20) }
    var message: GRPCNIOTransportBytes? = GRPCNIOTransportBytes(try video.serializedBytes() as [UInt8])
    let received = try #require(message.map { try VideoDeserializer().deserialize($0) })
    let inside = try #require(message).withUnsafeBytes { message in
      received.data.withUnsafeBytes { pixels in
        guard let start = message.baseAddress, let pixel = pixels.baseAddress else { return false }
        return pixel >= start && pixel + pixels.count <= start + message.count
      }
    }
    #expect(inside, "the pixels were copied")
    // The Data keeps the message's memory alive after the message itself is gone.
    message = nil
    let churn = (0..<64).map { _ in [UInt8](repeating: 0xA5, count: 1 << 20) }
    #expect(churn.count == 64)
    #expect(received.data.count == 1 << 20 && received.data.allSatisfy { $0 == 0x5A })
  }

  @Test func brokenMessagesThrowAndNeverCrash() throws {
    var numbers = SplitMix(seed: 7)
    let valid: [UInt8] = try randomVideo(&numbers).serializedBytes()
    // Every truncation: either a shorter valid message (cut at a field boundary) or an error.
    for end in 0..<valid.count {
      _ = try? VideoDeserializer().deserialize(Array(valid[..<end]))
    }
    for bad: [UInt8] in [
      [0x0A, 0x05, 1, 2],  // data longer than the message
      [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],  // a huge length
      [0x08] + [UInt8](repeating: 0xFF, count: 11),  // an 11-byte varint
      [0x12, 0x02, 0xC3, 0x28],  // a string that is not UTF-8
      [0x0B],  // group start: wire type 3
      [0x00, 0x00],  // field number 0
      [0x29, 1, 2, 3],  // truncated double
    ] {
      #expect(throws: VideoWireError.self) { try VideoDeserializer().deserialize(bad) }
    }
    for _ in 0..<5000 {
      let noise = (0..<Int.random(in: 0...64, using: &numbers)).map { _ in UInt8.random(in: 0...255, using: &numbers) }
      _ = try? VideoDeserializer().deserialize(noise)
    }
  }
}
