import GRPCCore
import Testing

@testable import SoccerClient

@Suite struct ClientErrorTests {
  private let server = ServerTarget(ServerAddress(host: "127.0.0.1", port: 50051))

  @Test(arguments: [
    (RPCError.Code.notFound, "no match"), (.invalidArgument, "rejected by the server: no match"),
    (.failedPrecondition, "the server cannot play this match: no match"),
    (.deadlineExceeded, "deadline exceeded: no match"),
    (.unauthenticated, "the server refused the credentials: no match"),
    (.resourceExhausted, "over the server's limits: no match"),
    (.dataLoss, "no match"), (.alreadyExists, "no match"), (.aborted, "no match"),
    (.permissionDenied, "the server does not allow it: no match"), (.outOfRange, "no match"),
    (.unimplemented, "the server does not offer this (it may be an older or another server): no match"),
    (.internalError, "the server or a proxy in between failed: no match"),
  ])
  func serverStatusesKeepTheirCodeAndReadWell(code: RPCError.Code, text: String) {
    let error = ClientError.from(RPCError(code: code, message: "no match"), server: server)
    #expect(error == .server(code: code, message: "no match"))
    #expect(error.code == code)
    #expect(error.description == text)
  }

  @Test func anUnreachableServerIsNamed() {
    let error = ClientError.from(RPCError(code: .unavailable, message: "connection refused"), server: server)
    #expect(
      error
        == .unavailable(server: "127.0.0.1:50051", reason: "connection refused (is the server running, on this port?)"))
    #expect(error.code == .unavailable)
    #expect(
      error.description == "cannot reach 127.0.0.1:50051: connection refused (is the server running, on this port?)")
  }

  @Test func whatSpeaksNoGRPCIsSaidSo() {
    let error = ClientError.from(RPCError(code: .unavailable, message: "bad connection preface"), server: server)
    #expect(error.description.contains("does not speak gRPC"))
  }

  @Test func grpcSwiftsOwnWordsNeverReachAPerson() {
    for message in [
      "Channel is in a transient failure state and 'wait for ready' isn't enabled.",
      "Could not establish a connection to [ipv4]127.0.0.1:1.",
    ] {
      let error = ClientError.from(RPCError(code: .unavailable, message: message), server: server)
      #expect(error.description == "cannot reach 127.0.0.1:50051: no connection could be made")
    }
    let drained = ClientError.from(RPCError(code: .unavailable, message: "Stream unexpectedly closed."), server: server)
    #expect(drained.description == "cannot reach 127.0.0.1:50051: the server went away or is shutting down")
  }

  @Test func aFailedHandshakeIsTLS() {
    let cause = RPCError(code: .unavailable, message: "handshake failed: CERTIFICATE_VERIFY_FAILED")
    let error = ClientError.from(RPCError(code: .unavailable, message: "closed", cause: cause), server: server)
    guard case .tls(_, let reason) = error else {
      Issue.record("not a TLS error: \(error)")
      return
    }
    #expect(reason.contains("--ca"))
  }

  @Test func clientErrorsPassThroughAndOthersAreLocal() {
    #expect(ClientError.from(ClientError.noFrames("x"), server: server) == .noFrames("x"))
    struct Disk: Error, CustomStringConvertible { var description: String { "disk full" } }
    #expect(ClientError.from(Disk(), server: server) == .local("disk full"))
    #expect(ClientError.local("disk full").code == nil)
  }
}
