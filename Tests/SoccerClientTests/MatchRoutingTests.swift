import GRPCNIOTransportHTTP2
import Testing

@testable import SoccerClient

/// The order a match tries several servers in: the Python package's `by_match` order, the same
/// every time, even over the servers, and only a gone server's matches move.
@Suite struct MatchRoutingTests {
  static let servers: [SocketAddress] = [50061, 50062, 50063].map { .ipv4(host: "127.0.0.1", port: $0) }

  static func ports(_ id: String, _ servers: [SocketAddress] = servers) -> [Int] {
    MatchRouting.order(servers, forMatch: id).compactMap { $0.ipv4?.port }
  }

  @Test func theOrderIsThePythonPackagesAndDoesNotDependOnTheListsOrder() {
    // The same orders python/tests/test_target.py expects.
    #expect(Self.ports("sample") == [50063, 50062, 50061])
    #expect(Self.ports("m3") == [50061, 50062, 50063])
    #expect(Self.ports("m1") == Self.ports("m1", Self.servers.reversed()))
  }

  @Test func matchesSpreadEvenlyAndAServerGoneMovesOnlyItsOwn() {
    var counts: [Int: Int] = [:]
    for n in 0..<3000 {
      let order = Self.ports("match\(n)")
      counts[order[0], default: 0] += 1
      let without = Self.ports("match\(n)", Array(Self.servers.dropFirst()))
      #expect(without[0] == (order[0] == 50061 ? order[1] : order[0]))
    }
    #expect(counts.values.allSatisfy { (900...1100).contains($0) }, "\(counts)")
  }

  @Test func aTargetRoutedByMatchIsOneEndpointInTheMatchsOrderTriedFirstToLast() {
    let result = AddressListResolver.Lookups.Iterator.result(Self.servers, match: "sample")
    #expect(result.endpoints.count == 1)
    #expect(result.endpoints.first?.addresses.compactMap { $0.ipv4?.port } == [50063, 50062, 50061])
    #expect(AddressListResolver.Lookups.Iterator.result(Self.servers, match: nil).endpoints.count == 3)
  }
}
