import Dispatch
import Foundation
import Synchronization
import VideoFrames

/// One decoder on a thread of its own whose frames several streams read, each at its own pace,
/// from a bounded window of the frames it gave last.
///
/// It decodes on demand from its fastest reader: never more than `ahead` frames past the
/// furthest any reader has taken, so it is never held back by a slow one, which instead falls
/// behind the window and goes on with a decoder of its own (`SharedFrames`). The window keeps
/// `ahead + 1` frames for the reader that started it, whose reservation pays for them, and the
/// frames each reader that joined pays for in its own reservation (its `share`: the converted
/// frames it reserved beyond what it writes, and `SharedDecode.framesPerJoiner` more when the
/// budget had room), so the frames held never pass what the readers reserved. The decoder stops
/// once its last reader has gone.
final class SharedDecode: Sendable {
  /// What a reader's turn brings.
  enum Step {
    case frame(Frame)
    /// The decoder's frames ended: the file's end, or the error that ended it.
    case end
    /// The reader's next frame left the window: it must decode from there by itself.
    case behind(next: Int)
  }

  private struct Reader {
    /// The position of the next frame it takes.
    var cursor: Int
    var waiter: CheckedContinuation<Step, any Error>?
    /// Frames decoded for it: those decoded while it was the furthest reader.
    var decoded = 0
    /// Frames of the window its reservation pays for.
    var share = 0
  }

  private struct State {
    var window: [Frame] = []
    /// The position of the next frame the decoder gives.
    var next: Int
    var readers: [Int: Reader] = [:]
    var nextReader = 0
    var geometry: Result<FrameGeometry, any Error>?
    var geometryWaiters: [CheckedContinuation<FrameGeometry, any Error>] = []
    var end: Result<Void, any Error>?
    /// Its last reader went: no one may join, and the decoder stops.
    var closed = false
  }

  /// Converted frames a reader that joins reserves for the window, beyond the 3 of its own
  /// reservation it does not write from: how far behind the furthest reader it may fall before it
  /// goes on by itself (a third of a second at 25 frames/s, for each reader that joined).
  static let framesPerJoiner = 8
  /// Converted frames a reader's reservation holds that it never writes from: the queue's and
  /// the one being written (`FrameFootprint.transportFrames`).
  static let sparePerReader = 3

  private let state: Mutex<State>
  /// Raised whenever the decoding thread may have something new to do; spurious wakes are harmless.
  private let wake = DispatchSemaphore(value: 0)
  private let ahead: Int
  /// Told once, when the decode closes.
  private let closing: @Sendable () -> Void
  /// Done once to each frame decoded while several readers share the decode (`SharedDecodes`).
  private let prepare: (@Sendable (Frame) -> Frame)?

  /// Starts decoding `path` from `options.startFrame` on a new thread for its first reader
  /// (reader 0), at most `ahead` frames past its furthest reader; `admit` hears what its frames weigh, as `DecodeAhead`'s does, and
  /// `closing` hears when its last reader has gone; `prepare` is done, on the decoding thread, to
  /// each frame decoded while more than one reader shares the decode.
  init(
    path: String, options: DecodeOptions, ahead: Int, tally: DecoderTally?,
    admit: (@Sendable (FrameGeometry) throws -> Void)?, cache: FrameCache?,
    prepare: (@Sendable (Frame) -> Frame)? = nil, closing: @escaping @Sendable () -> Void
  ) {
    self.ahead = max(1, ahead)
    self.closing = closing
    self.prepare = prepare
    // Its first reader, reader 0, is there before the thread starts, so that a decode that fails
    // at once still has it to tell.
    var first = State(next: options.startFrame)
    first.readers[0] = Reader(cursor: options.startFrame)
    first.nextReader = 1
    state = Mutex(first)
    startDecodingThread(named: "soccer-decode", tally: tally) { [self] in
      decode(path: path, options: options, tally: tally, admit: admit, cache: cache)
    }
  }

