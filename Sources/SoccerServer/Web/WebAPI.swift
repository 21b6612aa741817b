import ContentDigest
import Foundation
import GRPCCore
import SoccerMetrics
import SoccerProtocol
import Synchronization
import VideoDecoding
import VideoFrames

/// An HTTP request as the API reads it.
struct WebRequest: Sendable {
  var method: String
  var uri: String
  /// `Authorization`, if sent.
  var authorization: String?
  /// `If-None-Match`, if sent.
  var ifNoneMatch: String?
  /// The client's address, for the log line: "ipv4:127.0.0.1:50522".
  var peer: String
  /// Registers what to do when the client's connection closes: a streamed answer stops.
  var whenClosed: @Sendable (@escaping @Sendable () -> Void) -> Void = { _ in }
}

/// Writes a streamed answer's body, part by part; the answer's head goes out before the first.
typealias WebBodyWriter = @Sendable (Data) async throws -> Void

/// An HTTP answer: status, headers, body.
struct WebResponse: Sendable {
  var status: Int
  var headers: [(String, String)] = []
  var body = Data()
  /// A body sent as it is made, in chunks, instead of `body`. It throws only before it has
  /// written anything, and the error is then the answer.
  var stream: (@Sendable (_ write: @escaping WebBodyWriter) async throws(WebError) -> Void)?

  init(
    status: Int, headers: [(String, String)] = [], body: Data = Data(),
    stream: (@Sendable (_ write: @escaping WebBodyWriter) async throws(WebError) -> Void)? = nil
  ) {
    self.status = status
    self.headers = headers
    self.body = body
    self.stream = stream
  }

  init(json object: Any) {
    status = 200
    body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    headers = [("Content-Type", "application/json")]
  }

  init(_ error: WebError) {
    status = error.status
    body = error.body
    headers = [("Content-Type", "application/json")]
    if error.status == 401 { headers.append(("WWW-Authenticate", "Bearer")) }
    if let retry = error.retryAfter { headers.append(("Retry-After", "\(retry)")) }
  }
}

/// The web API over the service: the same calls gRPC clients make, with the same token, limits,
/// frame memory, metrics and log lines, as JSON and image files.
public struct WebAPI: Sendable {
  let service: SoccerService
  /// The viewers' bearer token, when the server has one.
  let token: String?
  let metrics: ServerMetrics?
  /// Told in `Soccer-Replica` on every answer, as gRPC answers carry `soccer-replica`.
  let replica: ReplicaName
  let health: HealthStatus

  /// A frame of a given file never changes: caches may keep it a day and then ask again with
  /// its ETag, so a match replaced by an upload is seen within a day, and at once by a client
  /// that revalidates.
  static let frameCaching = "public, max-age=86400"

  func respond(to request: WebRequest) async -> WebResponse {
    let response: WebResponse
    var route = "none"
    do {
      let parsed = try WebRoute(method: request.method, uri: request.uri)
      route = Self.name(of: parsed)
      switch parsed {
      case .health, .page: break
      default: try authorize(request.authorization)
      }
      response = try await answer(parsed, request: request)
    } catch {
      response = WebResponse(error)
    }
    var answered = response
    answered.headers.append(("Soccer-Replica", replica.value))
    if let stream = response.stream {
      // A stream's status is known once it has started, or failed before its first frame.
      answered.stream = { [metrics, route] (write) throws(WebError) in
        do throws(WebError) {
          try await stream(write)
          metrics?.answered(route: route, status: response.status)
        } catch {
          metrics?.answered(route: route, status: error.status)
          throw error
        }
      }
    } else {
      metrics?.answered(route: route, status: response.status)
    }
    return answered
  }

  private static func name(of route: WebRoute) -> String {
    switch route {
    case .health: return "health"
    case .list: return "list"
    case .describe: return "describe"
    case .frame: return "frame"
    case .frames: return "frames"
    case .page: return "page"
    }
  }

  private func authorize(_ authorization: String?) throws(WebError) {
    guard let token else { return }
    guard let authorization else {
      throw WebError(
        status: 401, code: "UNAUTHENTICATED", message: "this server needs a bearer token (Authorization: Bearer …)")
    }
    guard BearerTokenInterceptor.constantTimeEqual(Array(authorization.utf8), Array("Bearer \(token)".utf8)) else {
      throw WebError(status: 401, code: "UNAUTHENTICATED", message: "the bearer token is wrong")
    }
  }

  private func answer(_ route: WebRoute, request: WebRequest) async throws(WebError) -> WebResponse {
    let context = Self.context(peer: request.peer)
    switch route {
    case .health:
      var answer = WebResponse(json: ["status": health.isServing ? "SERVING" : "NOT_SERVING"])
      if !health.isServing { answer.status = 503 }
      return answer
    case .list:
      do {
        let list = try await service.list(request: Stream_ListRequest(), context: context)
        return WebResponse(json: ["matches": list.ids])
      } catch {
        throw WebError(error)
      }
    case .describe(let id):
      do {
        let info = try await service.describe(request: Stream_Match.with { $0.id = id }, context: context)
        return WebResponse(json: Self.json(info))
      } catch {
        throw WebError(error)
      }
    case .frame(let id, let frame):
      return try await image(id: id, frame, request: request, context: context)
    case .frames(let id, let frames):
      return try frameStream(id: id, frames, request: request)
    case .page(let page):
      return Self.answer(page, request: request)
    }
  }

