import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import ServiceLifecycle
import SoccerMetrics
import SoccerProtocol
import SoccerWire
import Synchronization
import VideoDecoding

/// Where the server listens and what it serves.
public struct ServerConfiguration: Sendable {
  /// The folder of `<id>.mp4` files.
  public var mediaRoot: String
  /// PEM CA certificates an HTTPS media store's certificate must chain to; nil for the system's.
  public var mediaCA: String?
  /// IPv4 or IPv6 address to listen on; "localhost" means 127.0.0.1.
  public var host: String
  /// Whether the server listens on TCP at `host` and `port`; false with a Unix socket alone.
  public var listensOnTCP = true
  /// A Unix domain socket to listen on, beside TCP or alone.
  public var unixSocket: UnixSocketConfiguration?
  /// TCP port; 0 picks a free one.
  public var port: Int
  /// Frames each stream decodes ahead of the network.
  public var queueDepth: Int
  /// Bytes all streams' frames may hold at once (`FrameMemoryBudget`), the frame cache's included.
  public var frameMemory = FrameMemoryBudget.defaultLimit()
  /// Bytes of decoded frames kept for requests that ask for them again (`FrameCache`); 0 for none.
  public var frameCache = 0
  /// Whether streams of the same match and output share a decode (`SharedDecodes`).
  public var sharesDecodes = true
  /// Most pixels a frame sent may have; a larger source is served only scaled below it.
  public var maxFramePixels = SoccerService.defaultMaxFramePixels
  /// Streams served at once; more get RESOURCE_EXHAUSTED.
  public var maxStreams: Int
  /// Streams one connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS).
  public var maxStreamsPerConnection: Int
  /// How long in-flight streams may go on once shutdown begins.
  public var grace: Duration
  /// How often the server pings a quiet connection to find dead peers.
  public var keepalive: Duration = .seconds(60)
  /// How long a PING may go unacknowledged before the connection is closed.
  public var keepaliveTimeout: Duration = .seconds(20)
  /// How long a stream's next frame may wait on the client before the stream is ended.
  public var stallTimeout: Duration = .seconds(30)
  /// How long a Play stream may stay paused before it is ended.
  public var pauseTimeout: Duration = .seconds(300)
  /// How long a connection may have no stream before it is closed (GOAWAY, then TCP close).
  public var idleTimeout: Duration = .seconds(300)
  /// How long a new connection has to finish its TLS handshake and HTTP/2 preface.
  public var handshakeTimeout: Duration = .seconds(10)
  /// Connections open at once; more are closed as soon as they are accepted.
  public var maxConnections = 1000
  /// TLS and token.
  public var security = ServerSecurity()
  /// Whether and how clients may upload matches; nil refuses every upload.
  public var uploads: UploadPolicy?
  /// Whether clients on the Unix socket may have Watch deliver frames through a shared-memory
  /// ring they made (`Match.shared_memory`).
  public var allowsSharedMemory = false
  /// Frames are written into the transport's buffer with one copy (`VideoSerializer`); false
  /// leaves them to SwiftProtobuf's serializer, as generated (a zero-fill and two copies).
  public var serializesFramesDirectly = true
  /// Where the one line per stream goes.
  public var logger = Logger(label: "soccer.stream")
  /// This replica's name among many; unnamed, it is named after its host and listening port.
  public var replica = ReplicaName()

  public init(
    mediaRoot: String = "media", host: String = "127.0.0.1", port: Int = 50051,
    queueDepth: Int = SoccerService.defaultQueueDepth,
    maxStreams: Int = 64, maxStreamsPerConnection: Int = 16, grace: Duration = .seconds(10)
  ) {
    self.mediaRoot = mediaRoot
    self.host = host
    self.port = port
    self.queueDepth = queueDepth
    self.maxStreams = maxStreams
    self.maxStreamsPerConnection = maxStreamsPerConnection
    self.grace = grace
  }
}

/// The SoccerStream gRPC server: the `stream.Soccer` service over HTTP/2.
public struct SoccerServer: Service {
  /// The TCP listener, unless the server listens on a Unix socket alone.
  private let tcp: GRPCServer<HTTP2ServerTransport.Posix>?
  /// The Unix socket listener, if there is one.
  private let unix: (server: GRPCServer<HTTP2ServerTransport.Posix>, socket: UnixSocketConfiguration)?
  private let decoders: DecoderTally
  private let connections: ConnectionLimit
  private let service: SoccerService
  /// What the server counts, for a `MetricsEndpoint` to serve.
  public let metrics: ServerMetrics
  /// What the health service reports.
  public let health = HealthStatus()
  private let grace: Duration
  /// Finishes when shutdown begins, which starts the grace period.
  private let shutdown: AsyncStream<Void>
  private let startShutdown: AsyncStream<Void>.Continuation

