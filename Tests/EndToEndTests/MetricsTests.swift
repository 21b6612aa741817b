import Foundation
import GRPCCore
import SoccerClient
import SoccerServer
import TestSupport
import Testing

/// Each series of a server's exposition by its name and labels as emitted
/// (`soccer_streams_total{method="Watch",code="OK"}`), after what is open now was observed.
func series(_ server: SoccerServer) -> [String: Double] {
  server.observeMetrics()
  var values: [String: Double] = [:]
  for line in String(decoding: server.metrics.exposition(), as: UTF8.self).split(separator: "\n")
  where !line.hasPrefix("#") {
    guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
    values[String(line[..<space])] = value
  }
  return values
}

@Suite struct MetricsTests {
  @Test func aWholeStreamCountsItsFramesBytesAndTimes() async throws {
    try await withServer { server, client in
      let received = try await frames(WatchRequest(id: "sample"), client)
      let values = try await waitForSeries(server) { $0["soccer_streams_total{method=\"Watch\",code=\"OK\"}"] == 1 }
      #expect(values["soccer_frames_sent_total"] == Double(received.count))
      #expect(values["soccer_bytes_sent_total"] == Double(received.reduce(0) { $0 + $1.pixels.count }))
      #expect(values["soccer_first_frame_seconds_count"] == 1)
      #expect(values["soccer_decode_frame_seconds_count"] == Double(received.count))
      #expect((values["soccer_decode_frame_seconds_sum"] ?? 0) > 0)
      #expect(values["soccer_streams_active"] == 0)
      #expect(values["soccer_decoders_open"] == 0)
      #expect((values["process_resident_memory_bytes"] ?? 0) > 1_000_000)
      #expect((values["process_open_fds"] ?? 0) > 0)
      #expect(values.keys.contains { $0.hasPrefix("soccer_replica_info{replica=") })
      // Bounded labels: no series names a match or a peer.
      #expect(!values.keys.contains { $0.contains("sample") || $0.contains("127.0.0.1") })
    }
  }

  @Test func failuresLandInTheirCodes() async throws {
    try await withServer { server, client in
      _ = await clientError { _ = try await frames(WatchRequest(id: "no-such-match"), client) }
      _ = await clientError { _ = try await SoccerClient.with(client) { try await $0.describe("no-such-match") } }
      // A stream the client leaves after two frames is cancelled. In real time, so that the
      // server cannot have sent every frame (and ended OK) before the client's cancel reaches it.
      var paced = WatchRequest(id: "sample")
      paced.realTime = true
      _ = try await SoccerClient.with(client) { c in
        try await c.watch(paced) { frames in
          var taken = 0
          for try await _ in frames {
            taken += 1
            if taken == 2 { break }
          }
        }
      }
      let values = try await waitForSeries(server) {
        $0["soccer_streams_total{method=\"Watch\",code=\"CANCELLED\"}"] == 1
      }
      #expect(values["soccer_streams_total{method=\"Watch\",code=\"NOT_FOUND\"}"] == 1)
      #expect(values["soccer_streams_total{method=\"Describe\",code=\"NOT_FOUND\"}"] == 1)
      #expect(values["soccer_streams_total{method=\"Watch\",code=\"OK\"}"] == 0)
    }
  }

  @Test func aStreamPastTheLimitIsARejection() async throws {
    try await withServer(configure: { $0.maxStreams = 1 }) { server, client in
      try await whileAStreamIsHeld(client) {
        #expect(series(server)["soccer_streams_active"] == 1)
        let error = await clientError { _ = try await frames(WatchRequest(id: "sample"), client) }
        #expect(error?.code == .resourceExhausted)
        let values = series(server)
        #expect(values["soccer_stream_rejections_total{reason=\"limit\"}"] == 1)
        #expect(values["soccer_streams_total{method=\"Watch\",code=\"RESOURCE_EXHAUSTED\"}"] == 1)
        #expect(values["soccer_stream_rejections_total{reason=\"auth\"}"] == 0)
      }
    }
  }

  @Test func aMissingTokenIsAnAuthRejection() async throws {
    try await withServer(configure: { $0.security.token = "secret" }) { server, client in
      _ = await clientError { _ = try await SoccerClient.with(client) { try await $0.list() } }
      let values = series(server)
      #expect(values["soccer_stream_rejections_total{reason=\"auth\"}"] == 1)
      #expect(values["soccer_streams_total{method=\"List\",code=\"UNAUTHENTICATED\"}"] == 1)
    }
  }
}

/// Waits (up to 5 s) until `ready` holds for the server's series; returns them.
func waitForSeries(
  _ server: SoccerServer, _ ready: @escaping @Sendable ([String: Double]) -> Bool
) async throws -> [String: Double] {
  _ = try await waitUntil(seconds: 5) { ready(series(server)) }
  return series(server)
}
