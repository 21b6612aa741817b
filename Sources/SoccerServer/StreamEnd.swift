import GRPCCore

/// How a stream ended: the error its client is sent and the status its log line shows.
struct StreamEnd {
  /// What the client is sent, when it can still be reached.
  let rpcError: RPCError
  /// The gRPC name of the status: `CANCELLED`, `DEADLINE_EXCEEDED`, `NOT_FOUND`, …
  let status: String
  /// Why a stream the client did not finish reading ended: `cancel` (the client cancelled it),
  /// `disconnect` (its connection closed), `stalled` (it took no frame for the stall timeout);
  /// nil otherwise.
  let cause: String?

  /// Classifies `error`, which ended a stream; `cancelled` says the transport or the deadline
  /// cancelled the call, `stalledByTransport` that the transport reset it for stalling,
  /// `waitingSince` when the frame still unsent started waiting for the client (for transports
  /// that do not say), `disconnected` that the client's connection has closed.
  init(
    error: any Error, cancelled: Bool, deadline: ContinuousClock.Instant?, stalledByTransport: Bool = false,
    waitingSince: ContinuousClock.Instant?, stallTimeout: Duration, disconnected: Bool = false,
    now: ContinuousClock.Instant = .now
  ) {
    let cancellation = cancelled || error is CancellationError || (error as? RPCError)?.code == .cancelled
    let waitedTooLong = waitingSince.map { $0.duration(to: now) >= stallTimeout } ?? false
    // A client that cancels at its own deadline started its clock before the server did, so
    // its cancel can arrive a little before the deadline the server computed from
    // `grpc-timeout`: a cancel that close to the deadline is the deadline.
    if cancellation, let deadline, now >= deadline - Self.deadlineSlack {
      rpcError = RPCError(code: .deadlineExceeded, message: "the deadline passed")
      cause = nil
    } else if cancellation && stalledByTransport || waitedTooLong {
      rpcError = RPCError(code: .cancelled, message: "the client took no frame for \(stallTimeout)")
      cause = "stalled"
    } else if cancellation {
      rpcError = RPCError(code: .cancelled, message: "the stream was cancelled")
      cause = disconnected ? "disconnect" : "cancel"
    } else {
      rpcError = StatusMapping.rpcError(for: error)
      cause = (error as? any EndCause)?.cause
    }
    status = Self.name(of: rpcError.code)
  }

  /// How long before its deadline a cancel still counts as the deadline passing.
  static let deadlineSlack = Duration.milliseconds(50)

  /// The canonical name of a gRPC status code, as gRPC's documentation spells it.
  static func name(of code: RPCError.Code) -> String {
    let names = [
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
      "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ]
    return names.indices.contains(code.rawValue) ? names[code.rawValue] : "\(code.rawValue)"
  }
}

/// An error that says why a stream ended, for its log line's `cause`.
protocol EndCause {
  /// `stalled`, `paused`, …; nil when the status says it all.
  var cause: String? { get }
}

extension PlayError: EndCause {}

extension SharedMemoryError: EndCause {
  var cause: String? {
    if case .stalled = self { return "stalled" }
    return nil
  }
}
extension UploadError: EndCause {}
