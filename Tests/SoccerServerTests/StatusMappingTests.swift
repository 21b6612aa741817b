import GRPCCore
import Testing
import VideoDecoding

@testable import SoccerServer

@Suite struct StatusMappingTests {
  @Test(arguments: [
    (LibraryError.invalidID("a/b") as any Error, RPCError.Code.invalidArgument),
    (LibraryError.notFound("x"), .notFound),
    (LibraryError.notAFile("folder"), .failedPrecondition),
    (RequestError.invalidOption("stride"), .invalidArgument),
    (CapacityError.atStreamLimit(4), .resourceExhausted),
    (DecodeError.notMedia("text"), .failedPrecondition),
    (DecodeError.noVideoStream, .failedPrecondition),
    (DecodeError.unsupportedCodec("x"), .failedPrecondition),
    (DecodeError.noDecodableFrames("x"), .failedPrecondition),
    (DecodeError.startPastEnd(start: 9, duration: 4), .outOfRange),
    (DecodeError.dataLoss("cut"), .dataLoss),
    (DecodeError.resources("memory"), .resourceExhausted),
    (DecodeError.originNotFound("http://o/x.mp4"), .notFound),
    (DecodeError.originUnavailable(origin: "http://o", reason: "refused"), .unavailable),
    (LibraryError.noListing("403"), .unimplemented),
    (CancellationError(), .cancelled),
    (RPCError(code: .aborted, message: "as is"), .aborted),
  ])
  func eachErrorHasItsStatus(error: any Error, code: RPCError.Code) {
    #expect(StatusMapping.rpcError(for: error).code == code)
  }

  @Test func theMessageIsTheErrorsOwnText() {
    let error = LibraryError.notFound("final")
    #expect(StatusMapping.rpcError(for: error).message == error.description)
  }

  @Test func anythingElseIsInternal() {
    struct Unexpected: Error {}
    let mapped = StatusMapping.rpcError(for: Unexpected())
    #expect(mapped.code == .internalError)
    #expect(mapped.message.hasPrefix("internal error"))
  }
}
