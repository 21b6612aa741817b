import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SoccerProtocol
import SoccerWire
import VideoFrames

/// A connection to a SoccerStream (or Python demo) server.
public struct SoccerClient: Sendable {
  private let soccer: Stream_Soccer.Client<HTTP2ClientTransport.Posix>
  let grpc: GRPCClient<HTTP2ClientTransport.Posix>
  let configuration: ClientConfiguration

  /// Connects to the configured server, runs `body`, then closes the connection. With `match`,
  /// the calls are about that match: with `routesByMatch`, they go to its server.
  public static func with<Result: Sendable>(
    _ configuration: ClientConfiguration, about match: String? = nil,
    _ body: (SoccerClient) async throws -> Result
  ) async throws(ClientError) -> Result {
    let server = configuration.server
    do {
      let resolution = server.resolution(match: configuration.routesByMatch ? match : nil)
      let transport = try HTTP2ClientTransport.Posix(
        target: resolution.target,
        transportSecurity: configuration.transportSecurity,
        config: .defaults {
          // Frames are megabytes each: large HTTP/2 frames and windows keep the pipe full.
          $0.http2.maxFrameSize = (1 << 24) - 1
          $0.http2.targetWindowSize = 64 * 1024 * 1024
          $0.http2.authority = configuration.tls?.authority
          $0.channelDebuggingCallbacks = .init(onCreateTCPConnection: SocketReads.apply(to:), onCreateHTTP2Stream: nil)
        },
        resolverRegistry: resolution.registry, serviceConfig: resolution.config)
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

  var metadata: Metadata {
    guard let token = configuration.token else { return [:] }
    return ["authorization": "Bearer \(token)"]
  }

  /// The metadata of a call about match `id`: `soccer-match` names it, so that a balancer in
  /// front of replicas (deploy/envoy) can send every call about one match to the same replica,
  /// where its streams share a decode and its frames are cached. An id no server takes (not
  /// 1-128 letters, digits, '-', '_' or '.') is left out, as a header could not carry every one:
  /// any replica refuses it alike.
  func metadata(match id: String) -> Metadata {
    var metadata = self.metadata
    if Self.namesAMatch(id) { metadata.addString(id, forKey: MetadataKey.match) }
    return metadata
  }

  static func namesAMatch(_ id: String) -> Bool {
    (1...128).contains(id.utf8.count)
      && id.utf8.allSatisfy { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
          || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
      }
  }

  func callOptions(timeout: Duration?) -> CallOptions {
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

  /// Streams a match: `body` reads its frames, as they arrive, from an async sequence, and what
  /// it returns is returned. Errors, the stream's and the body's, come out as `ClientError`.
  ///
  /// A stream that ends without frames fails with `.noFrames`: a healthy match always has some.
  public func watch<Result: Sendable>(
    _ request: WatchRequest, _ body: @escaping @Sendable (WatchFrames) async throws -> Result
  ) async throws(ClientError) -> Result {
    try await watch(request, after: nil, progress: nil, body)
  }

  /// `watch`, skipping frames numbered below `floor` and noting each frame handed out in `progress`;
  /// through a shared-memory ring when the server is on a Unix socket and allows it.
  func watch<Result: Sendable>(
    _ request: WatchRequest, after floor: Int?, progress: WatchProgress?,
    _ body: @escaping @Sendable (WatchFrames) async throws -> Result
  ) async throws(ClientError) -> Result {
    let ring = try await ring(for: request, play: false)
    do {
      return try await watch(request, ring: ring, after: floor, progress: progress, body)
    } catch let error where ring != nil && error.refusesSharedMemory {
      // A server that does not allow it (or not over this socket): through the socket from now on.
      configuration.sharedMemoryRefused.set()
      return try await watch(request, ring: nil, after: floor, progress: progress, body)
    }
  }

  private func watch<Result: Sendable>(
    _ request: WatchRequest, ring: ClientRing?, after floor: Int?, progress: WatchProgress?,
    _ body: @escaping @Sendable (WatchFrames) async throws -> Result
  ) async throws(ClientError) -> Result {
    var message = request.message
    if let ring { message.sharedMemory = ring.request }
    do {
      // VideoDeserializer leaves each frame's pixels in the received buffer instead of copying them.
      return try await grpc.serverStreaming(
        request: ClientRequest(message: message, metadata: metadata(match: request.id)),
        descriptor: Stream_Soccer.Method.Watch.descriptor, serializer: ProtobufSerializer<Stream_Match>(),
        deserializer: VideoDeserializer(), options: callOptions(timeout: nil)
      ) { response in
        let replica = response.metadata[stringValues: "soccer-replica"].first(where: { _ in true })
        let trailers = WatchTrailers()
        // The messages, and from the trailers what the server decoded for the stream.
        let messages = response.bodyParts.compactMap { part -> Stream_Video? in
          switch part {
          case .message(let video): return video
          case .trailingMetadata(let metadata):
            trailers.heard(metadata)
            return nil
          }
        }
        return try await body(
          WatchFrames(
            id: request.id, replica: replica, messages: RPCAsyncSequence(wrapping: messages), floor: floor,
            chosen: request.frameIndices, progress: progress, ring: ring, trailers: trailers))
      }
    } catch {
      throw ClientError.from(error, server: configuration.server)
    }
  }

  /// A ring for `request`'s frames, when they are to come through shared memory: the server is
  /// on a Unix socket, has not refused it, and the match's size is known (from `Describe`). A
  /// Play ring holds full-size frames, as a resize may ask for them.
  func ring(for request: WatchRequest, play: Bool) async throws(ClientError) -> ClientRing? {
    guard configuration.sharedMemory, !configuration.sharedMemoryRefused.isSet, request.encoding == .raw,
      case .unixSocket = configuration.server.kind
    else { return nil }
    let info: MediaInfo
    do {
      info = try await describe(request.id)
    } catch .server(code: .unimplemented, _) {
      return nil  // the Python demo: no Describe, and no shared memory either
    }
    let channels = request.format?.channels ?? 3
    let largest =
      play
      ? ClientRing.largestFrame(width: info.width, height: info.height, maxWidth: 0, maxHeight: 0)
      : ClientRing.largestFrame(
        width: info.width, height: info.height, maxWidth: request.maxWidth, maxHeight: request.maxHeight)
    return try ClientRing(
      frameBytes: largest * channels, slots: play ? ClientRing.playSlots : ClientRing.defaultSlots)
  }

  /// Runs a unary call, and again (up to three more times, 0.1 s, 0.2 s, 0.4 s apart) when it
  /// meets UNAVAILABLE: a replica that just died or drained, a proxy with no healthy server yet.
  /// With several servers the next attempt goes to another one.
  ///
  /// (GRPCCore's own retry policy would do this, but in 2.4.3 a call whose every attempt fails to
  /// connect then waits out its whole deadline before failing.)
  private func retryingUnavailable<T: Sendable>(_ call: () async throws -> T) async throws -> T {
    var delay = Duration.milliseconds(100)
    var first: RPCError?
    while true {
      do {
        return try await call()
      } catch let error as RPCError where error.code == .unavailable {
        // The first failure says what went wrong; later ones only that the channel is down.
        let cause = first ?? error
        guard delay <= .milliseconds(400) else { throw cause }
        first = cause
        try await Task.sleep(for: delay)
        delay *= 2
      }
    }
  }

  /// What the server says about a match.
  public func describe(_ id: String) async throws(ClientError) -> MediaInfo {
    do {
      return MediaInfo(
        try await retryingUnavailable {
          try await soccer.describe(
            Stream_Match.with { $0.id = id }, metadata: metadata(match: id),
            options: callOptions(timeout: configuration.unaryTimeout))
        })
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
      return try await retryingUnavailable {
        try await soccer.list(
          Stream_ListRequest(), metadata: metadata, options: callOptions(timeout: configuration.unaryTimeout)
        ).ids
      }
    } catch {
      throw ClientError.from(error, server: configuration.server)
    }
  }
}
