import CFFmpeg
import Foundation
import TestSupport
import Testing
import VideoFrames

@testable import VideoDecoding

/// Codecs, pixel formats and stream layouts FFmpeg decodes inside MP4.
@Suite struct VideoDecoderFormatsTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var arguments: [String]
    var codec: String
    var sourceFormat: String
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "hevc-10bit", arguments: ["--codec", "x265", "--pix-fmt", "yuv420p10le"], codec: "hevc",
      sourceFormat: "yuv420p10le"),
    Case(name: "vp9", arguments: ["--codec", "vp9"], codec: "vp9", sourceFormat: "yuv420p"),
    Case(name: "av1", arguments: ["--codec", "av1"], codec: "av1", sourceFormat: "yuv420p"),
    Case(name: "mpeg4", arguments: ["--codec", "mpeg4"], codec: "mpeg4", sourceFormat: "yuv420p"),
    Case(
      name: "mjpeg", arguments: ["--codec", "mjpeg", "--pix-fmt", "yuvj422p"], codec: "mjpeg", sourceFormat: "yuvj422p"),
    Case(name: "h264-444", arguments: ["--pix-fmt", "yuv444p"], codec: "h264", sourceFormat: "yuv444p"),
  ]

  @Test(arguments: cases)
  func decodesCodec(_ c: Case) throws {
    let path = try TestMedia.make(c.name, c.arguments + ["--size", "320x180", "--seconds", "1", "--rate", "10"])
    let decoder = try VideoDecoder(path: path)
    #expect(decoder.info.codec == c.codec)
    #expect(decoder.info.sourcePixelFormat == c.sourceFormat)
    var frames: [Frame] = []
    while let frame = try decoder.next() { frames.append(frame) }
    #expect(frames.count == 10)
    for (n, frame) in frames.enumerated() {
      #expect(frame.width == 320 && frame.height == 180)
      #expect(SamplePattern.counter(pixels: frame.pixels, width: 320, height: 180, channels: 3) == n)
    }
    let first = try #require(frames.first)
    let red = SamplePattern.patchCentres(width: 320, height: 180).red
    #expect(
      near(SamplePattern.pixel(first.pixels, width: 320, x: red.0, y: red.1, channels: 3), [0, 0, 255], within: 24))

    // Streams open without FFmpeg's analysis pass; that must not change a single pixel.
    let fast = try VideoDecoder(path: path, analyze: false)
    var fastFrames: [Frame] = []
    while let frame = try fast.next() { fastFrames.append(frame) }
    #expect(fastFrames.map(\.pixels) == frames.map(\.pixels))
    #expect(fastFrames.map(\.ptsSeconds) == frames.map(\.ptsSeconds))

    // What the frame-memory budget counts for one decoded frame, known before any is decoded,
    // is never less than what the decoder gives.
    let decoded = av_image_get_buffer_size(av_get_pix_fmt(c.sourceFormat), 320, 180, 1)
    #expect(decoded > 0)
    #expect(fast.decodedFrameBytes >= Int(decoded), "\(c.name)")
  }

  @Test func oddAndTinySizes() throws {
    for size in ["33x17", "9x5"] {
      let path = try TestMedia.make(
        "odd-\(size)", ["--size", size, "--pix-fmt", "yuv444p", "--seconds", "1", "--rate", "5"])
      let frames = try decodeAll(path)
      let parts = size.split(separator: "x").compactMap { Int($0) }
      #expect(frames.count == 5)
      #expect(frames.allSatisfy { $0.width == parts[0] && $0.height == parts[1] })
      #expect(frames.allSatisfy { $0.pixels.count == parts[0] * parts[1] * 3 })
    }
  }

  @Test func videoThatIsNotTheFirstStream() throws {
    let path = try TestMedia.make(
      "audio-first", ["--audio-first", "--size", "160x90", "--seconds", "1", "--rate", "10"])
    let frames = try decodeAll(path)
    #expect(frames.count == 10)
    #expect(
      frames.map { SamplePattern.counter(pixels: $0.pixels, width: 160, height: 90, channels: 3) } == Array(0..<10))
  }

  @Test func variableFrameRateKeepsPresentationTimes() throws {
    let path = try TestMedia.make("vfr", ["--vfr", "--size", "160x90", "--seconds", "2", "--rate", "30"])
    let frames = try decodeAll(path)
    // Every third frame (n % 3 == 1) was dropped: 40 of 60 remain, at their original times.
    #expect(frames.count == 40)
    for frame in frames {
      let shown = SamplePattern.counter(pixels: frame.pixels, width: 160, height: 90, channels: 3)
      #expect(shown % 3 != 1)
      #expect(abs(frame.ptsSeconds - Double(shown) / 30) < 0.002)
    }
  }
}

/// Files that are not playable videos fail with the matching error, never an empty success.