  /// Prepares a server; fails when the media folder does not exist or a security file cannot be read.
  public init(configuration: ServerConfiguration) throws {
    let metrics = ServerMetrics()
    self.metrics = metrics
    MediaStoreTrust.trust(caFile: configuration.mediaCA)
    let library = try MatchLibrary(root: configuration.mediaRoot)
    abandonedUploads = library.folder.map(StagedUpload.removeAbandoned(in:)) ?? []
    let transportSecurity = try configuration.security.transportSecurity()
    let host = configuration.host == "localhost" ? "127.0.0.1" : configuration.host
    let address: GRPCNIOTransportHTTP2.SocketAddress =
      host.contains(":") ? .ipv6(host: host, port: configuration.port) : .ipv4(host: host, port: configuration.port)
    if let socket = configuration.unixSocket { try UnixSocketPath.prepare(socket.path) }
    let guards = TransportGuards(
      handshakeTimeout: configuration.handshakeTimeout, pingTimeout: configuration.keepaliveTimeout,
      stallTimeout: configuration.stallTimeout, connections: ConnectionLimit(limit: configuration.maxConnections),
      departed: DepartedPeers(), metrics: metrics)
    connections = guards.connections
    var callbacks = guards.callbacks
    // Uploads arrive as 1 MiB chunks: the server reads them as the client reads frames.
    let guardConnection = callbacks.onAcceptTCPConnection
    callbacks.onAcceptTCPConnection = { channel in
      SocketReads.apply(to: channel).flatMap {
        guardConnection?(channel) ?? channel.eventLoop.makeSucceededVoidFuture()
      }
    }
    // One transport per listener, TCP and Unix socket alike, with the same settings and guards.
    let transport = { (address: GRPCNIOTransportHTTP2.SocketAddress) in
      HTTP2ServerTransport.Posix(
        address: address,
        transportSecurity: transportSecurity,
        config: .defaults {
          // Requests are one small `Match` or an upload chunk: refuse anything bigger early.
          $0.rpc.maxRequestPayloadSize = UploadPolicy.maxRequestPayload
          $0.http2.maxFrameSize = (1 << 24) - 1
          $0.http2.targetWindowSize = 64 * 1024 * 1024
          $0.http2.maxConcurrentStreams = configuration.maxStreamsPerConnection
          // Dead peers (a laptop closed mid-stream) are found by pings, and clients may ping
          // too, even between calls, as often as once a second, so their own checks are not punished.
          $0.connection.keepalive = .init(
            time: configuration.keepalive, timeout: configuration.keepaliveTimeout,
            clientBehavior: .init(minPingIntervalWithoutCalls: .seconds(1), allowWithoutCalls: true))
          $0.connection.maxIdleTime = configuration.idleTimeout
          $0.channelDebuggingCallbacks = callbacks
        })
    }
    let service = SoccerService(
      library: library, queueDepth: configuration.queueDepth, maxStreams: configuration.maxStreams,
      frameMemory: FrameMemoryBudget(limit: configuration.frameMemory), frameCache: configuration.frameCache,
      sharesDecodes: configuration.sharesDecodes, maxFramePixels: configuration.maxFramePixels,
      stallTimeout: configuration.stallTimeout, pauseTimeout: configuration.pauseTimeout,
      uploads: configuration.uploads, allowsSharedMemory: configuration.allowsSharedMemory, departed: guards.departed,
      stalled: guards.stalled,
      logger: configuration.logger,
      metrics: metrics)
    decoders = service.decoders
    self.service = service
    security = configuration.security
    webAPI = WebAPI(
      service: service, token: configuration.security.token, metrics: metrics, replica: configuration.replica,
      health: health)
    grace = configuration.grace
    (shutdown, startShutdown) = AsyncStream<Void>.makeStream()
    // The token guards the matches; health stays open, for load balancers and orchestrators.
    replica = configuration.replica
    let interceptors: [ConditionalInterceptor<any ServerInterceptor>] =
      [.apply(MetricsInterceptor(metrics: metrics), to: .all)]
      + [.apply(ReplicaInterceptor(replica: configuration.replica), to: .all)]
      + Self.tokenChecks(viewers: configuration.security.token, uploads: configuration.uploads?.token)
    let services: [any RegistrableRPCService] =
      [service] + (configuration.serializesFramesDirectly ? [VideoRoutes(service: service)] : [])
      + [HealthService(status: health)]
    tcp =
      configuration.listensOnTCP
      ? GRPCServer(transport: transport(address), services: services, interceptorPipeline: interceptors) : nil
    unix = configuration.unixSocket.map { socket in
      let server = GRPCServer(
        transport: transport(.unixDomainSocket(path: socket.path)), services: services,
        interceptorPipeline: interceptors)
      return (server, socket)
    }
  }

  /// Staging files of uploads a killed server left in the media folder, removed as it started.
  public let abandonedUploads: [String]

  /// The web API over this server's service, for a `WebServer`.
  public let webAPI: WebAPI
  /// The server's TLS and token settings, which its web port shares.
  public let security: ServerSecurity

  /// This replica's name: `soccer-replica` in responses, `replica=` in log lines.
  public let replica: ReplicaName

