import Foundation
import GRPCCore
import SoccerClient
import SoccerProtocol
import SoccerServer
import Synchronization
import TestSupport
import Testing

/// What one Play stream has brought so far, read on a task of its own so the stream never waits.
final class PlayLog: Sendable {
  private let state = Mutex<
    (events: [PlayEvent], arrivals: [ContinuousClock.Instant], end: Result<Void, ClientError>?)
  >(
    ([], [], nil))

  func append(_ event: PlayEvent) {
    state.withLock {
      $0.events.append(event)
      $0.arrivals.append(.now)
    }
  }

  /// The last frame so far and when it arrived.
  var lastArrival: (frame: ReceivedFrame, at: ContinuousClock.Instant)? {
    state.withLock { s in
      for (event, at) in zip(s.events, s.arrivals).reversed() {
        if case .frame(let frame, _) = event { return (frame, at) }
      }
      return nil
    }
  }
  func finish(_ end: Result<Void, ClientError>) { state.withLock { $0.end = end } }

  var end: Result<Void, ClientError>? { state.withLock { $0.end } }
  /// The frames so far, with the command each carries.
  var frames: [(frame: ReceivedFrame, command: UInt64)] {
    state.withLock { s in
      s.events.compactMap { if case .frame(let f, let c) = $0 { return (f, c) } else { return nil } }
    }
  }
  var refusals: [(command: UInt64, code: RPCError.Code?, message: String)] {
    state.withLock { s in
      s.events.compactMap { if case .refused(let c, let code, let m) = $0 { return (c, code, m) } else { return nil } }
    }
  }

  /// The status the stream ended with, when it failed.
  var failure: (code: RPCError.Code, message: String)? {
    if case .failure(.server(let code, let message))? = end { return (code, message) }
    return nil
  }

  /// Waits up to `seconds` for the stream to end; returns the log.
  @discardableResult
  func waitForEnd(seconds: Double = 5) async throws -> PlayLog {
    _ = try await waitUntil(seconds: seconds) { self.end != nil }
    return self
  }

  /// The frames answering command `command` or a later one.
  func frames(answering command: UInt64) -> [ReceivedFrame] {
    frames.filter { $0.command >= command }.map(\.frame)
  }

  /// Waits up to `seconds` for `count` frames answering `command`; returns them.
  func waitForFrames(answering command: UInt64, count: Int = 1, seconds: Double = 10) async throws -> [ReceivedFrame] {
    _ = try await waitUntil(seconds: seconds) { self.frames(answering: command).count >= count || self.end != nil }
    return frames(answering: command)
  }
}

/// Plays `request` on a server, recording its events; `body` sends commands and checks them.
func withPlay<T: Sendable>(
  _ client: ClientConfiguration, _ request: WatchRequest,
  _ body: @escaping @Sendable (PlayController, PlayLog) async throws -> T
) async throws -> T {
  try await SoccerClient.with(client) { soccer in
    try await soccer.play(request) { controller, events in
      let log = PlayLog()
      return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
          do {
            for try await event in events { log.append(event) }
            log.finish(.success(()))
          } catch let error as ClientError {
            log.finish(.failure(error))
          }
          return nil
        }
        let result = try await body(controller, log)
        group.cancelAll()
        return result
      }
    }
  }
}

/// Plays `request` with no command until the stream ends (or `seconds` pass); returns its log.
func playToTheEnd(_ client: ClientConfiguration, _ request: WatchRequest, seconds: Double = 5) async throws -> PlayLog {
  try await withPlay(client, request) { _, log in try await log.waitForEnd(seconds: seconds) }
}

private func playing(_ id: String = "sample", realTime: Bool = true) -> WatchRequest {
  var request = WatchRequest(id: id)
  request.realTime = realTime
  request.format = .rgb24
  return request
}

/// Pauses, then steps one frame: that frame, the answer to the step, is the last one the server
/// sent, and every frame sent before it has arrived. Returns it.
private func pauseAndSettle(_ controller: PlayController, _ log: PlayLog) async throws -> ReceivedFrame {
  controller.send(.pause)
  let step = controller.send(.step(1))
  return try #require(try await log.waitForFrames(answering: step).first)
}

@Suite struct PlayTests {
  @Test func withoutCommandsItPlaysEveryFrameLikeWatch() async throws {
    try await withServer { _, client in
      let log = try await playToTheEnd(client, playing(realTime: false), seconds: 20)
      #expect(log.end.map { if case .success = $0 { true } else { false } } == true)
      #expect(log.frames.map(\.frame.index) == Array(0..<100))
      #expect(log.frames.allSatisfy { $0.command == 0 })
      #expect(log.frames.map { counter($0.frame) } == Array(0..<100))
    }
  }

