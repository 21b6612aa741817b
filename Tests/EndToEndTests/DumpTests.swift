import Foundation
import FrameDump
import SoccerClient
import TestSupport
import Testing
import VideoFrames

@Suite struct DumpTests {
  @Test func writesEveryKeptFrameAsPPM() async throws {
    let out = try makeTemporaryFolder("soccer-dump")
    try await withServer { _, client in
      var request = WatchRequest(id: "sample")
      request.format = .rgb24
      request.stride = 25
      let summary = try await SoccerClient.with(client) { c in
        try await FrameDump(request: request, writer: try FrameFileWriter(directory: out)).run(client: c)
      }
      #expect(summary.frames == 4)
      let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
      #expect(names == ["sample_000001.ppm", "sample_000026.ppm", "sample_000051.ppm", "sample_000076.ppm"])
      var bytes = 0
      for (name, index) in zip(names, [0, 25, 50, 75]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name)"))
        bytes += data.count
        let image = try NetPBM.decode(data)
        #expect(image.width == 640 && image.height == 360 && image.channels == 3)
        let pixels = Data(image.pixels)
        #expect(SamplePattern.counter(pixels: pixels, width: 640, height: 360, channels: 3) == index)
        let red = SamplePattern.patchCentres(width: 640, height: 360).red
        #expect(near(SamplePattern.pixel(pixels, width: 640, x: red.0, y: red.1, channels: 3), [255, 0, 0]))
      }
      #expect(summary.bytes == bytes)
    }
  }

  @Test func bgrFramesAreWrittenInRGBOrderAndGrayAsPGM() async throws {
    let out = try makeTemporaryFolder("soccer-dump")
    try await withServer { _, client in
      for format in [PixelFormat.bgr24, .gray8] {
        var request = WatchRequest(id: "sample")
        request.format = format
        request.maxFrames = 1
        _ = try await SoccerClient.with(client) { c in
          try await FrameDump(request: request, writer: try FrameFileWriter(directory: out)).run(client: c)
        }
      }
      let ppm = try NetPBM.decode(try Data(contentsOf: URL(fileURLWithPath: "\(out)/sample_000001.ppm")))
      let red = SamplePattern.patchCentres(width: 640, height: 360).red
      #expect(near(SamplePattern.pixel(Data(ppm.pixels), width: 640, x: red.0, y: red.1, channels: 3), [255, 0, 0]))
      let pgm = try NetPBM.decode(try Data(contentsOf: URL(fileURLWithPath: "\(out)/sample_000001.pgm")))
      #expect(pgm.channels == 1 && pgm.width == 640)
    }
  }
}
