import Foundation
import TestSupport
import Testing
import VideoFrames

@testable import VideoDecoding

@Suite struct FrameConverterTests {
  /// Every frame of the sample at `options`, converted on `threads` threads.
  private func frames(threads: Int, _ options: DecodeOptions) throws -> [Data] {
    let decoder = try VideoDecoder(path: Repository.sample, analyze: false, threads: 1)
    try decoder.configure(options)
    // The decoder's own threads are one; the conversion's are set apart, to compare them alone.
    decoder.converterThreads = threads
    var pixels: [Data] = []
    while let frame = try decoder.next() { pixels.append(frame.pixels) }
    return pixels
  }

  @Test(arguments: [
    DecodeOptions(format: .bgr24), DecodeOptions(format: .rgb24), DecodeOptions(format: .gray8),
    DecodeOptions(format: .bgr24, maxWidth: 333), DecodeOptions(format: .gray8, maxHeight: 101),
  ])
  func slicesOnSeveralThreadsGiveTheSamePixels(options: DecodeOptions) throws {
    // Unscaled frames are sliced; scaled ones stay on one thread, whose rows slices would change.
    let alone = try frames(threads: 1, options)
    let sliced = try frames(threads: 3, options)
    #expect(alone.count == 100)
    #expect(alone == sliced)
  }
}

@Suite struct FrameConverterSourceFormatTests {
  @Test(arguments: [
    ["--codec", "x265", "--pix-fmt", "yuv420p10le"], ["--codec", "mjpeg", "--pix-fmt", "yuvj422p"],
    ["--pix-fmt", "yuv444p"],
  ])
  func slicedConversionsOfOtherSourceFormatsGiveTheSamePixels(arguments: [String]) throws {
    let name = "slices-" + arguments.joined().filter { $0.isLetter || $0.isNumber }
    let path = try TestMedia.make(name, arguments + ["--size", "320x180", "--seconds", "1", "--rate", "10"])
    func frames(threads: Int) throws -> [Data] {
      let decoder = try VideoDecoder(path: path, analyze: false, threads: 1)
      decoder.converterThreads = threads
      var pixels: [Data] = []
      while let frame = try decoder.next() { pixels.append(frame.pixels) }
      return pixels
    }
    let alone = try frames(threads: 1)
    #expect(alone.count == 10)
    #expect(alone == (try frames(threads: 3)))
  }
}
