import Foundation
import TestSupport
import Testing
import VideoFrames

@testable import VideoDecoding

/// Frames from the frame cache are the frames a fresh decode gives (pixels, position, time, size
/// and encoding) for chosen frames, ranges around them and Play's seeks, cost no decoding, and
/// never outlive the version of the file they were decoded from.
@Suite struct VideoDecoderCacheTests {
  static let chosen = [3, 97, 40, 41, 12, 99, 75, 74]

  static func decode(
    _ path: String, _ options: DecodeOptions, cache: FrameCache?
  ) throws -> (frames: [Frame], decoded: Int) {
    let decoder = try VideoDecoder(path: path)
    decoder.cache = cache
    try decoder.configure(options)
    var frames: [Frame] = []
    while let frame = try decoder.next() { frames.append(frame) }
    return (frames, decoder.framesDecoded)
  }

  static func expectSame(_ frames: [Frame], _ expected: [Frame], _ comment: Comment) {
    #expect(frames.map(\.index) == expected.map(\.index), comment)
    #expect(frames.map(\.ptsSeconds) == expected.map(\.ptsSeconds), comment)
    #expect(frames.map(\.width) == expected.map(\.width) && frames.map(\.height) == expected.map(\.height), comment)
    #expect(frames.map(\.encoding) == expected.map(\.encoding), comment)
    #expect(frames.map(\.pixels) == expected.map(\.pixels), comment)
  }

  static let outputs: [(PixelFormat, Int, FrameEncoding)] = [
    (.bgr24, 0, .raw), (.rgb24, 0, .raw), (.gray8, 0, .raw), (.bgr24, 320, .raw), (.rgb24, 100, .raw),
    (.bgr24, 0, .jpeg(quality: 80)), (.gray8, 160, .png),
  ]

  @Test(arguments: outputs)
  func chosenFramesFromTheCacheAreAFreshDecodesAndCostNoDecoding(
    format: PixelFormat, maxWidth: Int, encoding: FrameEncoding
  ) throws {
    var options = DecodeOptions(format: format, maxWidth: maxWidth)
    options.encoding = encoding
    options.frameIndices = Self.chosen
    let fresh = try Self.decode(Repository.sample, options, cache: nil)
    let cache = FrameCache(capacity: 512 << 20)
    let first = try Self.decode(Repository.sample, options, cache: cache)
    let second = try Self.decode(Repository.sample, options, cache: cache)
    Self.expectSame(first.frames, fresh.frames, "first pass, \(format) \(maxWidth) \(encoding)")
    Self.expectSame(second.frames, fresh.frames, "from the cache, \(format) \(maxWidth) \(encoding)")
    #expect(first.decoded > 0)
    #expect(second.decoded == 0, "the second request decoded \(second.decoded) frames")
    #expect(cache.statistics.hits == Self.chosen.count)
  }

  @Test func anotherOutputOfTheSameFramesIsDecodedAgain() throws {
    let cache = FrameCache(capacity: 512 << 20)
    var options = DecodeOptions(format: .rgb24)
    options.frameIndices = Self.chosen
    _ = try Self.decode(Repository.sample, options, cache: cache)
    options.maxWidth = 200
    let scaled = try Self.decode(Repository.sample, options, cache: cache)
    #expect(scaled.decoded > 0)
    #expect(scaled.frames.allSatisfy { $0.width == 200 })
  }

  @Test(arguments: [1, 3])
  func aRangeTakesWhatTheCacheHoldsAndDecodesTheRestFromThere(stride: Int) throws {
    let cache = FrameCache(capacity: 512 << 20)
    var chosen = DecodeOptions(format: .gray8)
    // Frames around keyframes (every 25 in the sample) and inside intervals.
    chosen.frameIndices = [20, 21, 22, 23, 50, 51, 52, 75, 90, 91]
    _ = try Self.decode(Repository.sample, chosen, cache: cache)
    var range = DecodeOptions(format: .gray8, maxFrames: 40, stride: stride)
    range.startFrame = 20
    let fresh = try Self.decode(Repository.sample, range, cache: nil)
    let cached = try Self.decode(Repository.sample, range, cache: cache)
    Self.expectSame(cached.frames, fresh.frames, "stride \(stride)")
    #expect(cache.statistics.hits > 0)
  }

