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
    (.dataLoss, "the data arrived damaged: no match"), (.alreadyExists, "no match"), (.aborted, "no match"),
    (.permissionDenied, "the server does not allow it: no match"), (.outOfRange, "server error (outOfRange): no match"),
  ])
  func serverStatusesKeepTheirCodeAndReadWell(code: RPCError.Code, text: String) {
    let error = ClientError.from(RPCError(code: code, message: "no match"), server: server)
    #expect(error == .server(code: code, message: "no match"))
    #expect(error.code == code)
    #expect(error.description == text)
  }

  @Test func anUnreachableServerIsNamed() {
    let error = ClientError.from(RPCError(code: .unavailable, message: "connection refused"), server: server)
    #expect(error == .unavailable(server: "127.0.0.1:50051", reason: "connection refused"))
    #expect(error.code == .unavailable)
  }

  @Test func aPlaintextClientOfATLSServerGetsAHint() {
    let error = ClientError.from(RPCError(code: .unavailable, message: "bad connection preface"), server: server)
    #expect(error.description.contains("does the server need --tls?"))
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
