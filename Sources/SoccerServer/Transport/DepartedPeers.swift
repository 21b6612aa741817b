import NIOCore
import Synchronization

/// The peers whose connection closed lately, so a stream cancelled under a closed connection
/// is told apart from one its client cancelled on a connection that stays open.
///
/// Peers are named as the transport names them in `ServerContext.remotePeer`
/// ("ipv4:127.0.0.1:50312"). A name is kept for `memory`, long enough for every stream of the
/// connection to see its cancellation. Older names are swept out at most once a second as new
/// ones are recorded, so a flood of short connections costs no more than a dictionary insert each,
/// and the table holds about the connections closed within `memory`.
final class DepartedPeers: Sendable {
  private struct Table {
    var departures: [String: ContinuousClock.Instant] = [:]
    var lastSweep: ContinuousClock.Instant?
  }

  private let memory: Duration
  private let table = Mutex(Table())

  init(memory: Duration = .seconds(30)) {
    self.memory = memory
  }

  /// Notes that `peer`'s connection has closed.
  func record(_ peer: String, now: ContinuousClock.Instant = .now) {
    table.withLock { table in
      if table.lastSweep.map({ $0.duration(to: now) >= .seconds(1) }) ?? true {
        table.departures = table.departures.filter { $0.value.duration(to: now) < memory }
        table.lastSweep = now
      }
      table.departures[peer] = now
    }
  }

  /// Whether `peer`'s connection closed within the last `memory`.
  func contains(_ peer: String, now: ContinuousClock.Instant = .now) -> Bool {
    table.withLock { $0.departures[peer].map { $0.duration(to: now) < memory } ?? false }
  }

  /// The transport's name for a peer at `address`.
  static func name(of address: SocketAddress?) -> String? {
    guard let address, let ip = address.ipAddress, let port = address.port else { return nil }
    switch address {
    case .v4: return "ipv4:\(ip):\(port)"
    case .v6: return "ipv6:[\(ip)]:\(port)"
    case .unixDomainSocket: return nil
    }
  }
}

/// Records its connection's peer in `DepartedPeers` as the connection goes inactive.
///
/// First in the connection's pipeline, so the record is made before the HTTP/2 handler closes
/// the connection's streams and their RPCs see the cancellation.
final class DepartureRecorder: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = Any

  private let departed: DepartedPeers
  private var peer: String?

  init(departed: DepartedPeers) {
    self.departed = departed
  }

  func handlerAdded(context: ChannelHandlerContext) {
    peer = DepartedPeers.name(of: context.channel.remoteAddress)
  }

  func channelInactive(context: ChannelHandlerContext) {
    if let peer { departed.record(peer) }
    context.fireChannelInactive()
  }
}