  @Test func aStartFrameIsKeptAndFramesInSequenceAreNot() throws {
    let cache = FrameCache(capacity: 512 << 20)
    var options = DecodeOptions(format: .bgr24, maxFrames: 5)
    options.startFrame = 87
    let first = try Self.decode(Repository.sample, options, cache: cache)
    #expect(cache.statistics.frames == 1, "only the frame landed on is kept")
    let again = try Self.decode(Repository.sample, options, cache: cache)
    Self.expectSame(again.frames, first.frames, "from frame 87")
    // The landing's frame alone is given without decoding anything.
    options.maxFrames = 1
    let one = try Self.decode(Repository.sample, options, cache: cache)
    Self.expectSame(one.frames, Array(first.frames.prefix(1)), "frame 87 alone")
    #expect(one.decoded == 0)
    let whole = try Self.decode(Repository.sample, DecodeOptions(format: .gray8), cache: cache)
    #expect(whole.frames.count == 100)
    #expect(cache.statistics.frames == 1, "a stream from the start keeps nothing")
  }

  @Test func aPlaySeekLandsFromTheCacheAndPlaysOnFromTheRightFrame() throws {
    let cache = FrameCache(capacity: 512 << 20)
    /// Four frames from a seek to frame 80, and the frames decoded to give the first of them.
    func play(_ decoder: VideoDecoder) throws -> (frames: [Frame], decodedForTheSeek: Int) {
      try decoder.configure(DecodeOptions(format: .rgb24))
      _ = try decoder.next()
      decoder.seek(to: .frame(80))
      let before = decoder.framesDecoded
      var frames = try [decoder.next()].compactMap { $0 }
      let decodedForTheSeek = decoder.framesDecoded - before
      frames += try (0..<3).compactMap { _ in try decoder.next() }
      return (frames, decodedForTheSeek)
    }
    let fresh = try play(try VideoDecoder(path: Repository.sample))
    let first = try VideoDecoder(path: Repository.sample)
    first.cache = cache
    let landed = try play(first)
    Self.expectSame(landed.frames, fresh.frames, "first seek")
    #expect(landed.decodedForTheSeek > 0)
    let second = try VideoDecoder(path: Repository.sample)
    second.cache = cache
    let fromCache = try play(second)
    Self.expectSame(fromCache.frames, fresh.frames, "seek from the cache")
    #expect(fromCache.decodedForTheSeek == 0)
  }

  @Test func aFileReplacedUnderItsNameIsNotServedTheOldFramesAndADecodeOfItStartsAfresh() throws {
    let folder = try makeTemporaryFolder("frame-cache")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let other = try TestMedia.make("cache-replacement", ["--seconds", "10", "--size", "640x360", "--gop", "25"])
    let path = folder + "/match.mp4"
    try FileManager.default.copyItem(atPath: Repository.sample, toPath: path)
    let cache = FrameCache(capacity: 512 << 20)
    var options = DecodeOptions(format: .rgb24)
    options.frameIndices = [5, 60, 90]
    let before = try Self.decode(path, options, cache: cache)
    // Published over it by a rename, as an upload is.
    try FileManager.default.copyItem(atPath: other, toPath: folder + "/.staged")
    #expect(rename(folder + "/.staged", path) == 0)
    let fresh = try Self.decode(other, options, cache: nil)
    let after = try Self.decode(path, options, cache: cache)
    Self.expectSame(after.frames, fresh.frames, "the new file")
    #expect(after.frames.map(\.pixels) != before.frames.map(\.pixels))
    #expect(after.decoded > 0)
    #expect(cache.statistics.hits == 0)
  }
}
