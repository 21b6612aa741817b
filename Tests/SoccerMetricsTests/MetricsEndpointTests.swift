import Foundation
import Synchronization
import Testing

@testable import SoccerMetrics

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct MetricsEndpointTests {
  /// Sends `request` to 127.0.0.1:`port` as it is and reads the answer until the server closes.
  private func exchange(_ request: String, port: Int) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    try #require(connected == 0)
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      guard n > 0 else { break }
      answer += buffer[0..<n]
    }
    return String(decoding: answer, as: UTF8.self)
  }

  @Test func aScrapeIsObservedFirstAndOtherRequestsAreRefused() async throws {
    let metrics = ServerMetrics()
    let scrapes = Atomic<Int>(0)
    let endpoint = try await MetricsEndpoint(host: "127.0.0.1", port: 0, metrics: metrics) {
      scrapes.add(1, ordering: .relaxed)
      metrics.observe(streams: 7, decoders: 0, connections: 0, frameMemory: (0, 1), replica: "r")
    }
    let port = endpoint.port
    let scrape = try await Task.detached {
      try exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: port)
    }.value
    #expect(scrape.hasPrefix("HTTP/1.1 200"))
    #expect(scrape.contains("soccer_streams_active 7.0"))
    #expect(scrapes.load(ordering: .relaxed) == 1)
    let elsewhere = try await Task.detached {
      try exchange("GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: port)
    }.value
    #expect(elsewhere.hasPrefix("HTTP/1.1 404"))
    let posted = try await Task.detached {
      try exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", port: port)
    }.value
    #expect(posted.hasPrefix("HTTP/1.1 405"))
    #expect(scrapes.load(ordering: .relaxed) == 1)
    await endpoint.close()
  }
}
