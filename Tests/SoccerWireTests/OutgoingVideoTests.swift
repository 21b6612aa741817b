import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SoccerProtocol
import Testing
import VideoFrames

@testable import SoccerWire

@Suite struct OutgoingVideoTests {
  static func frames() -> [Frame] {
    [(0, 2, 2, PixelFormat.rgb24), (7, 640, 360, .bgr24), (1_000_000, 33, 17, .gray8), (3, 1, 1, .rgb24)].map {
      index, width, height, format in
      let count = width * height * format.channels
      var frame = Frame(
        pixels: Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }), width: width, height: height,
        format: format, index: index, ptsSeconds: Double(index) / 25)
      if index == 3 { frame.encoding = .png }
      return frame
    }
  }

  @Test func aFrameInWireFormSendsTheBytesItsMessageSerializesTo() throws {
    for frame in Self.frames() {
      let wired = frame.inWireForm()
      #expect(wired.pixels == frame.pixels)
      #expect(wired.wire is GRPCNIOTransportBytes)
      let expected: GRPCNIOTransportBytes = try VideoSerializer().serialize(Stream_Video(frame))
      let sent: GRPCNIOTransportBytes = try OutgoingVideoSerializer().serialize(OutgoingVideo(wired))
      #expect(sent == expected, "frame \(frame.index)")
      // Its message is the frame's, whichever bytes carry it.
      #expect(OutgoingVideo(wired).message == Stream_Video(frame))
    }
  }

  @Test func itsPixelsAreReadFromTheWireBytesWithoutACopy() throws {
    let frame = Self.frames()[1].inWireForm()
    let wire = try #require(frame.wire as? GRPCNIOTransportBytes)
    let pixels = try #require(frame.pixels.withUnsafeBytes { $0.baseAddress })
    let message = try #require(wire.withUnsafeBytes { raw in raw.baseAddress.map { $0..<($0 + raw.count) } })
    #expect(message.contains(pixels))
    #expect(message.contains(pixels + (frame.pixels.count - 1)))
  }

  @Test func aMessageWithoutBytesIsSerialized() throws {
    for frame in Self.frames() {
      let message = Stream_Video(frame)
      let expected: [UInt8] = try message.serializedBytes()
      let bytes: [UInt8] = try OutgoingVideoSerializer().serialize(OutgoingVideo(message))
      #expect(bytes == expected)
      // Bytes of another type than the transport's are not sent: the message is serialized.
      let other: [UInt8] = try OutgoingVideoSerializer().serialize(OutgoingVideo(frame.inWireForm()))
      #expect(other == expected)
    }
  }
}
