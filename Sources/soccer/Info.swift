import ArgumentParser
import SoccerClient
import VideoFrames

struct Info: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show a match's size, frame rate, length and codec (the Describe RPC).")

  @Argument(help: "Match id.")
  var id: String

  @OptionGroup var client: ClientOptions

  func run() async throws {
    let configuration = try client.configuration()
    do {
      let info = try await SoccerClient.with(configuration) { try await $0.describe(id) }
      print("id:        \(id)")
      print("size:      \(info.width)x\(info.height)")
      print("rate:      \(trimmed(info.frameRate)) frames/s")
      print("duration:  \(trimmed(info.durationSeconds)) s")
      print("frames:    \(info.frameCount)\(info.frameCountExact ? "" : " (estimated)")")
      print("codec:     \(info.codec) (\(info.sourcePixelFormat))")
    } catch {
      throw fail("info", error)
    }
  }

  private func trimmed(_ value: Double) -> String {
    let rounded = (value * 1000).rounded() / 1000
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
  }
}
