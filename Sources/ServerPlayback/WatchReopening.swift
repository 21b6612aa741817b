import SoccerClient
import Synchronization
import TerminalPlayback
import VideoFrames

/// Playback under the player's commands from a server without `Play` (the Python demo): each
/// seek, and each resume after a pause, opens a new `Watch` at the exact frame. A server that
/// ignores `start_frame` sends the match from its start, and the frames before the target are
/// read and dropped: slower, but it lands on the right frame.
final class WatchReopening: PlaybackControls, Sendable {
  private struct State {
    var sequence: UInt64 = 0
    /// The number of the last command, which frames carry.
    var command: UInt64 = 0
    /// Where the next stream starts, when a command moved the position.
    var target: Int?
    /// Bumped by every command that moves the position: the stream open then is stale.
    var generation = 0
    var paused = false
    /// Frames to send while paused (the one at a seek target).
    var steps = 0
    /// The last frame handed to the player.
    var last: Int?
    var size: (width: Int, height: Int)
  }

  private let state: Mutex<State>
  private let wake = Wakeup()
  private let frameRate: Double

  init(request: FrameRequest, frameRate: Double) {
    self.frameRate = frameRate > 0 ? frameRate : 25
    var initial = State(size: (request.maxWidth, request.maxHeight))
    if request.startSeconds > 0 { initial.target = Int((request.startSeconds * self.frameRate).rounded()) }
    state = Mutex(initial)
  }

  func send(_ command: PlaybackCommand) -> UInt64 {
    let number = state.withLock { s -> UInt64 in
      s.sequence += 1
      switch command {
      case .pause: s.paused = true
      case .resume:
        s.paused = false
        s.steps = 0
      case .seek(let seconds): move(&s, to: Int((seconds * frameRate).rounded()))
      case .seekTo(let frame): move(&s, to: frame)
      case .speed: break  // the player's own clock paces these frames
      case .resize(let width, let height):
        s.size = (width, height)
        move(&s, to: (s.last ?? -1) + 1)
      }
      s.command = s.sequence
      return s.sequence
    }
    wake.signal()
    return number
  }

  private func move(_ s: inout State, to frame: Int) {
    s.target = max(0, frame)
    s.generation += 1
    if s.paused { s.steps = 1 }
  }

  /// Streams frames into `frames` as the commands say, until the match ends or the task is cancelled.
  func run(client: SoccerClient, id: String, into frames: FrameHandoff<ControlledFrame>) async {
    do {
      while !Task.isCancelled {
        let (paused, steps) = state.withLock { ($0.paused, $0.steps) }
        if paused && steps == 0 {
          await wake.wait()
          continue
        }
        let (generation, start, size) = state.withLock { s in
          defer { s.target = nil }
          return (s.generation, s.target ?? (s.last ?? -1) + 1, s.size)
        }
        var watch = WatchRequest(id: id)
        watch.format = .rgb24
        watch.startFrame = start
        watch.maxWidth = size.width
        watch.maxHeight = size.height
        let ended = try await client.watch(watch) { [self] stream in
          for try await received in stream {
            // From a server that ignores start_frame: the frames before the target.
            guard received.index >= start else { continue }
            let command = state.withLock { s -> UInt64? in
              s.generation == generation && !(s.paused && s.steps == 0) ? s.command : nil
            }
            // A seek or a pause since this stream opened: leave it for a new one.
            guard let command else { return false }
            try await frames.put(.frame(try received.frame(), command: command))
            state.withLock { s in
              s.last = received.index
              if s.paused && s.steps > 0 { s.steps -= 1 }
            }
          }
          return true
        }
        if ended && state.withLock({ $0.generation == generation }) { break }
      }
      frames.finish(nil)
    } catch {
      frames.finish(error)
    }
  }
}

/// One value at a time from a producing task to a consuming one: `put` waits until the value is
/// taken, so the producer never runs ahead of the consumer.
final class FrameHandoff<Value: Sendable>: AsyncSequence, Sendable {
  typealias Element = Value

  private struct State {
    var value: Value?
    var putter: CheckedContinuation<Void, any Error>?
    var taker: CheckedContinuation<Value?, any Error>?
    var end: Result<Void, any Error>?
  }

  private enum Ready {
    case value(Value, CheckedContinuation<Void, any Error>?)
    case end(Result<Void, any Error>)
    case wait
  }

  private enum PutOutcome {
    case taken(CheckedContinuation<Value?, any Error>)
    case cancelled
    case wait
  }

  private let state = Mutex(State())

  /// Hands `value` over, waiting until it is taken; throws `CancellationError`, the value not
  /// handed over, when the task is cancelled first.
  func put(_ value: Value) async throws {
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let outcome = state.withLock { s -> PutOutcome in
          if let taker = s.taker {
            s.taker = nil
            return .taken(taker)
          }
          // Checked under the lock the cancellation handler takes too: a cancel that came
          // before the continuation is stored would otherwise find nothing to resume.
          if Task.isCancelled { return .cancelled }
          s.value = value
          s.putter = continuation
          return .wait
        }
        switch outcome {
        case .taken(let taker):
          taker.resume(returning: value)
          continuation.resume()
        case .cancelled: continuation.resume(throwing: CancellationError())
        case .wait: break
        }
      }
    } onCancel: {
      let putter = state.withLock { s in
        defer {
          if s.putter != nil { s.value = nil }
          s.putter = nil
        }
        return s.putter
      }
      putter?.resume(throwing: CancellationError())
    }
  }

  /// No more values: the consumer gets nil, or `error`.
  func finish(_ error: (any Error)?) {
    let taker = state.withLock { s in
      s.end = error.map { .failure($0) } ?? .success(())
      defer { s.taker = nil }
      return s.taker
    }
    if let error { taker?.resume(throwing: error) } else { taker?.resume(returning: nil) }
  }

  func next() async throws -> Value? {
    try await withTaskCancellationHandler {
      try await take()
    } onCancel: {
      let taker = state.withLock { s in
        defer { s.taker = nil }
        return s.taker
      }
      taker?.resume(throwing: CancellationError())
    }
  }

  private func take() async throws -> Value? {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value?, any Error>) in
      let ready = state.withLock { s -> Ready in
        if let value = s.value {
          s.value = nil
          defer { s.putter = nil }
          return .value(value, s.putter)
        }
        if let end = s.end { return .end(end) }
        if Task.isCancelled { return .end(.failure(CancellationError())) }
        s.taker = continuation
        return .wait
      }
      switch ready {
      case .value(let value, let putter):
        putter?.resume()
        continuation.resume(returning: value)
      case .end(.success): continuation.resume(returning: nil)
      case .end(.failure(let error)): continuation.resume(throwing: error)
      case .wait: break
      }
    }
  }

  struct AsyncIterator: AsyncIteratorProtocol {
    let handoff: FrameHandoff
    func next() async throws -> Value? { try await handoff.next() }
  }

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handoff: self) }
}