  /// Frame `frame.index` of `id` as an image file, or 304 when the client has it.
  private func image(id: String, _ frame: FrameRequest, request: WebRequest, context: ServerContext)
    async throws(WebError) -> WebResponse
  {
    // A local file's ETag is known before decoding, so a client that has the frame costs no decode.
    let before = (try? service.library.path(for: id)).flatMap(FileVersion.Status.init(path:))
    let known = before.map { Self.etag(of: $0, frame) }
    if let known, request.ifNoneMatch.map({ Self.matches(known, $0) }) == true {
      return WebResponse(status: 304, headers: [("ETag", known), ("Cache-Control", Self.frameCaching)])
    }
    let video: Stream_Video
    do {
      let collected = Collected()
      try await service.watch(request: frame.match(id: id), response: RPCWriter(wrapping: collected), context: context)
      guard let first = collected.first else {
        throw WebError.notFound("match \(id) has no frame \(frame.index)")
      }
      video = first
    } catch let error as WebError {
      throw error
    } catch {
      throw WebError(error)
    }
    let body: Data
    if frame.file == .ppm {
      let shape = Self.shape(video.dataShape)
      guard shape.count >= 2,
        let file = try? NetPBM.encode(
          pixels: video.data, width: shape[1], height: shape[0], channels: shape.count > 2 ? shape[2] : 1)
      else { throw WebError(status: 500, code: "INTERNAL", message: "frame \(frame.index) has no pixels to write") }
      body = file
    } else {
      body = video.data
    }
    // A file replaced while it was decoded has no ETag: the frame may be the old file's or the new one's.
    var etag = known
    if let before, FileVersion.Status(path: (try? service.library.path(for: id)) ?? "") != before { etag = nil }
    if before == nil { etag = "\"\(SHA256.digest(body).prefix(16).hexText)\"" }
    var headers =
      [("Content-Type", frame.file.contentType), ("Cache-Control", Self.frameCaching)]
      + FrameStreamRequest.headers(frame: video.frameIndex, seconds: video.ptsSeconds)
    if let etag {
      headers.append(("ETag", etag))
      if request.ifNoneMatch.map({ Self.matches(etag, $0) }) == true {
        return WebResponse(status: 304, headers: headers.filter { $0.0 != "Content-Type" })
      }
    }
    return WebResponse(status: 200, headers: headers, body: body)
  }

  /// The numbers of a numpy shape text, "(720, 1280, 3)".
  private static func shape(_ text: String) -> [Int] {
    text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
  }

  static func etag(of status: FileVersion.Status, _ frame: FrameRequest) -> String {
    let identity = "\(status.device) \(status.inode) \(status.size) \(status.modified) \(frame.variant)"
    return "\"\(SHA256.digest(Array(identity.utf8)).prefix(16).hexText)\""
  }

  /// Whether `If-None-Match: header` names `etag`: one of a comma-separated list, or `*`.
  static func matches(_ etag: String, _ header: String) -> Bool {
    header.split(separator: ",").contains { candidate in
      var tag = candidate.trimmingCharacters(in: .whitespaces)
      if tag.hasPrefix("W/") { tag.removeFirst(2) }
      return tag == etag || tag == "*"
    }
  }

  static func json(_ info: Stream_MatchInfo) -> [String: Any] {
    [
      "id": info.id, "width": Int(info.width), "height": Int(info.height), "frame_rate": info.frameRate,
      "duration_seconds": info.durationSeconds, "frame_count": Int(info.frameCount),
      "frame_count_exact": info.frameCountExact, "codec": info.codec, "source_pixel_format": info.sourcePixelFormat,
      "damage": info.damage,
    ]
  }

  /// The local peer of the calls the API makes, by which their log lines say `via=http`.
  static let localPeer = "http"

  /// A server context for a call the API makes on a client's behalf.
  static func context(
    peer: String, cancellation: ServerContext.RPCCancellationHandle = ServerContext.RPCCancellationHandle()
  ) -> ServerContext {
    ServerContext(
      descriptor: Stream_Soccer.Method.Watch.descriptor, remotePeer: peer, localPeer: localPeer,
      cancellation: cancellation)
  }
}

/// Keeps the frames a Watch call writes: the one a frame URL asks for.
private final class Collected: RPCWriterProtocol, Sendable {
  private let frames = Mutex<[Stream_Video]>([])

  var first: Stream_Video? { frames.withLock { $0.first } }

  func write(_ element: Stream_Video) async throws { frames.withLock { $0.append(element) } }

  func write(contentsOf elements: some Sequence<Stream_Video>) async throws {
    let all = Array(elements)
    frames.withLock { $0.append(contentsOf: all) }
  }
}
