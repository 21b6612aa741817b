import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// HTTP/1.1 beside gRPC (`soccer serve --http`): the web API (`WebAPI`) on a port of its own,
/// with the gRPC server's certificate when it has one. NIO's HTTP/1 pipeline, the one the metrics
/// endpoint uses: no other web framework to build. Request heads are bounded by NIO's parser
/// (80 KiB), bodies are dropped unread, requests on a connection are answered one at a time,
/// and a connection idle for 30 s is closed.
public final class WebServer: Sendable {
  private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
  private let listener: NIOAsyncChannel<Connection, Never>
  private let api: WebAPI

  /// The address it listens on.
  public let host: String
  public let port: Int
  /// Whether it speaks TLS.
  public let tls: Bool

  /// Starts listening on `host`:`port` (0 picks a free port) for `server`'s web API.
  public init(host: String, port: Int, server: SoccerServer) async throws {
    api = server.webAPI
    let context = try server.security.webTLS()
    tls = context != nil
    listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .bind(host: host, port: port) { channel in
        channel.eventLoop.makeCompletedFuture {
          let pipeline = channel.pipeline.syncOperations
          if let context { try pipeline.addHandler(NIOSSLServerHandler(context: context)) }
          // A connection that sends nothing for 30 s is closed: no peer holds one open for free.
          try pipeline.addHandler(IdleStateHandler(readTimeout: .seconds(30)))
          try pipeline.addHandler(CloseWhenIdle())
          try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
          return try Connection(wrappingChannelSynchronously: channel)
        }
      }
    self.host = host
    self.port = listener.channel.localAddress?.port ?? port
  }

  /// Answers connections until `close()`, or until cancelled, which closes every connection.
  public func run() async {
    await withTaskCancellationHandler {
      try? await withThrowingDiscardingTaskGroup { group in
        try await listener.executeThenClose { connections in
          for try await connection in connections {
            group.addTask { [api] in await Self.serve(connection, api: api) }
          }
        }
      }
    } onCancel: {
      listener.channel.close(promise: nil)
    }
  }

  /// Stops listening; requests in flight finish.
  public func close() async {
    try? await listener.channel.close()
  }

  private static func serve(_ connection: Connection, api: WebAPI) async {
    await withTaskCancellationHandler {
      await answer(connection, api: api)
    } onCancel: {
      connection.channel.close(promise: nil)
    }
  }

  private static func answer(_ connection: Connection, api: WebAPI) async {
    let peer = connection.channel.remoteAddress.map(Self.describe) ?? "unknown"
    try? await connection.executeThenClose { inbound, outbound in
      var head: HTTPRequestHead?
      for try await part in inbound {
        switch part {
        case .head(let request): head = request
        case .body: continue
        case .end:
          guard let request = head else { continue }
          head = nil
          let response = await api.respond(
            to: WebRequest(
              method: request.method.rawValue, uri: request.uri,
              authorization: request.headers.first(name: "Authorization"),
              ifNoneMatch: request.headers.first(name: "If-None-Match"), peer: peer,
              whenClosed: { [channel = connection.channel] closed in
                channel.closeFuture.whenComplete { _ in closed() }
              }))
          if let stream = response.stream {
            // A stream ends the connection: its length is not known ahead.
            try await write(stream, head: response, to: outbound, for: request)
            return
          }
          try await write(response, to: outbound, for: request)
          if !request.isKeepAlive { return }
        }
      }
    }
  }

  private static func write(
    _ response: WebResponse, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
    for request: HTTPRequestHead
  ) async throws {
    var headers = HTTPHeaders(response.headers)
    headers.add(name: "Content-Length", value: "\(response.body.count)")
    headers.add(name: "Connection", value: request.isKeepAlive ? "keep-alive" : "close")
    let status = HTTPResponseStatus(statusCode: response.status)
    try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
    if request.method != .HEAD && !response.body.isEmpty {
      try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
    }
    try await outbound.write(.end(nil))
  }

  /// Writes a streamed answer: its head before its first chunk, or the error it throws before
  /// one instead.
  private static func write(
    _ stream: @Sendable (_ write: @escaping WebBodyWriter) async throws(WebError) -> Void, head response: WebResponse,
    to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, for request: HTTPRequestHead
  ) async throws {
    let started = Atomic<Bool>(false)
    do {
      try await stream { chunk in
        if !started.exchange(true, ordering: .relaxed) {
          var headers = HTTPHeaders(response.headers)
          headers.add(name: "Connection", value: "close")
          let head = HTTPResponseHead(
            version: request.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
          try await outbound.write(.head(head))
        }
        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
      }
      if started.load(ordering: .relaxed) { try await outbound.write(.end(nil)) }
    } catch let error as WebError {
      var closing = request
      closing.headers.replaceOrAdd(name: "Connection", value: "close")
      var answer = WebResponse(error)
      answer.headers += response.headers.filter { $0.0 == "Soccer-Replica" }
      try await write(answer, to: outbound, for: closing)
    }
  }

  /// "ipv4:127.0.0.1:50522", as gRPC names its peers in the log.
  private static func describe(_ address: SocketAddress) -> String {
    switch address {
    case .v4(let v4): return "ipv4:\(v4.host):\(address.port ?? 0)"
    case .v6(let v6): return "ipv6:[\(v6.host)]:\(address.port ?? 0)"
    default: return "\(address)"
    }
  }
}

/// Closes a connection when `IdleStateHandler` says it has been idle.
private final class CloseWhenIdle: ChannelInboundHandler, Sendable {
  typealias InboundIn = NIOAny

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is IdleStateHandler.IdleStateEvent {
      context.close(promise: nil)
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }
}

extension ServerSecurity {
  /// The TLS context for the web port: the gRPC server's certificate and key; nil for plaintext.
  func webTLS() throws -> NIOSSLContext? {
    guard let certificate, let privateKey else { return nil }
    let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
    var configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: privateKey, format: .pem)))
    if let clientCA {
      configuration.trustRoots = .file(clientCA)
      configuration.certificateVerification = .noHostnameVerification
    }
    return try NIOSSLContext(configuration: configuration)
  }
}