  @Test func aSeekSendsTheExactFrameWithTheSeeksNumber() async throws {
    try await withServer { _, client in
      try await withPlay(client, playing()) { controller, log in
        _ = try await log.waitForFrames(answering: 0, count: 2)
        // The last frame last: the stream ends when the frames run out.
        for target in [73, 12, 50, 1, 99] {
          let seek = controller.send(.seekTo(frame: target))
          let first = try #require(try await log.waitForFrames(answering: seek).first)
          #expect(first.index == target)
          #expect(counter(first) == target, "the pixels of frame \(target)")
        }
        _ = try await waitUntil { log.end != nil }
        #expect(log.frames.last?.frame.index == 99)
      }
      try await withPlay(client, playing()) { controller, log in
        _ = try await log.waitForFrames(answering: 0)
        let byTime = controller.send(.seek(seconds: 2.0))
        #expect(try await log.waitForFrames(answering: byTime).first?.index == 50)
        // Relative to the last frame sent: paused, that is the last one received.
        let last = try await pauseAndSettle(controller, log)
        let back = controller.send(.seekBy(seconds: -1.0))
        let landed = try #require(try await log.waitForFrames(answering: back).first)
        #expect(landed.index == last.index - 25, "1 s back from frame \(last.index)")
        #expect(counter(landed) == landed.index)
      }
    }
  }

  @Test func aSeekPastTheEndIsRefusedAndTheStreamGoesOn() async throws {
    try await withServer { _, client in
      try await withPlay(client, playing()) { controller, log in
        _ = try await log.waitForFrames(answering: 0)
        let past = controller.send(.seekTo(frame: 500))
        let late = controller.send(.seek(seconds: 60))
        _ = try await waitUntil { log.refusals.count == 2 }
        #expect(log.refusals.map(\.command) == [past, late])
        #expect(log.refusals.allSatisfy { $0.code == .outOfRange })
        #expect(log.refusals.first?.message.contains("past the end") == true)
        let seek = controller.send(.seekTo(frame: 10))
        #expect(try await log.waitForFrames(answering: seek).first?.index == 10)
      }
    }
  }

  @Test func aPauseSendsAndDecodesNothingUntilResumed() async throws {
    try await withServer { server, client in
      try await withPlay(client, playing()) { controller, log in
        _ = try await log.waitForFrames(answering: 0, count: 3)
        let last = try await pauseAndSettle(controller, log)
        // The decoder fills its two places ahead, then stops.
        try await Task.sleep(for: .milliseconds(300))
        let decoded = server.decoderFramesDecoded
        let count = log.frames.count
        try await Task.sleep(for: .seconds(1.5))
        #expect(log.frames.count == count, "frames arrived while paused")
        #expect(server.decoderFramesDecoded == decoded, "the server decoded while paused")
        let resume = controller.send(.resume)
        let next = try #require(try await log.waitForFrames(answering: resume).first)
        // Frames decoded ahead before the pause are the next ones sent: none is lost or repeated.
        #expect(next.index == last.index + 1)
      }
    }
  }

  @Test func stepsGoFrameByFrameBothWays() async throws {
    try await withServer { _, client in
      try await withPlay(client, playing()) { controller, log in
        _ = try await log.waitForFrames(answering: 0, count: 2)
        let last = try await pauseAndSettle(controller, log)
        let one = controller.send(.step(1))
        _ = try await log.waitForFrames(answering: one)
        let three = controller.send(.step(3))
        let stepped = try await log.waitForFrames(answering: three, count: 3)
        #expect(stepped.map(\.index) == [last.index + 2, last.index + 3, last.index + 4])
        let back = controller.send(.step(-1))
        let previous = try #require(try await log.waitForFrames(answering: back).first)
        #expect(previous.index == last.index + 3)
        #expect(counter(previous) == last.index + 3)
        try await Task.sleep(for: .milliseconds(500))
        #expect(log.frames(answering: back).count == 1, "a step back sends one frame and stays paused")
      }
    }
  }

  @Test func aResizeChangesTheSizeFromTheNextFrame() async throws {
    try await withServer { _, client in
      try await withPlay(client, playing()) { controller, log in
        let before = try await log.waitForFrames(answering: 0, count: 2)
        #expect(before.first?.header.width == 640)
        let resize = controller.send(.resize(maxWidth: 160, maxHeight: 0))
        let after = try await log.waitForFrames(answering: resize, count: 2)
        #expect(after.allSatisfy { $0.header.width == 160 && $0.header.height == 90 })
        // Frames go on from where they were, at the new size.
        let sentBefore = log.frames.filter { $0.command < resize }.map(\.frame.index)
        #expect(after.first?.index == (sentBefore.last ?? -1) + 1)
      }
    }
  }

