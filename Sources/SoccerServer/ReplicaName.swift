import GRPCCore
import Logging
import Synchronization

/// The name a server answers to among replicas: sent to clients as `soccer-replica` initial
/// metadata and added to every log line as `replica=NAME`.
///
/// Empty until known: `SoccerServer` names an unnamed replica after its host and listening port.
public final class ReplicaName: Sendable {
  private let name: Mutex<String>

  /// A replica called `name`; "" lets the server name it once it listens.
  public init(_ name: String = "") {
    self.name = Mutex(name)
  }

  /// The name, "" until it is known.
  public var value: String { name.withLock { $0 } }

  /// Names the replica, unless it already has a name.
  func nameIfUnnamed(_ fallback: String) {
    name.withLock { if $0.isEmpty { $0 = fallback } }
  }

  /// Adds `replica=NAME` to every line of a logger made with it.
  public var metadataProvider: Logger.MetadataProvider {
    Logger.MetadataProvider { [self] in
      let value = self.value
      return value.isEmpty ? [:] : ["replica": "\(value)"]
    }
  }
}

/// Puts `soccer-replica: NAME` in the initial metadata of every response, errors included, so a
/// client behind a load balancer can tell which replica served it.
struct ReplicaInterceptor: ServerInterceptor {
  let replica: ReplicaName

  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    var response = try await next(request, context)
    response.metadata.replaceOrAddString(replica.value, forKey: "soccer-replica")
    return response
  }
}
