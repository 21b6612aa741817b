import GRPCCore

/// Every way a client command can fail, each with one line for a person to read.
public enum ClientError: Error, Equatable, CustomStringConvertible {
  /// The server could not be reached.
  case unavailable(server: String, reason: String)
  /// The TLS handshake failed: an untrusted or misnamed certificate, or a client certificate missing.
  case tls(server: String, reason: String)
  /// The server answered with an error status.
  case server(code: RPCError.Code, message: String)
  /// A frame's header does not describe its bytes.
  case badFrame(String)
  /// The stream ended without a single frame.
  case noFrames(String)
  /// The stream broke off after frames and could not be resumed (or ran out of retries).
  case streamBroke(id: String, afterFrame: Int, reason: String)
  /// Something on this side failed (writing a file, say); the text says what.
  case local(String)

  public var description: String {
    switch self {
    case .unavailable(let server, let reason): return "cannot reach \(server): \(reason)"
    case .tls(let server, let reason): return "TLS with the server at \(server) failed: \(reason)"
    case .server(let code, let message):
      switch code {
      case .notFound, .outOfRange: return message.isEmpty ? code.plainWords : message
      case .invalidArgument: return "rejected by the server: \(message)"
      case .failedPrecondition: return "the server cannot play this match: \(message)"
      case .deadlineExceeded: return "deadline exceeded: \(message)"
      case .unauthenticated: return "the server refused the credentials: \(message)"
      case .permissionDenied: return "the server does not allow it: \(message)"
      case .resourceExhausted: return "over the server's limits: \(message)"
      case .alreadyExists, .aborted: return message.isEmpty ? code.plainWords : message
      // The server's words say what is damaged: a match's file, or an upload's bytes.
      case .dataLoss: return message.isEmpty ? code.plainWords : message
      default: return message.isEmpty ? code.plainWords : "\(code.plainWords): \(message)"
      }
    case .badFrame(let why): return "bad frame from the server: \(why)"
    case .noFrames(let id): return "the server sent no frames for \"\(id)\""
    case .streamBroke(let id, let frame, let reason):
      return "the stream of \"\(id)\" broke off after frame \(frame): \(reason)"
    case .local(let why): return why
    }
  }

  /// The gRPC status code behind the error, if the server sent one.
  public var code: RPCError.Code? {
    switch self {
    case .unavailable, .tls: return .unavailable
    case .server(let code, _): return code
    default: return nil
    }
  }

  /// Whether the server said it takes no shared memory (off, or not over this connection).
  var refusesSharedMemory: Bool {
    if case .server(.failedPrecondition, let message) = self { return message.hasPrefix("shared memory") }
    return false
  }

  /// What went wrong, without the words about what to do.
  var reason: String {
    switch self {
    case .unavailable(_, let reason), .tls(_, let reason): return reason
    case .server(let code, let message): return message.isEmpty ? code.plainWords : "\(code.plainWords): \(message)"
    default: return description
    }
  }

  /// A failure of the stream, not of what it asked for: the server died or drained, the
  /// connection was lost, or a proxy reset the stream (Envoy says INTERNAL when the server it
  /// was reading from went away). Worth re-issuing the stream, elsewhere if need be.
  var breaksStream: Bool {
    switch self {
    case .unavailable: return true
    case .server(let code, _): return code == .unavailable || code == .internalError || code == .unknown
    default: return false
    }
  }

  static func from(_ error: any Error, server: ServerTarget) -> ClientError {
    if let error = error as? ClientError { return error }
    if let error = error as? RPCError {
      if error.code == .unavailable {
        if let reason = tlsFailure(in: error) { return .tls(server: server.description, reason: reason) }
        if let reason = connectionFailure(in: error) { return .unavailable(server: server.description, reason: reason) }
        // The transport's own words for a stream whose server died or drained; a server's
        // UNAVAILABLE (an origin it cannot reach, say) keeps its message.
        let lowered = error.message.lowercased()
        let transport = ["unexpectedly closed", "stream was reset", "connection reset", "goaway", "rst_stream"]
        let reason =
          transport.contains(where: lowered.contains) || error.message.isEmpty
          ? "the server went away or is shutting down" : error.message
        return .unavailable(server: server.description, reason: reason)
      }
      return .server(code: error.code, message: error.message)
    }
    if let error = error as? RuntimeError {
      return .unavailable(server: server.description, reason: connectionFailure(in: error) ?? error.message)
    }
    return .local("\(error)")
  }
}

