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
  /// The ring's memory cannot be had: no room for its pages on its filesystem, or no place left
  /// in the server's fault guard.
  case noRoom(String)
  /// A page of the mapped ring was lost under the server (the client shrank the object, or punched
  /// a hole in it on a full filesystem): the stream ends, the server and other streams go on.
  case broken(name: String)

  public var description: String {
    switch self {
    case .notAllowed:
      return "shared memory is off on this server (it allows it when started with --allow-shared-memory)"
    case .notOverUnixSocket:
      return "shared memory works only over the server's Unix socket (--unix), and this client is not on it"
    case .invalid(let why), .denied(let why), .noRoom(let why):
      return why
    case .broken(let name):
      return "the shared-memory ring \(name) lost pages while frames were written into it (it was shrunk, or a "
        + "hole was punched in it on a full filesystem): its stream ends; a ring must keep its size and pages "
        + "until its stream is over"
    case .stalled(let limit):
      return "the client took no frame for \(limit): its shared-memory ring stayed full"
    }
  }
}
