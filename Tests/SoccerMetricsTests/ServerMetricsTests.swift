import Testing

@testable import SoccerMetrics

@Suite struct ServerMetricsTests {
  /// The exposition's lines, as Prometheus reads them.
  private func lines(_ metrics: ServerMetrics) -> Set<String> {
    Set(String(decoding: metrics.exposition(), as: UTF8.self).split(separator: "\n").map(String.init))
  }

  @Test func everyRecordShowsInItsSeries() {
    let metrics = ServerMetrics()
    metrics.sent(byteCount: 100)
    metrics.sent(byteCount: 150)
    metrics.decoded(frames: 13)
    metrics.ended(method: "Watch", code: "NOT_FOUND")
    metrics.ended(method: "Watch", code: "NOT_FOUND")
    metrics.rejected(.stall)
    metrics.observe(
      streams: 3, decoders: 2, connections: 4, frameMemory: (reserved: 5000, limit: 8000), replica: "r1")
    let shown = lines(metrics)
    for line in [
      "soccer_frames_sent_total 2", "soccer_bytes_sent_total 250", "soccer_frames_decoded_total 13",
      #"soccer_streams_total{method="Watch",code="NOT_FOUND"} 2"#,
      #"soccer_stream_rejections_total{reason="stall"} 1"#, #"soccer_replica_info{replica="r1"} 1.0"#,
      "soccer_streams_active 3.0", "soccer_decoders_open 2.0", "soccer_connections_active 4.0",
      "soccer_frame_memory_bytes 5000.0", "soccer_frame_memory_limit_bytes 8000.0",
    ] {
      #expect(shown.contains(line), "\(line) is not among \(shown.sorted())")
    }
  }

  @Test func theFrameCachesCountsFollowWhatItSaysAtEachScrape() {
    let metrics = ServerMetrics()
    func scrape(hits: Int, misses: Int, evictions: Int, bytes: Int) {
      metrics.observe(
        streams: 0, decoders: 0, connections: 0, frameMemory: (0, 100),
        frameCache: FrameCacheFigures(
          bytes: bytes, capacity: 64, frames: 3, hits: hits, misses: misses, evictions: evictions),
        replica: "r1")
    }
    scrape(hits: 5, misses: 2, evictions: 0, bytes: 40)
    scrape(hits: 12, misses: 9, evictions: 4, bytes: 60)
    let shown = lines(metrics)
    for line in [
      "soccer_frame_cache_hits_total 12", "soccer_frame_cache_misses_total 9",
      "soccer_frame_cache_evictions_total 4", "soccer_frame_cache_bytes 60.0",
      "soccer_frame_cache_limit_bytes 64.0", "soccer_frame_cache_frames 3.0",
    ] {
      #expect(shown.contains(line), "\(line) is not among \(shown.sorted())")
    }
  }

  // A rate needs a first sample: series that may never move exist, at 0, from the start.
  @Test func seriesThatNeverMovedAreZeroNotAbsent() {
    let shown = lines(ServerMetrics())
    #expect(shown.contains("soccer_frames_decoded_total 0"))
    for reason in Rejection.allCases {
      #expect(shown.contains(#"soccer_stream_rejections_total{reason="\#(reason.rawValue)"} 0"#))
    }
    for method in ["Watch", "Describe", "List", "Play", "Upload"] {
      #expect(shown.contains(#"soccer_streams_total{method="\#(method)",code="OK"} 0"#))
    }
  }

  @Test func timesFallInTheirBuckets() {
    let metrics = ServerMetrics()
    metrics.firstFrame(after: .milliseconds(7))
    metrics.decoded(in: .microseconds(300))
    let shown = lines(metrics)
    #expect(shown.contains(#"soccer_first_frame_seconds_bucket{le="0.005"} 0"#))
    #expect(shown.contains(#"soccer_first_frame_seconds_bucket{le="0.01"} 1"#))
    #expect(shown.contains(#"soccer_decode_frame_seconds_bucket{le="0.00025"} 0"#))
    #expect(shown.contains(#"soccer_decode_frame_seconds_bucket{le="0.0005"} 1"#))
    #expect(shown.contains("soccer_first_frame_seconds_count 1"))
  }

  @Test func theProcessSeriesFollow() {
    let text = String(decoding: ServerMetrics().exposition(), as: UTF8.self)
    #expect(text.contains("process_resident_memory_bytes "))
    #expect(text.contains("process_open_fds "))
  }
}
