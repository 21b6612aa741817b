import Foundation
import SoccerClient
import TestSupport
import Testing

/// The server's own `Video` serializer, end to end: a client cannot tell its frames from
/// SwiftProtobuf's, over Watch and Play alike.
@Suite struct FrameSerializationTests {
  @Test func framesReadTheSameWhicheverSerializerWroteThem() async throws {
    let request = {
      var request = WatchRequest(id: "sample")
      request.format = .gray8
      return request
    }()
    let direct = try await withServer(configure: { $0.serializesFramesDirectly = true }) { _, client in
      try await frames(request, client)
    }
    let generated = try await withServer(configure: { $0.serializesFramesDirectly = false }) { _, client in
      try await frames(request, client)
    }
    #expect(direct.count == 100)
    #expect(direct.map(\.pixels) == generated.map(\.pixels))
    #expect(direct.map(\.index) == generated.map(\.index))
    #expect(direct.map(\.header) == generated.map(\.header))
    try await withServer(configure: { $0.serializesFramesDirectly = true }) { _, client in
      let log = try await withPlay(client, WatchRequest(id: "sample")) { controller, log in
        _ = try await log.waitForFrames(answering: 0, count: 1)
        let seek = controller.send(.seekTo(frame: 42))
        _ = try await log.waitForFrames(answering: seek, count: 1)
        return log
      }
      #expect(log.frames.contains { $0.frame.index == 42 && $0.command >= 1 })
    }
  }
}
