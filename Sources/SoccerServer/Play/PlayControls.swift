import Foundation
import GRPCCore
import SoccerProtocol
import Synchronization
import VideoDecoding
import VideoFrames

/// What the client has asked of one Play stream so far: the task reading its commands writes
/// here, and the task sending frames reads here. Seeks go straight to the decoder, under the
/// same lock that labels frames, so a frame from before a seek never carries the seek's number.
final class PlayControls: Sendable {
  struct State {
    var paused = false
    var pausedSince: ContinuousClock.Instant?
    /// Frames to send while paused.
    var steps = 0
    /// Pacing factor; nil sends as fast as the client takes frames.
    var speed: Double?
    /// Pacing starts again from the next frame: after a seek, a resume, a step or a new speed.
    var repace = true
    /// The sequence number of the last command carried out: frames carry it.
    var command: UInt64 = 0
    /// Answers to commands not carried out, to send before the next frame.
    var refusals: [Stream_Video] = []
    /// The generation of frames that may be sent: the decoder's after the last seek.
    var generation: UInt64 = 0
    /// The index and time of the last frame sent.
    var lastSent: (index: Int, pts: Double)?
    /// Where the first frame is, before any is sent.
    var startIndex = 0
    var maxSize: (width: Int, height: Int) = (0, 0)
    var commands = 0
    /// The client closed its side: no command will come.
    var closed = false
    var failure: (any Error)?
  }

  /// Refusals waiting to be sent, at most; a client sending more bad commands than it reads
  /// frames learns of the first ones.
  static let maxPendingRefusals = 16

  private let state: Mutex<State>
  private let decoder: PlaybackDecoder
  private let info: MediaInfo
  /// The stream's place in the frame-memory budget, which a resize changes.
  private let admission: FrameAdmission
  /// The options that carry the server's cap on frame size.
  private let sizeCap: DecodeOptions
  /// The client's shared-memory ring, whose slots a resized frame must fit, and the stream's
  /// frames as first decoded.
  private let ring: (ring: SharedMemoryRing, geometry: FrameGeometry)?
  private let stride: Int
  /// Raised for the sending task at every change.
  let wakeup = Wakeup()

  /// Controls for a stream started with `start` whose decoder is at `generation`; frames carry
  /// 0 until the first command, as the protocol says, whatever the start's own sequence.
  init(
    decoder: PlaybackDecoder, info: MediaInfo, start: Stream_Match, generation: UInt64, admission: FrameAdmission,
    sizeCap: DecodeOptions, ring: (ring: SharedMemoryRing, geometry: FrameGeometry)? = nil
  ) {
    self.decoder = decoder
    self.ring = ring
    self.info = info
    self.admission = admission
    self.sizeCap = sizeCap
    stride = Int(max(1, start.stride))
    var initial = State()
    initial.speed = start.realTime ? 1 : nil
    initial.generation = generation
    initial.startIndex = Int(clamping: start.startFrame)
    initial.maxSize = (Int(start.maxWidth), Int(start.maxHeight))
    state = Mutex(initial)
  }

  /// A copy of the state now.
  var now: State { state.withLock { $0 } }

  /// Takes the refusals waiting to be sent.
  func takeRefusals() -> [Stream_Video] {
    state.withLock { s in
      defer { s.refusals.removeAll() }
      return s.refusals
    }
  }

  /// Whether pacing starts again at this frame; clears the flag.
  func takeRepace() -> Bool {
    state.withLock { s in
      defer { s.repace = false }
      return s.repace
    }
  }

  /// Takes `frame` for sending: returns the command number it goes with, or nil when a seek
  /// since made it stale. From here on it is the position that relative seeks, resizes and
  /// steps count from, in the same lock as the seeks, so none repeats or skips it.
  func claim(_ frame: PlaybackFrame) -> UInt64? {
    state.withLock { s in
      guard s.generation == frame.generation else { return nil }
      s.lastSent = (frame.frame.index, frame.frame.ptsSeconds)
      if s.paused && s.steps > 0 { s.steps -= 1 }
      noteIdle(s)
      return s.command
    }
  }

  /// The client closed its side, or reading its commands failed.
  func closed(failure: (any Error)? = nil) {
    state.withLock { s in
      s.closed = true
      if let failure, s.failure == nil { s.failure = failure }
    }
    wakeup.signal()
  }

  /// Carries out one command; throws `PlayError` for one that makes no sense anywhere.
  func apply(_ control: Stream_PlayControl) throws(PlayError) {
    do {
      try state.withLock { s throws(PlayError) in
        s.commands += 1
        try apply(control, to: &s)
        noteIdle(s)
      }
    } catch {
      state.withLock { s in if s.failure == nil { s.failure = error } }
      wakeup.signal()
      throw error
    }
    wakeup.signal()
  }

