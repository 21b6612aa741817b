import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SoccerClient
import SoccerProtocol
import SoccerServer
import Synchronization
import Testing

@Suite struct LimitTests {
  @Test func streamsPastTheLimitAreResourceExhausted() async throws {
    try await withServer(configure: { $0.maxStreams = 1 }) { _, client in
      try await whileAStreamIsHeld(client) {
        let error = await clientError { _ = try await frames(WatchRequest(id: "sample"), client) }
        #expect(error?.code == .resourceExhausted)
        #expect(error?.description.contains("limit of 1") == true)
      }
    }
  }

  @Test func inFlightStreamsFinishWithinTheGracePeriod() async throws {
    let (received, endedBy) = try await withServer(configure: { $0.grace = .seconds(30) }) { server, client in
      var request = WatchRequest(id: "sample")
      request.realTime = true
      request.maxFrames = 20
      request.maxWidth = 64
      return try await SoccerClient.with(client) { c in
        try await framesUntilEnd(request, c) { n in if n == 2 { server.beginGracefulShutdown() } }
      }
    }
    // Shutdown began after two frames; the stream still got all twenty.
    #expect(received.count == 20)
    #expect(endedBy == nil)
  }

  @Test func streamsPastTheGracePeriodAreEnded() async throws {
    let (received, elapsed) = try await withServer(configure: { $0.grace = .milliseconds(300) }) { server, client in
      let started = ContinuousClock.now
      var request = WatchRequest(id: "sample")
      request.realTime = true
      request.maxWidth = 64
      let received = try await SoccerClient.with(client) { c in
        try await framesUntilEnd(request, c) { n in if n == 2 { server.beginGracefulShutdown() } }
      }
      let elapsed = started.duration(to: .now)
      // The stream ended by the grace period freed its decoder too (however long that takes to see).
      let freed = try await decodersFreed(server)
      #expect(freed)
      return (received, elapsed)
    }
    // The sample plays for 4 s in real time (100 frames); 300 ms after the second frame it was cut short.
    #expect(received.frames.count < 50)
    #expect(received.endedBy != nil)
    // The stream's end came before the 4 s the whole sample lasts, busy machine or not.
    #expect(elapsed < .seconds(4))
  }
}
