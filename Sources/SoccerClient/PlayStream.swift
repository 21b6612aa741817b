import GRPCCore
import GRPCProtobuf
import SoccerProtocol
import SoccerWire
import Synchronization

/// One command to a Play stream.
public enum PlayCommand: Sendable, Hashable {
  case pause
  case resume
  /// To this many seconds from the start.
  case seek(seconds: Double)
  /// By this many seconds from the last frame sent; back when negative.
  case seekBy(seconds: Double)
  /// To the frame with this index, exactly.
  case seekTo(frame: Int)
  /// Pacing at this multiple of real time.
  case speed(Double)
  /// The largest frame size from the next frame; 0 for no limit.
  case resize(maxWidth: Int, maxHeight: Int)
  /// Paused: the next `n` frames, or with -1 the frame before the last one.
  case step(Int)

  func message(sequence: UInt64) -> Stream_PlayControl {
    Stream_PlayControl.with {
      $0.sequence = sequence
      switch self {
      case .pause: $0.pause = Stream_Pause()
      case .resume: $0.resume = Stream_Resume()
      case .seek(let seconds): $0.seek = .with { $0.seconds = seconds }
      case .seekBy(let seconds): $0.seek = .with { $0.relativeSeconds = seconds }
      case .seekTo(let frame): $0.seek = .with { $0.frame = UInt64(clamping: max(0, frame)) }
      case .speed(let speed): $0.speed = speed
      case .resize(let width, let height):
        $0.resize = .with {
          $0.maxWidth = UInt32(clamping: max(0, width))
          $0.maxHeight = UInt32(clamping: max(0, height))
        }
      case .step(let frames): $0.step = .with { $0.frames = Int32(clamping: frames) }
      }
    }
  }
}

/// What a Play stream brings: a frame, with the last command carried out before it was chosen,
/// or a command the server did not carry out, and why.
public enum PlayEvent: Sendable {
  case frame(ReceivedFrame, command: UInt64)
  case refused(command: UInt64, code: RPCError.Code?, message: String)
}

/// Sends commands on a Play stream, numbering them 1, 2, 3…: frames chosen after a command
/// carry its number.
public final class PlayController: Sendable {
  private let continuation: AsyncStream<Stream_PlayControl>.Continuation
  private let sequence = Atomic<UInt64>(0)

  init(_ continuation: AsyncStream<Stream_PlayControl>.Continuation) {
    self.continuation = continuation
  }

  /// Sends `command`; returns its number.
  @discardableResult
  public func send(_ command: PlayCommand) -> UInt64 {
    let number = sequence.add(1, ordering: .relaxed).newValue
    continuation.yield(command.message(sequence: number))
    return number
  }

  /// Closes the client's side: no more commands.
  public func finish() { continuation.finish() }
}

/// The events of one Play stream, in the order they arrive.
public struct PlayEvents: AsyncSequence, Sendable {
  public typealias Element = PlayEvent
  let id: String
  let server: ServerTarget
  let messages: RPCAsyncSequence<Stream_Video, any Error>
  var progress: WatchProgress?
  let ring: ClientRing?

  /// Whether frames come through a shared-memory ring: each frame's pixels are then a view of
  /// its slot, which goes back to the server when the frame is dropped, in the order frames
  /// came (`ReceivedFrame.ownFrame()` keeps one without holding its slot).
  public var sharedMemory: Bool { ring != nil }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(
      id: id, server: server, messages: messages.makeAsyncIterator(), progress: progress, slots: SlotReader(ring: ring))
  }

  public struct AsyncIterator: AsyncIteratorProtocol {
    let id: String
    let server: ServerTarget
    var messages: RPCAsyncSequence<Stream_Video, any Error>.AsyncIterator
    let progress: WatchProgress?
    let slots: SlotReader
    var frames = 0

    /// The next event; errors come out as `ClientError`.
    public mutating func next() async throws(ClientError) -> PlayEvent? {
      let message: Stream_Video?
      do {
        message = try await messages.next()
      } catch {
        throw ClientError.from(error, server: server)
      }
      guard let video = message else {
        if frames == 0 { throw ClientError.noFrames(id) }
        return nil
      }
      if video.hasRefusal {
        return .refused(
          command: video.command, code: Status.Code(rawValue: Int(video.refusal.code)).flatMap(RPCError.Code.init),
          message: video.refusal.message)
      }
      frames += 1
      let frame = try slots.frame(from: video)
      progress?.handedOut(frame.index)
      return .frame(frame, command: video.command)
    }
  }
}

