import Foundation
import Synchronization
import TestSupport
import Testing
import VideoFrames

@testable import VideoDecoding

/// Streams of one match and output share one decoder: every reader gets every frame once, in
/// order, the frames a decoder of its own gives; a reader that falls behind, stops early or
/// starts later does not disturb the others; a file replaced since is never joined.
@Suite struct SharedDecodesTests {
  static let options = DecodeOptions(format: .gray8, maxWidth: 160)

  /// The frames of `path` from `startFrame`, at most `count`, for a reader of `decodes`.
  static func frames(
    _ decodes: SharedDecodes, path: String = Repository.sample, startFrame: Int = 0, count: Int = 0,
    tally: DecoderTally
  ) -> SharedFrames {
    var options = Self.options
    options.startFrame = startFrame
    options.maxFrames = count
    return decodes.frames(path: path, options: options, capacity: 2, tally: tally, admit: nil, cache: nil) {
      [options] start, remaining in
      var own = options
      own.startFrame = start
      own.maxFrames = remaining
      return DecodeAhead(path: path, options: own, capacity: 2, tally: tally)
    }
  }

  static func readAll(_ frames: SharedFrames) async throws -> [Frame] {
    var all: [Frame] = []
    while let frame = try await frames.next() { all.append(frame) }
    return all
  }

  @Test func eightReadersGetEveryFrameOnceInOrderFromOneDecoder() async throws {
    let expected = try decodeAll(Repository.sample, Self.options)
    let tally = DecoderTally()
    let decodes = SharedDecodes()
    let readers = (0..<8).map { _ in Self.frames(decodes, tally: tally) }
    #expect(readers.map(\.joined) == [false] + Array(repeating: true, count: 7))
    #expect(decodes.running == 1)
    let results = try await withThrowingTaskGroup(of: (Int, [Frame]).self) { group in
      for (n, reader) in readers.enumerated() { group.addTask { (n, try await Self.readAll(reader)) } }
      return try await group.reduce(into: [Int: [Frame]]()) { $0[$1.0] = $1.1 }
    }
    for (n, frames) in results {
      #expect(frames.map(\.index) == Array(0..<100), "reader \(n)")
      #expect(frames.map(\.pixels) == expected.map(\.pixels), "reader \(n)")
    }
    // Once per frame, and a little more for any reader that fell behind on a busy machine.
    #expect(tally.framesDecoded < 200, "\(tally.framesDecoded) frames decoded for 8 readers of 100")
    #expect(readers.reduce(0) { $0 + $1.framesDecoded } >= tally.framesDecoded)
    try await waitUntil { tally.open == 0 && decodes.running == 0 }
  }

  @Test func aReaderThatFallsBehindGoesOnByItselfAndLosesNothing() async throws {
    let expected = try decodeAll(Repository.sample, Self.options)
    let tally = DecoderTally()
    let decodes = SharedDecodes()
    let fast = Self.frames(decodes, tally: tally)
    let slow = Self.frames(decodes, tally: tally)
    var slowFrames: [Frame] = []
    for _ in 0..<5 { slowFrames += try await [slow.next()].compactMap { $0 } }
    // The other reads to the end while this one waits: its next frame leaves the window.
    let fastFrames = try await Self.readAll(fast)
    slowFrames += try await Self.readAll(slow)
    #expect(fastFrames.map(\.index) == Array(0..<100))
    #expect(slowFrames.map(\.index) == Array(0..<100))
    #expect(slowFrames.map(\.pixels) == expected.map(\.pixels))
    // The shared decoder decoded every frame once, for the reader it kept up with; the other
    // decoded by itself from the keyframe before where it fell behind.
    #expect(fast.framesDecoded >= 90)
    #expect(slow.framesDecoded > 50)
  }

  @Test func aReaderThatStopsEarlyLeavesTheOthersTheirFrames() async throws {
    let tally = DecoderTally()
    let decodes = SharedDecodes()
    let quitting = Self.frames(decodes, tally: tally)
    let others = (0..<2).map { _ in Self.frames(decodes, tally: tally) }
    for _ in 0..<10 { _ = try await quitting.next() }
    quitting.cancel()
    await #expect(throws: CancellationError.self) { try await quitting.next() }
    for other in others { #expect(try await Self.readAll(other).map(\.index) == Array(0..<100)) }
  }

  @Test func aCountEndsOneReaderAndNotTheDecode() async throws {
    let tally = DecoderTally()
    let decodes = SharedDecodes()
    let five = Self.frames(decodes, count: 5, tally: tally)
    let all = Self.frames(decodes, tally: tally)
    #expect(try await Self.readAll(five).map(\.index) == Array(0..<5))
    #expect(try await Self.readAll(all).map(\.index) == Array(0..<100))
  }

  @Test func aStreamStartingWhereADecodeIsJoinsItAndOneStartingEarlierDoesNot() async throws {
    let tally = DecoderTally()
    let decodes = SharedDecodes()
    let first = Self.frames(decodes, startFrame: 40, tally: tally)
    for _ in 0..<10 { _ = try await first.next() }
    // The decode is at most two frames past 49, and keeps the last three.
    let joining = Self.frames(decodes, startFrame: 50, tally: tally)
    let earlier = Self.frames(decodes, startFrame: 20, tally: tally)
    #expect(joining.joined && !earlier.joined)
    let joined = try await Self.readAll(joining)
    #expect(joined.map(\.index) == Array(50..<100))
    #expect(joined.map(\.pixels) == Array(try decodeAll(Repository.sample, Self.options)[50...]).map(\.pixels))
    #expect(try await Self.readAll(earlier).map(\.index) == Array(20..<100))
    first.cancel()
  }

  @Test func aFileReplacedUnderItsNameIsNeverJoined() async throws {
    let folder = try makeTemporaryFolder("shared-decodes")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/match.mp4"
    try FileManager.default.copyItem(atPath: Repository.sample, toPath: path)
    let tally = DecoderTally()
    let decodes = SharedDecodes()
    let before = Self.frames(decodes, path: path, tally: tally)
    _ = try await before.next()
    try FileManager.default.copyItem(atPath: Repository.sample, toPath: folder + "/.staged")
    #expect(rename(folder + "/.staged", path) == 0)
    let after = Self.frames(decodes, path: path, tally: tally)
    #expect(!after.joined)
    before.cancel()
    after.cancel()
  }

  @Test func aFileThatCannotBeOpenedFailsEveryReader() async throws {
    let tally = DecoderTally()
    let decodes = SharedDecodes()
    let readers = (0..<3).map { _ in Self.frames(decodes, path: "/nonexistent/match.mp4", tally: tally) }
    for reader in readers { await #expect(throws: DecodeError.self) { try await reader.next() } }
  }
}
