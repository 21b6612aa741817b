import ArgumentParser
import Foundation
import ServerPlayback
import SoccerClient
import Synchronization
import TerminalGraphics
import TerminalIO
import TerminalPlayback
import ThroughputBench
import VideoFrames

extension Soccer {
  struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Play a match in the terminal.",
      discussion: """
        Frames are drawn with libchafa as ASCII, Unicode blocks, sixel or kitty graphics. \
        --mode auto asks the terminal (kitty graphics, then sixel, else blocks); --colors auto \
        reads COLORTERM and TERM. The server downscales frames to what the terminal can show, \
        and each frame appears at its presentation time; frames that arrive too late are \
        skipped and counted on the status line.

        A stream that breaks off (the server dies or drains, the connection is lost) is asked \
        for again from the frame after the last one shown, --retries times; what broke is \
        told on standard error after playback.

        Keys (mpv's): space or p pause and resume; ← → seek 5 s, ↓ ↑ 60 s; [ ] speed ×0.9 and \
        ×1.1, { } halve and double it, Backspace resets it; . and , show the next and the previous \
        frame (paused); s saves the frame on screen at the match's own size as ID_NNNNNN.ppm in \
        the current folder; i tells about the match; ? lists the keys; q, Esc or Ctrl-C quit; \
        Ctrl-Z suspends (fg resumes). The keys act on one Play stream; against a server without \
        Play (the Python demo) seeking reopens a Watch stream at the frame, which is slower.

        The terminal is restored on quit, on errors and on SIGTERM, SIGHUP or SIGINT. When standard output is not a terminal, --once draws one \
        frame as text (soccer watch sample --once --mode ascii > frame.txt).
        """
    )

    @Argument(help: "Match id.")
    var id: String

    @Option(help: ArgumentHelp("How to draw: auto, ascii, blocks, sixel or kitty.", valueName: "mode"))
    var mode: ModeChoice = .auto

    @Option(help: ArgumentHelp("Colours for ascii and blocks: auto, none, 16, 256 or truecolor.", valueName: "colors"))
    var colors: ColorChoice = .auto

    @Option(
      help: ArgumentHelp(
        "Area for the picture in cells, e.g. 80x24 (default: the whole terminal).", valueName: "COLSxROWS")
    )
    var size: CellGrid?

    @Option(parsing: .unconditional, help: ArgumentHelp("Playback speed; 2 plays twice as fast.", valueName: "factor"))
    var speed: Double = 1

    @Option(
      parsing: .unconditional, help: ArgumentHelp("Start this many seconds into the match.", valueName: "seconds"))
    var start: Double = 0

    @Flag(help: "At the end, play again (from --start), until quit.")
    var loop = false

    @Flag(help: "Draw one frame (the first, or the one at --start) to standard output and exit.")
    var once = false

    @Flag(help: "Hide the status line.")
    var noStatus = false

    @OptionGroup var resuming: ResumeOptions

    @Option(
      help: ArgumentHelp(
        "How frames travel: raw, jpeg[:QUALITY] (1-100, default 90) or png, encoded by the server and decoded here "
          + "(for thin links).", valueName: "encoding"),
      transform: parseEncoding)
    var encoding: FrameEncoding = .raw

    @OptionGroup var sharedMemory: SharedMemoryOption

    @OptionGroup var client: ClientOptions

    func validate() throws {
      guard speed > 0, speed <= 100, speed.isFinite else {
        throw ValidationError("--speed must be over 0 and at most 100")
      }
      guard start >= 0, start.isFinite else { throw ValidationError("--start must be 0 or more seconds") }
      guard !(once && loop) else { throw ValidationError("--once and --loop do not go together") }
    }

    func run() async throws {
      let configuration = sharedMemory.apply(to: try client.configuration())
      let throughSharedMemory = SharedMemoryUse()
      var settings = WatchSettings(id: id)
      settings.mode = mode
      settings.colors = colors
      settings.size = size
      settings.speed = speed
      settings.startSeconds = start
      settings.loop = loop
      settings.showStatus = !noStatus
      // Keys and replies come from the terminal even when standard input is redirected.
      let input = isTerminal(STDIN_FILENO) ? STDIN_FILENO : open("/dev/tty", O_RDONLY | O_CLOEXEC)
      let session = TerminalSession(input: input, output: STDOUT_FILENO)
      let player = TerminalPlayer(
        settings: settings, session: session, environment: ProcessInfo.processInfo.environment)
      let interactive = isTerminal(session.output) && input >= 0 && isTerminal(input)

      if once {
        // Only a terminal can answer queries; a pipe or file gets what the options and environment say.
        let replies = interactive && mode == .auto ? player.queryTerminal() : nil
        session.restore()
        let picture: [UInt8]
        do {
          picture = try await SoccerClient.with(configuration, about: id) { client in
            try await player.renderOnce(
              from: ServerFrameSource(client: client, id: id, encoding: encoding), replies: replies)
          }
        } catch {
          throw fail("watch", error)
        }
        FileHandle.standardOutput.write(Data(picture))
        return
      }
      guard interactive else {
        throw fail(
          "watch",
          "standard output is not a terminal: use --once to draw one frame, or `soccer dump` to save frames")
      }

      // A signal ends playback at once, but never leaves the terminal in raw mode or hidden.
      let signals = SignalWatcher([SIGTERM, SIGHUP, SIGINT]) { number in
        session.restoreForExit()
        _exit(128 + number)
      }
      defer { signals.cancel() }
      let replies = player.queryTerminal()
      let summary: PlaybackSummary
      let cpuBefore = processCPUSeconds()
      // Breaks are told once the terminal is back: a line written now would land in the picture.
      let breaks = Mutex<[StreamBreak]>([])
      let resumption = Resumption(retries: resuming.retries) { broke in breaks.withLock { $0.append(broke) } }
      func restoreAndTellBreaks() {
        session.restore()
        for broke in breaks.withLock({ $0 }) {
          FileHandle.standardError.write(Data("soccer watch: \(broke)\n".utf8))
        }
      }
      do {
        summary = try await SoccerClient.with(configuration, about: id) { client in
          try await player.play(
            from: ServerFrameSource(
              client: client, id: id, resumption: resumption, throughSharedMemory: throughSharedMemory,
              encoding: encoding),
            replies: replies)
        }
      } catch {
        restoreAndTellBreaks()
        throw fail("watch", error)
      }
      restoreAndTellBreaks()
      let cpuSeconds = processCPUSeconds() - cpuBefore
      guard summary.received > 0 || summary.quit else { return }
      print(
        String(
          format:
            "%@: showed %d of %d frames (%d skipped)%@ in %.1f s, %@ mode; render %.2f ms a frame; CPU %.2f s (%.0f%%)",
          id, summary.shown, summary.received, summary.skipped,
          throughSharedMemory.used ? " through shared memory" : "", summary.seconds, summary.mode.rawValue,
          summary.renderMilliseconds, cpuSeconds, summary.seconds > 0 ? 100 * cpuSeconds / summary.seconds : 0))
    }
  }
}