extension SoccerClient {
  /// Plays a match under control: `body` gets a controller to send commands with and the
  /// stream's events; the client's side closes when `body` returns. Errors come out as
  /// `ClientError`; a server without Play gives `.server(code: .unimplemented, …)`.
  public func play<Result: Sendable>(
    _ request: WatchRequest, _ body: @escaping @Sendable (PlayController, PlayEvents) async throws -> Result
  ) async throws(ClientError) -> Result {
    try await play(request, progress: nil, body)
  }

  /// `play`, noting each frame received in `progress`; through a shared-memory ring when the
  /// server is on a Unix socket and allows it.
  func play<Result: Sendable>(
    _ request: WatchRequest, progress: WatchProgress?,
    _ body: @escaping @Sendable (PlayController, PlayEvents) async throws -> Result
  ) async throws(ClientError) -> Result {
    let ring = try await ring(for: request, play: true)
    do {
      return try await play(request, ring: ring, progress: progress, body)
    } catch let error where ring != nil && error.refusesSharedMemory {
      configuration.sharedMemoryRefused.set()
      return try await play(request, ring: nil, progress: progress, body)
    }
  }

  private func play<Result: Sendable>(
    _ request: WatchRequest, ring: ClientRing?, progress: WatchProgress?,
    _ body: @escaping @Sendable (PlayController, PlayEvents) async throws -> Result
  ) async throws(ClientError) -> Result {
    let (commands, continuation) = AsyncStream.makeStream(of: Stream_PlayControl.self)
    let controller = PlayController(continuation)
    var start = request.message
    if let ring { start.sharedMemory = ring.request }
    continuation.yield(Stream_PlayControl.with { $0.start = start })
    do {
      return try await grpc.bidirectionalStreaming(
        request: StreamingClientRequest(metadata: metadata(match: request.id)) { writer in
          for await control in commands { try await writer.write(control) }
        },
        descriptor: Stream_Soccer.Method.Play.descriptor, serializer: ProtobufSerializer<Stream_PlayControl>(),
        deserializer: VideoDeserializer(), options: callOptions(timeout: nil)
      ) { response in
        defer { controller.finish() }
        return try await body(
          controller,
          PlayEvents(
            id: request.id, server: configuration.server, messages: response.messages, progress: progress,
            ring: ring))
      }
    } catch {
      controller.finish()
      throw ClientError.from(error, server: configuration.server)
    }
  }
}

extension SoccerClient {
  /// Plays a match like `play`, and when the stream breaks after frames re-issues it from the
  /// frame after the last one received, up to `resumption.retries` times, telling
  /// `resumption.onBreak` of each place it broke; `body` runs once per stream. A break just
  /// after the last frame ends the playback.
  public func play(
    _ request: WatchRequest, resuming resumption: Resumption,
    _ body: @escaping @Sendable (PlayController, PlayEvents) async throws -> Void
  ) async throws(ClientError) {
    var request = request
    var retry = 0
    var lastFrame: Int?
    var broke: (frame: Int, cause: ClientError)?
    while true {
      let progress = WatchProgress()
      do {
        return try await play(request, progress: progress, body)
      } catch {
        if let last = progress.snapshot.last { lastFrame = last }
        if broke != nil && error.code == .outOfRange { return }
        guard let lastFrame, error.breaksStream else { throw error }
        guard retry < resumption.retries, !Task.isCancelled else {
          let cause = broke?.cause ?? error
          let then = broke.map { $0.cause == error ? "" : "; resuming it failed: \(error.reason)" } ?? ""
          throw .streamBroke(id: request.id, afterFrame: lastFrame, reason: cause.reason + then)
        }
        retry += 1
        // One line per place it broke: a re-issued stream that fails before its first frame is not news.
        if broke?.frame != lastFrame {
          broke = (lastFrame, error)
          resumption.onBreak(
            StreamBreak(
              id: request.id, lastFrame: lastFrame, resumeFrame: lastFrame + 1, retry: retry,
              retries: resumption.retries, error: error))
        }
        request.startSeconds = 0
        request.startFrame = lastFrame + 1
        try? await Task.sleep(for: Resumption.delay(beforeRetry: retry))
      }
    }
  }
}
