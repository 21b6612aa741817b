import Foundation
import Synchronization
import TestSupport
import Testing
import VideoFrames

@testable import VideoDecoding

@Suite struct DecodeAheadTests {
  @Test func deliversEveryFrameInOrder() async throws {
    var indices: [Int] = []
    for try await frame in DecodeAhead(path: Repository.sample, options: DecodeOptions(maxWidth: 160)) {
      indices.append(frame.index)
    }
    #expect(indices == Array(0..<100))
  }

  @Test func reportsOpenErrorsToTheConsumer() async throws {
    let stream = DecodeAhead(path: "/nonexistent/file.mp4", options: DecodeOptions())
    await #expect(throws: DecodeError.self) { try await stream.next() }
  }

  /// The decoder waits for a place in the queue before it decodes, so a consumer that takes
  /// nothing holds exactly `capacity` frames, the one being decoded included.
  @Test func aConsumerThatTakesNothingHoldsCapacityFramesAndNoMore() async throws {
    let tally = DecoderTally()
    let stream = DecodeAhead(path: Repository.sample, options: DecodeOptions(maxWidth: 64), capacity: 3, tally: tally)
    try await waitUntil { tally.framesDecoded >= 3 }
    try await Task.sleep(for: .milliseconds(300))
    #expect(tally.framesDecoded == 3)
    _ = try await stream.next()
    try await waitUntil { tally.framesDecoded >= 4 }
    try await Task.sleep(for: .milliseconds(300))
    #expect(tally.framesDecoded == 4)
    stream.cancel()
  }

  /// The admission hears the frames' weight once the file is open; its refusal is the stream's
  /// error, and nothing is decoded.
  @Test func aRefusedAdmissionDecodesNothing() async throws {
    struct Refused: Error {}
    let tally = DecoderTally()
    let heard = Mutex<FrameGeometry?>(nil)
    var options = DecodeOptions(format: .gray8, maxWidth: 320)
    options.threads = 1
    let stream = DecodeAhead(path: Repository.sample, options: options, tally: tally) { geometry in
      heard.withLock { $0 = geometry }
      throw Refused()
    }
    await #expect(throws: Refused.self) { try await stream.next() }
    #expect(tally.framesDecoded == 0)
    let geometry = try #require(heard.withLock { $0 })
    #expect(geometry.outputSize == "320x180" && geometry.sourceSize == "640x360")
    #expect(geometry.outputFrameBytes == 320 * 180 && geometry.decoderThreads == 1)
  }

  @Test func cancellingFreesTheDecoder() async throws {
    let tally = DecoderTally()
    let stream = DecodeAhead(path: Repository.sample, options: DecodeOptions(), capacity: 2, tally: tally)
    _ = try await stream.next()
    #expect(tally.open == 1)
    stream.cancel()
    try await waitUntil { tally.open == 0 }
    #expect(tally.open == 0)
  }

  @Test func droppingTheHandleFreesTheDecoder() async throws {
    let tally = DecoderTally()
    do {
      let stream = DecodeAhead(path: Repository.sample, options: DecodeOptions(), capacity: 2, tally: tally)
      _ = try await stream.next()
    }
    try await waitUntil { tally.open == 0 }
    #expect(tally.open == 0)
  }
}
