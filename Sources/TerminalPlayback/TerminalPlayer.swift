import Foundation
import TerminalGraphics
import TerminalIO
import VideoFrames

/// Plays matches on a terminal: `soccer watch`.
public struct TerminalPlayer: Sendable {
  public let settings: WatchSettings
  public let session: TerminalSession
  public let environment: [String: String]

  public init(settings: WatchSettings, session: TerminalSession, environment: [String: String]) {
    self.settings = settings
    self.session = session
    self.environment = environment
  }

  /// Asks the terminal what it can do; the keys pressed meanwhile are kept in the replies.
  ///
  /// Echo is off by then, so neither replies nor stray keys ever show on the screen.
  public func queryTerminal() -> TerminalReplies {
    session.enterRawInput()
    guard isTerminal(session.input), session.write(ControlSequence.capabilityQueries) else { return TerminalReplies() }
    let bytes = session.read(until: { TerminalReplies(parsing: $0).answered }, timeout: settings.queryTimeout)
    return TerminalReplies(parsing: bytes)
  }

  /// Plays until the match ends (every pass, with `loop`), the person quits or the source fails,
  /// with the source's error.
  ///
  /// The caller restores the session afterwards, whatever happened.
  public func play(from source: some FrameSource, replies: TerminalReplies) async throws -> PlaybackSummary {
    if KeyDecoder.commands(in: replies.keystrokes).contains(.quit) {
      var summary = PlaybackSummary()
      summary.quit = true
      return summary
    }
    let facts = try await source.describe()
    let display = DisplayChoice.resolve(
      mode: settings.mode, colors: settings.colors, environment: environment, replies: replies)
    let terminal = terminalSize(of: session.output) ?? TerminalSize(columns: 80, rows: 24)
    let screen = CellGrid(columns: terminal.columns, rows: terminal.rows)
    let cell = cellSize(replies: replies, terminal: terminal)
    var space = ScreenLayout.pictureSpace(screen: screen, showStatus: settings.showStatus)
    if let size = settings.size { space = size }
    let streamRequest = request(filling: space, mode: display.mode, cell: cell)
    let playback = Playback(
      settings: settings, session: session, info: facts, cell: cell, display: display,
      synchronized: replies.synchronizedOutput, screen: screen,
      limit: (streamRequest.maxWidth, streamRequest.maxHeight))

    session.startScreen()
    let (quits, quitter) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    // Playback keys, in the order pressed; a burst beyond 64 unread keys is dropped.
    let (pressed, presser) = AsyncStream.makeStream(of: KeyCommand.self, bufferingPolicy: .bufferingOldest(64))
    let session = session
    // Job control: give the terminal back and stop; SIGCONT (`fg`) takes it again. Resuming
    // on SIGCONT, not after kill() returns, because the stop can take effect after that.
    @Sendable func suspend() {
      session.suspend()
      kill(getpid(), SIGSTOP)
    }
    let keys =
      isTerminal(session.input)
      ? InputWatcher(descriptor: session.input) { bytes in
        let commands = KeyDecoder.commands(in: bytes)
        if commands.contains(.quit) {
          quitter.yield()
        } else if commands.contains(.suspend) {
          suspend()
        } else {
          for command in commands { presser.yield(command) }
        }
      } : nil
    let signals = SignalWatcher([SIGWINCH, SIGTSTP, SIGCONT]) { number in
      switch number {
      case SIGTSTP: suspend()
      case SIGCONT:
        session.resume()
        Task { await playback.terminalResized() }
      default: Task { await playback.terminalResized() }
      }
    }
    defer {
      keys?.cancel()
      signals.cancel()
    }

    let started = ContinuousClock.now
    let quit = try await withThrowingTaskGroup(of: Bool.self) { group in
      if let controllable = source as? any ControllableFrameSource {
        group.addTask {
          try await playControlled(controllable, request: streamRequest, playback: playback)
          return false
        }
        group.addTask {
          await handleKeys(pressed, source: controllable, playback: playback)
          return false
        }
      } else {
        group.addTask {
          try await playStreams(from: source, request: streamRequest, playback: playback)
          return false
        }
      }
      group.addTask {
        for await _ in quits { return true }
        return false
      }
      defer { group.cancelAll() }
      // The first to finish decides: the match ended (false), or the person quit (true).
      // The key handler runs until the watch ends.
      return try await group.next() ?? false
    }
    var summary = await playback.summary
    summary.quit = quit
    summary.seconds = started.duration(to: .now).seconds
    return summary
  }

