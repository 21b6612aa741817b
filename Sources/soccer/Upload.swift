import ArgumentParser
import Foundation
import SoccerClient
import Synchronization
import VideoFrames

extension Soccer {
  struct Upload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add a match to a server from a local video file (the Upload RPC).",
      discussion: """
        The file is checked here first (it exists, can be read, has bytes), its SHA-256 is \
        computed, and it is streamed to the server in 1 MiB chunks. The server publishes it as \
        <id>.mp4 only once it has every byte, the checksum matches, the file is on disk and its \
        first and last frames decode; until then, and after any failure, the match does not exist. The \
        answer is one line: the new match's size, rate and length, or why it was refused.

        The server must run with --allow-upload; if it has an upload token (--upload-token-file), \
        give that one here with --token-file or SOCCER_TOKEN.
        """
    )

    @Argument(help: "The video file to upload.", completion: .file())
    var file: String

    @Option(help: ArgumentHelp("Match id (default: the file's name without .mp4).", valueName: "id"))
    var id: String?

    @Flag(help: "Replace a match that has this id already (streams playing it keep the old file until they end).")
    var replace = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
      let configuration = try client.configuration()
      let source: UploadSource
      do {
        source = try UploadSource(path: file)
      } catch {
        throw fail("upload", error)
      }
      let id = self.id ?? source.defaultID
      let hashing = ProgressMeter("hashing \(file)", total: source.size, rate: false)
      let sending = ProgressMeter("uploading \(id)", total: source.size, rate: true)
      do {
        let started = ContinuousClock.now
        let digest = try await source.sha256 { hashing.show($0) }
        hashing.clear()
        let hashed = started.duration(to: .now).seconds
        let info = try await SoccerClient.with(configuration, about: id) { client in
          try await client.upload(source, id: id, digest: digest, replace: replace) { sending.show($0) }
        }
        sending.clear()
        let seconds = started.duration(to: .now).seconds
        print(
          "uploaded \(id): \(formatBytes(source.size)) in \(String(format: "%.2f", seconds)) s"
            + " (\(String(format: "%.1f", Double(source.size) / 1e6 / max(seconds, 1e-9))) MB/s,"
            + " \(String(format: "%.2f", hashed)) s of it hashing);"
            + " \(info.width)x\(info.height) \(info.codec), \(info.frameRate.shortText) frames/s,"
            + " \(info.frameCount)\(info.frameCountExact ? "" : " (estimated)") frames,"
            + " \(info.durationSeconds.shortText) s")
      } catch {
        hashing.clear()
        sending.clear()
        throw fail("upload", error)
      }
    }
  }
}

/// A progress line on standard error, redrawn at most ten times a second: bytes, and with
/// `rate` the rate and the time left.
final class ProgressMeter: Sendable {
  private let label: String
  private let total: Int
  private let rate: Bool
  private let enabled = standardErrorIsTerminal
  private let started = ContinuousClock.now
  private let shown = Mutex<ContinuousClock.Instant?>(nil)

  init(_ label: String, total: Int, rate: Bool) {
    self.label = label
    self.total = total
    self.rate = rate
  }

  /// Shows `done` of the total bytes.
  func show(_ done: Int) {
    guard enabled else { return }
    let now = ContinuousClock.now
    let due = shown.withLock { shown in
      if let last = shown, last.duration(to: now) < .milliseconds(100), done < total { return false }
      shown = now
      return true
    }
    guard due else { return }
    var line = "\(label): \(formatBytes(done)) of \(formatBytes(total))"
    let seconds = started.duration(to: now).seconds
    if rate, seconds > 0.2, done > 0 {
      let perSecond = Double(done) / seconds
      line += String(format: ", %.1f MB/s, %.0f s left", perSecond / 1e6, Double(total - done) / perSecond)
    }
    FileHandle.standardError.write(Data("\r\(line)\u{1B}[K".utf8))
  }

  /// Clears the line, if one was drawn.
  func clear() {
    guard enabled, shown.withLock({ $0 != nil }) else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }
}
