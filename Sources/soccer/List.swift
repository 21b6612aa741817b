import ArgumentParser
import SoccerClient

extension Soccer {
  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the match ids a server can stream, one a line.")

    @OptionGroup var client: ClientOptions

    func run() async throws {
      let configuration = try client.configuration()
      do {
        for id in try await SoccerClient.with(configuration, { try await $0.list() }) { print(id) }
      } catch {
        throw fail("list", error)
      }
    }
  }
}
