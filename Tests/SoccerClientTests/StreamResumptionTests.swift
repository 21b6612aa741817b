import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SoccerProtocol
import Synchronization
import Testing

@testable import SoccerClient

/// A server of tiny numbered frames whose first streams break off after a few frames, the way
/// a stream breaks when its server dies.
private struct BreakingService: Stream_Soccer.SimpleServiceProtocol {
  let frameCount: Int
  /// Frames each stream sends before it breaks, stream by stream; later streams run to the end.
  let breakAfter: [Int]
  let breakWith: RPCError.Code
  /// Like the Python demo: start_frame, stride and max_frames unknown, every frame_index 0.
  var likePythonDemo = false
  let calls = Calls()

  final class Calls: Sendable {
    let requests = Mutex<[Stream_Match]>([])
  }

  func watch(request: Stream_Match, response: RPCWriter<Stream_Video>, context: ServerContext) async throws {
    let call = calls.requests.withLock {
      $0.append(request)
      return $0.count - 1
    }
    let first = likePythonDemo ? 0 : Int(request.startFrame)
    guard first < frameCount else { throw RPCError(code: .outOfRange, message: "start_frame past the end") }
    let stride = likePythonDemo ? 1 : Int(max(1, request.stride))
    let limit = likePythonDemo || request.maxFrames == 0 ? Int.max : Int(request.maxFrames)
    var sent = 0
    let range = Array(Swift.stride(from: first, to: frameCount, by: stride))
    let chosen = likePythonDemo || request.frameIndices.isEmpty ? range : request.frameIndices.map { Int($0) }
    for index in chosen where sent < limit {
      if call < breakAfter.count && sent == breakAfter[call] {
        throw RPCError(code: breakWith, message: "the server went away")
      }
      try await response.write(
        Stream_Video.with {
          $0.data = Data([UInt8(index % 256), 0, 0])
          $0.dataType = "uint8"
          $0.dataShape = "(1, 1, 3)"
          $0.frameIndex = likePythonDemo ? 0 : UInt64(index)
        })
      sent += 1
    }
    if call < breakAfter.count && sent == breakAfter[call] {
      throw RPCError(code: breakWith, message: "the server went away")
    }
  }

  func describe(request: Stream_Match, context: ServerContext) async throws -> Stream_MatchInfo {
    throw RPCError(code: .unimplemented, message: "")
  }

  func list(request: Stream_ListRequest, context: ServerContext) async throws -> Stream_MatchList {
    throw RPCError(code: .unimplemented, message: "")
  }

  func play(
    request: RPCAsyncSequence<Stream_PlayControl, any Error>, response: RPCWriter<Stream_Video>,
    context: ServerContext
  ) async throws {
    throw RPCError(code: .unimplemented, message: "")
  }

  func upload(
    request: RPCAsyncSequence<Stream_UploadChunk, any Error>, context: ServerContext
  ) async throws -> Stream_MatchInfo {
    throw RPCError(code: .unimplemented, message: "")
  }
}

/// Runs `body` with a client of a loopback server running `service`.
private func withBreakingServer<T: Sendable>(
  _ service: BreakingService, _ body: @Sendable (SoccerClient) async throws -> T
) async throws -> T {
  let server = GRPCServer(
    transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext),
    services: [service])
  return try await withThrowingTaskGroup(of: T?.self) { group in
    group.addTask {
      try await server.serve()
      return nil
    }
    guard let address = try await server.listeningAddress?.ipv4 else {
      throw RPCError(code: .internalError, message: "")
    }
    let configuration = ClientConfiguration(server: ServerTarget(ServerAddress(host: address.host, port: address.port)))
    let result = try await SoccerClient.with(configuration) { client in try await body(client) }
    server.beginGracefulShutdown()
    return result
  }
}

/// Every frame index `request` brought through a resuming watch, and the breaks it reported.
private func resumedIndices(
  _ client: SoccerClient, _ request: WatchRequest, retries: Int
) async throws(ClientError) -> (indices: [Int], breaks: [StreamBreak]) {
  let breaks = Mutex<[StreamBreak]>([])
  let resumption = Resumption(retries: retries) { broke in breaks.withLock { $0.append(broke) } }
  let indices = try await client.watch(request, resuming: resumption, state: [Int]()) { indices, frames in
    for try await frame in frames { indices.append(frame.index) }
  }
  return (indices, breaks.withLock { $0 })
}

@Suite struct StreamResumptionTests {
  @Test(arguments: [RPCError.Code.unavailable, .internalError])
  func aBrokenStreamGoesOnFromTheFrameAfterTheLastOne(code: RPCError.Code) async throws {
    let service = BreakingService(frameCount: 30, breakAfter: [7, 5], breakWith: code)
    let (indices, breaks) = try await withBreakingServer(service) { client in
      try await resumedIndices(client, WatchRequest(id: "m"), retries: 3)
    }
    #expect(indices == Array(0..<30))
    #expect(breaks.map(\.lastFrame) == [6, 11])
    #expect(breaks.map(\.resumeFrame) == [7, 12])
    #expect(service.calls.requests.withLock { $0.map(\.startFrame) } == [0, 7, 12])
    #expect(breaks.first?.description.contains("broke after frame 6") == true)
    #expect(breaks.first?.description.contains("resuming at frame 7, retry 1 of 3") == true)
  }

  @Test func aStreamRefusedBeforeItsFirstFrameIsTriedAgainQuietly() async throws {
    let service = BreakingService(frameCount: 12, breakAfter: [0, 0], breakWith: .unavailable)
    let (indices, breaks) = try await withBreakingServer(service) { client in
      try await resumedIndices(client, WatchRequest(id: "m"), retries: 3)
    }
    #expect(indices == Array(0..<12))
    #expect(breaks.isEmpty)
    #expect(service.calls.requests.withLock { $0.map(\.startFrame) } == [0, 0, 0])
  }

