import Testing

@testable import soccer

@Suite struct MemoryTuningTests {
  @Test func withNothingSetTheThresholdsRiseAndOneArenaServesAll() {
    let settings = MemoryTuning.Settings(environment: [:])
    #expect(settings.raisesThresholds)
    #expect(settings.arenaMax == 1)
    #expect(MemoryTuning.Settings(environment: ["PATH": "/bin"]).arenaMax == 1)
  }

  @Test(arguments: ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"])
  func anOperatorsThresholdLeavesBothAlone(name: String) {
    let settings = MemoryTuning.Settings(environment: [name: "1048576"])
    #expect(!settings.raisesThresholds)
    #expect(settings.arenaMax == 1)
  }

  @Test func anOperatorsArenaCapIsLeftInForce() {
    let settings = MemoryTuning.Settings(environment: ["MALLOC_ARENA_MAX": "4"])
    #expect(settings.arenaMax == nil)
    #expect(settings.raisesThresholds)
  }
}
