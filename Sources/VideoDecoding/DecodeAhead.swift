import CSoccerSystem
import Dispatch
import Foundation
import Synchronization
import VideoFrames

/// Frames decoded ahead of their consumer on a thread of their own, through a small bounded queue.
///
/// The decoding thread blocks when `capacity` frames wait, so memory stays bounded whatever the
/// file's length; the consumer awaits without blocking a thread. Cancelling (or deinitialising
/// the sequence's owner) stops decoding, and the thread then frees the decoder.
public final class DecodeAhead: Sendable, AsyncSequence {
  public typealias Element = Frame

  private let channel: FrameChannel

  /// Starts decoding `path` with `options` on a new thread; `tally` counts the decoder while it is open.
  ///
  /// Once the file is open, before any frame is decoded, `admit` hears what its frames weigh and
  /// may refuse them by throwing: the error is the sequence's, before any frame. The thread holds
  /// `admit` (and what it captures) until the decoder is freed. Frames are converted into
  /// `destination`'s places when there is one (after `admit`, which may prepare it). Frames
  /// `cache` holds are given from it, and the frames it keeps are put there.
  public init(
    path: String, options: DecodeOptions, capacity: Int = 4, tally: DecoderTally? = nil,
    admit: (@Sendable (FrameGeometry) throws -> Void)? = nil, destination: (any FrameDestination)? = nil,
    cache: FrameCache? = nil
  ) {
    let channel = FrameChannel(capacity: capacity)
    self.channel = channel
    // The thread holds the channel, not this handle, so dropping the handle cancels decoding.
    startDecodingThread(named: "soccer-decode", tally: tally) {
      channel.decode(path: path, options: options, tally: tally, admit: admit, destination: destination, cache: cache)
    }
  }

  deinit {
    channel.cancel()
  }

  /// Stops decoding; a waiting `next()` throws `CancellationError`.
  public func cancel() { channel.cancel() }

  /// Frames the decoder has decoded for this sequence so far, those only passed on the way to
  /// the ones given included.
  public var framesDecoded: Int { channel.framesDecoded.load(ordering: .relaxed) }

  /// The next frame, nil at the end, or the error that stopped decoding.
  public func next() async throws -> Frame? { try await channel.next() }

  public struct AsyncIterator: AsyncIteratorProtocol {
    let source: DecodeAhead
    public mutating func next() async throws -> Frame? { try await source.next() }
  }

  public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: self) }
}

/// Runs `decode` on a new thread named `name`, counted in `tally` from start to end; `decode`
/// frees its decoder and every FFmpeg object before it returns.
func startDecodingThread(named name: String, tally: DecoderTally?, _ decode: @escaping @Sendable () -> Void) {
  let thread = Thread {
    // Named for the OS too (top -H, perf, /proc), which Foundation's Thread.name is not on Linux.
    soccer_name_current_thread(name)
    tally?.opened()
    decode()
    tally?.closed()
  }
  thread.name = name
  thread.start()
}

/// Counts the decoding threads that are running, so an owner can see cancelled streams free
/// theirs, and the frames they have decoded.
public final class DecoderTally: Sendable {
  private let count = Atomic<Int>(0)
  private let frames = Atomic<Int>(0)
  private let timing: (@Sendable (Duration) -> Void)?

  /// A tally; `timing` hears how long each frame took to decode and convert (with the frames
  /// decoded and dropped before it for a start time or a stride).
  public init(timing: (@Sendable (Duration) -> Void)? = nil) {
    self.timing = timing
  }

  /// Decoders open now.
  public var open: Int { count.load(ordering: .acquiring) }

  /// Frames decoded so far, by every decoder counted here.
  public var framesDecoded: Int { frames.load(ordering: .relaxed) }

  func decoded(in duration: Duration) {
    frames.add(1, ordering: .relaxed)
    timing?(duration)
  }

  func opened() { count.add(1, ordering: .releasing) }
  func closed() { count.subtract(1, ordering: .releasing) }
}

/// The queue between the decoding thread and the consumer.
private final class FrameChannel: Sendable {
  private enum End {
    case finished
    case failed(any Error)
  }

