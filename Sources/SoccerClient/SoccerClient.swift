import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SoccerProtocol
import VideoFrames

/// What to ask the server for in `Watch`.
public struct WatchRequest: Sendable, Hashable {
  public var id: String
  /// Pixel format; nil leaves the server's default (BGR24, like the Python demo).
  public var format: PixelFormat?
  public var maxWidth = 0
  public var maxHeight = 0
  public var startSeconds = 0.0
  public var maxFrames = 0
  public var stride = 1
  public var realTime = false

  public init(id: String) { self.id = id }

  var message: Stream_Match {
    Stream_Match.with {
      $0.id = id
      switch format {
      case .none, .bgr24: $0.pixelFormat = .bgr24
      case .rgb24: $0.pixelFormat = .rgb24
      case .gray8: $0.pixelFormat = .gray8
      }
      $0.maxWidth = UInt32(clamping: maxWidth)
      $0.maxHeight = UInt32(clamping: maxHeight)
      $0.startSeconds = startSeconds
      $0.maxFrames = UInt32(clamping: maxFrames)
      $0.stride = UInt32(clamping: max(1, stride))
      $0.realTime = realTime
    }
  }
}

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
  public var server: ServerAddress
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

  public init(
    server: ServerAddress = ServerAddress(host: "127.0.0.1", port: 50051),
    maxFrameBytes: Int = 7680 * 4320 * 3 + 4096, unaryTimeout: Duration = .seconds(15)
  ) {
    self.server = server
    self.maxFrameBytes = maxFrameBytes
    self.unaryTimeout = unaryTimeout
  }
}

/// A connection to a SoccerStream (or Python demo) server.
public struct SoccerClient: Sendable {
  private let soccer: Stream_Soccer.Client<HTTP2ClientTransport.Posix>
  private let grpc: GRPCClient<HTTP2ClientTransport.Posix>
  private let configuration: ClientConfiguration

  /// Connects to the configured server, runs `body`, then closes the connection.
  public static func with<Result: Sendable>(
    _ configuration: ClientConfiguration,
    _ body: (SoccerClient) async throws -> Result
  ) async throws(ClientError) -> Result {
    let server = configuration.server
    do {
      let transport = try HTTP2ClientTransport.Posix(
        target: server.resolvableTarget,
        transportSecurity: configuration.transportSecurity,
        config: .defaults {
          // Frames are megabytes each: large HTTP/2 frames and windows keep the pipe full.
          $0.http2.maxFrameSize = (1 << 24) - 1
          $0.http2.targetWindowSize = 64 * 1024 * 1024
          $0.http2.authority = configuration.tls?.authority
        })
      return try await withGRPCClient(transport: transport) { grpc in
        try await body(
          SoccerClient(soccer: Stream_Soccer.Client(wrapping: grpc), grpc: grpc, configuration: configuration))
      }
    } catch let error as ClientError {
      throw error
    } catch {
      throw ClientError.from(error, server: server)
    }
  }

  private var metadata: Metadata {
    guard let token = configuration.token else { return [:] }
    return ["authorization": "Bearer \(token)"]
  }

  private func callOptions(timeout: Duration?) -> CallOptions {
    var options = CallOptions.defaults
    // Fail at once when the server is down instead of waiting for it to appear.
    options.waitForReady = false
    switch (timeout, configuration.deadline) {
    case (let a?, let b?): options.timeout = min(a, b)
    case (let a, let b): options.timeout = a ?? b
    }
    // The transport applies maxRequestMessageBytes to what it receives; set both to be sure.
    options.maxRequestMessageBytes = configuration.maxFrameBytes
    options.maxResponseMessageBytes = configuration.maxFrameBytes
    return options
  }

  /// Streams a match, calling `onFrame` for each frame; returns the number of frames.
  ///
  /// A stream that ends without frames is an error: a healthy match always has some.
  @discardableResult
  public func watch(
    _ request: WatchRequest, onFrame: @escaping @Sendable (ReceivedFrame) async throws -> Void
  ) async throws(ClientError) -> Int {
    do {
      // VideoDeserializer leaves each frame's pixels in the received buffer instead of copying them.
      let count = try await grpc.serverStreaming(
        request: ClientRequest(message: request.message, metadata: metadata),
        descriptor: Stream_Soccer.Method.Watch.descriptor, serializer: ProtobufSerializer<Stream_Match>(),
        deserializer: VideoDeserializer(), options: callOptions(timeout: nil)
      ) { response in
        var count = 0
        var numbering = FrameNumbering()
        for try await video in response.messages {
          var frame = try ReceivedFrame(video)
          frame.index = numbering.index(sent: frame.index)
          try await onFrame(frame)
          count += 1
        }
        return count
      }
      guard count > 0 else { throw ClientError.noFrames(request.id) }
      return count
    } catch {
      throw ClientError.from(error, server: configuration.server)
    }
  }

  /// What the server says about a match.
  public func describe(_ id: String) async throws(ClientError) -> Stream_MatchInfo {
    do {
      return try await soccer.describe(
        Stream_Match.with { $0.id = id }, metadata: metadata, options: callOptions(timeout: configuration.unaryTimeout))
    } catch {
      throw ClientError.from(error, server: configuration.server)
    }
  }

  /// Opens the connection and waits for one round trip with the server.
  ///
  /// The round trip is a `List` call; a server without `List` (the Python demo) answers
  /// UNIMPLEMENTED, which proves the connection just as well.
  public func connect() async throws(ClientError) {
    do {
      _ = try await list()
    } catch .server(code: .unimplemented, _) {
      return
    }
  }

  /// The ids the server can stream.
  public func list() async throws(ClientError) -> [String] {
    do {
      return try await soccer.list(
        Stream_ListRequest(), metadata: metadata, options: callOptions(timeout: configuration.unaryTimeout)
      ).ids
    } catch {
      throw ClientError.from(error, server: configuration.server)
    }
  }
}

/// Frame numbers for servers that predate `frame_index` (they send 0 for every frame):
/// once a number fails to increase, frames are numbered in the order they arrive.
struct FrameNumbering {
  private var last: Int?
  private var serverNumbers = true
  private var received = 0

  mutating func index(sent: Int) -> Int {
    defer { received += 1 }
    if let last, sent <= last { serverNumbers = false }
    last = sent
    return serverNumbers ? sent : received
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
