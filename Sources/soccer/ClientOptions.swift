import ArgumentParser
import Foundation
import GRPCCore
import SoccerClient

/// Options every client command shares.
struct ClientOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Server to connect to.", valueName: "host:port"))
  var server: String = "127.0.0.1:50051"

  @Flag(help: "Connect with TLS.")
  var tls = false

  @Option(help: ArgumentHelp("PEM CA certificates to trust (with --tls); default: the system's.", valueName: "file"))
  var ca: String?

  @Option(help: ArgumentHelp("PEM client certificate, for servers that require one (with --tls).", valueName: "file"))
  var cert: String?

  @Option(help: ArgumentHelp("PEM private key of --cert.", valueName: "file"))
  var key: String?

  @Option(help: ArgumentHelp("Name the server's certificate must carry, if not the host.", valueName: "name"))
  var authority: String?

  @Option(
    help: ArgumentHelp(
      "File holding the bearer token (default: the SOCCER_TOKEN environment variable).", valueName: "file"))
  var tokenFile: String?

  @Option(help: ArgumentHelp("Give up after this many seconds.", valueName: "seconds"))
  var deadline: Double?

  func validate() throws {
    guard tls || (ca == nil && cert == nil && key == nil && authority == nil) else {
      throw ValidationError("--ca, --cert, --key and --authority go with --tls")
    }
    guard (cert == nil) == (key == nil) else { throw ValidationError("--cert and --key go together") }
    if let deadline {
      guard deadline > 0, deadline.isFinite else { throw ValidationError("--deadline must be over 0") }
    }
  }

  func configuration() throws -> ClientConfiguration {
    guard let address = ServerAddress(server) else {
      throw ValidationError("--server wants HOST:PORT (for example 127.0.0.1:50051), not \"\(server)\"")
    }
    var configuration = ClientConfiguration(server: address)
    if tls { configuration.tls = ClientTLS(ca: ca, certificate: cert, key: key, authority: authority) }
    for path in [ca, cert, key].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: path) {
      throw ExitCode.failure(message: "cannot read \(path)", code: ExitStatus.local)
    }
    configuration.token = try readToken(file: tokenFile)
    configuration.deadline = deadline.map { .milliseconds(Int64($0 * 1000)) }
    return configuration
  }
}

/// The token from `file`, else from SOCCER_TOKEN; nil when neither is set.
func readToken(file: String?) throws -> String? {
  if let file {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw ExitCode.failure(message: "cannot read the token file \(file)", code: ExitStatus.local)
    }
    let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard !token.isEmpty else {
      throw ExitCode.failure(message: "the token file \(file) is empty", code: ExitStatus.local)
    }
    return token
  }
  guard let token = ProcessInfo.processInfo.environment["SOCCER_TOKEN"], !token.isEmpty else { return nil }
  return token
}

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
    reached (down, or TLS failed); 3 the server refused the credentials; 4 the server refused \
    the request (no such match, bad id or option, unplayable file); 5 deadline exceeded; 6 the \
    server is busy (at its stream limit); 7 the stream broke off; 64 bad command-line usage.
    """

  static func of(_ error: ClientError) -> Int32 {
    switch error {
    case .local: return local
    case .unavailable, .tls: return unreachable
    case .badFrame, .noFrames: return broken
    case .server(let code, _):
      switch code {
      case .unauthenticated, .permissionDenied: return unauthenticated
      case .notFound, .invalidArgument, .outOfRange, .failedPrecondition: return refused
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

/// Whether standard error is a terminal, where progress lines belong.
var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

func formatBytes(_ bytes: Int) -> String {
  let mb = Double(bytes) / 1_000_000
  return mb >= 1000 ? String(format: "%.2f GB", mb / 1000) : String(format: "%.1f MB", mb)
}
