import CoreMetrics
import Metrics
import Prometheus
import Synchronization

/// Why the server turned a stream or connection away, as `soccer_stream_rejections_total` labels it.
public enum Rejection: String, Sendable, CaseIterable {
  /// At `--max-streams`.
  case limit
  /// Missing or wrong bearer token.
  case auth
  /// Reset after `--stall-timeout` on a client that took nothing.
  case stall
  /// A malformed `grpc-timeout` header.
  case badHeader = "bad_header"
  /// At `--max-connections`: the connection was closed as it was accepted.
  case connectionLimit = "connection_limit"
  /// The stream's frames did not fit in what was free of `--frame-memory`.
  case frameMemory = "frame_memory"
}

/// What a server counts, in Prometheus series (through swift-metrics): streams and their final
/// status codes, frames and bytes sent, first-frame and decode times, rejections, and what is
/// open now. Labels stay bounded: never a match id or a peer address.
public final class ServerMetrics: Sendable {
  /// The series, for `/metrics`.
  public let registry: PrometheusCollectorRegistry
  private let factory: PrometheusMetricsFactory
  private let frames: CoreMetrics.Counter
  private let framesDecoded: CoreMetrics.Counter
  private let streamsJoined: CoreMetrics.Counter
  private let bytes: CoreMetrics.Counter
  private let firstFrame: CoreMetrics.Timer
  private let decodeFrame: CoreMetrics.Timer
  private let streamsActive: CoreMetrics.Gauge
  private let decodersOpen: CoreMetrics.Gauge
  private let connectionsActive: CoreMetrics.Gauge
  private let frameMemory: CoreMetrics.Gauge
  private let frameMemoryLimit: CoreMetrics.Gauge
  private let cacheBytes: CoreMetrics.Gauge
  private let cacheLimit: CoreMetrics.Gauge
  private let cacheFrames: CoreMetrics.Gauge
  private let cacheHits: CoreMetrics.Counter
  private let cacheMisses: CoreMetrics.Counter
  private let cacheEvictions: CoreMetrics.Counter
  /// The cache's counts at the last scrape, which its counters have been raised to.
  private let cacheCounted = Mutex(FrameCacheFigures())

