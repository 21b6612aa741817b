import Foundation
import GRPCCore
import SoccerProtocol
import Synchronization

extension WebAPI {
  /// Frames from `frames.start` on as a multipart stream of JPEG files: a Watch call whose frames
  /// go out as the client reads them, so a client that reads slowly slows the decoder rather
  /// than filling memory. The stream ends when the client's connection closes. An error before
  /// the first frame is the answer; one after it is the stream's last part, as JSON.
  func frameStream(id: String, _ frames: FrameStreamRequest, request: WebRequest) throws(WebError) -> WebResponse {
    let headers = [
      ("Content-Type", FrameStreamRequest.contentType), ("Cache-Control", "no-store"),
      ("X-Content-Type-Options", "nosniff"),
    ]
    if request.method == "HEAD" { return WebResponse(status: 200, headers: headers) }
    return WebResponse(status: 200, headers: headers) { [service] (write) throws(WebError) in
      let parts = PartWriter(write: write, pace: frames.pace)
      do {
        try await withServerContextRPCCancellationHandle { cancellation in
          // The client is gone: its stream is a disconnect, and the call stops at once.
          let gone: @Sendable () -> Void = { [departed = service.departed] in
            departed.record(request.peer)
            cancellation.cancel()
          }
          request.whenClosed(gone)
          parts.whenGone(gone)
          try await service.watch(
            request: frames.match(id: id), response: RPCWriter(wrapping: parts),
            context: Self.context(peer: request.peer, cancellation: cancellation))
        }
      } catch {
        let answer = error as? WebError ?? WebError(error)
        guard parts.started else { throw answer }
        try? await write(FrameStreamRequest.part(error: answer))
      }
      try? await write(FrameStreamRequest.end)
    }
  }
}

/// Writes each frame a Watch call gives as its part of the stream, at its pace when it has one.
private final class PartWriter: RPCWriterProtocol, Sendable {
  private let write: WebBodyWriter
  private let pace: Double?
  private let wrote = Atomic<Bool>(false)
  private let gone = Mutex<(@Sendable () -> Void)?>(nil)
  /// When the first frame went out, and its time in the match.
  private let anchor = Mutex<(wall: ContinuousClock.Instant, seconds: Double)?>(nil)

  init(write: @escaping WebBodyWriter, pace: Double?) {
    self.write = write
    self.pace = pace
  }

  /// What to do when a write fails: the client has gone, though its connection may not be
  /// closed yet.
  func whenGone(_ action: @escaping @Sendable () -> Void) { gone.withLock { $0 = action } }

  /// Whether a part has been written: the answer's head has then gone out.
  var started: Bool { wrote.load(ordering: .relaxed) }

  func write(_ element: Stream_Video) async throws {
    wrote.store(true, ordering: .relaxed)
    if let pace {
      // Held until at most `lead` before its time: the socket buffers then hold a second of
      // frames, not everything they can take, and a seek or a pause throws away no more.
      let now = ContinuousClock.now
      let first = anchor.withLock { anchor in
        if anchor == nil { anchor = (now, element.ptsSeconds) }
        return anchor ?? (now, element.ptsSeconds)
      }
      let due = first.wall + .seconds((element.ptsSeconds - first.seconds) / pace) - FrameStreamRequest.lead
      if due > now { try await Task.sleep(until: due, clock: .continuous) }
    }
    do {
      try await write(
        FrameStreamRequest.part(jpeg: element.data, frame: element.frameIndex, seconds: element.ptsSeconds))
    } catch {
      // The client went away: the stream was cancelled, as a gRPC client's would be.
      gone.withLock { $0 }?()
      throw CancellationError()
    }
  }

  func write(contentsOf elements: some Sequence<Stream_Video>) async throws {
    for element in elements { try await write(element) }
  }
}
