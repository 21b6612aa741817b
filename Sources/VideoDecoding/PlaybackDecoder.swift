import CSoccerSystem
import Dispatch
import Foundation
import Synchronization
import VideoFrames

/// A position to play from.
public enum PlaybackTarget: Sendable, Hashable {
  /// A frame index, counting from 0 in presentation order.
  case frame(Int)
  /// Seconds from the start: the first frame shown at or after that time.
  case seconds(Double)
}

/// A frame from a `PlaybackDecoder`, with the seek it follows.
public struct PlaybackFrame: Sendable {
  public let frame: Frame
  /// The `seek(to:)` call this frame follows: 0 before any.
  public let generation: UInt64
}

/// One decoder kept open on a thread of its own for a whole playback: it decodes a few frames
/// ahead, stops when they are not taken (a pause costs no decoding), and goes to a new position
/// or frame size between two frames.
///
/// A seek drops the frames decoded ahead: `next()` then gives the first frame of the new
/// position. Cancelling (or deinitialising) stops the thread, which frees the decoder.
public final class PlaybackDecoder: Sendable {
  private let core: PlaybackCore

  /// Opens `path` on a new thread and decodes with `options` (its start frame or time is the
  /// first position); `capacity` frames at most wait decoded; `tally` counts the open decoder.
  ///
  /// Once the file is open, before any frame is decoded, `admit` hears what its frames weigh and
  /// may refuse them by throwing, as `mediaInfo()`'s error. The thread holds `admit` (and what it
  /// captures) until the decoder is freed. Frames are converted into `destination`'s places when
  /// there is one, the thread waiting for room before each. Frames `cache` holds are given from
  /// it, and the frames it keeps (where a seek lands) are put there.
  public init(
    path: String, options: DecodeOptions, capacity: Int = 2, tally: DecoderTally? = nil,
    admit: (@Sendable (FrameGeometry) throws -> Void)? = nil, destination: (any FrameDestination)? = nil,
    cache: FrameCache? = nil
  ) {
    let core = PlaybackCore(capacity: capacity)
    self.core = core
    // The thread holds the core, not this handle, so dropping the handle stops decoding.
    startDecodingThread(named: "soccer-play", tally: tally) {
      core.run(path: path, options: options, tally: tally, admit: admit, destination: destination, cache: cache)
    }
  }

  deinit {
    core.cancel()
  }

  /// What the container says about the match, once it is open; throws why it could not be opened.
  public func mediaInfo() async throws -> MediaInfo { try await core.opened().info }

  /// What the match's frames weigh as first decoded, once it is open.
  public func frameGeometry() async throws -> FrameGeometry { try await core.opened().geometry }

  /// The next frame of the current position; nil when the frames run out there.
  public func next() async throws -> PlaybackFrame? { try await core.next() }

  /// Goes to `target` and, when `maxSize` is given, changes the largest frame size from there;
  /// returns the generation the new position's frames carry.
  @discardableResult
  public func seek(to target: PlaybackTarget, maxSize: (width: Int, height: Int)? = nil) -> UInt64 {
    core.seek(to: target, maxSize: maxSize)
  }

  /// The generation of the frames `next()` gives now.
  public var generation: UInt64 { core.generation }

  /// Stops decoding; a waiting call throws `CancellationError`.
  public func cancel() { core.cancel() }

  /// Frames the decoder has decoded for this playback so far, through every seek.
  public var framesDecoded: Int { core.framesDecoded.load(ordering: .relaxed) }
}

/// The state a `PlaybackDecoder`'s thread shares with its consumer.
private final class PlaybackCore: Sendable {
  private struct Seek {
    var target: PlaybackTarget?
    var size: (width: Int, height: Int)?
  }

  struct Opened {
    var info: MediaInfo
    var geometry: FrameGeometry
  }

  private struct State {
    var info: Result<Opened, any Error>?
    var generation: UInt64 = 0
    var seek: Seek?
    var frames: [PlaybackFrame] = []
    /// How the current generation's frames ended: nil while more may come.
    var end: Result<Void, any Error>?
    var waiter: CheckedContinuation<PlaybackFrame?, any Error>?
    var infoWaiter: CheckedContinuation<Opened, any Error>?
    var cancelled = false
  }

  private let state = Mutex(State())
  /// Frames the decoder has decoded, written by the decoding thread after each frame.
  let framesDecoded = Atomic<Int>(0)
  /// Raised whenever the thread may have something new to do; spurious wakes are harmless.
  private let wake = DispatchSemaphore(value: 0)
  private let capacity: Int

  init(capacity: Int) {
    self.capacity = max(1, capacity)
  }

