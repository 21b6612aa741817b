import GRPCCore
import GRPCNIOTransportHTTP2

/// What `--server` names: one server, a list of servers to balance over, every address of a
/// DNS name (`dns:///NAME:PORT`), or a Unix domain socket (`unix:PATH`).
public struct ServerTarget: Sendable, Hashable, CustomStringConvertible {
  /// How the addresses are used.
  public enum Kind: Sendable, Hashable {
    /// One server; a name's addresses are tried in turn until one answers.
    case single
    /// Several servers: calls go round robin over the ones that are up.
    case list
    /// Every address a DNS name resolves to, round robin, resolved again every 30 s.
    case dns
    /// A server on this machine, at a Unix domain socket's path.
    case unixSocket(path: String)
  }

  public var kind: Kind
  /// The TCP servers' addresses; none for a Unix socket.
  public var addresses: [ServerAddress]

  public init(_ address: ServerAddress) {
    self.init(kind: .single, addresses: [address])
  }

  private init(kind: Kind, addresses: [ServerAddress]) {
    self.kind = kind
    self.addresses = addresses
  }

  /// Parses "HOST:PORT", "H1:P1,H2:P2,…", "dns:///NAME:PORT" (also "dns:NAME:PORT"), or
  /// "unix:PATH" (also "unix:///ABSOLUTE/PATH"), as gRPC's target names spell them.
  public init?(_ text: String) {
    if text.hasPrefix("unix:") {
      var path = text.dropFirst(5)
      if path.hasPrefix("//") {
        // unix://AUTHORITY/PATH is not a form gRPC knows; unix:///PATH is the absolute path /PATH.
        guard path.hasPrefix("///") else { return nil }
        path = path.dropFirst(2)
      }
      guard !path.isEmpty else { return nil }
      self.init(kind: .unixSocket(path: String(path)), addresses: [])
      return
    }
    if text.hasPrefix("dns:") {
      var name = text.dropFirst(4)
      if name.hasPrefix("///") {
        name = name.dropFirst(3)
      } else if name.hasPrefix("//") {
        // dns://AUTHORITY/NAME names a DNS server to ask: not supported.
        return nil
      }
      guard let address = ServerAddress(String(name)) else { return nil }
      self.init(kind: .dns, addresses: [address])
      return
    }
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    var addresses: [ServerAddress] = []
    for part in parts {
      guard let address = ServerAddress(String(part)) else { return nil }
      addresses.append(address)
    }
    guard !addresses.isEmpty else { return nil }
    self.init(kind: addresses.count == 1 ? .single : .list, addresses: addresses)
  }

  public var description: String {
    switch kind {
    case .single, .list: return addresses.map(\.description).joined(separator: ",")
    case .dns: return "dns:///" + (addresses.first?.description ?? "")
    case .unixSocket(let path): return "unix:" + path
    }
  }

  /// More than one server may answer: calls are balanced and broken streams worth resuming elsewhere.
  public var isBalanced: Bool { kind == .list || kind == .dns }
}

extension ServerTarget {
  /// The transport's target, the resolvers that understand it, and the balancing it needs: round
  /// robin over several servers, or with `match`, the first of them that answers in the order
  /// the match gives them (`MatchRouting`).
  func resolution(match: String? = nil) -> (
    target: any ResolvableTarget, registry: NameResolverRegistry, config: ServiceConfig
  ) {
    if case .unixSocket(let path) = kind { return (.unixDomainSocket(path: path), .defaults, ServiceConfig()) }
    guard isBalanced, let first = addresses.first else {
      return (addresses.first?.resolvableTarget ?? .ipv4(address: "127.0.0.1", port: 50051), .defaults, ServiceConfig())
    }
    var registry = NameResolverRegistry.defaults
    registry.registerFactory(AddressListResolver())
    let target = AddressListResolver.Target(
      addresses: addresses, reresolveEvery: kind == .dns ? .seconds(30) : nil, authority: first.description,
      match: match)
    let balancing: ServiceConfig.LoadBalancingConfig =
      match == nil ? .roundRobin : .pickFirst(shuffleAddressList: false)
    return (target, registry, ServiceConfig(loadBalancingConfig: [balancing]))
  }
}
