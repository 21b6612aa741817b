import Testing

@testable import soccer

@Suite struct MemoryTuningTests {
  @Test func withNothingSetTheThresholdsRiseAndArenasFollowTheCores() {
    let settings = MemoryTuning.Settings(environment: [:], cores: 8)
    #expect(settings.raisesThresholds)
    #expect(settings.arenaMax == 8)
    #expect(MemoryTuning.Settings(environment: ["PATH": "/bin"], cores: 1).arenaMax == 2)
  }

  @Test(arguments: ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"])
  func anOperatorsThresholdLeavesBothAlone(name: String) {
    let settings = MemoryTuning.Settings(environment: [name: "1048576"], cores: 2)
    #expect(!settings.raisesThresholds)
    #expect(settings.arenaMax == 2)
  }

  @Test func anOperatorsArenaCapIsLeftInForce() {
    let settings = MemoryTuning.Settings(environment: ["MALLOC_ARENA_MAX": "1"], cores: 2)
    #expect(settings.arenaMax == nil)
    #expect(settings.raisesThresholds)
  }
}