  func opened() async throws -> Opened {
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Opened, any Error>) in
        let known = state.withLock { s -> Result<Opened, any Error>? in
          if s.cancelled { return .failure(CancellationError()) }
          if let info = s.info { return info }
          s.infoWaiter = continuation
          return nil
        }
        if let known { continuation.resume(with: known) }
      }
    } onCancel: {
      self.cancel()
    }
  }

  func next() async throws -> PlaybackFrame? {
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PlaybackFrame?, any Error>) in
        let ready = state.withLock { s -> Result<PlaybackFrame?, any Error>? in
          if s.cancelled { return .failure(CancellationError()) }
          if !s.frames.isEmpty { return .success(s.frames.removeFirst()) }
          if let end = s.end { return end.map { nil } }
          s.waiter = continuation
          return nil
        }
        if let ready {
          wake.signal()
          continuation.resume(with: ready)
        }
      }
    } onCancel: {
      self.cancel()
    }
  }

  func seek(to target: PlaybackTarget, maxSize size: (width: Int, height: Int)?) -> UInt64 {
    let generation = state.withLock { s -> UInt64 in
      s.generation += 1
      // A newer seek replaces one the thread has not begun: only the last place matters.
      s.seek = Seek(target: target, size: size ?? s.seek?.size)
      s.frames.removeAll()
      s.end = nil
      return s.generation
    }
    wake.signal()
    return generation
  }

  var generation: UInt64 { state.withLock { $0.generation } }

  func cancel() {
    let (waiter, infoWaiter) = state.withLock { s in
      s.cancelled = true
      s.frames.removeAll()
      defer {
        s.waiter = nil
        s.infoWaiter = nil
      }
      return (s.waiter, s.infoWaiter)
    }
    waiter?.resume(throwing: CancellationError())
    infoWaiter?.resume(throwing: CancellationError())
    wake.signal()
  }

  // MARK: - Decoding thread

  private enum Work {
    case stop
    case wait
    case decode(generation: UInt64, seek: Seek?)
  }

  func run(
    path: String, options: DecodeOptions, tally: DecoderTally?, admit: (@Sendable (FrameGeometry) throws -> Void)?,
    destination: (any FrameDestination)?, cache: FrameCache?
  ) {
    let decoder: VideoDecoder
    do {
      let (opened, admitted, geometry) = try VideoDecoder.admitted(path: path, options: options, admit: admit)
      decoder = opened
      decoder.destination = destination
      decoder.cache = cache
      var first = admitted
      first.maxFrames = 0
      try decoder.configure(first)
      publish(info: .success(Opened(info: decoder.info, geometry: geometry)))
    } catch {
      publish(info: .failure(error))
      return
    }
    while true {
      switch nextWork() {
      case .stop:
        return
      case .wait:
        wake.wait()
      case .decode(let generation, let seek):
        if let size = seek?.size { decoder.resize(maxWidth: size.width, maxHeight: size.height) }
        if let target = seek?.target { decoder.seek(to: target) }
        do {
          // A seek while this waits frees the slots of the frames it drops.
          try destination?.waitForRoom()
        } catch {
          deliver(.failure(error), generation: generation)
          // The consumer ends the stream on the failure; until then there is nothing to do.
          continue
        }
        let started = ContinuousClock.now
        do {
          defer { framesDecoded.store(decoder.framesDecoded, ordering: .relaxed) }
          let decodedBefore = decoder.framesDecoded
          if let frame = try decoder.next() {
            // A frame from the cache cost no decoding.
            if decoder.framesDecoded > decodedBefore { tally?.decoded(in: started.duration(to: .now)) }
            deliver(.success(PlaybackFrame(frame: frame, generation: generation)), generation: generation)
          } else {
            deliver(.success(nil), generation: generation)
          }
        } catch {
          // A position past the last frame the index promised is the end of the frames there.
          switch error {
          case .startFramePastEnd, .startPastEnd: deliver(.success(nil), generation: generation)
          default: deliver(.failure(error), generation: generation)
          }
        }
      }
    }
  }

  private func nextWork() -> Work {
    state.withLock { s -> Work in
      if s.cancelled { return .stop }
      if let seek = s.seek {
        s.seek = nil
        return .decode(generation: s.generation, seek: seek)
      }
      if s.end != nil || s.frames.count >= capacity { return .wait }
      return .decode(generation: s.generation, seek: nil)
    }
  }

  private func publish(info: Result<Opened, any Error>) {
    let waiter = state.withLock { s in
      s.info = info
      defer { s.infoWaiter = nil }
      return s.infoWaiter
    }
    waiter?.resume(with: info)
  }

  /// Hands a frame, or the end, to the consumer, unless a seek made it stale.
  private func deliver(_ result: Result<PlaybackFrame?, any Error>, generation: UInt64) {
    let waiter = state.withLock { s -> CheckedContinuation<PlaybackFrame?, any Error>? in
      guard !s.cancelled, s.generation == generation else { return nil }
      if let waiter = s.waiter {
        s.waiter = nil
        if case .success(nil) = result { s.end = .success(()) }
        if case .failure(let error) = result { s.end = .failure(error) }
        return waiter
      }
      switch result {
      case .success(let frame?): s.frames.append(frame)
      case .success(nil): s.end = .success(())
      case .failure(let error): s.end = .failure(error)
      }
      return nil
    }
    waiter?.resume(with: result)
  }
}