  /// Plays streams under the player's commands until the match ends (every pass, with `loop`).
  private func playControlled(
    _ source: some ControllableFrameSource, request: FrameRequest, playback: Playback
  ) async throws {
    repeat {
      await playback.restartClock()
      try await source.play(request, speed: settings.speed) { controls, events in
        await playback.attach(controls)
        for try await event in events {
          switch event {
          case .frame(let frame, let command): try await playback.present(frame, command: command)
          case .refused(_, let message): await playback.tell(message)
          case .note(let message): await playback.tell(message, for: 6)
          }
        }
      }
    } while settings.loop && !Task.isCancelled
  }

  /// Carries out the playback keys; `s` saves the frame on screen at the match's own size.
  private func handleKeys(_ keys: AsyncStream<KeyCommand>, source: some ControllableFrameSource, playback: Playback)
    async
  {
    for await key in keys {
      guard key == .save else {
        await playback.handle(key)
        continue
      }
      guard let shown = await playback.lastFrame else { continue }
      do {
        let frame = try await source.fullFrame(index: shown.index)
        let name = try await FrameFile.save(frame, id: settings.id)
        await playback.tell("saved \(name)")
      } catch {
        await playback.tell("cannot save the frame: \(error)")
      }
    }
  }

  /// Plays `Watch`-like streams: each to its end, or handing over to a stream of bigger frames.
  private func playStreams(from source: some FrameSource, request streamRequest: FrameRequest, playback: Playback)
    async throws
  {
    repeat {
      await playback.restartClock()
      var request = streamRequest
      // Each stream plays to its end, or hands over to a stream of bigger frames.
      while true {
        let next: FrameRequest?
        do {
          next = try await source.frames(request) { frames in
            for try await frame in frames {
              if let bigger = try await playback.present(frame) { return bigger }
            }
            return nil
          }
        } catch is PastTheEnd where request != streamRequest {
          // A switch just after the last frame finds nothing left: the match is over.
          next = nil
        }
        guard let next else { break }
        request = next
      }
    } while settings.loop && !Task.isCancelled
  }

  /// Draws one frame (the first, or the one at the start time) as text on standard output.
  public func renderOnce(from source: some FrameSource, replies: TerminalReplies?) async throws -> [UInt8] {
    let terminal = terminalSize(of: session.output)
    // Colours by choice only into a file or a pipe: text there is read, not shown.
    let colors = settings.colors == .auto && terminal == nil ? .none : settings.colors
    let display = DisplayChoice.resolve(
      mode: settings.mode, colors: colors, environment: environment, replies: replies)
    let space =
      settings.size ?? terminal.map { CellGrid(columns: $0.columns, rows: max(1, $0.rows - 1)) }
      ?? CellGrid(columns: 80, rows: 24)
    let cell = cellSize(replies: replies, terminal: terminal)
    var request = request(filling: space, mode: display.mode, cell: cell)
    request.maxFrames = 1
    let first = try await source.frames(request) { frames in try await frames.first { _ in true } }
    guard let frame = first else { throw PastTheEnd() }
    let grid = Fit.cells(pictureWidth: frame.width, height: frame.height, within: space, cell: cell)
    let renderer = FrameRenderer(
      settings: RenderSettings(mode: display.mode, colors: display.colors, grid: grid, cell: cell))
    var out = renderer.render(pixels: frame.pixels, width: frame.width, height: frame.height, format: frame.format)
    if display.colors != .none || display.mode.isGraphics { out += ControlSequence.resetAttributes.utf8 }
    out.append(0x0A)
    return out
  }

  /// Frames from the start time, downscaled by the source to what `space` can show.
  private func request(filling space: CellGrid, mode: RenderMode, cell: CellSize) -> FrameRequest {
    let limit = Fit.sourceLimit(for: space, mode: mode, cell: cell)
    return FrameRequest(startSeconds: settings.startSeconds, maxWidth: limit.width, maxHeight: limit.height)
  }

  private func cellSize(replies: TerminalReplies?, terminal: TerminalSize?) -> CellSize {
    if let replies, replies.cellWidth > 0, replies.cellHeight > 0 {
      return CellSize(width: replies.cellWidth, height: replies.cellHeight)
    }
    if let terminal, terminal.pixelWidth > 0, terminal.pixelHeight > 0 {
      return CellSize(width: terminal.pixelWidth / terminal.columns, height: terminal.pixelHeight / terminal.rows)
    }
    if let replies, replies.areaWidth > 0, replies.areaHeight > 0, let terminal {
      return CellSize(width: replies.areaWidth / terminal.columns, height: replies.areaHeight / terminal.rows)
    }
    return .assumed
  }
}
