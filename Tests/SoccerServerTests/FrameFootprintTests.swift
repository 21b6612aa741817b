import Testing
import VideoDecoding
import VideoFrames

@testable import SoccerServer

@Suite struct FrameFootprintTests {
  static let eightK = FrameGeometry(
    sourceWidth: 8192, sourceHeight: 4320, decodedFrameBytes: 8192 * 4320 * 3 / 2, decoderThreads: 2,
    outputWidth: 8192, outputHeight: 4320, format: .bgr24)

  @Test func countsTheQueueTheTransportAndTheDecoder() {
    let footprint = FrameFootprint(geometry: Self.eightK, queueDepth: 2)
    // Five converted BGR frames and nine decoded 4:2:0 ones.
    #expect(footprint.bytes == 8192 * 4320 * 3 * 5 + 8192 * 4320 * 3 / 2 * 9)
    let deeper = FrameFootprint(geometry: Self.eightK, queueDepth: 4)
    #expect(deeper.bytes - footprint.bytes == 2 * 8192 * 4320 * 3)
  }

  @Test func aSharedMemoryRingTakesThePlaceOfTheConvertedFrames() {
    let footprint = FrameFootprint(geometry: Self.eightK, queueDepth: 2, ringBytes: 4096 + 4 * (107 << 20))
    #expect(footprint.convertedFrames == 0)
    #expect(footprint.bytes == 4096 + 4 * (107 << 20) + footprint.decodedBytes)
    // The ring's size is the client's: no width would make it fit.
    #expect(footprint.largestFittingWidth(in: footprint.bytes - 1) == nil)
    #expect(footprint.resized(maxWidth: 1024, maxHeight: 0).bytes == footprint.bytes)
  }

  @Test func anEncodedStreamCountsItsFramesRawAndTheEncodersBuffersBeside() {
    var encoded = Self.eightK
    encoded.encoded = true
    let raw = FrameFootprint(geometry: Self.eightK, queueDepth: 2)
    let footprint = FrameFootprint(geometry: encoded, queueDepth: 2)
    let frame = 8192 * 4320 * 3
    #expect(footprint.bytes - raw.bytes == 2 * frame + frame / 64 + 4096)
    // Resizing keeps the stream encoded.
    #expect(footprint.resized(maxWidth: 1024, maxHeight: 0).encoderBytes > 0)
  }

  @Test func scalingShrinksTheConvertedFramesOnly() {
    let footprint = FrameFootprint(geometry: Self.eightK, queueDepth: 2)
    let small = footprint.resized(maxWidth: 1024, maxHeight: 0)
    #expect(small.geometry.outputSize == "1024x540")
    #expect(small.bytes == 1024 * 540 * 3 * 5 + footprint.decodedBytes)
    let gray = FrameFootprint(geometry: Self.eightK.converted(to: .gray8, maxWidth: 0, maxHeight: 0), queueDepth: 2)
    #expect(gray.bytes == 8192 * 4320 * 5 + footprint.decodedBytes)
  }

  @Test func theFittingWidthFitsAndAWiderOneWouldNot() throws {
    let footprint = FrameFootprint(geometry: Self.eightK, queueDepth: 2)
    let available = footprint.decodedBytes + 40 << 20
    let width = try #require(footprint.largestFittingWidth(in: available))
    #expect(width % 16 == 0)
    #expect(footprint.resized(maxWidth: width, maxHeight: 0).bytes <= available)
    #expect(footprint.resized(maxWidth: width + 16, maxHeight: 0).bytes > available)
  }

  @Test func noWidthFitsWhenTheDecodedFramesAloneDoNot() {
    let footprint = FrameFootprint(geometry: Self.eightK, queueDepth: 2)
    #expect(footprint.largestFittingWidth(in: footprint.decodedBytes) == nil)
    #expect(footprint.largestFittingWidth(in: 0) == nil)
  }
}
