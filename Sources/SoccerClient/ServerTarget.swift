import GRPCCore
import GRPCNIOTransportHTTP2

/// What `--server` names: one server, a list of servers to balance over, or every address of a
/// DNS name (`dns:///NAME:PORT`).
public struct ServerTarget: Sendable, Hashable, CustomStringConvertible {
  /// How the addresses are used.
  public enum Kind: Sendable, Hashable {
    /// One server; a name's addresses are tried in turn until one answers.
    case single
    /// Several servers: calls go round robin over the ones that are up.
    case list
    /// Every address a DNS name resolves to, round robin, resolved again every 30 s.
    case dns
  }

  public var kind: Kind
  public var addresses: [ServerAddress]

  public init(_ address: ServerAddress) {
    self.init(kind: .single, addresses: [address])
  }

  private init(kind: Kind, addresses: [ServerAddress]) {
    self.kind = kind
    self.addresses = addresses
  }

  /// Parses "HOST:PORT", "H1:P1,H2:P2,…" or "dns:///NAME:PORT" (also "dns:NAME:PORT").
  public init?(_ text: String) {
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
    }
  }

  /// More than one server may answer: calls are balanced and broken streams worth resuming elsewhere.
  public var isBalanced: Bool { kind != .single }
}

extension ServerTarget {
  /// The transport's target, the resolvers that understand it, and the balancing it needs.
  var resolution: (target: any ResolvableTarget, registry: NameResolverRegistry, config: ServiceConfig) {
    guard isBalanced, let first = addresses.first else {
      return (addresses.first?.resolvableTarget ?? .ipv4(address: "127.0.0.1", port: 50051), .defaults, ServiceConfig())
    }
    var registry = NameResolverRegistry.defaults
    registry.registerFactory(AddressListResolver())
    let target = AddressListResolver.Target(
      addresses: addresses, reresolveEvery: kind == .dns ? .seconds(30) : nil, authority: first.description)
    return (target, registry, ServiceConfig(loadBalancingConfig: [.roundRobin]))
  }
}
