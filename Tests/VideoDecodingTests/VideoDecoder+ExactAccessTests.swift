import Foundation
import TestSupport
import Testing
import VideoFrames

@testable import VideoDecoding

/// Exact frames anywhere: a start frame or chosen frames land through the frame index on the
/// frame a decode from the beginning gives that index (pixels, index, time), for B-frames, open
/// GOPs, HEVC and variable frame rates, and a file whose index lies is decoded from its start.
@Suite struct VideoDecoderExactAccessTests {
  static let files: [(String, [String])] = [
    ("sample", []),
    ("h264-open-gop", ["--seconds", "4", "--size", "320x180", "--gop", "12", "--open-gop"]),
    ("hevc-open-gop", ["--codec", "x265", "--seconds", "3", "--size", "320x180", "--gop", "12", "--open-gop"]),
    ("vfr", ["--vfr", "--seconds", "4", "--size", "320x180", "--gop", "10"]),
    ("lying-index", []),
  ]

  static func path(_ name: String, _ arguments: [String]) throws -> String {
    switch name {
    case "sample": return Repository.sample
    case "lying-index":
      // Every frame claims to be a keyframe: the sync-sample table is hidden.
      let source = try TestMedia.make("exact-lying-source", ["--seconds", "3", "--size", "320x180", "--gop", "25"])
      return try TestMedia.withoutSyncSamples(source, name: "exact-lying-index")
    default: return try TestMedia.make("exact-\(name)", arguments)
    }
  }

  /// Positions around every keyframe the index names, and both ends.
  static func targets(_ index: FrameIndex, count: Int) -> [Int] {
    var targets = [1, count - 1, count / 2]
    for keyframe in index.keyframes.prefix(12) {
      targets += [keyframe.position - 1, keyframe.position, keyframe.position + 1]
    }
    return targets.filter { $0 > 0 && $0 < count }
  }

