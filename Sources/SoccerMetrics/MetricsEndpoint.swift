import NIOCore
import NIOHTTP1
import NIOPosix

/// `GET /metrics` over HTTP/1.1 (NIO's HTTP/1 pipeline): the Prometheus text exposition of
/// `metrics`, refreshed by `observe` just before each scrape. Anything else is 404, or 405 for
/// another method on /metrics. Request heads are bounded by NIO's parser (80 KiB), bodies are
/// dropped unread, and a connection idle for 30 s is closed.
public final class MetricsEndpoint: Sendable {
  private let channel: any Channel

  /// The address it listens on.
  public let host: String
  public let port: Int

  /// Starts listening on `host`:`port` (0 picks a free port).
  public init(
    host: String, port: Int, metrics: ServerMetrics, observe: @escaping @Sendable () -> Void,
    group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
  ) async throws {
    channel = try await ServerBootstrap(group: group)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          // A connection that sends nothing for 30 s is closed: no peer holds one open for free.
          try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .seconds(30)))
          try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
          try channel.pipeline.syncOperations.addHandler(ScrapeHandler(metrics: metrics, observe: observe))
        }
      }
      .bind(host: host, port: port).get()
    self.host = host
    self.port = channel.localAddress?.port ?? port
  }

  /// Stops listening; scrapes in flight finish.
  public func close() async {
    try? await channel.close()
  }
}

/// Answers one request at a time on a connection, as HTTP/1.1 keep-alive wants.
private final class ScrapeHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let metrics: ServerMetrics
  private let observe: @Sendable () -> Void
  private var head: HTTPRequestHead?

  init(metrics: ServerMetrics, observe: @escaping @Sendable () -> Void) {
    self.metrics = metrics
    self.observe = observe
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is IdleStateHandler.IdleStateEvent {
      context.close(promise: nil)
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let request): head = request
    case .body: break
    case .end:
      guard let request = head else { return }
      head = nil
      respond(to: request, context: context)
    }
  }

  private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
    let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
    var status = HTTPResponseStatus.ok
    var body: [UInt8]
    var headers = HTTPHeaders()
    if path != "/metrics" {
      status = .notFound
      body = Array("only /metrics is served here\n".utf8)
    } else if request.method != .GET && request.method != .HEAD {
      status = .methodNotAllowed
      headers.add(name: "Allow", value: "GET, HEAD")
      body = Array("GET /metrics\n".utf8)
    } else {
      observe()
      body = metrics.exposition()
      headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
    }
    if status != .ok { headers.add(name: "Content-Type", value: "text/plain; charset=utf-8") }
    headers.add(name: "Content-Length", value: String(body.count))
    let keepAlive = request.isKeepAlive
    headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
    context.write(
      wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil
    )
    if request.method != .HEAD {
      context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
    }
    let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
    if !keepAlive {
      let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
      done.whenComplete { _ in loopBound.value.close(promise: nil) }
    }
  }
}
