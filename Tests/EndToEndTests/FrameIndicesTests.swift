import Foundation
import GRPCCore
import SoccerClient
import SoccerProtocol
import TestSupport
import Testing

/// Watch with `frame_indices`: exactly the frames asked for, in the order asked, and the
/// statuses for requests that cannot be served.
@Suite struct FrameIndicesTests {
  @Test func theFramesAskedForComeInTheOrderAsked() async throws {
    try await withServer { _, client in
      var request = WatchRequest(id: "sample")
      request.format = .gray8
      request.frameIndices = [99, 0, 50, 50, 49, 51, 7, 3]
      let got = try await frames(request, client)
      #expect(got.map(\.index) == request.frameIndices)
      // The counter drawn into each frame is its index: the pixels are that frame's.
      #expect(got.map { counter($0) } == request.frameIndices)
      #expect(got.map(\.ptsSeconds) == request.frameIndices.map { Double($0) / 25 })
    }
  }

  @Test func chosenFramesAreScaled() async throws {
    try await withServer { _, client in
      var request = WatchRequest(id: "sample")
      request.maxWidth = 320
      request.frameIndices = [60, 20]
      let got = try await frames(request, client)
      #expect(got.map(\.index) == [60, 20])
      #expect(got.allSatisfy { $0.header.width == 320 && $0.header.height == 180 })
      #expect(got.map { counter($0) } == [60, 20])
    }
  }

  @Test func anIndexPastTheEndIsOutOfRangeBeforeAnyFrame() async throws {
    try await withServer { _, client in
      let match = Stream_Match.with {
        $0.id = "sample"
        $0.frameIndices = [0, 5, 100]
      }
      let error = await #expect(throws: RPCError.self) { try await rawWatch(match, client) }
      #expect(error?.code == .outOfRange)
      #expect(error?.message.contains("frame index 100 is past the end of the video (100 frames") == true)
    }
  }

  @Test(arguments: [
    ("stride", Stream_Match.with { $0.stride = 2 }),
    ("max_frames", Stream_Match.with { $0.maxFrames = 2 }),
    ("start_frame", Stream_Match.with { $0.startFrame = 2 }),
    ("start_seconds", Stream_Match.with { $0.startSeconds = 1 }),
  ])
  func chosenFramesDoNotGoWithARange(name: String, range: Stream_Match) async throws {
    try await withServer { _, client in
      var match = range
      match.id = "sample"
      match.frameIndices = [1, 2]
      let error = await #expect(throws: RPCError.self) { try await rawWatch(match, client) }
      #expect(error?.code == .invalidArgument, "\(name)")
      #expect(error?.message.contains("frame_indices does not go with") == true, "\(name)")
    }
  }

  @Test func atMostTenThousandIndices() async throws {
    try await withServer { _, client in
      let match = Stream_Match.with {
        $0.id = "sample"
        $0.frameIndices = Array(repeating: 1, count: 10_001)
      }
      let error = await #expect(throws: RPCError.self) { try await rawWatch(match, client) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.contains("at most 10000") == true)
    }
  }
}
