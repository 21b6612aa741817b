import Foundation
import Testing
import VideoFrames

@testable import SoccerServer
@testable import VideoDecoding

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

  @Test func theFrameCacheGivesWayToAStreamThatWouldNotFitAndTakesOnlyWhatIsFree() throws {
    let budget = FrameMemoryBudget(limit: Self.footprint.bytes + 5000)
    let cache = FrameCache(capacity: 1 << 30, room: budget)
    budget.yield(to: cache)
    let file = FileVersion(path: "/m/a.mp4", device: 1, inode: 2, size: 3, modified: 4, layout: 5)
    for index in 0..<10_000 {
      let frame = Frame(
        pixels: Data(count: 1000), width: 10, height: 100, format: .gray8, index: index, ptsSeconds: 0)
      cache.insert(
        frame, for: FrameCacheKey(file: file, index: index, width: 10, height: 100, format: .gray8, encoding: .raw))
    }
    // The cache filled what the budget had free, and no more.
    #expect(budget.cached == Self.footprint.bytes + 5000 - (Self.footprint.bytes + 5000) % 1000)
    let stream = try budget.reserve(Self.footprint)
    #expect(budget.reserved == Self.footprint.bytes)
    #expect(budget.cached <= 5000 && cache.statistics.bytes == budget.cached)
    // With the stream's bytes taken, the cache fits in what is left.
    #expect(throws: CapacityError.self) { _ = try budget.reserve(Self.footprint) }
    _ = stream
  }

  @Test func theDefaultIsHalfTheMachine() {
    #expect(FrameMemoryBudget.defaultLimit(machineMemory: 24 << 30) == 12 << 30)
    #expect(MachineMemory.memTotal(in: "MemTotal:       24574356 kB\nMemFree: 1 kB\n") == 24_574_356 * 1024)
    #expect(MachineMemory.cgroupLimit(in: "max\n") == nil)
    #expect(MachineMemory.cgroupLimit(in: "2147483648\n") == 2 << 30)
  }
}