  private func apply(_ control: Stream_PlayControl, to s: inout State) throws(PlayError) {
    let sequence = control.sequence
    switch control.action {
    case .none:
      throw .invalidCommand("a PlayControl must carry an action")
    case .start:
      throw .invalidCommand("start comes once, in the first PlayControl")
    case .pause:
      pause(&s)
    case .resume:
      s.paused = false
      s.pausedSince = nil
      s.steps = 0
      s.repace = true
    case .speed(let speed):
      guard speed.isFinite, speed >= 0.01, speed <= 100 else {
        throw .invalidCommand("speed must be from 0.01 to 100, not \(speed)")
      }
      s.speed = speed
      s.repace = true
    case .resize(let resize):
      guard resize.maxWidth <= SoccerService.maxOutputSide, resize.maxHeight <= SoccerService.maxOutputSide else {
        throw .invalidCommand("max_width and max_height must be at most \(SoccerService.maxOutputSide)")
      }
      var resized = sizeCap
      (resized.maxWidth, resized.maxHeight) = (Int(resize.maxWidth), Int(resize.maxHeight))
      do {
        try resized.checkFrameSize(width: info.width, height: info.height)
        if let (ring, geometry) = ring {
          let frames = geometry.converted(to: geometry.format, maxWidth: resized.maxWidth, maxHeight: resized.maxHeight)
          try ring.checkFits(frameBytes: frames.outputFrameBytes, frame: "\(frames.outputSize) \(frames.format)")
        }
        try admission.resize(maxWidth: resized.maxWidth, maxHeight: resized.maxHeight)
      } catch let error as SharedMemoryError {
        refuse(sequence, .failedPrecondition, error.description, in: &s)
        return
      } catch let error as DecodeError {
        refuse(sequence, .failedPrecondition, error.description, in: &s)
        return
      } catch {
        refuse(sequence, .resourceExhausted, "\(error)", in: &s)
        return
      }
      s.maxSize = (resized.maxWidth, resized.maxHeight)
      // The frames decoded ahead have the old size: decode again from the next frame.
      go(to: .frame(s.lastSent.map { $0.index + stride } ?? s.startIndex), in: &s)
    case .step(let step):
      if step.frames >= 1 {
        pause(&s)
        s.steps += Int(step.frames)
        s.repace = true
      } else if step.frames == -1 {
        guard let last = s.lastSent, last.index - stride >= 0 else {
          refuse(sequence, .outOfRange, "there is no frame before the first one", in: &s)
          return
        }
        pause(&s)
        go(to: .frame(last.index - stride), in: &s)
      } else {
        throw .invalidCommand("step frames must be 1 or more, or -1, not \(step.frames)")
      }
    case .seek(let seek):
      guard let target = try resolve(seek, from: s) else {
        refuse(sequence, .outOfRange, pastEnd(seek, from: s), in: &s)
        return
      }
      go(to: target, in: &s)
    }
    s.command = sequence
  }

  /// Tells the ring whether the stream is paused with nothing to send, as each command and frame
  /// changes that: the decoding thread may be waiting for room, where no frame would tell it.
  private func noteIdle(_ s: State) {
    ring?.ring.setIdle(s.paused && s.steps == 0)
  }

  private func pause(_ s: inout State) {
    if !s.paused { s.pausedSince = .now }
    s.paused = true
  }

  /// Seeks the decoder; a paused stream then sends the one frame there.
  private func go(to target: PlaybackTarget, in s: inout State) {
    s.generation = decoder.seek(to: target, maxSize: s.maxSize)
    if s.paused { s.steps = 1 }
    s.repace = true
  }

  /// Where a seek goes; nil when that is past the end.
  private func resolve(_ seek: Stream_Seek, from s: State) throws(PlayError) -> PlaybackTarget? {
    switch seek.target {
    case .none:
      throw .invalidCommand("a seek must name seconds, relative_seconds or a frame")
    case .seconds(let seconds):
      guard seconds.isFinite, seconds >= 0 else {
        throw .invalidCommand("seek seconds must be a finite number, 0 or more, not \(seconds)")
      }
      return isPastEnd(seconds: seconds) ? nil : .seconds(seconds)
    case .relativeSeconds(let delta):
      guard delta.isFinite else { throw .invalidCommand("relative_seconds must be a finite number") }
      let from = s.lastSent?.pts ?? (info.frameRate > 0 ? Double(s.startIndex) / info.frameRate : 0)
      let seconds = max(0, from + delta)
      return isPastEnd(seconds: seconds) ? nil : .seconds(seconds)
    case .frame(let frame):
      if info.frameCountExact && frame >= UInt64(info.frameCount) { return nil }
      return .frame(Int(clamping: frame))
    }
  }

  private func isPastEnd(seconds: Double) -> Bool {
    info.durationSeconds > 0 && seconds >= info.durationSeconds
  }

  private func pastEnd(_ seek: Stream_Seek, from s: State) -> String {
    if case .frame(let frame) = seek.target {
      return "frame \(frame) is past the end (\(info.frameCount) frames)"
    }
    return "that is past the end (\(info.durationSeconds.shortText) s)"
  }

  private func refuse(_ sequence: UInt64, _ code: RPCError.Code, _ message: String, in s: inout State) {
    guard s.refusals.count < Self.maxPendingRefusals else { return }
    var answer = Stream_Video()
    answer.command = sequence
    answer.refusal = Stream_CommandRefusal.with {
      $0.code = Int32(code.rawValue)
      $0.message = message
    }
    s.refusals.append(answer)
  }
}
