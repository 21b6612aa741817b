import Foundation
import TestSupport
import Testing
import VideoFrames

@testable import VideoDecoding

/// Decodes every frame `options` select from `path`.
@Suite struct DecodeOptionsTests {
  @Test func neverGrowsAndKeepsAspect() {
    #expect(fittedSize(width: 1920, height: 1080, maxWidth: 0, maxHeight: 0) == (1920, 1080))
    #expect(fittedSize(width: 1920, height: 1080, maxWidth: 4000, maxHeight: 0) == (1920, 1080))
    #expect(fittedSize(width: 1920, height: 1080, maxWidth: 640, maxHeight: 0) == (640, 360))
    #expect(fittedSize(width: 1920, height: 1080, maxWidth: 640, maxHeight: 100) == (178, 100))
    #expect(fittedSize(width: 3, height: 1000, maxWidth: 0, maxHeight: 10) == (1, 10))
  }
}
