import GRPCNIOTransportHTTP2
import NIOCore
import NIOHTTP2
import SoccerMetrics

/// The limits the server puts on every connection and HTTP/2 stream, below gRPC.
struct TransportGuards: Sendable {
  /// Time from accepting a connection to its first HTTP/2 frame (TLS handshake and preface).
  var handshakeTimeout: Duration = .seconds(10)
  /// Time a PING the server sent may go unacknowledged before the connection is closed.
  var pingTimeout: Duration = .seconds(20)
  /// Time a stream's writes may wait on the client before the stream is reset.
  var stallTimeout: Duration = .seconds(30)
  /// Connections open at once; more are closed as soon as they are accepted.
  var connections: ConnectionLimit
  /// Where closed connections are noted, for the streams' log lines.
  var departed: DepartedPeers
  /// Where streams reset for stalling are noted, for the streams' log lines.
  var stalled = StalledStreams()
  /// Where refused connections and requests are counted.
  var metrics: ServerMetrics?

  /// Hooks that put the guards into each accepted connection's and stream's pipeline.
  var callbacks: HTTP2ServerTransport.Config.ChannelDebuggingCallbacks {
    let handshake = TimeAmount(handshakeTimeout)
    let ping = TimeAmount(pingTimeout)
    let stall = TimeAmount(stallTimeout)
    let connections = self.connections
    let departed = self.departed
    let stalled = self.stalled
    let metrics = self.metrics
    return .init(
      onBindTCPListener: nil,
      onAcceptTCPConnection: { channel in
        channel.eventLoop.makeCompletedFuture {
          guard connections.admit() else {
            metrics?.rejected(.connectionLimit)
            channel.close(promise: nil)
            return
          }
          channel.closeFuture.whenComplete { _ in connections.leave() }
          let sync = channel.pipeline.syncOperations
          try sync.addHandler(DepartureRecorder(departed: departed), position: .first)
          let http2 = try sync.handler(type: NIOHTTP2Handler.self)
          try sync.addHandler(
            ConnectionGuard(handshakeTimeout: handshake, pingTimeout: ping), position: .after(http2))
        }
      },
      onAcceptHTTP2Stream: { channel in
        StreamStamp.peerUID(of: channel).flatMapThrowing { uid in
          let tag = stalled.newTag()
          let sync = channel.pipeline.syncOperations
          try sync.addHandler(StallGuard(limit: stall, onStall: { stalled.record(tag) }), position: .first)
          try sync.addHandler(EarlyResponseReset(), position: .first)
          try sync.addHandler(StreamStamp(uid: uid, tag: tag), position: .first)
          var onRefusal: (@Sendable () -> Void)?
          if let metrics { onRefusal = { metrics.rejected(.badHeader) } }
          try sync.addHandler(RequestHeaderGuard(onRefusal: onRefusal), position: .first)
        }
      })
  }
}
