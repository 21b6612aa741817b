import GRPCCore
import SoccerProtocol
import Synchronization

/// Whether the server takes new streams: SERVING while up, NOT_SERVING once shutdown begins.
public final class HealthStatus: Sendable {
  private struct State {
    var serving = true
    var watchers: [Int: AsyncStream<Bool>.Continuation] = [:]
    var nextWatcher = 0
  }

  private let state = Mutex(State())

  public init() {}

  /// True until shutdown begins.
  public var isServing: Bool { state.withLock { $0.serving } }

  /// Reports NOT_SERVING to every watcher and ends their streams, so they do not hold up shutdown.
  public func beginShutdown() {
    let watchers = state.withLock { s -> [AsyncStream<Bool>.Continuation] in
      s.serving = false
      defer { s.watchers.removeAll() }
      return Array(s.watchers.values)
    }
    for watcher in watchers {
      watcher.yield(false)
      watcher.finish()
    }
  }

  /// The status now, then each change; ends at shutdown.
  func updates() -> AsyncStream<Bool> {
    let (stream, continuation) = AsyncStream<Bool>.makeStream()
    let id = state.withLock { s -> Int? in
      continuation.yield(s.serving)
      guard s.serving else { return nil }
      s.nextWatcher += 1
      s.watchers[s.nextWatcher] = continuation
      return s.nextWatcher
    }
    if let id {
      continuation.onTermination = { [weak self] _ in
        _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
      }
    } else {
      continuation.finish()
    }
    return stream
  }
}

/// The standard `grpc.health.v1.Health` service, for "" (the whole server) and "stream.Soccer".
struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
  static let knownServices: Set<String> = ["", "stream.Soccer"]

  let status: HealthStatus

  func check(
    request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext
  ) async throws -> Grpc_Health_V1_HealthCheckResponse {
    guard Self.knownServices.contains(request.service) else {
      throw RPCError(code: .notFound, message: "unknown service \"\(request.service.prefix(100))\"")
    }
    return .with { $0.status = status.isServing ? .serving : .notServing }
  }

  func watch(
    request: Grpc_Health_V1_HealthCheckRequest,
    response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
    context: ServerContext
  ) async throws {
    guard Self.knownServices.contains(request.service) else {
      // The standard keeps the call open for a service that may appear; this server's never do.
      try await response.write(.with { $0.status = .serviceUnknown })
      while !Task.isCancelled && status.isServing { try await Task.sleep(for: .seconds(1)) }
      return
    }
    for await serving in status.updates() {
      try await response.write(.with { $0.status = serving ? .serving : .notServing })
    }
  }
}
