import Foundation
import SoccerClient

/// How long a seek takes, from the command to the first frame of the new position: over one
/// `Play` stream (a seek command, one decoder kept open) and over `Watch` reopened at the frame
/// (a new stream and decoder each time), the two alternating seek by seek.
public struct SeekReport: Codable, Sendable, Equatable {
  public var id: String
  public var server: String
  public var seeks: Int
  /// Milliseconds from the command to the frame, median and 90th percentile.
  public var playP50Ms: Double
  public var playP90Ms: Double
  public var watchP50Ms: Double
  public var watchP90Ms: Double
  /// Play's median over Watch's: under 0.5 means a Play seek takes less than half as long.
  public var p50Ratio: Double

  enum CodingKeys: String, CodingKey {
    case id, server, seeks
    case playP50Ms = "play_p50_ms"
    case playP90Ms = "play_p90_ms"
    case watchP50Ms = "watch_p50_ms"
    case watchP90Ms = "watch_p90_ms"
    case p50Ratio = "p50_ratio"
  }

  /// The figures of `play` and `watch` seek times, in seconds.
  init(id: String, server: String, play: [Double], watch: [Double]) {
    self.id = id
    self.server = server
    seeks = play.count
    playP50Ms = Self.percentile(play, 50) * 1000
    playP90Ms = Self.percentile(play, 90) * 1000
    watchP50Ms = Self.percentile(watch, 50) * 1000
    watchP90Ms = Self.percentile(watch, 90) * 1000
    p50Ratio = watchP50Ms > 0 ? playP50Ms / watchP50Ms : 0
  }

  /// The nearest-rank percentile of `values`.
  static func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count - 1, max(0, rank - 1))]
  }

  public func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  public func table() -> String {
    """
    \(seeks) seeks in \(id) on \(server), command to first frame of the new position:
    Play (one stream, seek command)    p50 \(String(format: "%.1f", playP50Ms)) ms  p90 \(String(format: "%.1f", playP90Ms)) ms
    Watch reopened at the frame        p50 \(String(format: "%.1f", watchP50Ms)) ms  p90 \(String(format: "%.1f", watchP90Ms)) ms
    Play p50 / Watch p50               \(String(format: "%.3f", p50Ratio))
    """
  }
}

extension Bench {
  /// Seeks to `seeks` random frames of `request`'s match (the same frames, seeded by `seed`,
  /// for both ways), checking each lands on its frame; returns the report.
  public static func seeks(
    _ configuration: ClientConfiguration, request: WatchRequest, seeks: Int, seed: UInt64 = 1
  ) async throws(ClientError) -> SeekReport {
    try await SoccerClient.with(configuration, about: request.id) { client in
      let info = try await client.describe(request.id)
      guard info.frameCount > 1 else { throw ClientError.local("\(request.id) has too few frames to seek in") }
      var generator = SeekGenerator(seed: seed)
      let targets = (0..<seeks).map { _ in Int(generator.next() % UInt64(info.frameCount)) }
      let (play, watch) = try await client.play(request) { controller, events in
        var iterator = events.makeAsyncIterator()
        controller.send(.pause)
        // Untimed: the frames sent before the pause took are read and dropped here.
        _ = try await seek(controller, &iterator, to: targets[0])
        var play: [Double] = []
        var watch: [Double] = []
        for (n, target) in targets.enumerated() {
          // Alternating which goes first, so neither always meets a warmer cache.
          if n % 2 == 0 { play.append(try await seek(controller, &iterator, to: target)) }
          watch.append(try await reopen(client, request, at: target))
          if n % 2 == 1 { play.append(try await seek(controller, &iterator, to: target)) }
        }
        return (play, watch)
      }
      return SeekReport(id: request.id, server: configuration.server.description, play: play, watch: watch)
    }
  }

  /// Seconds from a Play seek command to the frame it asked for.
  private static func seek(
    _ controller: PlayController, _ events: inout PlayEvents.AsyncIterator, to target: Int
  ) async throws -> Double {
    let started = ContinuousClock.now
    let command = controller.send(.seekTo(frame: target))
    while let event = try await events.next() {
      switch event {
      case .frame(let frame, let answering) where answering >= command:
        guard frame.index == target else {
          throw ClientError.local("a seek to frame \(target) gave frame \(frame.index)")
        }
        return started.duration(to: .now).seconds
      case .refused(let answering, _, let message) where answering >= command:
        throw ClientError.local("the seek to frame \(target) was refused: \(message)")
      default:
        continue
      }
    }
    throw ClientError.local("the Play stream ended during a seek")
  }

  /// Seconds from asking for a new Watch stream at frame `target` to its first frame.
  private static func reopen(_ client: SoccerClient, _ request: WatchRequest, at target: Int) async throws -> Double {
    var watch = request
    watch.startFrame = target
    watch.maxFrames = 1
    let started = ContinuousClock.now
    let frame = try await client.watch(watch) { frames in try await frames.first { _ in true } }
    guard let frame, frame.index == target else {
      throw ClientError.local("Watch at frame \(target) gave frame \(frame?.index ?? -1)")
    }
    return started.duration(to: .now).seconds
  }
}

/// SplitMix64: the same targets for the same seed on every machine.
struct SeekGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