  @Test func strideAndFrameLimitCarryOverToTheResumedStream() async throws {
    let service = BreakingService(frameCount: 40, breakAfter: [3], breakWith: .unavailable)
    var request = WatchRequest(id: "m")
    request.stride = 3
    request.maxFrames = 8
    let (indices, _) = try await withBreakingServer(service) { [request] client in
      try await resumedIndices(client, request, retries: 3)
    }
    #expect(indices == [0, 3, 6, 9, 12, 15, 18, 21])
    let resumed = try #require(service.calls.requests.withLock { $0.last })
    #expect(resumed.startFrame == 9 && resumed.maxFrames == 5 && resumed.stride == 3)
  }

  @Test func aServerThatIgnoresStartFrameHasItsRepeatsDropped() async throws {
    var service = BreakingService(frameCount: 20, breakAfter: [6], breakWith: .unavailable)
    service.likePythonDemo = true
    let (indices, _) = try await withBreakingServer(service) { client in
      try await resumedIndices(client, WatchRequest(id: "m"), retries: 1)
    }
    #expect(indices == Array(0..<20))
  }

  @Test func aBreakAfterTheLastFrameEndsTheStreamWell() async throws {
    // The stream breaks where it would have ended: the re-issued one starts past the end.
    let service = BreakingService(frameCount: 10, breakAfter: [10], breakWith: .unavailable)
    let (indices, breaks) = try await withBreakingServer(service) { client in
      try await resumedIndices(client, WatchRequest(id: "m"), retries: 3)
    }
    #expect(indices == Array(0..<10))
    #expect(breaks.count == 1)
  }

  @Test func runningOutOfRetriesSaysWhereTheStreamBrokeOff() async throws {
    let service = BreakingService(frameCount: 30, breakAfter: [4, 4, 4], breakWith: .unavailable)
    let error = await #expect(throws: ClientError.self) {
      try await withBreakingServer(service) { client in
        try await resumedIndices(client, WatchRequest(id: "m"), retries: 2)
      }
    }
    guard case .streamBroke(let id, let frame, _)? = error else {
      Issue.record("expected streamBroke, got \(String(describing: error))")
      return
    }
    #expect(id == "m" && frame == 11)
  }

  @Test func aResumedStreamThatFailsAtOnceIsNotASecondBreak() async throws {
    // Broken after frame 4; the next stream is refused before a frame; the third goes on.
    let service = BreakingService(frameCount: 12, breakAfter: [5, 0], breakWith: .unavailable)
    let (indices, breaks) = try await withBreakingServer(service) { client in
      try await resumedIndices(client, WatchRequest(id: "m"), retries: 3)
    }
    #expect(indices == Array(0..<12))
    #expect(breaks.map(\.lastFrame) == [4])
    #expect(service.calls.requests.withLock { $0.map(\.startFrame) } == [0, 5, 5])
  }

  @Test(arguments: [RPCError.Code.dataLoss, .notFound, .invalidArgument])
  func aFailureOfTheMatchItselfIsNotRetried(code: RPCError.Code) async throws {
    let service = BreakingService(frameCount: 30, breakAfter: [4], breakWith: code)
    let error = await #expect(throws: ClientError.self) {
      try await withBreakingServer(service) { client in
        try await resumedIndices(client, WatchRequest(id: "m"), retries: 3)
      }
    }
    #expect(error?.code == code)
    #expect(service.calls.requests.withLock { $0.count } == 1)
  }

  @Test func noRetriesMeansTheFirstBreakEndsIt() async throws {
    let service = BreakingService(frameCount: 30, breakAfter: [4], breakWith: .unavailable)
    await #expect(throws: ClientError.self) {
      try await withBreakingServer(service) { client in
        try await resumedIndices(client, WatchRequest(id: "m"), retries: 0)
      }
    }
    #expect(service.calls.requests.withLock { $0.count } == 1)
  }

  @Test func chosenFramesGoOnWithTheOnesNotYetReceived() async throws {
    let service = BreakingService(frameCount: 30, breakAfter: [2, 1], breakWith: .unavailable)
    var request = WatchRequest(id: "m")
    request.frameIndices = [5, 2, 2, 9, 0, 7]
    let (indices, breaks) = try await withBreakingServer(service) { [request] client in
      try await resumedIndices(client, request, retries: 3)
    }
    #expect(indices == [5, 2, 2, 9, 0, 7])
    #expect(
      service.calls.requests.withLock { $0.map(\.frameIndices) } == [[5, 2, 2, 9, 0, 7], [2, 9, 0, 7], [9, 0, 7]])
    #expect(breaks.map(\.lastFrame) == [2, 2])
    #expect(breaks.map(\.resumeFrame) == [2, 9])
  }

  @Test func aServerThatIgnoresChosenFramesIsAnErrorNotMislabelledFrames() async throws {
    var service = BreakingService(frameCount: 20, breakAfter: [], breakWith: .unavailable)
    service.likePythonDemo = true
    var request = WatchRequest(id: "m")
    request.frameIndices = [0, 10]
    let error = await #expect(throws: ClientError.self) {
      try await withBreakingServer(service) { [request] client in
        try await resumedIndices(client, request, retries: 1)
      }
    }
    guard case .badFrame(let why)? = error else {
      Issue.record("expected badFrame, got \(String(describing: error))")
      return
    }
    #expect(why.contains("where frame 10 was asked for"))
  }
}
