import Foundation

/// The figures of one benchmark run, in the units people read: the JSON keys of `soccer bench --json`.
public struct BenchFigures: Codable, Sendable, Equatable {
  /// Frames received, all streams together.
  public var frames: Int
  public var bytes: Int
  /// Wall seconds from the first request to the last frame.
  public var seconds: Double
  /// Frames per second, all streams together.
  public var fps: Double
  /// Megabytes (10^6 bytes) of pixels per second.
  public var mbPerS: Double
  /// Milliseconds from the Watch request, on an open connection, to the first frame.
  public var firstFrameMs: Double
  /// Milliseconds from opening a connection to the server's first answer (0 for local runs).
  public var connectMs: Double
  /// Gaps between consecutive frames of a stream, in milliseconds.
  public var gapP50Ms: Double
  public var gapP90Ms: Double
  public var gapP99Ms: Double
  public var gapMaxMs: Double
  /// CPU seconds (user + system) the client spent.
  public var cpuSeconds: Double
  /// Each stream's frames per second; one entry per concurrent stream.
  public var streamFps: [Double]
  /// Whether the frames came through shared memory (a `unix:` server that allows it).
  public var sharedMemory: Bool
  /// Frames the server decoded for the streams, and that over the frames received: below 1 when
  /// streams shared a decode or frames came from its cache. Absent when the server does not say.
  public var decoded: Int?
  public var decodedPerFrame: Double?

  enum CodingKeys: String, CodingKey {
    case frames, bytes, seconds, fps
    case mbPerS = "mb_per_s"
    case firstFrameMs = "first_frame_ms"
    case connectMs = "connect_ms"
    case gapP50Ms = "gap_p50_ms"
    case gapP90Ms = "gap_p90_ms"
    case gapP99Ms = "gap_p99_ms"
    case gapMaxMs = "gap_max_ms"
    case cpuSeconds = "cpu_seconds"
    case streamFps = "stream_fps"
    case sharedMemory = "shared_memory"
    case decoded
    case decodedPerFrame = "decoded_per_frame"
  }

  public init(_ run: BenchRun) {
    let gaps = run.gaps
    frames = run.frames
    bytes = run.bytes
    seconds = run.seconds
    fps = run.framesPerSecond
    mbPerS = run.megabytesPerSecond
    firstFrameMs = (run.firstFrameSeconds ?? 0) * 1000
    connectMs = (run.connectSeconds ?? 0) * 1000
    gapP50Ms = gaps.milliseconds(percentile: 50)
    gapP90Ms = gaps.milliseconds(percentile: 90)
    gapP99Ms = gaps.milliseconds(percentile: 99)
    gapMaxMs = gaps.maxMilliseconds
    cpuSeconds = run.cpuSeconds
    streamFps = run.streams.map(\.framesPerSecond)
    sharedMemory = run.sharedMemory
    decoded = run.decodedByServer
    decodedPerFrame = decoded.flatMap { run.frames > 0 ? Double($0) / Double(run.frames) : nil }
  }

  /// Each figure's median over `runs` (stream rates by position).
  public static func median(of runs: [BenchFigures]) -> BenchFigures? {
    guard var result = runs.first else { return nil }
    func med(_ values: [Double]) -> Double {
      let sorted = values.sorted()
      let mid = sorted.count / 2
      return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
    result.frames = Int(med(runs.map { Double($0.frames) }).rounded())
    result.bytes = Int(med(runs.map { Double($0.bytes) }).rounded())
    result.seconds = med(runs.map(\.seconds))
    result.fps = med(runs.map(\.fps))
    result.mbPerS = med(runs.map(\.mbPerS))
    result.firstFrameMs = med(runs.map(\.firstFrameMs))
    result.connectMs = med(runs.map(\.connectMs))
    result.gapP50Ms = med(runs.map(\.gapP50Ms))
    result.gapP90Ms = med(runs.map(\.gapP90Ms))
    result.gapP99Ms = med(runs.map(\.gapP99Ms))
    result.gapMaxMs = med(runs.map(\.gapMaxMs))
    result.cpuSeconds = med(runs.map(\.cpuSeconds))
    let decoded = runs.compactMap(\.decoded)
    result.decoded = decoded.count == runs.count ? Int(med(decoded.map(Double.init)).rounded()) : nil
    let perFrame = runs.compactMap(\.decodedPerFrame)
    result.decodedPerFrame = perFrame.count == runs.count ? med(perFrame) : nil
    let streamCount = runs.map(\.streamFps.count).min() ?? 0
    result.streamFps = (0..<streamCount).map { i in med(runs.map { $0.streamFps.sorted()[i] }) }
    return result
  }
}

/// What `soccer bench --json` prints: the median's figures at the top level, then every run.
public struct BenchReport: Codable, Sendable {
  /// Match id, or the file for a local run.
  public var source: String
  /// "HOST:PORT", or "local" for a run with no network.
  public var server: String
  public var streams: Int
  public var repeats: Int
  public var median: BenchFigures
  public var runs: [BenchFigures]

