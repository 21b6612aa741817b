import GRPCNIOTransportHTTP2
import Testing

@testable import SoccerClient

@Suite struct ServerTargetTests {
  @Test func oneAddressIsASingleServer() throws {
    let target = try #require(ServerTarget("localhost:7000"))
    #expect(target.kind == .single && !target.isBalanced)
    #expect(target.addresses == [ServerAddress(host: "localhost", port: 7000)])
    #expect(target.description == "localhost:7000")
  }

  @Test func aCommaSeparatedListIsBalanced() throws {
    let target = try #require(ServerTarget("10.0.0.1:1,[::1]:2,name"))
    #expect(target.kind == .list && target.isBalanced)
    #expect(target.addresses.map(\.port) == [1, 2, 50051])
    #expect(target.description == "10.0.0.1:1,[::1]:2,name:50051")
  }

  @Test(arguments: ["dns:///soccer.internal:50051", "dns:soccer.internal:50051"])
  func aDNSNameStandsForEveryAddress(text: String) throws {
    let target = try #require(ServerTarget(text))
    #expect(target.kind == .dns && target.isBalanced)
    #expect(target.description == "dns:///soccer.internal:50051")
  }

  @Test(arguments: [
    ("unix:/run/soccer.sock", "/run/soccer.sock"), ("unix:///run/soccer.sock", "/run/soccer.sock"),
    ("unix:soccer.sock", "soccer.sock"),
  ])
  func aUnixSocketIsOneServerOnThisMachine(text: String, path: String) throws {
    let target = try #require(ServerTarget(text))
    #expect(target.kind == .unixSocket(path: path) && !target.isBalanced)
    #expect(target.addresses.isEmpty)
    #expect(target.description == "unix:" + path)
    let resolved = try #require(target.resolution().target as? ResolvableTargets.UnixDomainSocket)
    #expect(resolved.address.path == path)
  }

  @Test(arguments: [
    "", "a:1,", ",a:1", "a:1,b:x", "dns:///", "dns://8.8.8.8/name:1", "dns:///name:port", "unix:", "unix://host/x",
  ])
  func refusesBadTargets(text: String) {
    #expect(ServerTarget(text) == nil)
  }

  @Test func aListResolvesToOneEndpointPerAddress() async throws {
    let found = try await AddressListResolver.lookUp([
      ServerAddress(host: "127.0.0.1", port: 1), ServerAddress(host: "localhost", port: 2),
      ServerAddress(host: "127.0.0.1", port: 1),
    ])
    // The repeated address appears once; "localhost" brings at least 127.0.0.1:2.
    #expect(found.first == .ipv4(host: "127.0.0.1", port: 1))
    #expect(found.contains(.ipv4(host: "127.0.0.1", port: 2)))
    #expect(Set(found).count == found.count)
  }

  @Test func aNameThatDoesNotResolveIsUnavailable() async {
    await #expect(throws: (any Error).self) {
      try await AddressListResolver.lookUp([ServerAddress(host: "no-such-host.invalid", port: 1)])
    }
  }
}
