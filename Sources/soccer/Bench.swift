import ArgumentParser
import Foundation
import SoccerClient
import ThroughputBench
import VideoDecoding
import VideoFrames

extension Soccer {
  struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Measure how many frames per second a server delivers (or the decoder alone, with --local).",
      discussion: """
        Receives the match as fast as the server sends it, --repeat times, and reports for each run \
        and as the median: frames, bytes, wall seconds, frames/s, MB/s, time to the first frame, the \
        gaps between frames (p50, p90, p99, max) and the client's CPU seconds. With --streams N, N \
        connections stream at once: figures are for all of them together, plus each stream's rate.

        --json prints one JSON object instead of the table. Its top-level keys are the median run's: \
        frames, bytes, seconds, fps, mb_per_s, connect_ms, first_frame_ms, gap_p50_ms, gap_p90_ms, gap_p99_ms, \
        gap_max_ms, cpu_seconds, stream_fps (one rate per stream), and decoded and decoded_per_frame \
        (what the server says it decoded for the streams: fewer than the frames when they shared a \
        decode or came from its frame cache; absent when it does not say); then source, server, \
        streams, repeats, median (the same figures) and runs (each run's).

        --local FILE decodes and converts FILE in this process with no network, so the difference \
        shows what the network costs.

        Each stream first opens its connection and waits for one round trip with the server \
        (connect_ms); seconds, fps and first_frame_ms then run from the Watch request.

        Several ids share the streams out in turn: `soccer bench a b c d --streams 8` gives each \
        match two streams.

        A stream that breaks off is asked for again from the frame after the last one received \
        (--retries), with a line on standard error; its figures then include the pause.

        --sample N times N frames spread evenly over the match (--frames-at: chosen ones), \
        fetched in one Watch request that lands on each through the keyframes: seconds is the \
        wall time for all of them and fps how many came per second.

        --seeks N measures seeking instead: N random frames of the match (the same ones every \
        time), each reached over one Play stream (a seek command to a paused stream) and over a \
        Watch stream opened at that frame, alternating; it reports the p50 and p90 time from the \
        command to that frame for both and the ratio of their medians (--json: play_p50_ms, \
        play_p90_ms, watch_p50_ms, watch_p90_ms, p50_ratio).
        """
    )

    @Argument(help: "Match ids (not with --local); streams take them in turn.")
    var ids: [String] = []

    @Option(
      help: ArgumentHelp("Decode this file in-process instead of asking a server.", valueName: "file"),
      completion: .file())
    var local: String?

    @Option(
      parsing: .unconditional, help: ArgumentHelp("Concurrent streams, each on its own connection.", valueName: "n"))
    var streams: Int = 1

    @Option(
      parsing: .unconditional, help: ArgumentHelp("Runs; the report gives each and their median.", valueName: "k"))
    var `repeat`: Int = 1

    @Option(
      parsing: .unconditional, help: ArgumentHelp("Largest frame width (server-side downscale).", valueName: "pixels"))
    var width: Int = 0

    @Option(
      parsing: .unconditional, help: ArgumentHelp("Largest frame height (server-side downscale).", valueName: "pixels"))
    var height: Int = 0

    @Option(help: ArgumentHelp("Pixel format: bgr, rgb or gray.", valueName: "format"))
    var format: PixelFormat = .bgr24

    @Option(
      parsing: .unconditional,
      help: ArgumentHelp("Receive at most this many frames of each stream (0: all).", valueName: "n"))
    var frames: Int = 0

    @Option(
      help: ArgumentHelp(
        "How frames travel: raw, jpeg[:QUALITY] (1-100, default 90) or png, encoded by the server and decoded here; "
          + "MB and MB/s are then the encoded bytes.", valueName: "encoding"),
      transform: parseEncoding)
    var encoding: FrameEncoding = .raw

    @Option(
      parsing: .unconditional,
      help: ArgumentHelp("Measure N random seeks over Play and over reopened Watch streams.", valueName: "n"))
    var seeks: Int = 0

    @OptionGroup var choice: FrameChoiceOptions

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @OptionGroup var resuming: ResumeOptions

    @OptionGroup var sharedMemory: SharedMemoryOption

    @OptionGroup var client: ClientOptions

    func validate() throws {
      guard ids.isEmpty != (local == nil) else { throw ValidationError("give a match id, or --local FILE, not both") }
      guard (1...256).contains(streams) else { throw ValidationError("--streams must be 1 to 256") }
      guard (1...1000).contains(`repeat`) else { throw ValidationError("--repeat must be 1 to 1000") }
      guard width >= 0, height >= 0 else { throw ValidationError("--width and --height must be 0 or more") }
      guard frames >= 0 else { throw ValidationError("--frames must be 0 or more") }
      guard frames == 0 || (local == nil && seeks == 0 && !choice.chosen) else {
        throw ValidationError("--frames does not go with --local, --seeks, --sample or --frames-at")
      }
      guard local == nil || streams == 1 else { throw ValidationError("--streams does not apply to --local") }
      guard (0...10_000).contains(seeks) else { throw ValidationError("--seeks must be 1 to 10000") }
      guard seeks == 0 || (ids.count == 1 && streams == 1 && `repeat` == 1) else {
        throw ValidationError("--seeks takes one match id, without --local, --streams or --repeat")
      }
      guard encoding == .raw || (local == nil && seeks == 0) else {
        throw ValidationError("--encoding is for a server's frames: not with --local or --seeks")
      }
      guard !choice.chosen || (local == nil && seeks == 0) else {
        throw ValidationError("--sample and --frames-at do not go with --local or --seeks")
      }
    }

    func run() async throws {
      let configuration = sharedMemory.apply(to: try client.configuration())
      if seeks > 0 {
        var request = WatchRequest(id: ids[0])
        request.format = format == .bgr24 ? nil : format
        request.maxWidth = width
        request.maxHeight = height
        do {
          let report = try await ThroughputBench.Bench.seeks(configuration, request: request, seeks: seeks)
          print(json ? try report.json() : report.table())
        } catch {
          throw fail("bench", error)
        }
        return
      }
      let chosen: [String: [Int]]
      do {
        chosen = try await choice.indices(of: ids, configuration: configuration)
      } catch {
        throw fail("bench", error)
      }
      let showProgress = standardErrorIsTerminal
      var runs: [BenchFigures] = []
      for n in 1...`repeat` {
        let progress: @Sendable (Int) -> Void = { frames in
          if showProgress && frames % 25 == 0 {
            FileHandle.standardError.write(Data("\rrun \(n)/\(self.repeat): \(frames) frames\u{1B}[K".utf8))
          }
        }
        do {
          let run: BenchRun
          if let local {
            FFmpegLogging.quiet()
            let options = DecodeOptions(format: format, maxWidth: width, maxHeight: height)
            run = try await ThroughputBench.Bench.local(path: local, options: options, progress: progress)
          } else {
            let requests = ids.map { id in
              var request = WatchRequest(id: id)
              request.format = format == .bgr24 ? nil : format
              request.maxWidth = width
              request.maxHeight = height
              request.frameIndices = chosen[id] ?? []
              request.encoding = encoding
              request.maxFrames = frames
              return request
            }
            run = try await ThroughputBench.Bench.remote(
              configuration, requests: requests, streams: streams, resumption: resuming.resumption("bench"),
              progress: progress)
          }
          runs.append(BenchFigures(run))
        } catch {
          if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
          throw fail("bench", error)
        }
      }
      if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
      guard
        let report = BenchReport(
          source: local ?? ids.joined(separator: ","),
          server: local == nil ? configuration.server.description : "local",
          streams: streams, runs: runs)
      else { return }
      print(json ? try report.json() : report.table())
    }
  }
}
