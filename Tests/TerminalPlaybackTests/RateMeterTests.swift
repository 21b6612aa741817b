import TerminalGraphics
import TerminalIO
import TerminalPlayback
import Testing

@Suite struct RateMeterTests {
  @Test func countsTheLastSecond() {
    let start = ContinuousClock.now
    var meter = RateMeter()
    for frame in 0..<50 { meter.add(at: start + .milliseconds(frame * 40)) }
    let rate = meter.rate(now: start + .milliseconds(49 * 40))
    #expect(rate > 23 && rate < 27, "\(rate)")
    #expect(meter.rate(now: start + .seconds(10)) == 0)
  }
}
