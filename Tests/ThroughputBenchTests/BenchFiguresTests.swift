import Testing

@testable import ThroughputBench

@Suite struct BenchFiguresTests {
  private func figures(fps: Double, frames: Int, streams: [Double]) -> BenchFigures {
    var run = BenchFigures(BenchRun(streams: [], seconds: 1, cpuSeconds: 0))
    run.fps = fps
    run.frames = frames
    run.streamFps = streams
    return run
  }

  @Test func theMedianOfAnOddCountIsTheMiddleRun() throws {
    let median = try #require(
      BenchFigures.median(of: [
        figures(fps: 300, frames: 100, streams: [150, 150]), figures(fps: 100, frames: 100, streams: [40, 60]),
        figures(fps: 200, frames: 100, streams: [90, 110]),
      ]))
    #expect(median.fps == 200)
    #expect(median.frames == 100)
    // Stream rates are taken slowest first, so the median slowest stream is a real figure.
    #expect(median.streamFps == [90, 110])
  }

  @Test func theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() throws {
    let median = try #require(
      BenchFigures.median(of: [
        figures(fps: 100, frames: 10, streams: [100]), figures(fps: 200, frames: 11, streams: [200]),
      ]))
    #expect(median.fps == 150)
    #expect(median.frames == 11)
  }

  @Test func noRunsHaveNoMedian() {
    #expect(BenchFigures.median(of: []) == nil)
  }

  @Test func gapsAreReportedInMilliseconds() {
    var gaps = FrameGaps()
    for ms in [10, 20, 30, 40, 1000] { gaps.record(.milliseconds(ms)) }
    #expect(gaps.count == 5)
    #expect(abs(gaps.milliseconds(percentile: 50) - 30) < 0.1)
    #expect(abs(gaps.maxMilliseconds - 1000) < 1)
    #expect(FrameGaps().maxMilliseconds == 0)
  }
}
