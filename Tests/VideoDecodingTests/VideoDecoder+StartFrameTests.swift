import Foundation
import TestSupport
import Testing
import VideoFrames

@testable import VideoDecoding

/// A start frame lands on exactly the frame a decode from the beginning numbers so: the same
/// pixels, index and time, for B-frames (x264 "medium", the sample) and variable frame rates.
@Suite struct VideoDecoderStartFrameTests {
  static let files: [(String, [String])] = [
    ("sample", []), ("vfr", ["--vfr", "--seconds", "3", "--size", "320x180"]),
    ("hevc-bframes", ["--codec", "x265", "--seconds", "2", "--size", "320x180"]),
  ]

  private func path(_ name: String, _ arguments: [String]) throws -> String {
    name == "sample" ? Repository.sample : try TestMedia.make("start-frame-\(name)", arguments)
  }

  @Test(arguments: files)
  func startsOnTheFrameWithThatIndex(name: String, arguments: [String]) throws {
    let path = try path(name, arguments)
    let all = try decodeAll(path, DecodeOptions(format: .rgb24))
    try #require(all.count > 20)
    for start in [1, 7, all.count / 2, all.count - 1] {
      var options = DecodeOptions(format: .rgb24, maxFrames: 3)
      options.startFrame = start
      let frames = try decodeAll(path, options)
      let expected = Array(all[start..<min(all.count, start + 3)])
      #expect(frames.map(\.index) == expected.map(\.index), "\(name) from \(start)")
      #expect(frames.map(\.ptsSeconds) == expected.map(\.ptsSeconds), "\(name) from \(start)")
      #expect(frames.map(\.pixels) == expected.map(\.pixels), "\(name) from \(start): pixels differ")
    }
  }

  @Test func aStartFramePastTheEndIsOutOfRange() throws {
    var options = DecodeOptions()
    options.startFrame = 100
    #expect(throws: DecodeError.startFramePastEnd(frame: 100, count: 100)) { try decodeAll(Repository.sample, options) }
  }

  @Test func strideCountsFromTheStartFrame() throws {
    var options = DecodeOptions(maxFrames: 3, stride: 10)
    options.startFrame = 5
    #expect(try decodeAll(Repository.sample, options).map(\.index) == [5, 15, 25])
  }
}
