import ArgumentParser
import SoccerClient

extension Soccer {
  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the match ids a server can stream, one a line.",
      discussion: """
        Each match is described (Describe) to see that it plays: one that cannot be played, or not \
        whole, is followed by a tab and why (`cut<TAB>damaged: the file is cut short: …`, \
        `junk<TAB>cannot be played: …`). --ids-only lists the ids without asking, for large libraries.
        """)

    @Flag(help: "Only the ids, without describing each match to see that it plays.")
    var idsOnly = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
      let configuration = try client.configuration()
      do {
        try await SoccerClient.with(configuration) { client in
          let ids = try await client.list()
          guard !idsOnly else { return ids.forEach { print($0) } }
          for (id, note) in try await Self.notes(for: ids, client: client) {
            print(note.map { "\(id)\t\($0)" } ?? id)
          }
        }
      } catch {
        throw fail("list", error)
      }
    }

    /// Each id with what keeps it from playing whole, if anything; eight described at a time.
    static func notes(for ids: [String], client: SoccerClient) async throws -> [(String, String?)] {
      var notes = [String?](repeating: nil, count: ids.count)
      try await withThrowingTaskGroup(of: (Int, String?).self) { group in
        var next = 0
        func add() {
          guard next < ids.count else { return }
          let (index, id) = (next, ids[next])
          next += 1
          group.addTask {
            do {
              let info = try await client.describe(id)
              return (index, info.damage.isEmpty ? nil : "damaged: \(info.damage)")
            } catch let error as ClientError {
              guard case .server(let code, let message) = error, code != .unavailable, code != .unauthenticated,
                code != .permissionDenied, code != .deadlineExceeded
              else { throw error }
              return (index, "cannot be played: \(message)")
            }
          }
        }
        for _ in 0..<8 { add() }
        while let (index, note) = try await group.next() {
          notes[index] = note
          add()
        }
      }
      return Array(zip(ids, notes))
    }
  }
}
