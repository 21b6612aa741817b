import GRPCCore
import Testing
import VideoDecoding

@testable import SoccerServer

@Suite struct StreamEndTests {
  private let now = ContinuousClock.now

  @Test func cancellationPastTheDeadlineIsDeadlineExceeded() {
    let end = StreamEnd(
      error: CancellationError(), cancelled: true, deadline: now - .seconds(1), waitingSince: nil,
      stallTimeout: .seconds(30), now: now)
    #expect(end.rpcError.code == .deadlineExceeded)
    #expect(end.status == "DEADLINE_EXCEEDED")
    #expect(end.cause == nil)
  }

  @Test func aCancelJustBeforeTheDeadlineIsTheDeadline() {
    let end = StreamEnd(
      error: CancellationError(), cancelled: true, deadline: now + .milliseconds(10), waitingSince: nil,
      stallTimeout: .seconds(30), now: now)
    #expect(end.status == "DEADLINE_EXCEEDED")
  }

  @Test func cancellationBeforeTheDeadlineIsTheClients() {
    let end = StreamEnd(
      error: CancellationError(), cancelled: true, deadline: now + .seconds(5), waitingSince: now - .seconds(1),
      stallTimeout: .seconds(30), now: now)
    #expect(end.status == "CANCELLED")
    #expect(end.cause == "cancel")
  }

  @Test func cancellationUnderAClosedConnectionIsADisconnect() {
    let end = StreamEnd(
      error: CancellationError(), cancelled: true, deadline: nil, waitingSince: now - .seconds(1),
      stallTimeout: .seconds(30), disconnected: true, now: now)
    #expect(end.status == "CANCELLED")
    #expect(end.cause == "disconnect")
  }

  @Test func aStreamTheTransportResetForStallingIsStalledHoweverLongItsLastWriteWaited() {
    // The write began after the stream stopped being writable: it has waited less than the limit.
    let end = StreamEnd(
      error: CancellationError(), cancelled: true, deadline: nil, stalledByTransport: true,
      waitingSince: now - .milliseconds(300), stallTimeout: .seconds(2), now: now)
    #expect(end.status == "CANCELLED")
    #expect(end.cause == "stalled")
    #expect(end.rpcError.message.contains("took no frame"))
  }

  @Test func theTransportsRecordCountsOnlyForACancelledStream() {
    let end = StreamEnd(
      error: DecodeError.dataLoss("truncated"), cancelled: false, deadline: nil, stalledByTransport: true,
      waitingSince: nil, stallTimeout: .seconds(2), now: now)
    #expect(end.status == "DATA_LOSS")
    #expect(end.cause == nil)
  }

  @Test func aStallOutranksTheDisconnectItCaused() {
    let end = StreamEnd(
      error: CancellationError(), cancelled: true, deadline: nil, waitingSince: now - .seconds(40),
      stallTimeout: .seconds(30), disconnected: true, now: now)
    #expect(end.cause == "stalled")
  }

  @Test func aFrameWaitingPastTheStallTimeoutIsAStall() {
    let end = StreamEnd(
      error: RPCError(code: .unavailable, message: "closed"), cancelled: true, deadline: nil,
      waitingSince: now - .seconds(31), stallTimeout: .seconds(30), now: now)
    #expect(end.status == "CANCELLED")
    #expect(end.cause == "stalled")
  }

  @Test func aTransportErrorAfterTheClientLeftIsNotInternal() {
    let end = StreamEnd(
      error: RPCError(code: .unavailable, message: "closed"), cancelled: true, deadline: nil, waitingSince: nil,
      stallTimeout: .seconds(30), now: now)
    #expect(end.status == "CANCELLED")
  }

  @Test func otherErrorsKeepTheirMapping() {
    let end = StreamEnd(
      error: CapacityError.atStreamLimit(4), cancelled: false, deadline: nil, waitingSince: nil,
      stallTimeout: .seconds(30), now: now)
    #expect(end.rpcError.code == .resourceExhausted)
    #expect(end.status == "RESOURCE_EXHAUSTED")
    #expect(end.cause == nil)
  }

  @Test(arguments: [
    (RPCError.Code.cancelled, "CANCELLED"), (.notFound, "NOT_FOUND"), (.unauthenticated, "UNAUTHENTICATED"),
    (.dataLoss, "DATA_LOSS"), (.internalError, "INTERNAL"),
  ])
  func codesHaveTheirGRPCNames(code: RPCError.Code, name: String) {
    #expect(StreamEnd.name(of: code) == name)
  }
}
