import Foundation
import SoccerClient
import VideoFrames

/// What a dump wrote.
public struct DumpSummary: Sendable {
  public var frames: Int
  public var bytes: Int
  public var seconds: Double
  public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
}

/// Streams a match into PPM (RGB) or PGM (gray) files named `<id>_<frame number>.ppm`.
public struct FrameDump: Sendable {
  public var request: WatchRequest
  public var writer: FrameFileWriter

  public init(request: WatchRequest, writer: FrameFileWriter) {
    self.request = request
    self.writer = writer
  }

  /// The file name of a frame: its number in the match counts from 1, so names sort in play order.
  public static func fileName(id: String, frameIndex: Int, gray: Bool) -> String {
    let number = String(frameIndex + 1)
    let padded = String(repeating: "0", count: max(0, 6 - number.count)) + number
    return "\(id)_\(padded).\(gray ? "pgm" : "ppm")"
  }

  /// Runs the dump; `progress` hears of each frame written.
  public func run(
    client: SoccerClient, progress: @escaping @Sendable (_ frames: Int, _ bytes: Int) -> Void = { _, _ in }
  ) async throws(ClientError) -> DumpSummary {
    let started = ContinuousClock.now
    let writer = self.writer
    let id = request.id
    return try await client.watch(request) { frames in
      var summary = DumpSummary(frames: 0, bytes: 0, seconds: 0)
      for try await frame in frames {
        let data = try frame.netPBM()
        try writer.write(data, name: Self.fileName(id: id, frameIndex: frame.index, gray: frame.header.channels == 1))
        summary.frames += 1
        summary.bytes += data.count
        progress(summary.frames, summary.bytes)
      }
      summary.seconds = started.duration(to: .now).seconds
      return summary
    }
  }
}
