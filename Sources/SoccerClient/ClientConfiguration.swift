import GRPCNIOTransportHTTP2
import VideoFrames

/// TLS settings of a client.
public struct ClientTLS: Sendable, Hashable {
  /// PEM certificates to trust; nil trusts the system's roots.
  public var ca: String?
  /// PEM certificate chain and key presented to servers that ask (mutual TLS).
  public var certificate: String?
  public var key: String?
  /// The name the server's certificate must carry, when it is not the host connected to.
  public var authority: String?

  public init(ca: String? = nil, certificate: String? = nil, key: String? = nil, authority: String? = nil) {
    self.ca = ca
    self.certificate = certificate
    self.key = key
    self.authority = authority
  }
}

/// How to reach a server.
public struct ClientConfiguration: Sendable {
  public var server: ServerTarget
  /// TLS, or nil for plaintext.
  public var tls: ClientTLS?
  /// Bearer token sent with every call, or nil.
  public var token: String?
  /// Deadline for every call, streams included; nil for none on streams.
  public var deadline: Duration?
  /// Largest frame accepted, in bytes: the default fits 8K RGB frames.
  public var maxFrameBytes: Int
  /// Deadline for the unary calls (`Describe`, `List`).
  public var unaryTimeout: Duration
  /// Whether Watch streams from a `unix:` server take their frames through a shared-memory ring
  /// (when the server allows it; without, through the socket).
  public var sharedMemory = true
  /// With several servers, whether the calls about a match all go to one of them, the first that
  /// answers in the order its id gives them (`MatchRouting`), instead of round robin.
  public var routesByMatch = false
  /// Set once a server has refused shared memory: later streams go without asking.
  let sharedMemoryRefused = Latch()

  public init(
    server: ServerTarget = ServerTarget(ServerAddress(host: "127.0.0.1", port: 50051)),
    maxFrameBytes: Int = 7680 * 4320 * 3 + 4096, unaryTimeout: Duration = .seconds(15)
  ) {
    self.server = server
    self.maxFrameBytes = maxFrameBytes
    self.unaryTimeout = unaryTimeout
  }
}

extension ClientConfiguration {
  var transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
    guard let tls else { return .plaintext }
    return .tls {
      if let ca = tls.ca { $0.trustRoots = .certificates([.file(path: ca, format: .pem)]) }
      if let certificate = tls.certificate, let key = tls.key {
        $0.certificateChain = [.file(path: certificate, format: .pem)]
        $0.privateKey = .file(path: key, format: .pem)
      }
    }
  }
}
