import Foundation
import GRPCCore
import SoccerClient
import TestSupport
import Testing

/// Every row of the error table that a request can reach, each followed by a healthy stream.
@Suite struct ErrorTests {
  static let cases: [(id: String, code: RPCError.Code)] = [
    ("../etc/passwd", .invalidArgument),
    ("", .invalidArgument),
    (String(repeating: "a", count: 10_000), .invalidArgument),
    ("a\nb", .invalidArgument),
    (".hidden", .invalidArgument),
    ("sample/../sample", .invalidArgument),
    ("missing", .notFound),
    ("escape", .notFound),
    ("zero", .failedPrecondition),
    ("random", .failedPrecondition),
    ("text", .failedPrecondition),
    ("audio", .failedPrecondition),
    ("truncated", .failedPrecondition),
    ("folder", .failedPrecondition),
  ]

  @Test func badInputGetsItsStatusAndTheServerKeepsServing() async throws {
    try await withServer { server, client in
      for (id, code) in Self.cases {
        let watchError = await clientError {
          _ = try await frames(WatchRequest(id: id), client)
        }
        #expect(watchError?.code == code, "\(id.prefix(20)): \(String(describing: watchError))")
        #expect(watchError?.description.contains("\n") == false)
        let describeError = await clientError { _ = try await SoccerClient.with(client) { try await $0.describe(id) } }
        #expect(describeError?.code == code, "describe \(id.prefix(20))")
        var healthy = WatchRequest(id: "sample")
        healthy.maxFrames = 1
        let healthyFrames = try await frames(healthy, client)
        #expect(healthyFrames.count == 1)
      }
      #expect(server.openDecoders == 0)
    }
  }

  @Test func aFileCutShortEndsInDataLossAfterItsFrames() async throws {
    try await withServer { server, client in
      let (seen, endedBy) = try await SoccerClient.with(client) { c in
        try await framesUntilEnd(WatchRequest(id: "cut"), c)
      }
      #expect(endedBy == .dataLoss)
      #expect(seen.count > 30 && seen.count < 100)
      #expect(seen.map(\.index) == Array(0..<seen.count))
    }
  }

  @Test func startPastTheEndIsOutOfRange() async throws {
    try await withServer { _, client in
      var request = WatchRequest(id: "sample")
      request.startSeconds = 60
      let error = await clientError { _ = try await frames(request, client) }
      #expect(error?.code == .outOfRange)
    }
  }

  @Test func badOptionsAreInvalidArguments() async throws {
    try await withServer { _, client in
      var negative = WatchRequest(id: "sample")
      negative.startSeconds = -1
      var notANumber = WatchRequest(id: "sample")
      notANumber.startSeconds = .nan
      var huge = WatchRequest(id: "sample")
      huge.maxWidth = 100_000
      for match in [negative, notANumber, huge] {
        let error = await clientError { _ = try await frames(match, client) }
        #expect(error?.code == .invalidArgument, "\(match)")
      }
    }
  }

  @Test func serverDownIsUnavailable() async throws {
    // A port that was free a moment ago: nothing listens there now.
    let port = try await withServer { _, client in client.server.addresses[0].port }
    let configuration = ClientConfiguration(server: ServerTarget(ServerAddress(host: "127.0.0.1", port: port)))
    let error = await clientError { _ = try await SoccerClient.with(configuration) { try await $0.list() } }
    #expect(error?.code == .unavailable)
    #expect(error?.description.contains("127.0.0.1:\(port)") == true)
  }
}

/// The `ClientError` that `body` fails with; nil (and a recorded issue) when it succeeds.
func clientError(_ body: () async throws -> Void) async -> ClientError? {
  do {
    try await body()
    Issue.record("expected a failure")
    return nil
  } catch {
    guard let error = error as? ClientError else {
      Issue.record("not a ClientError: \(error)")
      return nil
    }
    return error
  }
}
