import Foundation
import SoccerClient
import SoccerProtocol
import Synchronization
import TestSupport
import Testing
import VideoFrames

/// The frame number drawn into a frame of the sample (made at 640x360) or of another match made at `source`.
func counter(_ frame: ReceivedFrame, source: (width: Int, height: Int) = (640, 360)) -> Int {
  SamplePattern.counter(
    pixels: frame.pixels, width: frame.header.width, height: frame.header.height, channels: frame.header.channels,
    source: source)
}

@Suite struct WatchTests {
  @Test func anOldClientGetsThePythonDemoStream() async throws {
    try await withServer { _, client in
      // Only `id` set, as the Python reference client sends it.
      let videos = try await rawWatch(Stream_Match.with { $0.id = "sample" }, client)
      #expect(videos.count == 100)
      for (n, video) in videos.enumerated() {
        #expect(video.dataType == "uint8")
        #expect(video.dataShape == "(360, 640, 3)")
        #expect(video.data.count == 360 * 640 * 3)
        #expect(video.frameIndex == UInt64(n))
        #expect(abs(video.ptsSeconds - Double(n) / 25) < 0.001)
      }
      let first = try #require(videos.first)
      let c = SamplePattern.patchCentres(width: 640, height: 360)
      #expect(near(SamplePattern.pixel(first.data, width: 640, x: c.red.0, y: c.red.1, channels: 3), [0, 0, 255]))
      #expect(near(SamplePattern.pixel(first.data, width: 640, x: c.blue.0, y: c.blue.1, channels: 3), [255, 0, 0]))
    }
  }

  @Test func pixelFormats() async throws {
    try await withServer { _, client in
      var request = WatchRequest(id: "sample")
      request.maxFrames = 2
      request.format = .rgb24
      let rgb = try await frames(request, client)
      #expect(rgb.count == 2 && rgb.allSatisfy { $0.format == .rgb24 && $0.header.channels == 3 })
      let c = SamplePattern.patchCentres(width: 640, height: 360)
      #expect(near(SamplePattern.pixel(rgb[0].pixels, width: 640, x: c.red.0, y: c.red.1, channels: 3), [255, 0, 0]))
      request.format = .gray8
      let gray = try await frames(request, client)
      #expect(gray.count == 2 && gray.allSatisfy { $0.format == .gray8 && $0.header.dataShape == "(360, 640)" })
      #expect(counter(gray[1]) == 1)
    }
  }

  @Test func downscaleStartStrideAndLimit() async throws {
    try await withServer { _, client in
      var request = WatchRequest(id: "sample")
      request.maxWidth = 320
      request.maxHeight = 100
      request.startSeconds = 1.0
      request.stride = 4
      request.maxFrames = 5
      let got = try await frames(request, client)
      #expect(got.map(\.index) == [25, 29, 33, 37, 41])
      #expect(got.allSatisfy { $0.header.width == 178 && $0.header.height == 100 })
      #expect(got.map { counter($0) } == [25, 29, 33, 37, 41])
      #expect(abs((got.first?.ptsSeconds ?? 0) - 1.0) < 0.001)
    }
  }

  @Test func realTimePacingFollowsTheFrameRate() async throws {
    try await withServer { _, client in
      var request = WatchRequest(id: "sample")
      request.maxFrames = 6
      request.maxWidth = 64
      request.realTime = true
      let started = ContinuousClock.now
      let got = try await frames(request, client)
      let elapsed = started.duration(to: .now)
      #expect(got.count == 6)
      // Six frames at 25 frames/s span five intervals of 40 ms.
      #expect(elapsed >= .milliseconds(195))
    }
  }

  @Test func framesOverFourMegabytesArrive() async throws {
    try await withServer { _, client in
      let got = try await frames(WatchRequest(id: "big"), client)
      #expect(got.count == 5)
      #expect(got.allSatisfy { $0.pixels.count == 1920 * 1080 * 3 && $0.header.dataShape == "(1080, 1920, 3)" })
      #expect(got.map { counter($0, source: (1920, 1080)) } == [0, 1, 2, 3, 4])
    }
  }

  @Test func idsInTheStylesPeopleUse() async throws {
    try await withServer { _, client in
      for id in ["final-2022", "KKNuUdn4wI4", "alias"] {
        var request = WatchRequest(id: id)
        request.maxFrames = 1
        let got = try await frames(request, client)
        #expect(got.count == 1)
      }
    }
  }

  @Test func describeAndList() async throws {
    try await withServer { _, client in
      let (info, ids) = try await SoccerClient.with(client) { c in (try await c.describe("sample"), try await c.list())
      }
      #expect(info.width == 640 && info.height == 360)
      #expect(info.frameRate == 25 && info.frameCount == 100 && info.frameCountExact)
      #expect(info.codec == "h264" && info.sourcePixelFormat == "yuv420p")
      #expect(abs(info.durationSeconds - 4) < 0.05)
      #expect(ids == ids.sorted())
      #expect(Set(["sample", "final-2022", "KKNuUdn4wI4", "alias", "big"]).isSubset(of: Set(ids)))
      #expect(!ids.contains("escape") && !ids.contains("folder"))
    }
  }

  @Test func leavingAfterFiveFramesFreesTheDecoder() async throws {
    try await withServer { server, client in
      // Paced in real time, so the decoder is still at work when the third frame arrives (unpaced,
      // the whole sample fits in the connection's flow-control window and may be decoded by then).
      var request = WatchRequest(id: "sample")
      request.realTime = true
      let (seen, openWhileStreaming) = try await SoccerClient.with(client) { c in
        try await c.watch(request) { frames in
          var seen = 0
          var open = 0
          for try await _ in frames {
            seen += 1
            if seen == 3 { open = server.openDecoders }
            if seen == 5 { break }
          }
          return (seen, open)
        }
      }
      #expect(seen == 5)
      #expect(openWhileStreaming == 1)
      let freed = try await decodersFreed(server)
      #expect(freed)
    }
  }
}
