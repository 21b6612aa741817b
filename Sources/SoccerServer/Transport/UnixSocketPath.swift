import Foundation

/// Where and how a server listens on a Unix domain socket.
public struct UnixSocketConfiguration: Sendable {
  /// The socket file's path.
  public var path: String
  /// Permission bits of the socket file: who may connect.
  public var mode: mode_t

  public init(path: String, mode: mode_t = 0o660) {
    self.path = path
    self.mode = mode
  }
}

/// Why a server cannot listen at a Unix socket path.
public enum UnixSocketError: Error, Equatable, CustomStringConvertible {
  /// Something other than a socket is there; the server never removes it.
  case notASocket(String)
  /// A server is answering on the socket already.
  case inUse(String)
  /// Longer than a socket address holds (107 bytes on Linux).
  case tooLong(String)
  /// The socket could not be checked, given its mode or removed; the text says why.
  case failed(String)

  public var description: String {
    switch self {
    case .notASocket(let path): return "\(path) exists and is not a socket"
    case .inUse(let path): return "a server is already listening on \(path)"
    case .tooLong(let path): return "the socket path \(path) is too long (at most 107 bytes)"
    case .failed(let why): return why
    }
  }
}

/// The socket file of a listening Unix socket: checked before binding, given its mode once
/// bound, and removed when the server stops.
enum UnixSocketPath {
  /// Makes `path` ready to bind: nothing there, or a socket nobody answers on (left by a
  /// server that was killed), which is removed. Anything else is refused.
  static func prepare(_ path: String) throws(UnixSocketError) {
    guard path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else { throw .tooLong(path) }
    var status = stat()
    guard lstat(path, &status) == 0 else {
      if errno == ENOENT { return }
      throw .failed("cannot check \(path): \(String(cString: strerror(errno)))")
    }
    guard status.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path) }
    if answers(path) { throw .inUse(path) }
    guard unlink(path) == 0 || errno == ENOENT else {
      throw .failed("cannot remove the stale socket \(path): \(String(cString: strerror(errno)))")
    }
  }

  /// Whether a server accepts connections on the socket at `path`.
  static func answers(_ path: String) -> Bool {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      for (i, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[i] = byte }
    }
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
      }
    }
  }

  /// Gives the bound socket its mode and returns its identity, so that only this socket is
  /// removed at the end.
  static func adopt(_ socket: UnixSocketConfiguration) throws(UnixSocketError) -> (dev_t, ino_t) {
    guard chmod(socket.path, socket.mode) == 0 else {
      throw .failed("cannot set the mode of \(socket.path): \(String(cString: strerror(errno)))")
    }
    var status = stat()
    guard stat(socket.path, &status) == 0 else {
      throw .failed("cannot check \(socket.path): \(String(cString: strerror(errno)))")
    }
    return (status.st_dev, status.st_ino)
  }

  /// Removes the socket file if it is still the one this server bound.
  static func remove(_ path: String, identity: (dev_t, ino_t)) {
    var status = stat()
    guard lstat(path, &status) == 0, status.st_dev == identity.0, status.st_ino == identity.1 else { return }
    unlink(path)
  }
}
