import Foundation
import FrameCodecs
import SoccerClient
import Synchronization
import VideoDecoding
import VideoFrames

/// Measures how fast frames arrive: from a server over gRPC, or decoded in this process.
public enum Bench {
  /// Receives `requests` on `streams` concurrent connections as fast as the server sends;
  /// stream n asks for `requests[n % requests.count]`.
  public static func remote(
    _ configuration: ClientConfiguration, requests: [WatchRequest], streams: Int,
    resumption: Resumption = Resumption(retries: 0),
    progress: @escaping @Sendable (_ frames: Int) -> Void = { _ in }
  ) async throws(ClientError) -> BenchRun {
    let counter = SharedCounter()
    let throughSharedMemory = SharedCounter()
    let cpuBefore = processCPUSeconds()
    let started = ContinuousClock.now
    let measurements: [StreamMeasurement]
    do {
      measurements = try await withThrowingTaskGroup(of: StreamMeasurement.self) { group in
        for n in 0..<max(1, streams) {
          let request = requests[n % requests.count]
          group.addTask {
            try await SoccerClient.with(configuration, about: request.id) { client in
              // The connection is timed on its own, so first_frame_ms is the stream's latency alone.
              let connecting = ContinuousClock.now
              try await client.connect()
              let connectSeconds = connecting.duration(to: .now).seconds
              var clock = try await client.watch(request, resuming: resumption, state: StreamClock()) {
                clock, frames in
                var counted = false
                let decoder = FrameDecoder()
                for try await frame in frames {
                  // Counted once a frame came that way: a refused ring is retried through the socket.
                  if frames.sharedMemory && !counted {
                    counted = true
                    _ = throughSharedMemory.increment()
                  }
                  // An encoded frame counts once it is pixels, as a consumer needs them.
                  if frame.encoding != .raw { _ = try frame.frame(decoder: decoder) }
                  clock.frame(bytes: frame.pixels.count)
                  progress(counter.increment())
                }
                clock.serverDecoded(frames.framesDecodedByServer)
              }
              var measurement = clock.finish()
              measurement.connectSeconds = connectSeconds
              return measurement
            }
          }
        }
        var all: [StreamMeasurement] = []
        for try await measurement in group { all.append(measurement) }
        return all
      }
    } catch let error as ClientError {
      throw error
    } catch {
      throw .local("\(error)")
    }
    let first = measurements.map(\.started).min() ?? started
    let last = measurements.map(\.ended).max() ?? started
    var run = BenchRun(
      streams: measurements, seconds: first.duration(to: last).seconds,
      cpuSeconds: processCPUSeconds() - cpuBefore)
    run.sharedMemory = throughSharedMemory.count > 0
    return run
  }

  /// Decodes and converts `path` in this process, with no network: what the decoder alone can do.
  public static func local(
    path: String, options: DecodeOptions, progress: @escaping @Sendable (_ frames: Int) -> Void = { _ in }
  ) async throws -> BenchRun {
    let cpuBefore = processCPUSeconds()
    let started = ContinuousClock.now
    var clock = StreamClock()
    for try await frame in DecodeAhead(path: path, options: options) {
      clock.frame(bytes: frame.pixels.count)
      progress(clock.measurement.frames)
    }
    let measurement = clock.finish()
    guard measurement.frames > 0 else { throw ClientError.noFrames(path) }
    return BenchRun(
      streams: [measurement], seconds: started.duration(to: .now).seconds,
      cpuSeconds: processCPUSeconds() - cpuBefore)
  }
}

/// A count that concurrent streams add to.
private final class SharedCounter: Sendable {
  private let value = Atomic<Int>(0)
  func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
  var count: Int { value.load(ordering: .relaxed) }
}
