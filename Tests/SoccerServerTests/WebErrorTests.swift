import Foundation
import GRPCCore
import Testing

@testable import SoccerServer

@Suite struct WebErrorTests {
  @Test(arguments: [
    (RPCError.Code.invalidArgument, 400, "INVALID_ARGUMENT"), (.notFound, 404, "NOT_FOUND"),
    (.outOfRange, 404, "OUT_OF_RANGE"), (.unauthenticated, 401, "UNAUTHENTICATED"),
    (.permissionDenied, 403, "PERMISSION_DENIED"), (.resourceExhausted, 503, "RESOURCE_EXHAUSTED"),
    (.unavailable, 503, "UNAVAILABLE"), (.failedPrecondition, 422, "FAILED_PRECONDITION"),
    (.internalError, 500, "INTERNAL"),
  ])
  func aServiceErrorKeepsItsCodeAndWords(code: RPCError.Code, status: Int, name: String) throws {
    let error = WebError(RPCError(code: code, message: "what happened"))
    #expect(error.status == status)
    #expect(error.code == name)
    let body = try #require(try JSONSerialization.jsonObject(with: error.body) as? [String: String])
    #expect(body == ["code": name, "message": "what happened"])
  }

  @Test func limitsSayWhenToTryAgain() {
    #expect(WebError(RPCError(code: .resourceExhausted, message: "busy")).retryAfter == 1)
    #expect(WebError(RPCError(code: .notFound, message: "no")).retryAfter == nil)
    #expect(
      WebResponse(WebError(RPCError(code: .unauthenticated, message: "token"))).headers.contains {
        $0 == ("WWW-Authenticate", "Bearer")
      })
  }
}
