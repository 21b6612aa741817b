import Foundation
import GRPCCore
import SoccerClient
import SoccerServer
import TestSupport
import Testing

/// The frame-memory budget (`--frame-memory`) and the cap on frame size (`--max-frame-pixels`),
/// from a client's side: refusals come at once, say why and what would fit, and what fits is served.
@Suite struct FrameMemoryTests {
  /// The max_width a frame-memory refusal says would fit.
  static func fittingWidth(in message: String) -> Int? {
    guard let range = message.range(of: "max_width ") else { return nil }
    return Int(message[range.upperBound...].prefix { $0.isNumber })
  }

  @Test func aStreamThatDoesNotFitIsRefusedAtOnceAndTheSizeItNamesIsServed() async throws {
    // 48 MiB: less than five 1920x1080 BGR frames and nine decoded ones, whatever the core count.
    try await withServer(configure: { $0.frameMemory = 48 << 20 }) { server, client in
      let started = ContinuousClock.now
      let error = await clientError { _ = try await frames(WatchRequest(id: "big"), client) }
      #expect(started.duration(to: .now) < .seconds(5))
      #expect(error?.code == .resourceExhausted)
      let message = error?.description ?? ""
      #expect(message.contains("1920x1080 bgr24 frames"), "\(message)")
      #expect(message.contains("48 MiB (--frame-memory)"), "\(message)")
      let width = try #require(Self.fittingWidth(in: message), "\(message)")
      var scaled = WatchRequest(id: "big")
      scaled.maxWidth = width
      let served = try await frames(scaled, client)
      #expect(served.count == 5)
      #expect(served.allSatisfy { $0.header.width <= width })
      #expect(try await waitUntil { server.frameMemoryReserved == 0 })
      let values = try await waitForSeries(server) {
        $0["soccer_stream_rejections_total{reason=\"frame_memory\"}"] == 1
      }
      #expect(values["soccer_frame_memory_limit_bytes"] == Double(48 << 20))
      #expect(values["soccer_frame_memory_bytes"] == 0)
    }
  }

  @Test func aStreamHoldsItsMemoryUntilItEndsAndThenAnotherFits() async throws {
    // Room for one full-size stream of the sample and not two.
    try await withServer(configure: { $0.frameMemory = 10 << 20 }) { server, client in
      try await SoccerClient.with(client) { soccer in
        var held = WatchRequest(id: "sample")
        held.realTime = true
        try await soccer.watch(held) { stream in
          var iterator = stream.makeAsyncIterator()
          _ = try await iterator.next()
          let reserved = server.frameMemoryReserved
          #expect(reserved > 0 && reserved <= 10 << 20)
          let values = series(server)
          #expect(values["soccer_frame_memory_bytes"] == Double(reserved))
          let error = await clientError { _ = try await frames(WatchRequest(id: "sample"), client) }
          #expect(error?.code == .resourceExhausted)
          #expect(error?.description.contains("640x360 bgr24 frames") == true)
          // The refused stream gave back nothing it did not take.
          #expect(server.frameMemoryReserved == reserved)
        }
      }
      #expect(try await waitUntil { server.frameMemoryReserved == 0 })
      #expect(try await frames(WatchRequest(id: "sample"), client).count == 100)
    }
  }

  @Test func framesOverThePixelCapAreServedOnlyScaledUnderIt() async throws {
    try await withServer(configure: { $0.maxFramePixels = 320 * 180 }) { server, client in
      let error = await clientError { _ = try await frames(WatchRequest(id: "sample"), client) }
      #expect(error?.code == .failedPrecondition)
      #expect(error?.description.contains("640x360") == true)
      #expect(error?.description.contains("57600 pixels a frame") == true)
      var scaled = WatchRequest(id: "sample")
      scaled.maxWidth = 320
      scaled.maxFrames = 3
      #expect(try await frames(scaled, client).map(\.header.width) == [320, 320, 320])
      // Play: the same at the start, and a resize over the cap is refused while the stream goes on.
      let refusedStart = try await playToTheEnd(client, WatchRequest(id: "sample"))
      #expect(refusedStart.failure?.code == .failedPrecondition)
      try await fullSizeResizeIsRefused(client, code: .failedPrecondition, saying: "pixels a frame")
      #expect(try await decodersFreed(server))
    }
  }

  @Test func aPlayResizeBeyondTheBudgetIsRefusedAndTheStreamGoesOnSmall() async throws {
    // Room for the sample at 160 pixels wide, not at its full size.
    try await withServer(configure: { $0.frameMemory = 6 << 20 }) { server, client in
      try await fullSizeResizeIsRefused(client, code: .resourceExhausted, saying: "--frame-memory")
      #expect(try await waitUntil { server.frameMemoryReserved == 0 })
    }
  }

  /// Plays the sample 160 pixels wide and asks for its full size: the refusal answers that
  /// command with `code` and a message holding `text`, and the stream goes on 160 pixels wide.
  private func fullSizeResizeIsRefused(
    _ client: ClientConfiguration, code: RPCError.Code, saying text: String
  ) async throws {
    var small = WatchRequest(id: "sample")
    small.maxWidth = 160
    small.realTime = true
    try await withPlay(client, small) { controller, log in
      _ = try await log.waitForFrames(answering: 0, count: 1)
      let resize = controller.send(.resize(maxWidth: 0, maxHeight: 0))
      _ = try await waitUntil { !log.refusals.isEmpty }
      #expect(log.refusals.first?.command == resize)
      #expect(log.refusals.first?.code == code)
      #expect(log.refusals.first?.message.contains(text) == true)
      let later = log.frames.count
      _ = try await waitUntil { log.frames.count >= later + 2 }
      #expect(log.frames.allSatisfy { $0.frame.header.width == 160 })
    }
  }
}
