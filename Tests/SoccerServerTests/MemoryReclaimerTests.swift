import Synchronization
import Testing

@testable import SoccerServer

@Suite struct MemoryReclaimerTests {
  /// A heap with `free` bytes free that counts its trims.
  final class FakeHeap: Sendable {
    let free: Int
    let trims = Atomic<Int>(0)
    init(free: Int) { self.free = free }
    var heap: MemoryReclaimer.Heap {
      .init(freeBytes: { self.free }, trim: { self.trims.add(1, ordering: .relaxed) })
    }
  }

  private func trims(free: Int, idle: Bool, ends: Int = 1) async throws -> Int {
    let fake = FakeHeap(free: free)
    let reclaimer = MemoryReclaimer(delay: .milliseconds(20), retainedLimit: 64 << 20, heap: fake.heap)
    for _ in 0..<ends { reclaimer.streamEnded { idle } }
    // The check runs 20 ms later on a GCD thread: wait for a trim, up to 2 s on a busy machine.
    let deadline = ContinuousClock.now + .seconds(2)
    while fake.trims.load(ordering: .relaxed) == 0 && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(10))
    }
    try await Task.sleep(for: .milliseconds(100))
    return fake.trims.load(ordering: .relaxed)
  }

  @Test func anIdleServerIsTrimmedWhateverIsFree() async throws {
    #expect(try await trims(free: 1 << 20, idle: true) == 1)
  }

  @Test func aBusyServerIsTrimmedOnlyPastTheLimit() async throws {
    #expect(try await trims(free: 16 << 20, idle: false) == 0)
    #expect(try await trims(free: 65 << 20, idle: false) == 1)
  }

  @Test func aBurstOfEndsCostsOneTrim() async throws {
    #expect(try await trims(free: 128 << 20, idle: false, ends: 50) == 1)
  }

  @Test func glibcReportsItsFreeHeap() {
    // Any heap that has served a frame has free bytes (its top at least); a stub answers 0.
    // How many depends on every other test running in this process at the same moment.
    let block = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 64)
    block.deallocate()
    #expect(MemoryReclaimer.Heap.glibc.freeBytes() > 0)
  }
}
