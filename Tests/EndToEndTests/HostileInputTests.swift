import Foundation
import GRPCCore
import SoccerClient
import TestSupport
import Testing

/// Ids and files crafted to escape the media root or break the decoder, each answered with its
/// status from the README's error table while a normal stream on another connection plays on.
@Suite struct HostileInputTests {
  static let hostileIDs: [String] = [
    "../etc/passwd", "..%2Fetc%2Fpasswd", "..\\etc\\passwd", "/etc/passwd", "sample/../sample", ".", "..", "...",
    "./sample", "sample\0", "sa\0mple", "a\nb", "\r", "sample ", " sample", "ｓａｍｐｌｅ", "sаmple",
    "samp\u{200B}le", "%2e%2e", "%2e%2e%2fetc", String(repeating: "a", count: 129),
    String(repeating: "a", count: 10_000), "", "a/b", "~root", "$HOME", "sample;rm", "`id`", "sample|x", "*",
    "sample?", "\u{202E}elpmas", "..%00", "C:\\x", ".hidden", "sample\t", "sample\u{7F}", "\u{FEFF}sample",
  ]

  static let hostileFiles: [(id: String, code: RPCError.Code)] = [
    ("escape", .notFound), ("dangling", .notFound), ("loop", .notFound), ("folder", .failedPrecondition),
    ("fifo", .failedPrecondition), ("zero", .failedPrecondition), ("random", .failedPrecondition),
    ("text", .failedPrecondition), ("audio", .failedPrecondition), ("truncated", .failedPrecondition),
    ("cut", .dataLoss), ("sample.mp4", .notFound),
  ]

  @Test func everyHostileRequestGetsItsStatusWhileAStreamPlaysOn() async throws {
    let media = try Self.hostileLibrary()
    try await withServer(media: media) { server, client in
      try await withThrowingTaskGroup(of: Int.self) { group in
        // A normal stream, in real time so it spans the whole attack, on its own connection.
        group.addTask {
          var request = WatchRequest(id: "sample")
          request.realTime = true
          request.maxWidth = 64
          return try await frames(request, client).count
        }
        for id in Self.hostileIDs {
          let error = await clientError { _ = try await frames(WatchRequest(id: id), client) }
          #expect(error?.code == .invalidArgument, "\(id.debugDescription.prefix(40))")
        }
        for (id, code) in Self.hostileFiles {
          let error = await clientError { _ = try await frames(WatchRequest(id: id), client) }
          #expect(error?.code == code, "\(id): \(String(describing: error))")
        }
        // Damaged packets in the middle are skipped: the stream still succeeds with most frames.
        let damaged = try await frames(WatchRequest(id: "corrupt"), client)
        #expect(damaged.count > 80)
        let normal = try await group.next()
        #expect(normal == 100)
      }
      #expect(Self.hostileIDs.count + Self.hostileFiles.count + 1 >= 40)
      let freed = try await decodersFreed(server)
      #expect(freed)
    }
  }

  /// The shared test library plus files that only make sense here.
  static func hostileLibrary() throws -> String {
    let folder = try makeTemporaryFolder("soccer-hostile")
    let fm = FileManager.default
    for name in try fm.contentsOfDirectory(atPath: TestLibrary.folder) {
      let source = "\(TestLibrary.folder)/\(name)"
      let target = "\(folder)/\(name)"
      if let link = try? fm.destinationOfSymbolicLink(atPath: source) {
        // Keep links pointing where they pointed: "escape" leaves the root, "alias" stays in it.
        let inside = link.hasPrefix(TestLibrary.folder)
        let destination = inside ? "\(folder)/\(URL(fileURLWithPath: link).lastPathComponent)" : link
        try fm.createSymbolicLink(atPath: target, withDestinationPath: destination)
      } else {
        try fm.copyItem(atPath: source, toPath: target)
      }
    }
    try fm.createSymbolicLink(atPath: "\(folder)/dangling.mp4", withDestinationPath: "\(folder)/nothing-here.mp4")
    try fm.createSymbolicLink(atPath: "\(folder)/loop.mp4", withDestinationPath: "\(folder)/loop.mp4")
    guard mkfifo("\(folder)/fifo.mp4", 0o644) == 0 else { throw TestSupportError("mkfifo failed") }
    var sample = try Data(contentsOf: URL(fileURLWithPath: Repository.sample))
    var seed: UInt64 = 7
    for i in (sample.count / 2)..<(sample.count / 2 + 20_000) {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      sample[i] = UInt8(truncatingIfNeeded: seed >> 33)
    }
    try sample.write(to: URL(fileURLWithPath: "\(folder)/corrupt.mp4"))
    return folder
  }
}
