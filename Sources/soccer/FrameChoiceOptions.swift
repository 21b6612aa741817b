import ArgumentParser
import Foundation
import SoccerClient

/// Frames chosen by index instead of a range: `--frames-at` names them, `--sample` spreads them
/// evenly over the match. Shared by dump and bench.
struct FrameChoiceOptions: ParsableArguments {
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Only the frames at these indices (counting from 0), in this order: 0,150,7400. The server lands on each through the keyframes; more than 10000 go in consecutive requests.",
      valueName: "list"),
    transform: parseFrameIndices)
  var framesAt: [Int]?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "N frames spread evenly over the match, the first and the last included (the frame count comes from the server).",
      valueName: "n"))
  var sample: Int?

  /// Whether frames are chosen at all.
  var chosen: Bool { framesAt != nil || sample != nil }

  func validate() throws {
    guard framesAt == nil || sample == nil else { throw ValidationError("--frames-at and --sample do not go together") }
    if let sample, sample < 1 { throw ValidationError("--sample must be 1 or more") }
  }

  /// The indices to ask for of each of `ids`, asking the server for the frame counts `--sample`
  /// needs; says on standard error when a count is only the container's estimate.
  func indices(of ids: [String], configuration: ClientConfiguration) async throws -> [String: [Int]] {
    if let framesAt { return Dictionary(uniqueKeysWithValues: Set(ids).map { ($0, framesAt) }) }
    guard let sample else { return [:] }
    return try await SoccerClient.with(configuration) { client in
      var chosen: [String: [Int]] = [:]
      for id in Set(ids) {
        let info = try await client.describe(id)
        guard info.frameCount > 0 else { throw ClientError.local("the server gives no frame count for \"\(id)\"") }
        if !info.frameCountExact {
          FileHandle.standardError.write(
            Data("the server only estimates that \"\(id)\" has \(info.frameCount) frames; sampling over that\n".utf8))
        }
        guard sample <= info.frameCount else {
          throw ClientError.server(
            code: .outOfRange,
            message: "--sample \(sample) asks for more frames than \"\(id)\" has: ask for \(info.frameCount) or fewer")
        }
        chosen[id] = WatchRequest.spread(sample, over: info.frameCount)
      }
      return chosen
    }
  }
}

/// `--frames-at`'s list: indices separated by commas.
private func parseFrameIndices(_ text: String) throws -> [Int] {
  let parts = text.split(separator: ",", omittingEmptySubsequences: false)
  return try parts.map { part in
    guard let index = Int(part.trimmingCharacters(in: .whitespaces)), index >= 0 else {
      throw ValidationError("--frames-at takes frame indices, 0 or more, separated by commas: not \"\(part)\"")
    }
    return index
  }
}
