import Foundation
import TerminalGraphics
import TerminalIO
import VideoFrames

/// Paces, renders and draws the frames of one watch, on one terminal.
///
/// Runs on a queue of its own (`QueueExecutor`): rendering and terminal writes block.
actor Playback {
  private nonisolated let executor = QueueExecutor(label: "soccer.playback")
  nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

  private let settings: WatchSettings
  private let session: TerminalSession
  private let info: MediaInfo
  private let cell: CellSize
  private let display: DisplayChoice
  private let synchronized: Bool
  private var clock: PlaybackClock
  private var renderer: FrameRenderer?
  private var layout: ScreenLayout?
  private var screen: CellGrid
  private var resized = false
  /// The frame size the current stream was asked for.
  private var limit: (width: Int, height: Int)
  /// The terminal grew enough to deserve bigger frames than the stream brings.
  private var wantsBiggerFrames = false
  private var timing = FrameTiming()
  private var shownRate = RateMeter()
  private var byteRate = RateMeter()
  private(set) var summary = PlaybackSummary()

  /// The stream's controls, when it takes commands.
  private var controls: (any PlaybackControls)?
  private var paused = false
  private var speed: Double
  /// Frames that follow an older command than this were chosen before a seek: dropped.
  private var freshFrom: UInt64 = 0
  /// While paused, the frames shown are the ones answering this command (a seek or a step).
  private var pausedFrom = UInt64.max
  /// Where the last seek went, until a frame from there is shown: the next seek counts from it.
  private var seekTarget: Double?
  /// The frame on screen.
  private(set) var lastFrame: Frame?
  private var note: (text: String, until: ContinuousClock.Instant)?
  private var lastSeconds = 0.0
  /// The command the controlled frame being presented follows.
  private var presenting: UInt64?

  init(
    settings: WatchSettings, session: TerminalSession, info: MediaInfo, cell: CellSize, display: DisplayChoice,
    synchronized: Bool, screen: CellGrid, limit: (width: Int, height: Int)
  ) {
    self.limit = limit
    self.settings = settings
    self.session = session
    self.info = info
    self.cell = cell
    self.display = display
    self.synchronized = synchronized
    self.screen = screen
    clock = PlaybackClock(speed: settings.speed)
    speed = settings.speed
    summary.mode = display.mode
  }

  /// The terminal changed size: lay out afresh before the next frame.
  func terminalResized() { resized = true }

  /// Starts the clock afresh, for the next pass of a loop.
  func restartClock() {
    clock.reset()
    timing = FrameTiming()
  }

  /// Shows `frame` at its time, or skips it when it is too late. Returns the stream to ask for
  /// instead of the current one when the terminal has grown enough to deserve bigger frames.
  func present(_ frame: Frame) async throws -> FrameRequest? {
    summary.received += 1
    summary.bytes += frame.pixels.count
    byteRate.add(frame.pixels.count, at: .now)
    let seconds = timing.seconds(of: frame, frameRate: info.knownFrameRate)
    switch clock.decide(pts: seconds, now: .now) {
    case .skip:
      summary.skipped += 1
      return nil
    case .show(let wait):
      if wait > .zero { try await Task.sleep(for: wait) }
      // A key pressed meanwhile (a pause, a seek) may have made it stale.
      if let command = presenting, !isCurrent(command) { return nil }
    }
    let started = ContinuousClock.now
    draw(frame, seconds: seconds)
    summary.renderSeconds += started.duration(to: .now).seconds
    summary.shown += 1
    shownRate.add(at: .now)
    guard wantsBiggerFrames else { return nil }
    wantsBiggerFrames = false
    if let controls {
      // A controlled stream changes size in place, from the next frame.
      _ = controls.send(.resize(maxWidth: limit.width, maxHeight: limit.height))
      return nil
    }
    // Continue just after this frame; the clock goes on, so the switch costs no time.
    return FrameRequest(startSeconds: frame.ptsSeconds + 0.001, maxWidth: limit.width, maxHeight: limit.height)
  }

  /// Renders `frame` with the status line under it.
  private func draw(_ frame: Frame, seconds: Double) {
    lastFrame = frame
    lastSeconds = seconds
    let layout = arrange(width: frame.width, height: frame.height)
    guard let renderer else { return }
    let picture = renderer.render(pixels: frame.pixels, width: frame.width, height: frame.height, format: frame.format)
    let now = ContinuousClock.now
    var status = StatusLine(
      id: settings.id, frame: frame.index + 1, frameCount: info.knownFrameCount, seconds: seconds,
      durationSeconds: info.knownDuration, shownFPS: paused ? 0 : shownRate.rate(now: now),
      fileFPS: info.knownFrameRate, skipped: summary.skipped, kilobytesPerSecond: byteRate.rate(now: now) / 1000)
    status.state = stateText
    if let note, note.until > now { status.note = note.text } else { note = nil }
    // Each kitty frame is a new image: free the previous ones, or the terminal keeps them all.
    let clearing = display.mode == .kitty ? ControlSequence.deleteKittyImages : ""
    session.write(
      layout.compose(
        picture: picture, graphics: display.mode.isGraphics, status: status.text(width: screen.columns),
        first: clearing))
  }

  /// "paused", "×1.5", "paused ×2"; nil when playing at normal speed.
  private var stateText: String? {
    var parts: [String] = []
    if paused { parts.append("paused") }
    if speed != 1 { parts.append("×" + StatusLine.compact((speed * 100).rounded() / 100)) }
    return parts.isEmpty ? nil : parts.joined(separator: " ")
  }

  /// The layout for frames of this size, rebuilding the renderer when it changes.
  private func arrange(width: Int, height: Int) -> ScreenLayout {
    var clear = false
    if resized {
      resized = false
      if settings.size == nil, let size = terminalSize(of: session.output) {
        screen = CellGrid(columns: size.columns, rows: size.rows)
        askForBiggerFrames(width: width, height: height)
      }
      clear = true
    }
    var space = ScreenLayout.pictureSpace(screen: screen, showStatus: settings.showStatus)
    if let size = settings.size {
      space = CellGrid(columns: min(size.columns, space.columns), rows: min(size.rows, space.rows))
    }
    let grid = Fit.cells(pictureWidth: width, height: height, within: space, cell: cell)
    let wanted = RenderSettings(mode: display.mode, colors: display.colors, grid: grid, cell: cell)
    if renderer?.settings != wanted {
      renderer = FrameRenderer(settings: wanted)
      clear = true
    }
    let next = ScreenLayout(
      screen: screen, picture: grid, showStatus: settings.showStatus, synchronized: synchronized)
    if clear || next != layout {
      session.write(ControlSequence.resetAttributes + ControlSequence.clearScreen)
    }
    layout = next
    return next
  }

  /// After the terminal grew: when the server downscaled these frames and the new space
  /// could show a quarter more, a new stream with bigger frames is worth its start-up.
  private func askForBiggerFrames(width: Int, height: Int) {
    guard info.width > 0, width < info.width else { return }
    let space = ScreenLayout.pictureSpace(screen: screen, showStatus: settings.showStatus)
    let wanted = Fit.sourceLimit(for: space, mode: display.mode, cell: cell)
    guard wanted.width * 4 > limit.width * 5 || wanted.height * 4 > limit.height * 5 else { return }
    limit = wanted
    wantsBiggerFrames = true
  }
}