  public init?(source: String, server: String, streams: Int, runs: [BenchFigures]) {
    guard let median = BenchFigures.median(of: runs) else { return nil }
    self.source = source
    self.server = server
    self.streams = streams
    self.repeats = runs.count
    self.median = median
    self.runs = runs
  }

  public func encode(to encoder: any Encoder) throws {
    // The median's keys sit at the top level too, so `jq .fps` gives the headline figure.
    try median.encode(to: encoder)
    var container = encoder.container(keyedBy: Keys.self)
    try container.encode(source, forKey: .source)
    try container.encode(server, forKey: .server)
    try container.encode(streams, forKey: .streams)
    try container.encode(repeats, forKey: .repeats)
    try container.encode(median, forKey: .median)
    try container.encode(runs, forKey: .runs)
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: Keys.self)
    source = try container.decode(String.self, forKey: .source)
    server = try container.decode(String.self, forKey: .server)
    streams = try container.decode(Int.self, forKey: .streams)
    repeats = try container.decode(Int.self, forKey: .repeats)
    median = try container.decode(BenchFigures.self, forKey: .median)
    runs = try container.decode([BenchFigures].self, forKey: .runs)
  }

  private enum Keys: String, CodingKey {
    case source, server, streams, repeats, median, runs
  }

  /// One JSON object on one line, keys sorted.
  public func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  /// A table for people: one row per run and the median.
  public func table() -> String {
    var lines: [String] = []
    let header = [
      "run", "frames", "MB", "seconds", "frames/s", "MB/s", "connect ms", "first ms", "gap p50", "p90", "p99",
      "max ms", "cpu s",
    ]
    var rows: [[String]] = []
    func row(_ name: String, _ f: BenchFigures) -> [String] {
      [
        name, "\(f.frames)", fmt(Double(f.bytes) / 1e6, 1), fmt(f.seconds, 3), fmt(f.fps, 1), fmt(f.mbPerS, 1),
        fmt(f.connectMs, 1), fmt(f.firstFrameMs, 1), fmt(f.gapP50Ms, 2), fmt(f.gapP90Ms, 2), fmt(f.gapP99Ms, 2),
        fmt(f.gapMaxMs, 2),
        fmt(f.cpuSeconds, 2),
      ]
    }
    for (i, run) in runs.enumerated() { rows.append(row("\(i + 1)", run)) }
    if runs.count > 1 { rows.append(row("median", median)) }
    let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { i, c in
        i == 0
          ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
          : String(repeating: " ", count: widths[i] - c.count) + c
      }.joined(separator: "  ")
    }
    let through = median.sharedMemory ? " through shared memory" : ""
    lines.append(
      "\(source) from \(server)\(through), \(streams) stream\(streams == 1 ? "" : "s"), "
        + "\(repeats) run\(repeats == 1 ? "" : "s")")
    lines.append(line(header))
    lines.append(contentsOf: rows.map(line))
    if streams > 1, let slowest = median.streamFps.min(), let fastest = median.streamFps.max() {
      lines.append("per stream (median run): slowest \(fmt(slowest, 1)) frames/s, fastest \(fmt(fastest, 1)) frames/s")
    }
    return lines.joined(separator: "\n")
  }
}

private func fmt(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
