import GRPCCore
import GRPCProtobuf
import SoccerProtocol
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

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(id: id, server: server, messages: messages.makeAsyncIterator())
  }

  public struct AsyncIterator: AsyncIteratorProtocol {
    let id: String
    let server: ServerTarget
    var messages: RPCAsyncSequence<Stream_Video, any Error>.AsyncIterator
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
      return .frame(try ReceivedFrame(video), command: video.command)
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
    let (commands, continuation) = AsyncStream.makeStream(of: Stream_PlayControl.self)
    let controller = PlayController(continuation)
    continuation.yield(Stream_PlayControl.with { $0.start = request.message })
    do {
      return try await grpc.bidirectionalStreaming(
        request: StreamingClientRequest(metadata: metadata) { writer in
          for await control in commands { try await writer.write(control) }
        },
        descriptor: Stream_Soccer.Method.Play.descriptor, serializer: ProtobufSerializer<Stream_PlayControl>(),
        deserializer: VideoDeserializer(), options: callOptions(timeout: nil)
      ) { response in
        defer { controller.finish() }
        return try await body(
          controller, PlayEvents(id: request.id, server: configuration.server, messages: response.messages))
      }
    } catch {
      controller.finish()
      throw ClientError.from(error, server: configuration.server)
    }
  }
}