  @Test func speedScalesThePacing() async throws {
    try await withServer { _, client in
      // Video seconds received after a speed command, and the wall time from sending it to the
      // last arrival: a frame answering the command cannot leave before the command was sent,
      // so a paced stream never gets ahead of speed × that time, however late the client reads.
      @Sendable func advance(at speed: Double) async throws -> (video: Double, wall: Double) {
        var request = playing()
        request.maxWidth = 160
        return try await withPlay(client, request) { controller, log in
          let sent = ContinuousClock.now
          let command = controller.send(.speed(speed))
          let first = try #require(try await log.waitForFrames(answering: command).first)
          try await Task.sleep(for: .seconds(1.6))
          let (last, arrived) = try #require(log.lastArrival)
          return (last.ptsSeconds - first.ptsSeconds, Double(sent.duration(to: arrived) / .microseconds(1)) / 1e6)
        }
      }
      let normal = try await advance(at: 1)
      let double = try await advance(at: 2)
      #expect(normal.video <= normal.wall + 0.05, "×1 ran ahead: \(normal)")
      #expect(double.video <= 2 * double.wall + 0.05, "×2 ran ahead: \(double)")
      // Faster than ×1 could ever go, so the speed took.
      #expect(double.video > 1.2 * double.wall, "×2 was no faster than ×1: \(double)")
    }
  }

  @Test func startFrameMaxFramesAndStrideApply() async throws {
    try await withServer { _, client in
      var request = playing(realTime: false)
      request.startFrame = 60
      request.maxFrames = 5
      request.stride = 2
      let log = try await playToTheEnd(client, request)
      #expect(log.frames.map(\.frame.index) == [60, 62, 64, 66, 68])
      #expect(log.frames.map { counter($0.frame) } == [60, 62, 64, 66, 68])
    }
  }

  @Test func aBadCommandEndsTheStreamWithInvalidArgument() async throws {
    try await withServer { _, client in
      let log = try await withPlay(client, playing()) { controller, log in
        _ = try await log.waitForFrames(answering: 0)
        controller.send(.speed(0))
        return try await log.waitForEnd()
      }
      #expect(log.failure?.code == .invalidArgument, "\(String(describing: log.end))")
      #expect(log.failure?.message.contains("speed") == true)
    }
  }

  @Test func chosenFramesAreForWatchNotPlay() async throws {
    try await withServer { _, client in
      var request = playing()
      request.frameIndices = [3, 1]
      let log = try await playToTheEnd(client, request)
      #expect(log.failure?.code == .invalidArgument, "\(String(describing: log.end))")
      #expect(log.failure?.message.contains("frame_indices is for Watch") == true)
      #expect(log.frames.isEmpty)
    }
  }

  @Test func aLongPauseEndsTheStreamAndAClosedPauseEndsItWell() async throws {
    try await withServer(configure: { $0.pauseTimeout = .seconds(1) }) { server, client in
      let timedOut = try await withPlay(client, playing()) { controller, log in
        _ = try await log.waitForFrames(answering: 0)
        controller.send(.pause)
        return try await log.waitForEnd()
      }
      #expect(timedOut.failure?.code == .cancelled, "\(String(describing: timedOut.end))")
      #expect(timedOut.failure?.message.contains("paused") == true)
      #expect(try await decodersFreed(server))
      let closed = try await withPlay(client, playing()) { controller, log in
        _ = try await log.waitForFrames(answering: 0)
        controller.send(.pause)
        controller.finish()
        return try await log.waitForEnd()
      }
      #expect(closed.end.map { if case .success = $0 { true } else { false } } == true)
    }
  }

  @Test func leavingAStreamFreesItsDecoderAndAPausedStreamHoldsASlot() async throws {
    try await withServer(configure: { $0.maxStreams = 1 }) { server, client in
      try await withPlay(client, playing()) { controller, log in
        _ = try await log.waitForFrames(answering: 0)
        controller.send(.pause)
        #expect(server.openDecoders == 1)
        var request = WatchRequest(id: "sample")
        request.maxFrames = 1
        await #expect(throws: ClientError.self) {
          try await SoccerClient.with(client) { try await $0.watch(request) { frames in for try await _ in frames {} } }
        }
      }
      #expect(try await decodersFreed(server))
    }
  }

  @Test func theTokenGuardsPlayAndItsStreamsAreCounted() async throws {
    try await withServer(configure: { $0.security.token = "secret" }) { server, client in
      let refused = try await playToTheEnd(client, playing(realTime: false))
      #expect(refused.failure?.code == .unauthenticated, "\(String(describing: refused.end))")
      var allowed = client
      allowed.token = "secret"
      let log = try await playToTheEnd(allowed, playing(realTime: false), seconds: 20)
      #expect(log.frames.count == 100)
      let text = String(decoding: server.metrics.exposition(), as: UTF8.self)
      #expect(text.contains("soccer_streams_total{method=\"Play\",code=\"UNAUTHENTICATED\"} 1"), "\(text)")
      #expect(text.contains("soccer_streams_total{method=\"Play\",code=\"OK\"} 1"))
    }
  }

  @Test func unknownMatchesAndBadOptionsFailAsInWatch() async throws {
    try await withServer { _, client in
      let missing = try await playToTheEnd(client, playing("nope"))
      #expect(missing.failure?.code == .notFound)
      var request = playing()
      request.startFrame = 100
      let past = try await playToTheEnd(client, request)
      #expect(past.failure?.code == .outOfRange)
    }
  }
}
