import GRPCCore

/// Every way a client command can fail, each with one line for a person to read.
public enum ClientError: Error, Equatable, CustomStringConvertible {
  /// The server could not be reached.
  case unavailable(server: String, reason: String)
  /// The server answered with an error status.
  case server(code: RPCError.Code, message: String)
  /// A frame's header does not describe its bytes.
  case badFrame(String)
  /// The stream ended without a single frame.
  case noFrames(String)
  /// Something on this side failed (writing a file, say); the text says what.
  case local(String)

  public var description: String {
    switch self {
    case .unavailable(let server, let reason): return "cannot reach the server at \(server): \(reason)"
    case .server(let code, let message):
      switch code {
      case .notFound: return message.isEmpty ? "not found" : message
      case .invalidArgument: return "rejected by the server: \(message)"
      case .failedPrecondition: return "the server cannot play this match: \(message)"
      case .deadlineExceeded: return "deadline exceeded: \(message)"
      default: return "server error (\(code)): \(message)"
      }
    case .badFrame(let why): return "bad frame from the server: \(why)"
    case .noFrames(let id): return "the server sent no frames for \"\(id)\""
    case .local(let why): return why
    }
  }

  /// The gRPC status code behind the error, if the server sent one.
  public var code: RPCError.Code? {
    switch self {
    case .unavailable: return .unavailable
    case .server(let code, _): return code
    default: return nil
    }
  }

  static func from(_ error: any Error, server: ServerAddress) -> ClientError {
    if let error = error as? ClientError { return error }
    if let error = error as? RPCError {
      if error.code == .unavailable { return .unavailable(server: server.description, reason: error.message) }
      return .server(code: error.code, message: error.message)
    }
    if let error = error as? RuntimeError {
      return .unavailable(server: server.description, reason: error.message)
    }
    return .local("\(error)")
  }
}
