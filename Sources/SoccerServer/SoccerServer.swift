import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import ServiceLifecycle
import VideoDecoding

/// Where the server listens and what it serves.
public struct ServerConfiguration: Sendable {
  /// The folder of `<id>.mp4` files.
  public var mediaRoot: String
  /// IPv4 or IPv6 address to listen on; "localhost" means 127.0.0.1.
  public var host: String
  /// TCP port; 0 picks a free one.
  public var port: Int
  /// Frames each stream decodes ahead of the network.
  public var queueDepth: Int

  public init(mediaRoot: String = "media", host: String = "127.0.0.1", port: Int = 50051, queueDepth: Int = 4) {
    self.mediaRoot = mediaRoot
    self.host = host
    self.port = port
    self.queueDepth = queueDepth
  }
}

/// The SoccerStream gRPC server: the `stream.Soccer` service over HTTP/2.
public struct SoccerServer: Service {
  private let server: GRPCServer<HTTP2ServerTransport.Posix>
  private let decoders: DecoderTally

  /// Prepares a server; fails when the media folder does not exist.
  public init(configuration: ServerConfiguration) throws(LibraryError) {
    let library = try MatchLibrary(root: configuration.mediaRoot)
    let host = configuration.host == "localhost" ? "127.0.0.1" : configuration.host
    let address: GRPCNIOTransportHTTP2.SocketAddress =
      host.contains(":") ? .ipv6(host: host, port: configuration.port) : .ipv4(host: host, port: configuration.port)
    let transport = HTTP2ServerTransport.Posix(
      address: address,
      transportSecurity: .plaintext,
      config: .defaults {
        // Requests are one small `Match`: refuse anything bigger early.
        $0.rpc.maxRequestPayloadSize = 64 * 1024
        $0.http2.maxFrameSize = (1 << 24) - 1
        $0.http2.targetWindowSize = 64 * 1024 * 1024
      })
    let service = SoccerService(library: library, queueDepth: configuration.queueDepth)
    decoders = service.decoders
    server = GRPCServer(transport: transport, services: [service])
  }

  /// Decoders open for streams right now; 0 once every stream has ended and freed its decoder.
  public var openDecoders: Int { decoders.open }

  /// The address the server listens on, once it does: "127.0.0.1:50051".
  public var listeningAddress: (host: String, port: Int) {
    get async throws {
      let address = try await server.transport.listeningAddress
      if let v4 = address.ipv4 { return (v4.host, v4.port) }
      if let v6 = address.ipv6 { return (v6.host, v6.port) }
      throw RPCError(code: .internalError, message: "server listens on \(address), not an IP address")
    }
  }

  /// Serves until cancelled or shut down gracefully (in-flight streams then finish).
  public func run() async throws {
    try await withGracefulShutdownHandler {
      try await server.serve()
    } onGracefulShutdown: {
      server.beginGracefulShutdown()
    }
  }

  /// Stops accepting calls and ends once in-flight calls are done.
  public func beginGracefulShutdown() {
    server.beginGracefulShutdown()
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
