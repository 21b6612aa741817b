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

@Suite struct FrameSizeCapTests {
  @Test func framesOverTheCapAreRefusedUnlessScaledUnderIt() throws {
    var options = DecodeOptions()
    options.maxFramePixels = 7680 * 4320
    #expect(
      throws: DecodeError.framesTooLarge(
        source: "8192x4320", output: "8192x4320", pixels: 8192 * 4320, limit: 7680 * 4320)
    ) {
      try options.checkFrameSize(width: 8192, height: 4320)
    }
    try options.checkFrameSize(width: 7680, height: 4320)
    options.maxWidth = 3840
    try options.checkFrameSize(width: 8192, height: 4320)
    options.maxFramePixels = 0
    options.maxWidth = 0
    try options.checkFrameSize(width: 16384, height: 16384)
  }

  @Test func theMessageNamesBothSizesAndTheWayOut() {
    let error = DecodeError.framesTooLarge(
      source: "8192x4320", output: "8000x4219", pixels: 33_752_000, limit: 33_177_600)
    #expect(error.description.contains("8192x4320 frames scaled to 8000x4219"))
    #expect(error.description.contains("33177600"))
    #expect(error.description.contains("max_width"))
  }
}
