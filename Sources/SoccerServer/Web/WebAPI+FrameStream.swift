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
      let parts = PartWriter(write: write)
      do {
        try await withServerContextRPCCancellationHandle { cancellation in
          request.whenClosed { [departed = service.departed] in
            departed.record(request.peer)
            cancellation.cancel()
          }
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

/// Writes each frame a Watch call gives as its part of the stream.
private final class PartWriter: RPCWriterProtocol, Sendable {
  private let write: WebBodyWriter
  private let wrote = Atomic<Bool>(false)

  init(write: @escaping WebBodyWriter) { self.write = write }

  /// Whether a part has been written: the answer's head has then gone out.
  var started: Bool { wrote.load(ordering: .relaxed) }

  func write(_ element: Stream_Video) async throws {
    wrote.store(true, ordering: .relaxed)
    do {
      try await write(
        FrameStreamRequest.part(jpeg: element.data, frame: element.frameIndex, seconds: element.ptsSeconds))
    } catch {
      // The client went away: the stream was cancelled, as a gRPC client's would be.
      throw CancellationError()
    }
  }

  func write(contentsOf elements: some Sequence<Stream_Video>) async throws {
    for element in elements { try await write(element) }
  }
}
