import Foundation
import GRPCCore
import Logging
import SoccerProtocol
import VideoDecoding
import VideoFrames

extension SoccerService {
  /// Play with the request's metadata, whose `grpc-timeout` tells a passed deadline from a cancel.
  public func play(
    request: StreamingServerRequest<Stream_PlayControl>, context: ServerContext
  ) async throws -> StreamingServerResponse<Stream_Video> {
    let facts = RequestFacts(request.metadata)
    return StreamingServerResponse { writer in
      try await play(commands: request.messages, response: writer, context: context, facts: facts)
      return [:]
    }
  }

  public func play(
    request: RPCAsyncSequence<Stream_PlayControl, any Error>, response: RPCWriter<Stream_Video>,
    context: ServerContext
  ) async throws {
    try await play(commands: request, response: response, context: context, facts: RequestFacts())
  }

  private func play(
    commands: RPCAsyncSequence<Stream_PlayControl, any Error>, response: RPCWriter<Stream_Video>,
    context: ServerContext, facts: RequestFacts
  ) async throws {
    let requested = Handoff<Stream_PlayControl>()
    let ready = Handoff<PlayControls>()
    var match = Stream_Match()
    try await logged(rpc: "Play", subject: { (match.id, Self.describe(match)) }, context: context, facts: facts) {
      progress in
      progress.commands = 0
      try await withThrowingTaskGroup(of: Void.self) { group in
        // Commands are read on a task of their own, so they act while frames are written.
        group.addTask { await Self.read(commands, start: requested, then: ready) }
        // A stream holds nothing until its start comes, but it may not wait for ever.
        group.addTask { [stallTimeout] in
          if (try? await Task.sleep(for: stallTimeout)) != nil {
            requested.put(.failure(PlayError.startTimedOut(stallTimeout)))
          }
        }
        defer { group.cancelAll() }
        let first = try await requested.value()
        guard case .start(let start) = first.action else { throw PlayError.noStart }
        match = start
        try await play(start, ready: ready, to: response, progress: &progress, peerUID: facts.peerUID)
      }
    }
  }

  /// Reads a Play stream's commands: the first is handed over as the start, and the rest are
  /// carried out once the stream is set up.
  private static func read(
    _ commands: RPCAsyncSequence<Stream_PlayControl, any Error>, start: Handoff<Stream_PlayControl>,
    then ready: Handoff<PlayControls>
  ) async {
    var iterator = commands.makeAsyncIterator()
    var controls: PlayControls?
    do {
      guard let first = try await iterator.next() else { throw PlayError.noStart }
      start.put(.success(first))
      controls = try await ready.value()
      while let control = try await iterator.next() { try controls?.apply(control) }
      controls?.closed()
    } catch {
      start.put(.failure(error))
      controls?.closed(failure: error)
    }
  }

  private func play(
    _ match: Stream_Match, ready: Handoff<PlayControls>, to response: RPCWriter<Stream_Video>,
    progress: inout StreamProgress, peerUID: UInt32?
  ) async throws {
    let path = try library.path(for: match.id)
    var options = try decodeOptions(for: match)
    guard options.frameIndices.isEmpty else {
      throw RequestError.invalidOption("frame_indices is for Watch; Play goes to frames with Seek")
    }
    let ring = match.hasSharedMemory ? try sharedMemoryRing(match.sharedMemory, peerUID: peerUID) : nil
    try acquireStream()
    defer { releaseStream() }
    options.threads = Self.decoderThreads(openDecoders: decoders.open)
    // The decoder starts at the beginning and seeks, so frame indices stay exact from any start.
    let target: PlaybackTarget? =
      options.startFrame > 0
      ? .frame(options.startFrame) : options.startSeconds > 0 ? .seconds(options.startSeconds) : nil
    options.startFrame = 0
    options.startSeconds = 0
    let admission = frameAdmission()
    // The frames this handler writes count until it returns, as its decoder's do until freed.
    defer { withExtendedLifetime(admission) {} }
    let decoder = PlaybackDecoder(
      path: path, options: options, capacity: min(queueDepth, 2), tally: decoders,
      admit: Self.admitting(into: ring, admission: admission), destination: ring, cache: frameCache)
    defer {
      decoder.cancel()
      ring?.cancel()
    }
    defer {
      progress.decoded = decoder.framesDecoded
      metrics?.decoded(frames: decoder.framesDecoded)
    }
    let info = try await decoder.mediaInfo()
    if case .seconds(let seconds) = target, info.durationSeconds > 0, seconds >= info.durationSeconds {
      throw DecodeError.startPastEnd(start: seconds, duration: info.durationSeconds)
    }
    if case .frame(let frame) = target, info.frameCountExact, frame >= info.frameCount {
      throw DecodeError.startFramePastEnd(frame: frame, count: info.frameCount)
    }
    let generation = target.map { decoder.seek(to: $0) } ?? 0
    var slots: (ring: SharedMemoryRing, geometry: FrameGeometry)?
    if let ring { slots = (ring, try await decoder.frameGeometry()) }
    let controls = PlayControls(
      decoder: decoder, info: info, start: match, generation: generation, admission: admission,
      sizeCap: options, ring: slots)
    ready.put(.success(controls))
    defer { progress.commands = controls.now.commands }
    try await stoppingOnCancel {
      try await sendFrames(
        from: decoder, under: controls, ring: ring, maxFrames: Int(match.maxFrames), to: response,
        progress: &progress)
    } stop: {
      decoder.cancel()
      ring?.cancel()
    }
  }

  /// How far behind its pace a paced stream may fall (a slow client, a busy machine) before the
  /// pace starts again from the frame at hand.
  static let paceSlack = Duration.milliseconds(250)

  /// Sends frames as the controls say until the frames run out, `maxFrames` are sent, or the
  /// stream stays paused with no command to come.
  private func sendFrames(
    from decoder: PlaybackDecoder, under controls: PlayControls, ring: SharedMemoryRing?, maxFrames: Int,
    to response: RPCWriter<Stream_Video>, progress: inout StreamProgress
  ) async throws {
    var held: PlaybackFrame?
    var pacer = Pacer(slack: Self.paceSlack)
    while true {
      for refusal in controls.takeRefusals() { try await response.write(refusal) }
      let now = controls.now
      if let failure = now.failure { throw failure }
      if maxFrames > 0 && progress.frames >= maxFrames { return }
      if now.paused && now.steps == 0 {
        // A pause is idle time the client chose: it holds the stream and its decoder, decodes
        // nothing, and ends after the pause timeout.
        if now.closed { return }
        let limit = (now.pausedSince ?? .now) + pauseTimeout
        if ContinuousClock.now >= limit { throw PlayError.pausedTooLong(pauseTimeout) }
        await controls.wakeup.wait(until: limit)
        continue
      }
      guard let frame = held, frame.generation == now.generation else {
        held = nil
        guard let next = try await decoder.next() else { return }
        held = next
        continue
      }
      if let speed = now.speed {
        pacer.speed = speed
        if controls.takeRepace() { pacer.restart() }
        let due = pacer.due(pts: frame.frame.ptsSeconds)
        if ContinuousClock.now < due {
          // Woken early by a command: look at the controls again before sending.
          await controls.wakeup.wait(until: due)
          if ContinuousClock.now < due { continue }
        }
      }
      guard let label = controls.claim(frame) else {
        held = nil
        continue
      }
      var message = try ring?.message(sending: frame.frame) ?? Stream_Video(frame.frame)
      message.command = label
      try await progress.write(message, to: response)
      metrics?.sent(byteCount: frame.frame.pixels.count)
      held = nil
    }
  }
}
