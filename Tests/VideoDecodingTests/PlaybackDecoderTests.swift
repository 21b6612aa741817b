import Foundation
import TestSupport
import Testing
import VideoFrames

@testable import VideoDecoding

/// One open decoder goes anywhere: a seek gives the exact frame a decode from the beginning
/// gives at that index (pixels, index and time), for B-frames, HEVC and variable frame rates.
@Suite struct PlaybackDecoderTests {
  static let files: [(String, [String])] = [
    ("sample", []), ("long-gop", ["--seconds", "6", "--size", "320x180"]),
    ("vfr", ["--vfr", "--seconds", "3", "--size", "320x180"]),
    ("hevc", ["--codec", "x265", "--seconds", "3", "--size", "320x180"]),
  ]

  private func path(_ name: String, _ arguments: [String]) throws -> String {
    name == "sample" ? Repository.sample : try TestMedia.make("playback-\(name)", arguments)
  }

  @Test(arguments: files)
  func aSeekToAFrameGivesThatFrame(name: String, arguments: [String]) async throws {
    let path = try path(name, arguments)
    let all = try decodeAll(path, DecodeOptions(format: .rgb24))
    try #require(all.count > 40)
    let decoder = PlaybackDecoder(path: path, options: DecodeOptions(format: .rgb24))
    defer { decoder.cancel() }
    _ = try await decoder.mediaInfo()
    // Forward past a keyframe, back before one, to the start, to the last frame.
    for target in [all.count / 2 + 3, 7, 0, all.count - 1, all.count / 3] {
      let generation = decoder.seek(to: .frame(target))
      let got = try #require(try await decoder.next())
      #expect(got.generation == generation)
      #expect(got.frame.index == target, "\(name): seek to \(target)")
      #expect(got.frame.ptsSeconds == all[target].ptsSeconds, "\(name): seek to \(target)")
      #expect(got.frame.pixels == all[target].pixels, "\(name): seek to \(target): pixels differ")
      if target + 1 < all.count {
        let after = try #require(try await decoder.next())
        #expect(after.frame.index == target + 1)
      }
    }
  }

  @Test func aSeekInSecondsGivesTheFirstFrameAtThatTime() async throws {
    let decoder = PlaybackDecoder(path: Repository.sample, options: DecodeOptions(format: .rgb24))
    defer { decoder.cancel() }
    decoder.seek(to: .seconds(2.0))
    let frame = try #require(try await decoder.next()).frame
    #expect(frame.index == 50)
    #expect(SamplePattern.counter(pixels: frame.pixels, width: frame.width, height: frame.height, channels: 3) == 50)
    decoder.seek(to: .seconds(1.01))
    #expect(try await decoder.next()?.frame.index == 25)
  }

  @Test func framesRunOutAtTheEndAndASeekBackGoesOn() async throws {
    let decoder = PlaybackDecoder(path: Repository.sample, options: DecodeOptions())
    defer { decoder.cancel() }
    decoder.seek(to: .frame(98))
    #expect(try await decoder.next()?.frame.index == 98)
    #expect(try await decoder.next()?.frame.index == 99)
    #expect(try await decoder.next() == nil)
    decoder.seek(to: .frame(3))
    #expect(try await decoder.next()?.frame.index == 3)
  }

  @Test func aResizeAppliesFromTheSeek() async throws {
    let decoder = PlaybackDecoder(path: Repository.sample, options: DecodeOptions())
    defer { decoder.cancel() }
    let first = try #require(try await decoder.next()).frame
    #expect(first.width == 640)
    decoder.seek(to: .frame(first.index + 1), maxSize: (width: 160, height: 0))
    let next = try #require(try await decoder.next()).frame
    #expect(next.index == 1)
    #expect(next.width == 160 && next.height == 90)
  }

  @Test func notTakingFramesStopsDecodingAndCancelFreesTheDecoder() async throws {
    let tally = DecoderTally()
    let decoder = PlaybackDecoder(path: Repository.sample, options: DecodeOptions(), capacity: 2, tally: tally)
    _ = try await decoder.next()
    try await Task.sleep(for: .milliseconds(300))
    let decoded = tally.framesDecoded
    #expect(decoded <= 3, "decoded \(decoded) frames ahead with a queue of 2")
    try await Task.sleep(for: .milliseconds(300))
    #expect(tally.framesDecoded == decoded)
    #expect(tally.open == 1)
    decoder.cancel()
    for _ in 0..<100 where tally.open > 0 { try await Task.sleep(for: .milliseconds(10)) }
    #expect(tally.open == 0)
  }

  @Test func aFileThatCannotBeOpenedSaysWhy() async throws {
    let decoder = PlaybackDecoder(path: "/nonexistent/x.mp4", options: DecodeOptions())
    await #expect(throws: DecodeError.self) { try await decoder.mediaInfo() }
  }
}
