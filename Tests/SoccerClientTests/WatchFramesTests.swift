import Testing

@testable import SoccerClient

@Suite struct WatchFramesTests {
  @Test func numbersFramesFromServersThatDoNot() {
    var numbering = FrameNumbering()
    #expect([0, 0, 0, 0].map { numbering.index(sent: $0) } == [0, 1, 2, 3])
  }

  @Test func keepsTheServersNumbers() {
    var numbering = FrameNumbering()
    #expect([50, 54, 58].map { numbering.index(sent: $0) } == [50, 54, 58])
  }
}