  @Test(arguments: files)
  func theIndexCountsEveryFrameTheDecoderGives(name: String, arguments: [String]) throws {
    let path = try Self.path(name, arguments)
    let all = try decodeAll(path)
    let decoder = try VideoDecoder(path: path)
    let index = try #require(FrameIndex.scan(path: path, streamIndex: decoder.streamIndex))
    #expect(index.frameCount == all.count)
    #expect(index.keyframes.first?.position == 0)
    if name != "lying-index" { #expect(index.keyframes.count > 1) }
  }

  @Test(arguments: files)
  func aStartFrameGivesThatFrame(name: String, arguments: [String]) throws {
    let path = try Self.path(name, arguments)
    let all = try decodeAll(path, DecodeOptions(format: .rgb24))
    let index = try #require(FrameIndex.scan(path: path, streamIndex: try VideoDecoder(path: path).streamIndex))
    for start in Self.targets(index, count: all.count) {
      var options = DecodeOptions(format: .rgb24, maxFrames: 2)
      options.startFrame = start
      let frames = try decodeAll(path, options)
      let expected = Array(all[start..<min(all.count, start + 2)])
      #expect(frames.map(\.index) == expected.map(\.index), "\(name) from \(start)")
      #expect(frames.map(\.ptsSeconds) == expected.map(\.ptsSeconds), "\(name) from \(start)")
      #expect(frames.map(\.pixels) == expected.map(\.pixels), "\(name) from \(start): pixels differ")
    }
    // The lie was seen and the file is decoded from its start from then on; the others keep their index.
    let known = FrameIndexCache.shared.known(path: path, streamIndex: try VideoDecoder(path: path).streamIndex)
    if name == "lying-index" { #expect(known == .some(nil)) } else { #expect(known != .some(nil)) }
  }

  @Test(arguments: files)
  func chosenFramesComeInTheOrderAsked(name: String, arguments: [String]) throws {
    let path = try Self.path(name, arguments)
    let all = try decodeAll(path, DecodeOptions(format: .gray8))
    let index = try #require(FrameIndex.scan(path: path, streamIndex: try VideoDecoder(path: path).streamIndex))
    let around = Self.targets(index, count: all.count)
    // Descending, repeated, the first and the last, and a forward run inside one GOP.
    let chosen = [all.count - 1, 0, 0] + around + around.reversed() + [3, 4, 6, 5, 5]
    var options = DecodeOptions(format: .gray8)
    options.frameIndices = chosen
    let frames = try decodeAll(path, options)
    #expect(frames.map(\.index) == chosen, "\(name)")
    for (frame, wanted) in zip(frames, chosen) {
      #expect(frame.pixels == all[wanted].pixels, "\(name): frame \(wanted) differs")
      #expect(frame.ptsSeconds == all[wanted].ptsSeconds, "\(name): frame \(wanted)")
    }
  }

  /// Chosen frames held ahead of their turn are the frames a decode from the start gives,
  /// whatever the room to hold them: none, a few, all.
  @Test(arguments: files)
  func framesHeldAheadAreTheFramesOfADecodeFromTheStart(name: String, arguments: [String]) throws {
    let path = try Self.path(name, arguments)
    let all = try decodeAll(path, DecodeOptions(format: .gray8))
    let index = try #require(FrameIndex.scan(path: path, streamIndex: try VideoDecoder(path: path).streamIndex))
    let around = Self.targets(index, count: all.count)
    let chosen = around.reversed() + [all.count - 1, 0, 0] + around + around.reversed() + [9, 7, 8, 7]
    for room in [1, 4, 1000] {
      var options = DecodeOptions(format: .gray8)
      options.frameIndices = chosen
      options.holdAheadBytes = room * all[0].pixels.count
      let frames = try decodeAll(path, options)
      #expect(frames.map(\.index) == chosen, "\(name), room for \(room)")
      for (frame, wanted) in zip(frames, chosen) {
        #expect(frame.pixels == all[wanted].pixels, "\(name), room for \(room): frame \(wanted) differs")
        #expect(frame.ptsSeconds == all[wanted].ptsSeconds, "\(name), room for \(room): frame \(wanted)")
      }
    }
  }

  /// Positions walking each keyframe interval backwards decode about as many frames as the same
  /// positions ascending when frames can be held; without room, each lands again from its keyframe.
  @Test func walkingEachIntervalBackwardsDecodesItOnce() throws {
    let path = try TestMedia.make("exact-backwards", ["--seconds", "8", "--size", "320x180", "--gop", "25"])
    let index = try #require(FrameIndex.scan(path: path, streamIndex: try VideoDecoder(path: path).streamIndex))
    let bounds = index.keyframes.map(\.position) + [index.frameCount]
    var backwards: [Int] = []
    for (start, end) in zip(bounds, bounds.dropFirst()) { backwards += (start..<end).reversed() }
    func decoded(_ positions: [Int], room: Int) throws -> Int {
      var options = DecodeOptions(format: .gray8)
      options.frameIndices = positions
      options.holdAheadBytes = room
      let decoder = try VideoDecoder(path: path)
      try decoder.configure(options)
      var given: [Int] = []
      while let frame = try decoder.next() { given.append(frame.index) }
      #expect(given == positions)
      return decoder.framesDecoded
    }
    let ascending = try decoded(backwards.sorted(), room: 0)
    let held = try decoded(backwards, room: 64 << 20)
    let unheld = try decoded(backwards, room: 0)
    #expect(ascending == index.frameCount)
    #expect(Double(held) <= 1.5 * Double(ascending), "\(held) frames decoded against \(ascending) ascending")
    #expect(unheld > 5 * ascending, "without room: \(unheld) frames decoded")
  }

  @Test func aChosenFramePastTheEndIsOutOfRangeBeforeAnyFrame() throws {
    var options = DecodeOptions()
    options.frameIndices = [3, 100]
    let decoder = try VideoDecoder(path: Repository.sample)
    #expect(throws: DecodeError.frameIndexPastEnd(index: 100, count: 100)) { try decoder.configure(options) }
  }

  @Test func aFileWithoutAnIndexIsDecodedFromItsStart() throws {
    // MPEG-TS has no sample table to scan without reading; the decoder still lands exactly.
    let folder = try makeTemporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/ts.mp4"
    try TestMedia.ffmpeg(["-i", Repository.sample, "-c", "copy", "-f", "mpegts", "-y", path])
    let all = try decodeAll(path, DecodeOptions(format: .gray8))
    // Read whole, in one pass: its packets still place every frame.
    let streamIndex = try VideoDecoder(path: path).streamIndex
    #expect(FrameIndex.scan(path: path, streamIndex: streamIndex)?.frameCount == all.count)
    var options = DecodeOptions(format: .gray8)
    options.frameIndices = [60, 10, 99]
    let frames = try decodeAll(path, options)
    #expect(frames.map(\.index) == [60, 10, 99])
    #expect(frames.map(\.pixels) == [all[60].pixels, all[10].pixels, all[99].pixels])
  }
}
