import ArgumentParser
import Foundation
import GRPCCore
import SoccerClient

/// Exit statuses of every command; `soccer --help` and the README list them.
enum ExitStatus {
  static let local: Int32 = 1
  static let unreachable: Int32 = 2
  static let unauthenticated: Int32 = 3
  static let refused: Int32 = 4
  static let deadline: Int32 = 5
  static let busy: Int32 = 6
  static let broken: Int32 = 7

  static let help = """
    Exit status: 0 success; 1 a failure on this side (files, bad input); 2 the server cannot be \
    reached (down, or TLS failed); 3 the server refused the credentials or the permission; 4 the \
    server refused the request (no such match, bad id or option, unplayable file, an upload's id \
    taken or being uploaded); 5 deadline exceeded; 6 over the server's limits (its stream limit, \
    an upload too large for its limit or its disk); 7 the stream broke off, or an upload arrived \
    damaged; 64 bad command-line usage.
    """

  static func of(_ error: ClientError) -> Int32 {
    switch error {
    case .local: return local
    case .unavailable, .tls: return unreachable
    case .badFrame, .noFrames, .streamBroke: return broken
    case .server(let code, _):
      switch code {
      case .unauthenticated, .permissionDenied: return unauthenticated
      case .notFound, .invalidArgument, .outOfRange, .failedPrecondition, .alreadyExists, .aborted: return refused
      case .deadlineExceeded: return deadline
      case .resourceExhausted: return busy
      default: return broken
      }
    }
  }
}

extension ExitCode {
  /// Prints "soccer: message" on standard error and gives the exit code to throw.
  static func failure(message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("soccer: \(message)\n".utf8))
    return ExitCode(code)
  }
}

/// Prints one line about a failure on standard error and gives the exit status for it.
func fail(_ command: String, _ error: any Error) -> ExitCode {
  let message = "\(error)"
  FileHandle.standardError.write(Data("soccer \(command): \(message)\n".utf8))
  if let error = error as? ClientError { return ExitCode(ExitStatus.of(error)) }
  return ExitCode(ExitStatus.local)
}

/// Prints one line about a failure on this side on standard error and gives exit status 1.
func fail(_ command: String, _ message: String) -> ExitCode {
  FileHandle.standardError.write(Data("soccer \(command): \(message)\n".utf8))
  return ExitCode(ExitStatus.local)
}
