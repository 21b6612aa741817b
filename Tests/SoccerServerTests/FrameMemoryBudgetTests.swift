import Testing
import VideoDecoding
import VideoFrames

@testable import SoccerServer

@Suite struct FrameMemoryBudgetTests {
  /// A stream of 640x360 BGR frames from a one-thread decoder of 4:2:0 ones.
  static let footprint = FrameFootprint(
    geometry: FrameGeometry(
      sourceWidth: 640, sourceHeight: 360, decodedFrameBytes: 640 * 360 * 3 / 2, decoderThreads: 1,
      outputWidth: 640, outputHeight: 360, format: .bgr24),
    queueDepth: 2)

  @Test func reservesUntilFullAndGivesBackWhenAReservationGoes() throws {
    let budget = FrameMemoryBudget(limit: Self.footprint.bytes * 2 + 1000)
    var first: FrameMemoryReservation? = try budget.reserve(Self.footprint)
    let second = try budget.reserve(Self.footprint)
    #expect(budget.reserved == Self.footprint.bytes * 2)
    #expect(throws: CapacityError.self) { _ = try budget.reserve(Self.footprint) }
    #expect(budget.reserved == Self.footprint.bytes * 2)
    first = nil
    #expect(first == nil)
    #expect(budget.reserved == Self.footprint.bytes)
    _ = second
  }

  @Test func theRefusalNamesTheFramesTheBudgetAndAWidthThatFits() throws {
    let budget = FrameMemoryBudget(limit: Self.footprint.bytes - 1)
    do {
      _ = try budget.reserve(Self.footprint)
      Issue.record("a stream over the budget was admitted")
    } catch {
      guard case .frameMemory(let refusal) = error else { throw error }
      let width = try #require(refusal.fittingWidth)
      #expect(Self.footprint.resized(maxWidth: width, maxHeight: 0).bytes <= budget.limit)
      let text = "\(error)"
      #expect(text.contains("640x360 bgr24 frames"))
      #expect(text.contains("--frame-memory"))
      #expect(text.contains("max_width \(width)"))
    }
    #expect(budget.reserved == 0)
  }

  @Test func aResizeTakesOnlyTheDifferenceAndKeepsWhatItHeldWhenItDoesNotFit() throws {
    let small = Self.footprint.resized(maxWidth: 160, maxHeight: 0)
    let budget = FrameMemoryBudget(limit: Self.footprint.bytes + small.bytes)
    let other = try budget.reserve(small)
    let reservation = try budget.reserve(small)
    try reservation.change(to: Self.footprint)
    #expect(budget.reserved == Self.footprint.bytes + small.bytes)
    let bigger = FrameFootprint(geometry: Self.footprint.geometry, queueDepth: 3)
    #expect(throws: CapacityError.self) { try reservation.change(to: bigger) }
    #expect(reservation.current == Self.footprint)
    try reservation.change(to: small)
    #expect(budget.reserved == 2 * small.bytes)
    _ = other
  }

  @Test func theDefaultIsHalfTheMachine() {
    #expect(FrameMemoryBudget.defaultLimit(machineMemory: 24 << 30) == 12 << 30)
    #expect(MachineMemory.memTotal(in: "MemTotal:       24574356 kB\nMemFree: 1 kB\n") == 24_574_356 * 1024)
    #expect(MachineMemory.cgroupLimit(in: "max\n") == nil)
    #expect(MachineMemory.cgroupLimit(in: "2147483648\n") == 2 << 30)
  }
}
