import Testing

@testable import SoccerServer

@Suite struct StalledStreamsTests {
  @Test func aRecordedStreamIsTakenOnce() {
    let stalled = StalledStreams()
    let first = stalled.newTag()
    let second = stalled.newTag()
    #expect(first != second)
    stalled.record(second)
    #expect(!stalled.take(first))
    #expect(stalled.take(second))
    #expect(!stalled.take(second))
  }

  @Test func tagsNobodyTakesAreForgottenPastTheCapacity() {
    let stalled = StalledStreams()
    let tags = (0...StalledStreams.capacity).map { _ in stalled.newTag() }
    for tag in tags { stalled.record(tag) }
    // The table was emptied when full; the newest is kept.
    #expect(!stalled.take(tags[0]))
    #expect(stalled.take(tags[StalledStreams.capacity]))
  }
}