  /// First frames take milliseconds (tens with an HTTP store); a frame's decode a fraction of one.
  static let firstFrameBuckets: [Duration] = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000].map {
    .microseconds(Int64($0 * 1000))
  }
  static let decodeFrameBuckets: [Duration] = [0.25, 0.5, 1, 2, 4, 8, 16, 33, 66, 133, 250].map {
    .microseconds(Int64($0 * 1000))
  }

  /// Series in a registry of their own.
  public init() {
    registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.durationHistogramBuckets = [
      "soccer_first_frame_seconds": Self.firstFrameBuckets, "soccer_decode_frame_seconds": Self.decodeFrameBuckets,
    ]
    self.factory = factory
    frames = CoreMetrics.Counter(label: "soccer_frames_sent_total", factory: factory)
    framesDecoded = CoreMetrics.Counter(label: "soccer_frames_decoded_total", factory: factory)
    streamsJoined = CoreMetrics.Counter(label: "soccer_streams_joined_total", factory: factory)
    bytes = CoreMetrics.Counter(label: "soccer_bytes_sent_total", factory: factory)
    firstFrame = CoreMetrics.Timer(label: "soccer_first_frame_seconds", factory: factory)
    decodeFrame = CoreMetrics.Timer(label: "soccer_decode_frame_seconds", factory: factory)
    streamsActive = CoreMetrics.Gauge(label: "soccer_streams_active", factory: factory)
    decodersOpen = CoreMetrics.Gauge(label: "soccer_decoders_open", factory: factory)
    connectionsActive = CoreMetrics.Gauge(label: "soccer_connections_active", factory: factory)
    frameMemory = CoreMetrics.Gauge(label: "soccer_frame_memory_bytes", factory: factory)
    frameMemoryLimit = CoreMetrics.Gauge(label: "soccer_frame_memory_limit_bytes", factory: factory)
    cacheBytes = CoreMetrics.Gauge(label: "soccer_frame_cache_bytes", factory: factory)
    cacheLimit = CoreMetrics.Gauge(label: "soccer_frame_cache_limit_bytes", factory: factory)
    cacheFrames = CoreMetrics.Gauge(label: "soccer_frame_cache_frames", factory: factory)
    cacheHits = CoreMetrics.Counter(label: "soccer_frame_cache_hits_total", factory: factory)
    cacheMisses = CoreMetrics.Counter(label: "soccer_frame_cache_misses_total", factory: factory)
    cacheEvictions = CoreMetrics.Counter(label: "soccer_frame_cache_evictions_total", factory: factory)
    // Series that exist from the start, so rates see their first increase, and a reason that
    // never happened is 0, not absent.
    for method in ["Watch", "Describe", "List", "Play", "Upload"] {
      _ = CoreMetrics.Counter(
        label: "soccer_streams_total", dimensions: [("method", method), ("code", "OK")], factory: factory)
    }
    for reason in Rejection.allCases {
      _ = CoreMetrics.Counter(
        label: "soccer_stream_rejections_total", dimensions: [("reason", reason.rawValue)], factory: factory)
    }
  }

  /// A call ended with `code` (gRPC's name: "OK", "NOT_FOUND", …).
  public func ended(method: String, code: String) {
    CoreMetrics.Counter(
      label: "soccer_streams_total", dimensions: [("method", method), ("code", code)], factory: factory
    )
    .increment()
  }

  /// A frame of `byteCount` pixel bytes went out.
  public func sent(byteCount: Int) {
    frames.increment()
    bytes.increment(by: byteCount)
  }

  /// A stream's decoder decoded `count` frames for it, those only passed on the way included:
  /// against `soccer_frames_sent_total`, what sending a frame costs in decoding.
  public func decoded(frames count: Int) { framesDecoded.increment(by: count) }

  /// A stream joined a decode another stream had started: against `soccer_streams_total`, how
  /// many streams a decoder serves.
  public func joinedDecode() { streamsJoined.increment() }

  /// A stream's first frame went out this long after the request.
  public func firstFrame(after duration: Duration) { firstFrame.recordNanoseconds(duration.nanoseconds) }

  /// A frame took this long to decode and convert.
  public func decoded(in duration: Duration) { decodeFrame.recordNanoseconds(duration.nanoseconds) }

  /// Counts an answer of the web API (`soccer_http_requests_total`).
  public func answered(route: String, status: Int) {
    CoreMetrics.Counter(
      label: "soccer_http_requests_total", dimensions: [("route", route), ("status", "\(status)")], factory: factory
    ).increment()
  }

  public func rejected(_ reason: Rejection) {
    CoreMetrics.Counter(
      label: "soccer_stream_rejections_total", dimensions: [("reason", reason.rawValue)], factory: factory
    )
    .increment()
  }

  /// What is open now, the frame memory reserved and its limit, the frame cache's figures (nil
  /// without one), and the replica's name (`soccer_replica_info{replica}`, always 1), read when
  /// the series are scraped.
  public func observe(
    streams: Int, decoders: Int, connections: Int, frameMemory: (reserved: Int, limit: Int),
    frameCache: FrameCacheFigures? = nil, replica: String
  ) {
    CoreMetrics.Gauge(label: "soccer_replica_info", dimensions: [("replica", replica)], factory: factory).record(1)
    streamsActive.record(streams)
    decodersOpen.record(decoders)
    connectionsActive.record(connections)
    self.frameMemory.record(frameMemory.reserved)
    frameMemoryLimit.record(frameMemory.limit)
    if let frameCache { observe(frameCache) }
  }

  private func observe(_ cache: FrameCacheFigures) {
    cacheBytes.record(cache.bytes)
    cacheLimit.record(cache.capacity)
    cacheFrames.record(cache.frames)
    let before = cacheCounted.withLock { counted in
      defer { counted = cache }
      return counted
    }
    cacheHits.increment(by: max(0, cache.hits - before.hits))
    cacheMisses.increment(by: max(0, cache.misses - before.misses))
    cacheEvictions.increment(by: max(0, cache.evictions - before.evictions))
  }

  /// The Prometheus text exposition: these series, then the process's.
  public func exposition() -> [UInt8] {
    var buffer = registry.emitToBuffer()
    buffer += ProcessMetrics.read().exposition.utf8
    return buffer
  }
}

/// A frame cache's figures, as the server reads them for a scrape: what it holds, and what it
/// has counted since it was made.
public struct FrameCacheFigures: Sendable {
  public var bytes = 0
  public var capacity = 0
  public var frames = 0
  public var hits = 0
  public var misses = 0
  public var evictions = 0

  public init(bytes: Int = 0, capacity: Int = 0, frames: Int = 0, hits: Int = 0, misses: Int = 0, evictions: Int = 0) {
    self.bytes = bytes
    self.capacity = capacity
    self.frames = frames
    self.hits = hits
    self.misses = misses
    self.evictions = evictions
  }
}

extension Duration {
  var nanoseconds: Int64 {
    let (seconds, attoseconds) = components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
  }
}
