import ArgumentParser
import Foundation

@main
struct Soccer: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "soccer",
    abstract: "Stream recorded matches as raw video frames over gRPC.",
    discussion: """
      Version \(Soccer.version). A server (`soccer serve`) decodes <media>/<id>.mp4 with FFmpeg and streams every frame \
      as raw pixels over gRPC (service stream.Soccer), wire-compatible with the Python/OpenCV \
      demo. The other commands are clients of such a server.

      \(ExitStatus.help)
      """,
    version: Soccer.version,
    subcommands: [Serve.self, Watch.self, Dump.self, Info.self, List.self, Bench.self, Upload.self]
  )

  /// This build's version, as `soccer --version` prints it; the Python package's matches it.
  static let version = "0.1.0"

  /// Without a command: the commands, and the exit status for bad usage.
  func run() throws {
    FileHandle.standardError.write(Data((Self.helpMessage() + "\n").utf8))
    throw ExitCode(64)
  }

  static func main() async {
    MemoryTuning.forLargeFrames()
    do {
      var command = try parseAsRoot()
      if var command = command as? any AsyncParsableCommand {
        try await command.run()
      } else {
        try command.run()
      }
    } catch {
      exit(withError: error)
    }
  }
}
