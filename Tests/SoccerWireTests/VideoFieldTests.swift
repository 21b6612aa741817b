import Foundation
import SoccerProtocol
import SwiftProtobuf
import Testing

@testable import SoccerWire

@Suite struct VideoFieldTests {
  /// A message with one field set, as the generated code writes it, starts with that field's key.
  @Test func everyKeyIsTheGeneratedCodes() throws {
    let one: [VideoField: Stream_Video] = [
      .data: .with { $0.data = Data([1]) },
      .dataType: .with { $0.dataType = "uint8" },
      .dataShape: .with { $0.dataShape = "(1,)" },
      .frameIndex: .with { $0.frameIndex = 7 },
      .ptsSeconds: .with { $0.ptsSeconds = 0.5 },
      .pixelFormat: .with { $0.pixelFormat = .gray8 },
      .command: .with { $0.command = 3 },
      .refusal: .with { $0.refusal.code = 11 },
      .slot: .with { $0.slot.index = 1 },
      .encoding: .with { $0.encoding = .jpeg },
    ]
    #expect(Set(one.keys) == Set(VideoField.allCases))
    for (field, message) in one {
      let bytes: [UInt8] = try message.serializedBytes()
      #expect(bytes.first == field.key, "\(field)")
    }
  }

  /// The serializer's bytes read back by the deserializer give the message again, whatever is set.
  @Test func whatTheSerializerWritesTheDeserializerReads() throws {
    for message in VideoSerializerTests.messages(count: 60) {
      let bytes: [UInt8] = try VideoSerializer().serialize(message)
      #expect(try VideoDeserializer().deserialize(bytes) == message, "\(message.data.count) bytes of pixels")
    }
  }
}
