import Testing

@testable import soccer

@Suite struct OutputTests {
  @Test func countsReadAsWords() {
    #expect(counted(1, "frame") == "1 frame")
    #expect(counted(0, "frame") == "0 frames")
    #expect(counted(2, "frame") == "2 frames")
  }

  @Test func progressShowsTheTotalThePercentAndTheTimeLeft() {
    #expect(
      progressLine(done: 50, total: 200, bytes: 2_000_000, elapsed: 5) == "50 of 200 frames (25%), 2.0 MB, 15 s left")
    #expect(progressLine(done: 10, total: 1000, bytes: 0, elapsed: 10) == "10 of 1000 frames (1%), 0.0 MB, 17 min left")
    // Too early to tell, and done: no time left said.
    #expect(progressLine(done: 1, total: 10, bytes: 0, elapsed: 0.1) == "1 of 10 frames (10%), 0.0 MB")
    #expect(progressLine(done: 10, total: 10, bytes: 0, elapsed: 3) == "10 of 10 frames (100%), 0.0 MB")
    #expect(progressLine(done: 7, total: nil, bytes: 1_500_000, elapsed: 3) == "7 frames, 1.5 MB")
  }
}
