import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import VideoFrames

/// Resolves a list of servers, or one DNS name, into one endpoint per address, so round robin
/// balances over every server (the transport's own DNS resolver gives one endpoint for all of a
/// name's addresses, which round robin treats as a single server).
struct AddressListResolver: NameResolverFactory, Sendable {
  /// Servers by name or address; with `reresolveEvery`, names are looked up again that often
  /// and the channel hears of every change.
  struct Target: ResolvableTarget, Sendable {
    var addresses: [ServerAddress]
    var reresolveEvery: Duration?
    var authority: String
    /// With a match: one endpoint of every address in the match's order (`MatchRouting`), for
    /// pick-first, instead of one endpoint per address.
    var match: String?
  }

  func resolver(for target: Target) -> NameResolver {
    NameResolver(
      names: RPCAsyncSequence(wrapping: Lookups(target: target)), updateMode: .push, authority: target.authority)
  }

  /// The first lookup at once; later ones (if any) only report a changed set of addresses.
  struct Lookups: AsyncSequence, Sendable {
    typealias Element = NameResolutionResult
    let target: Target

    func makeAsyncIterator() -> Iterator { Iterator(target: target) }

    struct Iterator: AsyncIteratorProtocol {
      let target: Target
      var last: [SocketAddress]?

      mutating func next() async throws -> NameResolutionResult? {
        guard let previous = last else {
          let found = try await AddressListResolver.lookUp(target.addresses)
          last = found
          return Self.result(found, match: target.match)
        }
        // A list of addresses never changes: keep the channel's sequence open without a result.
        guard let period = target.reresolveEvery else {
          try await Task.sleep(for: .seconds(86400 * 365))
          return nil
        }
        while true {
          try await Task.sleep(for: period)
          // A failed lookup keeps the addresses already known rather than dropping every server.
          guard let found = try? await AddressListResolver.lookUp(target.addresses), found != previous else { continue }
          last = found
          return Self.result(found, match: target.match)
        }
      }

      static func result(_ addresses: [SocketAddress], match: String?) -> NameResolutionResult {
        guard let match else {
          return NameResolutionResult(endpoints: addresses.map { Endpoint(addresses: [$0]) }, serviceConfig: nil)
        }
        return NameResolutionResult(
          endpoints: [Endpoint(addresses: MatchRouting.order(addresses, forMatch: match))], serviceConfig: nil)
      }
    }
  }

  /// Every address of every server, in order, without repeats; throws when none resolves.
  static func lookUp(_ servers: [ServerAddress]) async throws -> [SocketAddress] {
    var all: [SocketAddress] = []
    var failures: [String] = []
    for server in servers {
      do {
        for address in try await lookUp(server) where !all.contains(address) { all.append(address) }
      } catch {
        failures.append("\(error)")
      }
    }
    guard !all.isEmpty else {
      throw RPCError(code: .unavailable, message: failures.joined(separator: "; "))
    }
    return all
  }

  /// A server's addresses: an IP literal as it is, a name through getaddrinfo off the cooperative pool.
  static func lookUp(_ server: ServerAddress) async throws -> [SocketAddress] {
    if case .ipv4(let host, let port) = server.literal { return [.ipv4(host: host, port: port)] }
    if case .ipv6(let host, let port) = server.literal { return [.ipv6(host: host, port: port)] }
    return try await offCooperativePool { try getAddresses(server) }
  }

  private static func getAddresses(_ server: ServerAddress) throws -> [SocketAddress] {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_family = AF_UNSPEC
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(server.host, String(server.port), &hints, &list)
    guard status == 0 else {
      throw RPCError(
        code: .unavailable, message: "cannot resolve \(server.host): \(String(cString: gai_strerror(status)))")
    }
    defer { freeaddrinfo(list) }
    var found: [SocketAddress] = []
    var node = list
    while let current = node {
      if let text = numericHost(current.pointee) {
        let address: SocketAddress =
          current.pointee.ai_family == AF_INET6
          ? .ipv6(host: text, port: server.port) : .ipv4(host: text, port: server.port)
        if !found.contains(address) { found.append(address) }
      }
      node = current.pointee.ai_next
    }
    return found
  }

  private static func numericHost(_ info: addrinfo) -> String? {
    guard let address = info.ai_addr, info.ai_family == AF_INET || info.ai_family == AF_INET6 else { return nil }
    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    let status = getnameinfo(address, info.ai_addrlen, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
    guard status == 0 else { return nil }
    return String(cString: host)
  }
}
