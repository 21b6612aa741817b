/// Why a client's shared-memory ring was refused, or ended its stream.
public enum SharedMemoryError: Error, Equatable, CustomStringConvertible {
  /// The server was started without --allow-shared-memory.
  case notAllowed
  /// The client did not come over the server's Unix socket.
  case notOverUnixSocket
  /// The request or the object fails a check that is the client's to fix.
  case invalid(String)
  /// The object is not the connecting process's to hand over, or may not be opened.
  case denied(String)
  /// The ring stayed full, the client handing no slot back, for the stall timeout.
  case stalled(Duration)

  public var description: String {
    switch self {
    case .notAllowed:
      return "shared memory is off on this server (it allows it when started with --allow-shared-memory)"
    case .notOverUnixSocket:
      return "shared memory works only over the server's Unix socket (--unix), and this client is not on it"
    case .invalid(let why), .denied(let why):
      return why
    case .stalled(let limit):
      return "the client took no frame for \(limit): its shared-memory ring stayed full"
    }
  }
}
