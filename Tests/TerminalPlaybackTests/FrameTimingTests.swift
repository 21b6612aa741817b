import Foundation
import Testing
import VideoFrames

@testable import TerminalPlayback

@Suite struct FrameTimingTests {
  private func frame(_ index: Int, pts: Double) -> Frame {
    Frame(pixels: Data(), width: 0, height: 0, format: .rgb24, index: index, ptsSeconds: pts)
  }

  @Test func framesWithTimesKeepThem() {
    var timing = FrameTiming()
    #expect(timing.seconds(of: frame(10, pts: 0.4), frameRate: 25) == 0.4)
    #expect(timing.seconds(of: frame(11, pts: 0.44), frameRate: 25) == 0.44)
  }

  @Test func framesWithoutTimesAreTimedByTheirNumber() {
    var timing = FrameTiming()
    #expect(timing.seconds(of: frame(0, pts: 0), frameRate: 50) == 0)
    #expect(timing.seconds(of: frame(1, pts: 0), frameRate: 50) == 0.02)
    #expect(timing.seconds(of: frame(25, pts: 0), frameRate: nil) == 1)
  }
}
