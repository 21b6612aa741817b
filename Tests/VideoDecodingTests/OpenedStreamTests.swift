import Foundation
import TestSupport
import Testing
import VideoFrames

@testable import VideoDecoding

/// Codecs, pixel formats and stream layouts FFmpeg decodes inside MP4.
@Suite struct OpenedStreamTests {
  @Test func zeroBytes() throws {
    let path = try TestMedia.file("zero", contents: Data())
    #expect(throws: DecodeError.self) { try decodeAll(path) }
  }

  @Test func randomBytesAndText() throws {
    var generator = SystemRandomNumberGenerator()
    let random = try TestMedia.file(
      "random", contents: Data((0..<65536).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    let text = try TestMedia.file("text", contents: Data(String(repeating: "not a video\n", count: 500).utf8))
    for path in [random, text] {
      do {
        _ = try decodeAll(path)
        Issue.record("\(path) decoded")
      } catch {
        switch error as? DecodeError {
        case .notMedia, .noVideoStream, .noDecodableFrames: break
        default: Issue.record("unexpected \(error)")
        }
      }
    }
  }

  @Test func framesOverThePixelCapAreRefusedFromTheHeaderUnlessScaledUnderIt() throws {
    var options = DecodeOptions()
    options.maxFramePixels = 320 * 180
    #expect(
      throws: DecodeError.framesTooLarge(source: "640x360", output: "640x360", pixels: 640 * 360, limit: 320 * 180)
    ) {
      try VideoDecoder(path: Repository.sample, analyze: false, admitting: options)
    }
    options.maxWidth = 320
    let decoder = try VideoDecoder(path: Repository.sample, analyze: false, admitting: options)
    try decoder.configure(options)
    #expect(try decoder.next()?.width == 320)
    #expect(decoder.geometry(for: options).outputSize == "320x180")
    // H.264 High profile: 4:2:0 at 8 bits, known from the avcC record before any frame is decoded.
    #expect(decoder.decodedFrameBytes == 640 * 360 * 3 / 2)
  }

  @Test func audioOnly() throws {
    let path = try TestMedia.audioOnly(in: try makeTemporaryFolder())
    #expect(throws: DecodeError.noVideoStream) { try VideoDecoder(path: path) }
  }

  @Test func truncatedBeforeTheIndex() throws {
    // Without faststart the index (moov) comes last; cutting the file in half loses it.
    let truncated = try TestMedia.truncatedBeforeTheIndex(in: try makeTemporaryFolder())
    #expect(throws: DecodeError.self) { try VideoDecoder(path: truncated) }
  }

  @Test func truncatedAfterTheIndexIsDataLossAfterTheFramesThatRemain() throws {
    // The sample keeps its index first (faststart): cutting it keeps the index, loses frames.
    let data = try Data(contentsOf: URL(fileURLWithPath: Repository.sample))
    let path = try TestMedia.file("truncated-data", contents: data.prefix(data.count * 6 / 10))
    let decoder = try VideoDecoder(path: path)
    var frames = 0
    do {
      while try decoder.next() != nil { frames += 1 }
      Issue.record("decoding ended without an error")
    } catch {
      guard case .dataLoss = error else {
        Issue.record("unexpected \(error)")
        return
      }
    }
    #expect(frames > 30 && frames < 100)
  }

  @Test func corruptPacketsInTheMiddleAreSkipped() throws {
    var data = try Data(contentsOf: URL(fileURLWithPath: Repository.sample))
    var generator = SplitMix(seed: 7)
    for i in (data.count / 2)..<(data.count / 2 + 20_000) { data[i] = UInt8(truncatingIfNeeded: generator.next()) }
    let path = try TestMedia.file("corrupt-middle", contents: data)
    let frames = try decodeAll(path)
    // Most frames survive; the damaged ones are concealed or dropped, as FFmpeg's tools do.
    #expect(frames.count > 80 && frames.count <= 100)
  }
}
