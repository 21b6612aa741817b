import Foundation
import SoccerClient
import SoccerServer
import TestSupport
import Testing

/// The server on a Unix domain socket, alone and beside TCP.
@Suite struct UnixSocketTests {
  @Test func aServerOnASocketAloneStreamsEveryFrame() async throws {
    let path = try makeTemporaryFolder("soccer-socket") + "/soccer.sock"
    try await withSocketServer(path) { _, client in
      let received = try await frames(WatchRequest(id: "sample"), client)
      #expect(received.count == 100)
      #expect(received.map(\.index) == Array(0..<100))
      let ids = try await SoccerClient.with(client) { try await $0.list() }
      #expect(ids.contains("sample"))
      // Connections from the group only, by default.
      var status = stat()
      #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o660)
    }
    // The socket file goes with the server.
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test func besideTCPBothSendTheSameFrames() async throws {
    let path = try makeTemporaryFolder("soccer-socket") + "/both.sock"
    try await withSocketServer(path, tcp: true, mode: 0o600) { server, client in
      let address = try await server.listeningAddress
      let tcp = ClientConfiguration(server: ServerTarget(ServerAddress(host: address.host, port: address.port)))
      let overSocket = try await frames(WatchRequest(id: "sample"), client)
      let overTCP = try await frames(WatchRequest(id: "sample"), tcp)
      #expect(overSocket.map(\.pixels) == overTCP.map(\.pixels))
      var status = stat()
      #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o600)
    }
  }

  @Test func framesKeptThroughSharedMemoryAreTheFramesTCPCarries() async throws {
    let path = try makeTemporaryFolder("soccer-socket") + "/shm.sock"
    try await withSocketServer(path, tcp: true, sharedMemory: true) { server, client in
      let address = try await server.listeningAddress
      let tcp = ClientConfiguration(server: ServerTarget(ServerAddress(host: address.host, port: address.port)))
      // Every frame kept in a list: 100 frames through a ring of 8 slots.
      let kept = try await frames(WatchRequest(id: "sample"), client)
      let overTCP = try await frames(WatchRequest(id: "sample"), tcp)
      #expect(kept.allSatisfy(\.inSharedMemory) && !overTCP.contains(where: \.inSharedMemory))
      #expect(kept.map(\.index) == Array(0..<100))
      #expect(kept.map(\.pixels) == overTCP.map(\.pixels))
    }
  }

  @Test func aStaleSocketIsReplacedAndALiveOneOrAnotherFileIsRefused() async throws {
    let folder = try makeTemporaryFolder("soccer-socket")
    // A socket file nobody listens on, as a killed server leaves it.
    let stale = folder + "/stale.sock"
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      for (i, byte) in stale.utf8.enumerated() { buffer[i] = byte }
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    #expect(bound == 0)
    close(descriptor)
    try await withSocketServer(stale) { _, client in
      let before = try await frames(WatchRequest(id: "sample"), client)
      #expect(before.count == 100)
      // While it serves, a second server at the same path is refused, and the first goes on.
      #expect(throws: UnixSocketError.inUse(stale)) { try SoccerServer(configuration: Self.configuration(stale)) }
      let after = try await frames(WatchRequest(id: "sample"), client)
      #expect(after.count == 100)
    }
    let file = folder + "/notes.txt"
    try Data("keep me".utf8).write(to: URL(fileURLWithPath: file))
    #expect(throws: UnixSocketError.notASocket(file)) { try SoccerServer(configuration: Self.configuration(file)) }
    #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep me")
  }

  static func configuration(
    _ path: String, tcp: Bool = false, mode: mode_t = 0o660, sharedMemory: Bool = false
  ) -> ServerConfiguration {
    var configuration = ServerConfiguration(mediaRoot: TestLibrary.folder, host: "127.0.0.1", port: 0)
    configuration.allowsSharedMemory = sharedMemory
    configuration.logger.logLevel = .critical
    configuration.listensOnTCP = tcp
    configuration.unixSocket = UnixSocketConfiguration(path: path, mode: mode)
    return configuration
  }
}

/// Runs `body` against a real server listening on the Unix socket at `path` (and on TCP with
/// `tcp`; taking shared-memory rings with `sharedMemory`), with a client of the socket; stops the server afterwards.
private func withSocketServer<T: Sendable>(
  _ path: String, tcp: Bool = false, mode: mode_t = 0o660, sharedMemory: Bool = false,
  _ body: @Sendable (SoccerServer, ClientConfiguration) async throws -> T
) async throws -> T {
  let server = try SoccerServer(
    configuration: UnixSocketTests.configuration(path, tcp: tcp, mode: mode, sharedMemory: sharedMemory))
  return try await withThrowingTaskGroup(of: T?.self) { group in
    group.addTask {
      try await server.run()
      return nil
    }
    _ = try await server.listeningSocketPath
    let client = ClientConfiguration(server: try #require(ServerTarget("unix:" + path)))
    let result = try await body(server, client)
    group.cancelAll()
    // Until the server has stopped and removed its socket file.
    try? await group.waitForAll()
    return result
  }
}
