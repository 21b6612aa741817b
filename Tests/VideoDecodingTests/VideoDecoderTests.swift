import Foundation
import TestSupport
import Testing
import VideoFrames

@testable import VideoDecoding

/// Decodes every frame `options` select from `path`.
func decodeAll(_ path: String, _ options: DecodeOptions = DecodeOptions()) throws -> [Frame] {
  let decoder = try VideoDecoder(path: path)
  try decoder.configure(options)
  var frames: [Frame] = []
  while let frame = try decoder.next() { frames.append(frame) }
  return frames
}

@Suite struct VideoDecoderTests {
  @Test func describesTheSample() throws {
    let info = try VideoDecoder(path: Repository.sample).info
    #expect(info.width == 640 && info.height == 360)
    #expect(info.frameRate == 25)
    #expect(info.frameCount == 100 && info.frameCountExact)
    #expect(abs(info.durationSeconds - 4) < 0.05)
    #expect(info.codec == "h264")
    #expect(info.sourcePixelFormat == "yuv420p")
  }

  @Test func decodesEveryFrameInOrderAsBGR() throws {
    let frames = try decodeAll(Repository.sample)
    #expect(frames.count == 100)
    for (n, frame) in frames.enumerated() {
      #expect(frame.width == 640 && frame.height == 360 && frame.format == .bgr24)
      #expect(frame.pixels.count == 640 * 360 * 3)
      #expect(frame.index == n)
      #expect(abs(frame.ptsSeconds - Double(n) / 25) < 0.001)
      #expect(SamplePattern.counter(pixels: frame.pixels, width: 640, height: 360, channels: 3) == n)
    }
    let first = try #require(frames.first)
    let c = SamplePattern.patchCentres(width: 640, height: 360)
    // BGR order: red is (0, 0, 255).
    #expect(near(SamplePattern.pixel(first.pixels, width: 640, x: c.red.0, y: c.red.1, channels: 3), [0, 0, 255]))
    #expect(near(SamplePattern.pixel(first.pixels, width: 640, x: c.green.0, y: c.green.1, channels: 3), [0, 255, 0]))
    #expect(near(SamplePattern.pixel(first.pixels, width: 640, x: c.blue.0, y: c.blue.1, channels: 3), [255, 0, 0]))
  }

  @Test func convertsToRGBAndGray() throws {
    let c = SamplePattern.patchCentres(width: 640, height: 360)
    let rgb = try #require(try decodeAll(Repository.sample, DecodeOptions(format: .rgb24, maxFrames: 1)).first)
    #expect(rgb.format == .rgb24 && rgb.pixels.count == 640 * 360 * 3)
    #expect(near(SamplePattern.pixel(rgb.pixels, width: 640, x: c.red.0, y: c.red.1, channels: 3), [255, 0, 0]))
    #expect(near(SamplePattern.pixel(rgb.pixels, width: 640, x: c.blue.0, y: c.blue.1, channels: 3), [0, 0, 255]))

    let gray = try #require(try decodeAll(Repository.sample, DecodeOptions(format: .gray8, maxFrames: 1)).first)
    #expect(gray.format == .gray8 && gray.pixels.count == 640 * 360)
    #expect(gray.header.dataShape == "(360, 640)")
    // Luma of pure red, green and blue (BT.601): 76, 150, 29.
    #expect(near(SamplePattern.pixel(gray.pixels, width: 640, x: c.red.0, y: c.red.1, channels: 1), [76]))
    #expect(near(SamplePattern.pixel(gray.pixels, width: 640, x: c.green.0, y: c.green.1, channels: 1), [150]))
    #expect(near(SamplePattern.pixel(gray.pixels, width: 640, x: c.blue.0, y: c.blue.1, channels: 1), [29]))
  }

  @Test(arguments: [
    (320, 0, 320, 180), (0, 100, 178, 100), (1000, 1000, 640, 360), (64, 64, 64, 36), (1, 1, 1, 1),
  ])
  func downscalesKeepingAspect(maxWidth: Int, maxHeight: Int, width: Int, height: Int) throws {
    let frames = try decodeAll(
      Repository.sample, DecodeOptions(maxWidth: maxWidth, maxHeight: maxHeight, maxFrames: 2))
    #expect(frames.count == 2)
    for frame in frames {
      #expect(frame.width == width && frame.height == height)
      #expect(frame.pixels.count == width * height * 3)
    }
  }

  @Test func downscaledFramesKeepTheirColours() throws {
    let frame = try #require(try decodeAll(Repository.sample, DecodeOptions(maxWidth: 320, maxFrames: 1)).first)
    let c = SamplePattern.patchCentres(width: 320, height: 180)
    #expect(near(SamplePattern.pixel(frame.pixels, width: 320, x: c.red.0, y: c.red.1, channels: 3), [0, 0, 255]))
  }

  @Test func seeksToTheStartOffset() throws {
    let frames = try decodeAll(Repository.sample, DecodeOptions(startSeconds: 2.0, maxFrames: 3))
    #expect(frames.map(\.index) == [50, 51, 52])
    #expect(
      frames.map { SamplePattern.counter(pixels: $0.pixels, width: 640, height: 360, channels: 3) } == [50, 51, 52])
    #expect(abs((frames.first?.ptsSeconds ?? 0) - 2.0) < 0.001)
  }

  @Test func stridesAndStops() throws {
    let frames = try decodeAll(Repository.sample, DecodeOptions(maxFrames: 5, stride: 7))
    #expect(frames.map(\.index) == [0, 7, 14, 21, 28])
    #expect(
      frames.map { SamplePattern.counter(pixels: $0.pixels, width: 640, height: 360, channels: 3) } == [
        0, 7, 14, 21, 28,
      ])
    let all = try decodeAll(Repository.sample, DecodeOptions(stride: 30))
    #expect(all.map(\.index) == [0, 30, 60, 90])
  }

  @Test func startPastTheEndIsAnError() throws {
    #expect(throws: DecodeError.startPastEnd(start: 4.0, duration: 4.0)) {
      try decodeAll(Repository.sample, DecodeOptions(startSeconds: 4.0))
    }
  }
}
