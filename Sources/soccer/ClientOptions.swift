import ArgumentParser
import Foundation
import GRPCCore
import SoccerClient

/// Options every client command shares.
struct ClientOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Server to connect to; several (a,b,c) or dns:///NAME:PORT spread calls round robin over those that are up; unix:PATH is a server's Unix socket on this machine.",
      valueName: "host:port"))
  var server = ServerTarget(ServerAddress(host: "127.0.0.1", port: 50051))

  @Flag(
    help: ArgumentHelp(
      "With several servers, send every call about a match to the same one (the first that answers in the order "
        + "the match's id gives them, as the Python package's by_match does), so its streams share a decode and "
        + "its frames are cached there; when that server goes, only its matches move."))
  var routeByMatch = false

  @Flag(help: "Connect with TLS.")
  var tls = false

  @Option(
    help: ArgumentHelp("PEM CA certificates to trust (with --tls); default: the system's.", valueName: "file"),
    completion: .file())
  var ca: String?

  @Option(
    help: ArgumentHelp("PEM client certificate, for servers that require one (with --tls).", valueName: "file"),
    completion: .file())
  var cert: String?

  @Option(help: ArgumentHelp("PEM private key of --cert.", valueName: "file"), completion: .file())
  var key: String?

  @Option(help: ArgumentHelp("Name the server's certificate must carry, if not the host.", valueName: "name"))
  var authority: String?

  @Option(
    help: ArgumentHelp(
      "File holding the bearer token (default: the SOCCER_TOKEN environment variable).", valueName: "file"),
    completion: .file())
  var tokenFile: String?

  @Option(parsing: .unconditional, help: ArgumentHelp("Give up after this many seconds.", valueName: "seconds"))
  var deadline: Double?

  func validate() throws {
    guard tls || (ca == nil && cert == nil && key == nil && authority == nil) else {
      throw ValidationError("--ca, --cert, --key and --authority go with --tls")
    }
    guard (cert == nil) == (key == nil) else { throw ValidationError("--cert and --key go together") }
    guard !routeByMatch || server.isBalanced else {
      throw ValidationError("--route-by-match takes several servers (a,b,c) or dns:///NAME:PORT")
    }
    if let deadline {
      guard deadline > 0, deadline.isFinite else { throw ValidationError("--deadline must be over 0") }
    }
  }

  func configuration() throws -> ClientConfiguration {
    var configuration = ClientConfiguration(server: server)
    if tls { configuration.tls = ClientTLS(ca: ca, certificate: cert, key: key, authority: authority) }
    for path in [ca, cert, key].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: path) {
      throw ExitCode.failure(message: "cannot read \(path)", code: ExitStatus.local)
    }
    configuration.token = try readToken(file: tokenFile)
    configuration.deadline = deadline.map { .milliseconds(Int64($0 * 1000)) }
    configuration.routesByMatch = routeByMatch
    return configuration
  }
}

/// Whether a command that takes frames may take them through shared memory.
struct SharedMemoryOption: ParsableArguments {
  @Flag(
    help: ArgumentHelp(
      "Take frames through the socket even from a unix: server that allows shared memory (by default they come "
        + "through a shared-memory ring there, with no copy through the socket)."))
  var noSharedMemory = false

  /// `configuration` with this choice.
  func apply(to configuration: ClientConfiguration) -> ClientConfiguration {
    var configuration = configuration
    configuration.sharedMemory = !noSharedMemory
    return configuration
  }
}

/// The token from `file`, else from SOCCER_TOKEN; nil when neither is set.
func readToken(file: String?, environment variable: String = "SOCCER_TOKEN") throws -> String? {
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
  guard let token = ProcessInfo.processInfo.environment[variable], !token.isEmpty else { return nil }
  return token
}

/// How streaming commands survive a server lost mid-stream.
struct ResumeOptions: ParsableArguments {
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Re-issue a stream that breaks (server gone, connection lost) from the frame after the last one received, up to this many times.",
      valueName: "n"))
  var retries: Int = 3

  func validate() throws {
    guard (0...100).contains(retries) else { throw ValidationError("--retries must be 0 to 100") }
  }

  /// Resumption that reports each break as one line on standard error.
  func resumption(_ command: String) -> Resumption {
    Resumption(retries: retries) { broke in
      // On a terminal the line replaces the progress line rather than running into it.
      let clear = standardErrorIsTerminal ? "\r\u{1B}[K" : ""
      FileHandle.standardError.write(Data("\(clear)soccer \(command): \(broke)\n".utf8))
    }
  }
}
