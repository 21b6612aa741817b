import CSoccerSystem
import Testing

@Suite struct MemoryTuningTests {
  // The thresholds must really be set: a stub that does nothing costs a third of the client's CPU.
  @Test func glibcAcceptsTheFrameSizedThresholds() {
    #expect(soccer_malloc_thresholds(32 << 20, 256 << 20) == 1)
  }
}
