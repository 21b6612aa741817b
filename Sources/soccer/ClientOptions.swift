import ArgumentParser
import Foundation
import SoccerClient

/// Options every client command shares.
struct ClientOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Server to connect to.", valueName: "host:port"))
  var server: String = "127.0.0.1:50051"

  func configuration() throws -> ClientConfiguration {
    guard let address = ServerAddress(server) else {
      throw ValidationError("--server wants HOST:PORT (for example 127.0.0.1:50051), not \"\(server)\"")
    }
    return ClientConfiguration(server: address)
  }
}

/// Prints one line about a failure on standard error and exits with status 1.
func fail(_ command: String, _ message: String) -> ExitCode {
  FileHandle.standardError.write(Data("soccer \(command): \(message)\n".utf8))
  return ExitCode(1)
}

/// Whether standard error is a terminal, where progress lines belong.
var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

func formatBytes(_ bytes: Int) -> String {
  let mb = Double(bytes) / 1_000_000
  return mb >= 1000 ? String(format: "%.2f GB", mb / 1000) : String(format: "%.1f MB", mb)
}
