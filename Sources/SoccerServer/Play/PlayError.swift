import GRPCCore

/// Why a Play stream ended early, from its commands.
enum PlayError: Error, Equatable, CustomStringConvertible {
  /// The first message was not `start`, or the stream closed before one.
  case noStart
  /// A command the server cannot carry out whatever the position: INVALID_ARGUMENT.
  case invalidCommand(String)
  /// The stream stayed paused for the whole pause timeout.
  case pausedTooLong(Duration)
  /// No first message came within the stall timeout.
  case startTimedOut(Duration)

  var description: String {
    switch self {
    case .noStart: return "the first PlayControl must be a start naming the match"
    case .invalidCommand(let why): return why
    case .pausedTooLong(let limit): return "the stream was paused for \(limit), the longest a pause may last"
    case .startTimedOut(let limit): return "the client sent no start for \(limit)"
    }
  }

  /// Why the stream ended, for its log line.
  var cause: String? {
    switch self {
    case .pausedTooLong: return "paused"
    case .startTimedOut: return "stalled"
    default: return nil
    }
  }
}

extension PlayError: RPCErrorConvertible {
  var rpcErrorCode: RPCError.Code {
    switch self {
    case .noStart, .invalidCommand: return .invalidArgument
    case .pausedTooLong, .startTimedOut: return .cancelled
    }
  }
  var rpcErrorMessage: String { description }
}
