import Synchronization
import VideoFrames

/// One stream's frames from a decode it shares with other streams of the same match and output
/// (`SharedDecodes`), until it falls behind the decode's window: it then goes on with a decoder
/// of its own from its next frame, so no stream waits on another and none loses or repeats a frame.
public final class SharedFrames: FrameStream {
  private struct State {
    /// Frames given so far.
    var given = 0
    /// Its own decoder, once it fell behind.
    var own: DecodeAhead?
    /// Whether its frames were admitted to the frame-memory budget (the decode's first reader's
    /// are, by the decoding thread).
    var admitted: Bool
    /// Frames decoded for it by the shared decoder, once it left it.
    var sharedDecoded: Int?
    var cancelled = false
  }

  private let decode: SharedDecode
  private let reader: Int
  private let limit: Int
  private let admit: (@Sendable (FrameGeometry) throws -> Void)?
  private let ownDecoder: @Sendable (_ startFrame: Int, _ maxFrames: Int) -> DecodeAhead
  private let state: Mutex<State>
  /// Whether it joined a decode another stream had started.
  public let joined: Bool

  /// Reader `reader` of `decode`, giving at most `limit` frames (0: to the end); `admit` reserves
  /// its frames once their weight is known unless it started the decode; `ownDecoder` makes the
  /// decoder it goes on with when it falls behind.
  init(
    decode: SharedDecode, reader: Int, joined: Bool, limit: Int, admit: (@Sendable (FrameGeometry) throws -> Void)?,
    ownDecoder: @escaping @Sendable (_ startFrame: Int, _ maxFrames: Int) -> DecodeAhead
  ) {
    self.decode = decode
    self.reader = reader
    self.joined = joined
    self.limit = limit
    self.admit = admit
    self.ownDecoder = ownDecoder
    state = Mutex(State(admitted: !joined))
  }

  deinit {
    cancel()
  }

  public func next() async throws -> Frame? {
    try await withTaskCancellationHandler {
      try await nextFrame()
    } onCancel: {
      self.cancel()
    }
  }

  private func nextFrame() async throws -> Frame? {
    let (own, admitted, given, cancelled) = state.withLock { ($0.own, $0.admitted, $0.given, $0.cancelled) }
    if cancelled { throw CancellationError() }
    if let own {
      let frame = try await own.next()
      if frame != nil { state.withLock { $0.given += 1 } }
      return frame
    }
    if !admitted {
      try admitJoining(try await decode.geometry())
      state.withLock { $0.admitted = true }
    }
    if limit > 0 && given >= limit {
      leave()
      return nil
    }
    switch try await decode.next(reader) {
    case .frame(let frame):
      state.withLock { $0.given += 1 }
      return frame
    case .end:
      leave()
      return nil
    case .behind(let next):
      let decoded = decode.leave(reader)
      let own = ownDecoder(next, limit > 0 ? limit - given : 0)
      let stopped = state.withLock { s -> Bool in
        s.sharedDecoded = decoded
        s.own = own
        return s.cancelled
      }
      if stopped { own.cancel() }
      return try await nextFrame()
    }
  }

  /// Reserves a joining reader's frames with its share of the window, or without the window's
  /// extra frames when the budget has no room for them (it then falls behind sooner).
  private func admitJoining(_ geometry: FrameGeometry) throws {
    var geometry = geometry
    geometry.framesHeldAhead = SharedDecode.framesPerJoiner
    do {
      try admit?(geometry)
    } catch {
      geometry.framesHeldAhead = 0
      try admit?(geometry)
    }
    decode.setShare(reader, frames: SharedDecode.sparePerReader + geometry.framesHeldAhead)
  }

  private func leave() {
    let decoded = decode.leave(reader)
    state.withLock { $0.sharedDecoded = $0.sharedDecoded ?? decoded }
  }

  public func cancel() {
    let own = state.withLock { s -> DecodeAhead? in
      s.cancelled = true
      return s.own
    }
    own?.cancel()
    leave()
  }

  public var framesDecoded: Int {
    let (shared, own) = state.withLock { ($0.sharedDecoded, $0.own) }
    return (shared ?? decode.decoded(for: reader) ?? 0) + (own?.framesDecoded ?? 0)
  }
}
