import CSoccerSystem
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
    try await Task.sleep(for: .milliseconds(300))
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

  @Test func glibcCountsFreedFramesAsFree() {
    // As `soccer` sets them: frame-sized blocks come from the heap, not from their own mappings.
    #expect(soccer_malloc_thresholds(32 << 20, 256 << 20) == 1)
    // 64 blocks of 1 MiB, touched, then freed below a small block that keeps the heap's top.
    let blocks = (0..<64).map { _ in UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 64) }
    for block in blocks { block.initializeMemory(as: UInt8.self, repeating: 1, count: 1 << 20) }
    let pin = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
    defer { pin.deallocate() }
    let before = MemoryReclaimer.Heap.glibc.freeBytes()
    for block in blocks { block.deallocate() }
    #expect(MemoryReclaimer.Heap.glibc.freeBytes() - before >= 60 << 20)
  }
}