extension MediaInfo {
  var knownFrameRate: Double? { frameRate > 0 ? frameRate : nil }
  var knownFrameCount: Int? { frameCount > 0 ? frameCount : nil }
  var knownDuration: Double? { durationSeconds > 0 ? durationSeconds : nil }
}

// MARK: - Controlled playback

extension Playback {
  /// Takes commands through `controls` from now on.
  func attach(_ controls: any PlaybackControls) {
    self.controls = controls
    freshFrom = 0
    pausedFrom = .max
    // A stream that takes over after a break starts as the last one was left.
    if paused { _ = controls.send(.pause) }
    if speed != settings.speed { _ = controls.send(.speed(speed)) }
  }

  /// Shows a frame of a controlled stream, unless a seek or a pause has made it stale.
  func present(_ frame: Frame, command: UInt64) async throws {
    guard isCurrent(command) else { return }
    if seekTarget != nil { seekTarget = nil }
    if paused {
      // Stepping or seeking while paused: shown at once, whatever the clock says.
      clock.reset()
    }
    presenting = command
    defer { presenting = nil }
    _ = try await present(frame)
  }

  /// Whether a frame following `command` is still to be shown: chosen after the last seek and,
  /// while paused, answering a step or a seek made while paused.
  private func isCurrent(_ command: UInt64) -> Bool {
    command >= freshFrom && (!paused || command >= pausedFrom)
  }