  /// Adds a reader whose first frame is at `position`; nil when that frame is no longer in the
  /// window, is not the next one yet, or the decode has ended or closed.
  func join(at position: Int) -> Int? {
    state.withLock { s -> Int? in
      guard !s.closed, s.end == nil, (s.window.first?.index ?? s.next) <= position, position <= s.next else {
        return nil
      }
      let id = s.nextReader
      s.nextReader += 1
      s.readers[id] = Reader(cursor: position)
      return id
    }
  }

  /// What the frames weigh, once the file is open; throws why it could not be opened or admitted.
  func geometry() async throws -> FrameGeometry {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<FrameGeometry, any Error>) in
      let known = state.withLock { s -> Result<FrameGeometry, any Error>? in
        if let geometry = s.geometry { return geometry }
        s.geometryWaiters.append(continuation)
        return nil
      }
      if let known { continuation.resume(with: known) }
    }
  }

  /// Reader `id`'s next step: a frame from the window (or the next one decoded), the end, or
  /// word that it fell behind (it should then leave).
  func next(_ id: Int) async throws -> Step {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Step, any Error>) in
      let outcome = state.withLock { s -> Result<Step, any Error>? in
        guard var reader = s.readers[id] else { return .failure(CancellationError()) }
        // It stays a reader until it leaves, which gives it the frames decoded for it.
        if let first = s.window.first, reader.cursor < first.index { return .success(.behind(next: reader.cursor)) }
        if let frame = s.window.first(where: { $0.index >= reader.cursor }) {
          reader.cursor = frame.index + 1
          s.readers[id] = reader
          return .success(.frame(frame))
        }
        switch s.end {
        case .success: return .success(.end)
        case .failure(let error): return .failure(error)
        case nil:
          reader.waiter = continuation
          s.readers[id] = reader
          return nil
        }
      }
      // A reader that moved ahead may let the decoder go on.
      wake.signal()
      if let outcome { continuation.resume(with: outcome) }
    }
  }

  /// Takes reader `id` off (it ended, was cancelled, or went on by itself); returns the frames
  /// decoded for it. The last reader to go closes the decode.
  @discardableResult
  func leave(_ id: Int) -> Int {
    let (reader, closes) = state.withLock { s -> (Reader?, Bool) in
      let reader = s.readers.removeValue(forKey: id)
      trimWindow(&s)
      guard s.readers.isEmpty, !s.closed, reader != nil else { return (reader, false) }
      s.closed = true
      s.window.removeAll()
      return (reader, true)
    }
    reader?.waiter?.resume(throwing: CancellationError())
    wake.signal()
    if closes { closing() }
    return reader?.decoded ?? 0
  }

  /// Sets the frames of the window reader `id`'s reservation pays for.
  func setShare(_ id: Int, frames: Int) {
    state.withLock { $0.readers[id]?.share = frames }
  }

  /// Frames decoded so far for reader `id`; nil once it has left.
  func decoded(for id: Int) -> Int? { state.withLock { $0.readers[id]?.decoded } }

  /// Readers now.
  var readers: Int { state.withLock { $0.readers.count } }

  // MARK: - Decoding thread

  private func decode(
    path: String, options: DecodeOptions, tally: DecoderTally?, admit: (@Sendable (FrameGeometry) throws -> Void)?,
    cache: FrameCache?
  ) {
    let decoder: VideoDecoder
    do {
      let (opened, admitted, geometry) = try VideoDecoder.admitted(path: path, options: options, admit: admit)
      decoder = opened
      decoder.cache = cache
      try decoder.configure(admitted)
      publish(.success(geometry))
    } catch {
      publish(.failure(error))
      finish(.failure(error), decoded: 0)
      return
    }
    while waitForDemand() {
      let before = decoder.framesDecoded
      let started = ContinuousClock.now
      do {
        guard let frame = try decoder.next() else {
          finish(.success(()), decoded: decoder.framesDecoded - before)
          return
        }
        let decoded = decoder.framesDecoded - before
        // A frame from the cache cost no decoding.
        if decoded > 0 { tally?.decoded(in: started.duration(to: .now)) }
        add(frame, decoded: decoded)
      } catch {
        finish(.failure(error), decoded: decoder.framesDecoded - before)
        return
      }
    }
  }

  /// Waits until the furthest reader is fewer than `ahead` frames from the decoder; false once
  /// the decode has closed.
  private func waitForDemand() -> Bool {
    while true {
      let go = state.withLock { s -> Bool? in
        if s.closed { return false }
        guard let furthest = s.readers.values.map(\.cursor).max() else { return nil }
        return s.next - furthest < ahead ? true : nil
      }
      if let go { return go }
      wake.wait()
    }
  }

  private func publish(_ geometry: Result<FrameGeometry, any Error>) {
    let waiters = state.withLock { s in
      s.geometry = geometry
      defer { s.geometryWaiters = [] }
      return s.geometryWaiters
    }
    for waiter in waiters { waiter.resume(with: geometry) }
  }

  /// Puts a new frame in the window, hands it to the readers waiting for it, and counts what
  /// it cost against the furthest reader.
  private func add(_ decodedFrame: Frame, decoded: Int) {
    // A lone reader's frames are left as they are: its stream does the same work itself, on
    // another thread while this one decodes.
    var frame = decodedFrame
    if let prepare, state.withLock({ $0.readers.count > 1 }) { frame = prepare(frame) }
    let handed = state.withLock { s -> [CheckedContinuation<Step, any Error>] in
      credit(decoded, in: &s)
      s.window.append(frame)
      s.next = frame.index + 1
      trimWindow(&s)
      var handed: [CheckedContinuation<Step, any Error>] = []
      for (id, var reader) in s.readers {
        guard let waiter = reader.waiter, frame.index >= reader.cursor else { continue }
        reader.waiter = nil
        reader.cursor = frame.index + 1
        s.readers[id] = reader
        handed.append(waiter)
      }
      return handed
    }
    for waiter in handed { waiter.resume(returning: .frame(frame)) }
  }

  private func finish(_ end: Result<Void, any Error>, decoded: Int) {
    let waiting = state.withLock { s -> [CheckedContinuation<Step, any Error>] in
      credit(decoded, in: &s)
      s.end = end
      var waiting: [CheckedContinuation<Step, any Error>] = []
      for (id, var reader) in s.readers {
        guard let waiter = reader.waiter else { continue }
        reader.waiter = nil
        s.readers[id] = reader
        waiting.append(waiter)
      }
      return waiting
    }
    for waiter in waiting {
      switch end {
      case .success: waiter.resume(returning: .end)
      case .failure(let error): waiter.resume(throwing: error)
      }
    }
  }

  /// Counts `decoded` frames for the furthest reader: it asked for them.
  private func credit(_ decoded: Int, in s: inout State) {
    guard decoded > 0, let furthest = s.readers.max(by: { $0.value.cursor < $1.value.cursor })?.key else { return }
    s.readers[furthest]?.decoded += decoded
  }

  /// Keeps at most the frames the readers' reservations pay for (`ahead + 1`, and each reader's
  /// share), and of those only the ones a reader has still to take, or among the last `ahead + 1`
  /// (where a stream starting with the others joins).
  private func trimWindow(_ s: inout State) {
    let keep = ahead + 1 + s.readers.values.reduce(0) { $0 + $1.share }
    let needed = min(s.readers.values.map(\.cursor).min() ?? s.next, s.next - (ahead + 1))
    var drop = max(0, s.window.count - keep)
    while drop < s.window.count, s.window[drop].index < needed { drop += 1 }
    if drop > 0 { s.window.removeFirst(drop) }
  }
}