extension RPCError.Code {
  /// The status in a person's words, for a server that sent no message with it.
  var plainWords: String {
    switch self {
    case .cancelled: return "the stream was cancelled"
    case .unknown: return "the server failed and did not say why"
    case .invalidArgument: return "the server rejected the request"
    case .deadlineExceeded: return "the deadline passed"
    case .notFound: return "no such match"
    case .alreadyExists: return "it exists already"
    case .permissionDenied: return "the server does not allow it"
    case .resourceExhausted: return "over the server's limits"
    case .failedPrecondition: return "the server cannot do it now"
    case .aborted: return "the server gave up on it"
    case .outOfRange: return "past the end of the match"
    case .unimplemented: return "the server does not offer this (it may be an older or another server)"
    case .internalError: return "the server or a proxy in between failed"
    case .unavailable: return "the server is unavailable"
    case .dataLoss: return "the match's file is damaged"
    case .unauthenticated: return "the server refused the credentials"
    default: return "the server failed"
    }
  }
}

/// What kept a connection from being made, in plain words, from the error and its causes; nil
/// when nothing in them says.
func connectionFailure(in error: any Error) -> String? {
  var texts: [String] = []
  var cause: (any Error)? = error
  while let current = cause {
    texts.append(String(describing: current))
    cause = (current as? RPCError)?.cause ?? (current as? RuntimeError)?.cause
  }
  let all = texts.joined(separator: " ").lowercased()
  if all.contains("connection refused") || all.contains("econnrefused") || all.contains("errno: 111") {
    return "connection refused (is the server running, on this port?)"
  }
  if all.contains("resolve") || all.contains("name or service not known") || all.contains("nodename nor servname") {
    return "no such host"
  }
  if all.contains("no such file") || all.contains("enoent") { return "no socket at that path (is the server running?)" }
  if all.contains("permission denied") || all.contains("eacces") { return "permission denied on the socket" }
  if all.contains("timed out") || all.contains("timeout") { return "the connection timed out" }
  if all.contains("connection preface") || all.contains("badclientmagic") || all.contains("http/1") {
    return "what answered there does not speak gRPC (an HTTP/1 server, or one that needs --tls)"
  }
  if all.contains("could not establish a connection") || all.contains("transient failure") {
    return "no connection could be made"
  }
  return nil
}

/// The TLS reason behind an UNAVAILABLE error, if a handshake failure caused it.
private func tlsFailure(in error: RPCError) -> String? {
  var texts = [error.message]
  var cause = error.cause
  while let current = cause {
    texts.append(String(describing: current))
    cause = (current as? RPCError)?.cause ?? (current as? RuntimeError)?.cause
  }
  let all = texts.joined(separator: " ")
  guard all.contains("SSL") || all.contains("TLS") || all.contains("handshake") || all.contains("certificate") else {
    return nil
  }
  if all.contains("CERTIFICATE_VERIFY_FAILED") || all.contains("certificate verify failed") {
    return "the server's certificate is not trusted (give its CA with --ca)"
  }
  if all.contains("CERTIFICATE_REQUIRED") || all.contains("certificate required") || all.contains("PEER_DID_NOT_RETURN")
  {
    return "the server requires a client certificate (give --cert and --key)"
  }
  if all.contains("WRONG_VERSION_NUMBER") {
    return "the server does not speak TLS"
  }
  return texts.dropFirst().first ?? error.message
}
