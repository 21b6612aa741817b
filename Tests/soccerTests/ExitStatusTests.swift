import GRPCCore
import SoccerClient
import Testing

@testable import soccer

@Suite struct ExitStatusTests {
  @Test(arguments: [
    (ClientError.local("disk full"), Int32(1)),
    (.unavailable(server: "s", reason: "refused"), 2), (.tls(server: "s", reason: "untrusted"), 2),
    (.server(code: .unauthenticated, message: ""), 3), (.server(code: .permissionDenied, message: ""), 3),
    (.server(code: .notFound, message: ""), 4), (.server(code: .invalidArgument, message: ""), 4),
    (.server(code: .outOfRange, message: ""), 4), (.server(code: .failedPrecondition, message: ""), 4),
    (.server(code: .deadlineExceeded, message: ""), 5), (.server(code: .resourceExhausted, message: ""), 6),
    (.server(code: .dataLoss, message: ""), 7), (.server(code: .internalError, message: ""), 7),
    (.badFrame("shape"), 7), (.noFrames("x"), 7), (.streamBroke(id: "x", afterFrame: 9, reason: "gone"), 7),
  ])
  func eachFailureHasTheStatusTheHelpPromises(error: ClientError, status: Int32) {
    #expect(ExitStatus.of(error) == status)
  }
}

@Suite struct ArgumentValuesTests {
  @Test func optionsParseIntoTheirValueTypes() throws {
    let watch = try Soccer.Watch.parse(["sample", "--size", "80x24", "--server", "[::1]:7000", "--mode", "blocks"])
    #expect(watch.size?.columns == 80 && watch.size?.rows == 24)
    #expect(watch.client.server == ServerTarget(ServerAddress(host: "::1", port: 7000)))
    let dump = try Soccer.Dump.parse(["sample", "--out", "x", "--server", "a:1,b:2", "--retries", "5"])
    #expect(dump.client.server.kind == .list && dump.client.server.addresses.count == 2)
    #expect(dump.resuming.retries == 5)
  }

  @Test(arguments: [
    ["sample", "--size", "80"], ["sample", "--server", "host:port"], ["sample", "--server", "a:1,"],
    ["sample", "--mode", "vt52"], ["sample", "--retries", "-1"],
  ])
  func malformedValuesAreUsageErrors(arguments: [String]) {
    #expect(throws: (any Error).self) { try Soccer.Watch.parse(arguments) }
  }
}
