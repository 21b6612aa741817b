import ArgumentParser
import SoccerClient
import VideoFrames

extension Soccer {
  struct Info: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a match's size, frame rate, length and codec (the Describe RPC).")

    @Argument(help: "Match id.")
    var id: String

    @OptionGroup var client: ClientOptions

    func run() async throws {
      let configuration = try client.configuration()
      do {
        let info = try await SoccerClient.with(configuration, about: id) { try await $0.describe(id) }
        print("id:        \(id)")
        print("size:      \(info.width)x\(info.height)")
        print("rate:      \(info.frameRate.shortText) frames/s")
        print("duration:  \(info.durationSeconds.shortText) s")
        print("frames:    \(info.frameCount)\(info.frameCountExact ? "" : " (estimated)")")
        print("codec:     \(info.codec) (\(info.sourcePixelFormat))")
        if !info.damage.isEmpty { print("damaged:   \(info.damage)") }
      } catch {
        throw fail("info", error)
      }
    }
  }
}