  private struct State {
    var frames: [Frame] = []
    var end: End?
    var waiter: CheckedContinuation<Frame?, any Error>?
    var cancelled = false
  }

  private let state = Mutex(State())
  /// Frames the decoder has decoded, written by the decoding thread after each frame.
  let framesDecoded = Atomic<Int>(0)
  /// Free places in the queue; the decoding thread takes one before each push.
  private let freeSlots: DispatchSemaphore

  init(capacity: Int) {
    // Created at 0 and raised, because libdispatch traps when a semaphore is freed below its initial value.
    freeSlots = DispatchSemaphore(value: 0)
    for _ in 0..<max(1, capacity) { freeSlots.signal() }
  }

  func cancel() {
    let waiter = state.withLock { s -> CheckedContinuation<Frame?, any Error>? in
      s.cancelled = true
      s.frames.removeAll()
      defer { s.waiter = nil }
      return s.waiter
    }
    waiter?.resume(throwing: CancellationError())
    freeSlots.signal()
  }

  func next() async throws -> Frame? {
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Frame?, any Error>) in
        enum Outcome {
          case frame(Frame)
          case end(End)
          case cancelled
          case wait
        }
        let outcome = state.withLock { s -> Outcome in
          if s.cancelled { return .cancelled }
          if !s.frames.isEmpty { return .frame(s.frames.removeFirst()) }
          if let end = s.end { return .end(end) }
          s.waiter = continuation
          return .wait
        }
        switch outcome {
        case .frame(let frame):
          freeSlots.signal()
          continuation.resume(returning: frame)
        case .end(.finished):
          continuation.resume(returning: nil)
        case .end(.failed(let error)):
          continuation.resume(throwing: error)
        case .cancelled:
          continuation.resume(throwing: CancellationError())
        case .wait:
          break
        }
      }
    } onCancel: {
      self.cancel()
    }
  }

  // MARK: - Decoding thread

  func decode(
    path: String, options: DecodeOptions, tally: DecoderTally?, admit: (@Sendable (FrameGeometry) throws -> Void)?,
    destination: (any FrameDestination)?, cache: FrameCache?
  ) {
    do {
      let (decoder, options, _) = try VideoDecoder.admitted(path: path, options: options, admit: admit)
      try decoder.configure(options)
      decoder.destination = destination
      decoder.cache = cache
      // A place is taken before each frame is decoded, so at most `capacity` frames exist ahead
      // of the consumer, the one being decoded included.
      while reservePlace() {
        try destination?.waitForRoom()
        let started = ContinuousClock.now
        let decodedBefore = decoder.framesDecoded
        let frame = try decoder.next()
        framesDecoded.store(decoder.framesDecoded, ordering: .relaxed)
        guard let frame else { break }
        // A frame from the cache cost no decoding.
        if decoder.framesDecoded > decodedBefore { tally?.decoded(in: started.duration(to: .now)) }
        guard push(frame) else { return }
      }
      finish(.finished)
    } catch {
      finish(.failed(error))
    }
  }

  /// Waits for a free place in the queue; false once the consumer has cancelled.
  private func reservePlace() -> Bool {
    freeSlots.wait()
    return !state.withLock { $0.cancelled }
  }

  /// Hands a frame to the consumer into the place reserved for it; false once the consumer has cancelled.
  private func push(_ frame: Frame) -> Bool {
    let (waiter, accepted) = state.withLock { s -> (CheckedContinuation<Frame?, any Error>?, Bool) in
      if s.cancelled { return (nil, false) }
      if let waiter = s.waiter {
        s.waiter = nil
        return (waiter, true)
      }
      s.frames.append(frame)
      return (nil, true)
    }
    if let waiter {
      // Handed over directly: the frame took no place in the queue.
      freeSlots.signal()
      waiter.resume(returning: frame)
    }
    return accepted
  }

  private func finish(_ end: End) {
    let waiter = state.withLock { s -> CheckedContinuation<Frame?, any Error>? in
      guard !s.cancelled else { return nil }
      s.end = end
      guard s.frames.isEmpty else { return nil }
      defer { s.waiter = nil }
      return s.waiter
    }
    switch end {
    case .finished: waiter?.resume(returning: nil)
    case .failed(let error): waiter?.resume(throwing: error)
    }
  }
}
