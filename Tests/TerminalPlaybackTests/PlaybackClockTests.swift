import TerminalGraphics
import TerminalIO
import TerminalPlayback
import Testing

@Suite struct PlaybackClockTests {
  let start = ContinuousClock.now

  @Test func framesAreShownAtTheirTimeFromTheFirst() {
    var clock = PlaybackClock()
    #expect(clock.decide(pts: 5.0, now: start) == .show(after: .zero))
    // The frame 40 ms later in the file, arriving at once, waits 40 ms.
    #expect(clock.decide(pts: 5.04, now: start) == .show(after: .milliseconds(40)))
    #expect(clock.decide(pts: 5.08, now: start + .milliseconds(50)) == .show(after: .milliseconds(30)))
  }

  @Test func speedDividesTheWait() {
    var clock = PlaybackClock(speed: 2)
    _ = clock.decide(pts: 0, now: start)
    #expect(clock.decide(pts: 1, now: start) == .show(after: .milliseconds(500)))
  }

  @Test func lateFramesAreSkippedButThePictureNeverFreezes() {
    var clock = PlaybackClock(tolerance: .milliseconds(40), longestFreeze: .milliseconds(250))
    _ = clock.decide(pts: 0, now: start)
    // Slightly late: shown at once.
    #expect(clock.decide(pts: 0.04, now: start + .milliseconds(60)) == .show(after: .zero))
    // Late by 100 ms: skipped.
    #expect(clock.decide(pts: 0.08, now: start + .milliseconds(180)) == .skip)
    #expect(clock.decide(pts: 0.12, now: start + .milliseconds(260)) == .skip)
    // Nothing shown for 250 ms: this one is shown although late.
    #expect(clock.decide(pts: 0.16, now: start + .milliseconds(320)) == .show(after: .zero))
  }

  @Test func aStallRestartsTheClock() {
    var clock = PlaybackClock(stallLimit: .seconds(1))
    _ = clock.decide(pts: 0, now: start)
    #expect(clock.decide(pts: 0.04, now: start + .seconds(3)) == .show(after: .zero))
    // Timed from the frame after the stall now.
    #expect(clock.decide(pts: 0.08, now: start + .seconds(3)) == .show(after: .milliseconds(40)))
  }

  @Test func resetStartsOver() {
    var clock = PlaybackClock()
    _ = clock.decide(pts: 3, now: start)
    clock.reset()
    #expect(clock.decide(pts: 0, now: start + .seconds(10)) == .show(after: .zero))
    #expect(clock.decide(pts: 0.5, now: start + .seconds(10)) == .show(after: .milliseconds(500)))
  }
}