  /// Decoders open for streams right now; 0 once every stream has ended and freed its decoder.
  public var openDecoders: Int { decoders.open }

  /// Frames decoded so far by every stream's decoder.
  public var decoderFramesDecoded: Int { decoders.framesDecoded }

  /// Calls holding a stream slot right now: Watch, Play and Upload.
  public var activeStreams: Int { service.activeStreams }

  /// Bytes of the frame-memory budget reserved right now.
  public var frameMemoryReserved: Int { service.frameMemory.reserved }

  /// Client connections open right now.
  public var openConnections: Int { connections.count }

  /// The Unix socket the server listens on, if it does, once it does and has its mode.
  public var listeningSocketPath: String? {
    get async throws {
      guard let unix else { return nil }
      _ = try await unix.server.transport.listeningAddress
      // The mode may not be set yet by `run()`; setting it twice does no harm.
      _ = try UnixSocketPath.adopt(unix.socket)
      return unix.socket.path
    }
  }

  /// The address the server listens on, once it does: "127.0.0.1:50051".
  public var listeningAddress: (host: String, port: Int) {
    get async throws {
      guard let tcp else { throw RPCError(code: .failedPrecondition, message: "the server listens on no TCP port") }
      let address = try await tcp.transport.listeningAddress
      if let v4 = address.ipv4 { return (v4.host, v4.port) }
      if let v6 = address.ipv6 { return (v6.host, v6.port) }
      throw RPCError(code: .internalError, message: "server listens on \(address), not an IP address")
    }
  }

  /// Serves until cancelled or shut down gracefully: health turns NOT_SERVING, new calls are
  /// refused, and in-flight streams get the grace period to finish before they are cancelled.
  public func run() async throws {
    try await withGracefulShutdownHandler {
      try await withThrowingTaskGroup(of: Void.self) { group in
        if let tcp { group.addTask { try await tcp.serve() } }
        if let unix {
          group.addTask {
            try await withThrowingTaskGroup(of: Void.self) { listener in
              listener.addTask { try await unix.server.serve() }
              _ = try await unix.server.transport.listeningAddress
              let identity = try UnixSocketPath.adopt(unix.socket)
              defer { UnixSocketPath.remove(unix.socket.path, identity: identity) }
              try await listener.next()
            }
          }
        }
        group.addTask {
          if let address = try? await listeningAddress {
            replica.nameIfUnnamed("\(Self.hostName()):\(address.port)")
          } else if unix != nil {
            replica.nameIfUnnamed("\(Self.hostName()):unix")
          }
          for await _ in shutdown {}
          try await Task.sleep(for: grace)
        }
        // Whichever ends first, serving or the grace period after a shutdown began, ends both.
        defer { group.cancelAll() }
        try await group.next()
      }
    } onGracefulShutdown: {
      beginGracefulShutdown()
    }
  }

  /// What is open now, into the metrics: read at each scrape.
  public func observeMetrics() {
    metrics.observe(
      streams: service.activeStreams, decoders: decoders.open, connections: connections.count,
      frameMemory: (service.frameMemory.reserved, service.frameMemory.limit),
      frameCache: service.frameCache.map { cache in
        let s = cache.statistics
        return FrameCacheFigures(
          bytes: s.bytes, capacity: cache.capacity, frames: s.frames, hits: s.hits, misses: s.misses,
          evictions: s.evictions)
      }, replica: replica.value)
  }

  /// Turns health to NOT_SERVING, stops accepting calls, and gives in-flight calls the grace period.
  public func beginGracefulShutdown() {
    health.beginShutdown()
    service.draining.set()
    tcp?.beginGracefulShutdown()
    unix?.server.beginGracefulShutdown()
    startShutdown.finish()
  }
}

/// One line for a person about why a server could not start: "Address already in use", not the transport's error chain.
public func startupFailureReason(_ error: any Error) -> String {
  var current: (any Error)? = error
  while let error = current {
    if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
    current = (error as? RuntimeError)?.cause ?? (error as? RPCError)?.cause
  }
  return "\(error)"
}

extension SoccerServer {
  /// The token checks: the viewers' token guards every `stream.Soccer` call, and an upload token,
  /// when there is one, guards Upload instead, refusing the viewers' token there.
  static func tokenChecks(viewers: String?, uploads: String?) -> [ConditionalInterceptor<any ServerInterceptor>] {
    let upload = Stream_Soccer.Method.Upload.descriptor
    guard let uploads else {
      return viewers.map { [.apply(BearerTokenInterceptor(token: $0), to: .services([Stream_Soccer.descriptor]))] }
        ?? []
    }
    let others = Set(Stream_Soccer.Method.descriptors.filter { $0 != upload })
    return (viewers.map { [.apply(BearerTokenInterceptor(token: $0), to: .methods(others))] } ?? [])
      + [.apply(BearerTokenInterceptor(token: uploads, readOnly: viewers), to: .methods([upload]))]
  }

  /// The machine's host name, as `hostname` prints it.
  static func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
