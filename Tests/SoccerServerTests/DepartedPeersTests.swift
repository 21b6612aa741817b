import NIOCore
import Testing

@testable import SoccerServer

@Suite struct DepartedPeersTests {
  @Test func aRecordedPeerIsRememberedForItsMemoryOnly() {
    let peers = DepartedPeers(memory: .seconds(30))
    let now = ContinuousClock.now
    peers.record("ipv4:127.0.0.1:5000", now: now)
    #expect(peers.contains("ipv4:127.0.0.1:5000", now: now + .seconds(29)))
    #expect(!peers.contains("ipv4:127.0.0.1:5000", now: now + .seconds(31)))
    #expect(!peers.contains("ipv4:127.0.0.1:5001", now: now))
  }

  @Test func recordingForgetsPeersPastTheirMemory() {
    let peers = DepartedPeers(memory: .seconds(30))
    let now = ContinuousClock.now
    peers.record("ipv4:127.0.0.1:5000", now: now)
    peers.record("ipv4:127.0.0.1:5001", now: now + .seconds(40))
    #expect(!peers.contains("ipv4:127.0.0.1:5000", now: now))
    #expect(peers.contains("ipv4:127.0.0.1:5001", now: now + .seconds(40)))
  }

  @Test func peersAreNamedAsTheTransportNamesThem() throws {
    #expect(DepartedPeers.name(of: try SocketAddress(ipAddress: "127.0.0.1", port: 5000)) == "ipv4:127.0.0.1:5000")
    #expect(DepartedPeers.name(of: try SocketAddress(ipAddress: "::1", port: 5000)) == "ipv6:[::1]:5000")
    #expect(DepartedPeers.name(of: nil) == nil)
  }
}