  /// Says `text` on the status line for `seconds`.
  func tell(_ text: String, for seconds: Double = 4) {
    note = (text, .now + .seconds(seconds))
    redraw()
  }

  /// Carries out a key's command on the controlled stream.
  func handle(_ key: KeyCommand) {
    guard let controls else { return }
    switch key {
    case .togglePause:
      if paused {
        paused = false
        // From the frame after the one on screen, exactly: frames sent while pausing were dropped.
        if let lastFrame { freshFrom = controls.send(.seekTo(frame: lastFrame.index + 1)) }
        _ = controls.send(.resume)
        clock.reset()
      } else {
        paused = true
        pausedFrom = .max
        _ = controls.send(.pause)
      }
      redraw()
    case .seek(let delta):
      let target = max(0, (seekTarget ?? lastSeconds) + delta)
      if let duration = info.knownDuration, target >= duration {
        tell("the match ends at \(StatusLine.clock(duration))")
        return
      }
      seekTarget = target
      freshFrom = controls.send(.seek(seconds: target))
      if paused { pausedFrom = freshFrom }
      clock.reset()
    case .scaleSpeed(let factor):
      setSpeed(speed * factor)
    case .resetSpeed:
      setSpeed(1)
    case .step(let frames):
      guard let lastFrame else { return }
      let target = lastFrame.index + frames
      guard target >= 0 else {
        tell("this is the first frame")
        return
      }
      if !paused {
        paused = true
        _ = controls.send(.pause)
      }
      freshFrom = controls.send(.seekTo(frame: target))
      pausedFrom = freshFrom
    case .info:
      tell(info.summary, for: 6)
    case .help:
      tell(KeyDecoder.summary, for: 8)
    case .quit, .suspend, .save:
      break
    }
  }

  private func setSpeed(_ wanted: Double) {
    speed = min(100, max(0.01, (wanted * 100).rounded() / 100))
    _ = controls?.send(.speed(speed))
    clock = PlaybackClock(speed: speed)
    redraw()
  }

  /// Draws the frame on screen again, for a new status line.
  private func redraw() {
    guard let lastFrame else { return }
    draw(lastFrame, seconds: lastSeconds)
  }
}

extension MediaInfo {
  /// "h264 640x360 25 fps yuv420p, 100 frames, 0:04.00": what `i` shows.
  var summary: String {
    var parts = [codec.isEmpty ? "unknown codec" : codec, "\(width)x\(height)"]
    if frameRate > 0 { parts.append(StatusLine.compact(frameRate) + " fps") }
    if !sourcePixelFormat.isEmpty { parts.append(sourcePixelFormat) }
    var text = parts.joined(separator: " ")
    if frameCount > 0 { text += ", \(frameCount) frames" }
    if durationSeconds > 0 { text += ", " + StatusLine.clock(durationSeconds) }
    return text
  }
}
