import Foundation
import Histogram

/// What one stream of frames measured: counts, timing and the gaps between frames.
public struct StreamMeasurement: Sendable {
  public var frames = 0
  public var bytes = 0
  /// From asking for the stream (on an open connection) to its end.
  public var seconds = 0.0
  /// When the stream was asked for and when it ended.
  public var started = ContinuousClock.now
  public var ended = ContinuousClock.now
  /// From asking for the stream (on an open connection) to the first frame.
  public var firstFrameSeconds: Double?
  /// From opening the connection to the server's first answer.
  public var connectSeconds: Double?
  /// Gaps between consecutive frames.
  public var gaps = FrameGaps()
  /// Frames the server says it decoded for the stream (all its attempts, resumed ones too);
  /// nil when a server did not say.
  public var decodedByServer: Int? = 0

  public init() {}

  public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
  public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds / 1_000_000 : 0 }

}

/// The gaps between consecutive frames, kept as a histogram of microseconds (up to 10 minutes).
public struct FrameGaps: Sendable {
  private var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000)

  public init() {}

  /// Gaps recorded.
  public var count: UInt64 { histogram.totalCount }

  mutating func record(_ gap: Duration) {
    _ = histogram.record(UInt64(max(0, gap / .microseconds(1))))
  }

  mutating func add(_ other: FrameGaps) {
    histogram.add(other.histogram)
  }

  /// A gap percentile in milliseconds (0 with no gap recorded: fewer than two frames).
  public func milliseconds(percentile: Double) -> Double {
    count > 0 ? Double(histogram.valueAtPercentile(percentile)) / 1000 : 0
  }

  /// The longest gap in milliseconds (0 with no gap recorded).
  public var maxMilliseconds: Double { count > 0 ? Double(histogram.max) / 1000 : 0 }
}

/// Times a stream of frames as they arrive, from the moment it is made.
struct StreamClock {
  private let started = ContinuousClock.now
  private var last: ContinuousClock.Instant?
  private(set) var measurement = StreamMeasurement()

  mutating func frame(bytes: Int) {
    let now = ContinuousClock.now
    if let last {
      measurement.gaps.record(now - last)
    } else {
      measurement.firstFrameSeconds = started.duration(to: now).seconds
    }
    last = now
    measurement.frames += 1
    measurement.bytes += bytes
  }

  /// What the server said it decoded for one attempt of the stream (nil: it did not say).
  mutating func serverDecoded(_ frames: Int?) {
    guard let frames, let known = measurement.decodedByServer else {
      measurement.decodedByServer = nil
      return
    }
    measurement.decodedByServer = known + frames
  }

  mutating func finish() -> StreamMeasurement {
    let now = ContinuousClock.now
    measurement.seconds = started.duration(to: now).seconds
    measurement.started = started
    measurement.ended = now
    return measurement
  }
}

/// One run of a benchmark: one or more concurrent streams.
public struct BenchRun: Sendable {
  public var streams: [StreamMeasurement]
  /// Wall time of the whole run, from the first stream's request to the last stream's end
  /// (connecting is timed apart, in each stream's `connectSeconds`).
  public var seconds: Double
  /// User plus system CPU time this process spent during the run.
  public var cpuSeconds: Double
  /// Whether the frames came through shared-memory rings.
  public var sharedMemory = false

  public var frames: Int { streams.reduce(0) { $0 + $1.frames } }
  /// Frames the server decoded for every stream together; nil unless it said so for each.
  public var decodedByServer: Int? {
    streams.reduce(Optional(0)) { total, stream in
      guard let total, let decoded = stream.decodedByServer else { return nil }
      return total + decoded
    }
  }
  public var bytes: Int { streams.reduce(0) { $0 + $1.bytes } }
  public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
  public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds / 1_000_000 : 0 }
  /// The earliest first frame of any stream.
  public var firstFrameSeconds: Double? { streams.compactMap(\.firstFrameSeconds).min() }
  /// The slowest stream's connection time.
  public var connectSeconds: Double? { streams.compactMap(\.connectSeconds).max() }
  /// Gaps between frames of every stream together.
  public var gaps: FrameGaps {
    var all = FrameGaps()
    for stream in streams { all.add(stream.gaps) }
    return all
  }
}

/// CPU time (user + system) this process has used so far, in seconds.
public func processCPUSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
  return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
