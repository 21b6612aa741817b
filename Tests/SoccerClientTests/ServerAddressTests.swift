import Testing

@testable import SoccerClient

@Suite struct ServerAddressTests {
  @Test(arguments: [
    ("127.0.0.1:50051", "127.0.0.1", 50051), ("localhost", "localhost", 50051),
    ("[::1]:7000", "::1", 7000), ("example.org:443", "example.org", 443),
    // A bare port is one on this machine: no host name is all digits.
    ("50551", "127.0.0.1", 50551),
  ])
  func parsesServerAddresses(text: String, host: String, port: Int) throws {
    let address = try #require(ServerAddress(text))
    #expect(address.host == host && address.port == port)
  }

  @Test(arguments: ["", ":50051", "host:", "host:port", "host:70000", "[::1", "[::1]x", "0", "70000"])
  func refusesBadAddresses(text: String) {
    #expect(ServerAddress(text) == nil)
  }
}
