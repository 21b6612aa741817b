import ArgumentParser
import Foundation
import FrameDump
import SoccerClient
import Synchronization
import VideoFrames

extension Soccer {
  struct Dump: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the frames of a match as PPM (or PGM), JPEG or PNG files.",
      discussion: """
        Files are named <id>_<frame number>.ppm, the number counting from 1 within the match \
        (so --every 5 writes _000001, _000006, ...). Gray frames are written as .pgm. With \
        --format jpeg[:QUALITY] or png the server encodes each frame and its bytes are written \
        as they came, as .jpg or .png (nothing is decoded here). Each file appears whole: it is \
        written under a temporary name and then renamed.

        A stream that breaks off (the server dies or drains, the connection is lost) is asked \
        for again from the frame after the last one written, --retries times, each time with a \
        line on standard error; the files are then every frame exactly once. --resume continues \
        a dump that was interrupted (killed, or out of retries) from the last complete file in \
        --out: run it with the same options as the first time.

        --frames-at and --sample write chosen frames instead of a range, still named by their \
        number in the match (index 0 is _000001); the server lands on each through the \
        match's keyframes, so the time follows how many frames are asked for, not how far \
        into the match they lie. With --resume, frames whose files are complete are not asked for again.
        """
    )

    @Argument(help: "Match id.")
    var id: String

    @Option(
      help: ArgumentHelp("Folder to write the frames into; created if missing.", valueName: "dir"),
      completion: .directory)
    var out: String

    @Option(parsing: .unconditional, help: ArgumentHelp("Keep every Nth frame.", valueName: "n"))
    var every: Int = 1

    @Option(
      parsing: .unconditional, help: ArgumentHelp("Start this many seconds into the match.", valueName: "seconds"))
    var start: Double = 0

    @Option(
      parsing: .unconditional,
      help: ArgumentHelp(
        "Start at this frame, by its number in the match counting from 0 (exact, also for variable frame rates).",
        valueName: "n"))
    var startFrame: Int = 0

    @Option(parsing: .unconditional, help: ArgumentHelp("Write at most this many frames (0: all).", valueName: "n"))
    var frames: Int = 0

    @Option(
      parsing: .unconditional,
      help: ArgumentHelp("Largest frame width; the server downscales keeping the aspect ratio.", valueName: "pixels"))
    var width: Int = 0

    @Option(
      parsing: .unconditional,
      help: ArgumentHelp("Largest frame height; the server downscales keeping the aspect ratio.", valueName: "pixels"))
    var height: Int = 0

    @Option(
      help: ArgumentHelp(
        "What to write: rgb or bgr (PPM), gray (PGM), jpeg[:QUALITY] (1-100, default 90) or png (lossless).",
        valueName: "format"),
      transform: DumpFormat.parse)
    var format: DumpFormat = .pixels(.rgb24)

    @OptionGroup var choice: FrameChoiceOptions

    @Flag(help: "Go on from the frame files of this id already complete in --out.")
    var resume = false

    @OptionGroup var resuming: ResumeOptions

    @OptionGroup var sharedMemory: SharedMemoryOption

    @OptionGroup var client: ClientOptions

    func validate() throws {
      guard every >= 1 else { throw ValidationError("--every must be 1 or more") }
      guard start >= 0, start.isFinite else { throw ValidationError("--start must be 0 or more seconds") }
      guard startFrame >= 0 else { throw ValidationError("--start-frame must be 0 or more") }
      guard startFrame == 0 || start == 0 else { throw ValidationError("--start and --start-frame do not go together") }
      guard frames >= 0 else { throw ValidationError("--frames must be 0 or more") }
      guard width >= 0, height >= 0 else { throw ValidationError("--width and --height must be 0 or more") }
      guard !choice.chosen || (every == 1 && start == 0 && startFrame == 0 && frames == 0) else {
        throw ValidationError("--frames-at and --sample do not go with --every, --start, --start-frame or --frames")
      }
    }

    func run() async throws {
      let configuration = sharedMemory.apply(to: try client.configuration())
      let writer: FrameFileWriter
      do {
        writer = try FrameFileWriter(directory: out)
      } catch {
        throw fail("dump", error.description)
      }
      var request = WatchRequest(id: id)
      switch format {
      case .pixels(let pixels): request.format = pixels
      case .encoded(let encoding):
        // The file is the same picture in either channel order.
        request.format = .rgb24
        request.encoding = encoding
      }
      let extensions = FrameDump.fileExtensions(for: request.encoding)
      request.stride = every
      request.startSeconds = start
      request.startFrame = startFrame
      request.maxFrames = frames
      request.maxWidth = width
      request.maxHeight = height
      var onDisk = 0
      if choice.chosen {
        let chosen: [Int]
        do {
          chosen = try await choice.indices(of: [id], configuration: configuration)[id] ?? []
        } catch {
          throw fail("dump", error)
        }
        request.frameIndices = chosen
        if resume {
          writer.removeUnfinished(prefix: id + "_")
          let done = Set(FrameDump.framesOnDisk(id: id, directory: out, extensions: extensions))
          request.frameIndices = chosen.filter { !done.contains($0) }
          onDisk = chosen.count - request.frameIndices.count
          if request.frameIndices.isEmpty {
            print("all \(chosen.count) chosen frames of \(id) are already in \(out)")
            return
          }
        }
      } else if resume {
        writer.removeUnfinished(prefix: id + "_")
        let done = FrameDump.framesOnDisk(id: id, directory: out, extensions: extensions)
        if let last = done.last {
          onDisk = done.count
          if frames > 0 {
            guard frames > onDisk else {
              print("all \(frames) frames of \(id) are already in \(out)")
              return
            }
            request.maxFrames = frames - onDisk
          }
          request.startSeconds = 0
          request.startFrame = last + every
        }
      }
      let showProgress = standardErrorIsTerminal
      let total = await expectedFrames(request, configuration: configuration, showProgress: showProgress)
      let written = WrittenFrames()
      let started = ContinuousClock.now
      let summary: DumpSummary
      do {
        summary = try await SoccerClient.with(configuration, about: request.id) { client in
          try await FrameDump(request: request, writer: writer).run(
            client: client, resumption: resuming.resumption("dump")
          ) { frames, bytes in
            written.count.store(frames, ordering: .relaxed)
            if showProgress && (frames == 1 || frames % 10 == 0) {
              let line = progressLine(
                done: frames, total: total, bytes: bytes, elapsed: started.duration(to: .now).seconds)
              FileHandle.standardError.write(Data("\r\(line)\u{1B}[K".utf8))
            }
          }
        }
      } catch {
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if onDisk > 0, error.code == .outOfRange {
          // The dump had finished: the frame after its last file is past the end of the match.
          print("all frames of \(id) are already in \(out) (\(onDisk) files)")
          return
        }
        let exit = fail("dump", error)
        let done = written.count.load(ordering: .relaxed)
        if done + onDisk > 0 {
          FileHandle.standardError.write(
            Data(
              ("soccer dump: \(counted(done + onDisk, "frame")) of \(id) \(done + onDisk == 1 ? "is" : "are") "
                + "complete in \(out); go on with: "
                + commandLine(adding: "--resume") + "\n").utf8))
        }
        throw exit
      }
      if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
      let already = onDisk > 0 ? ", after \(onDisk) already there" : ""
      let from = summary.replicas.isEmpty ? "" : " from " + summary.replicas.joined(separator: ", then ")
      let through = summary.sharedMemory ? " through shared memory" : ""
      print(
        String(
          format: "wrote %@ (%@) to %@%@ in %.2f s: %.1f frames/s%@%@",
          counted(summary.frames, "frame"), formatBytes(summary.bytes), out, already, summary.seconds,
          summary.framesPerSecond, from, through))
    }
  }
}

/// Frames a dump has written so far, for the line that says how to go on after a failure.
private final class WrittenFrames: Sendable {
  let count = Atomic<Int>(0)
}

/// How many frames `request` will bring, for the progress line on a terminal: the chosen ones,
/// `--frames`, or what the match's frame count leaves after the start and stride; nil when not
/// known (or not shown).
private func expectedFrames(
  _ request: WatchRequest, configuration: ClientConfiguration, showProgress: Bool
) async -> Int? {
  guard showProgress else { return nil }
  if !request.frameIndices.isEmpty { return request.frameIndices.count }
  guard request.startSeconds == 0,
    let info = try? await SoccerClient.with(configuration, about: request.id, { try await $0.describe(request.id) }),
    info.frameCount > 0
  else { return request.maxFrames > 0 ? request.maxFrames : nil }
  let left = max(0, info.frameCount - request.startFrame)
  let strided = (left + max(1, request.stride) - 1) / max(1, request.stride)
  return request.maxFrames > 0 ? min(request.maxFrames, strided) : strided
}
