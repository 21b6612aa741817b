import Foundation
import TerminalGraphics
import TerminalIO
import TerminalPlayback

/// Paces, renders and draws the frames of one watch, on one terminal.
actor Playback {
  private let settings: WatchSettings
  private let session: TerminalSession
  private let info: MatchFacts
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
  /// Where to continue with a new stream, once the current one is given up for bigger frames.
  private var restart: (seconds: Double, width: Int, height: Int)?
  private var timing = FrameTiming()
  private var shownRate = RateMeter()
  private var byteRate = RateMeter()
  private(set) var summary = PlaybackSummary()

  init(
    settings: WatchSettings, session: TerminalSession, info: MatchFacts, cell: CellSize, display: DisplayChoice,
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
    summary.mode = display.mode
  }

  /// The terminal changed size: lay out afresh before the next frame.
  func terminalResized() { resized = true }

  /// Takes the place and size to ask a new stream for, if `present` gave up the last one for
  /// bigger frames.
  func takeRestart() -> (seconds: Double, width: Int, height: Int)? {
    defer { restart = nil }
    return restart
  }

  /// Starts the clock afresh, for the next pass of a loop.
  func restartClock() {
    clock.reset()
    timing = FrameTiming()
  }

  /// Shows `frame` at its time, or skips it when it is too late.
  func present(_ frame: ReceivedFrame) async throws {
    summary.received += 1
    summary.bytes += frame.pixels.count
    byteRate.add(frame.pixels.count, at: .now)
    let seconds = timing.seconds(of: frame, frameRate: info.frameRate)
    switch clock.decide(pts: seconds, now: .now) {
    case .skip:
      summary.skipped += 1
      return
    case .show(let wait):
      if wait > .zero { try await Task.sleep(for: wait) }
    }
    let started = ContinuousClock.now
    let layout = arrange(width: frame.header.width, height: frame.header.height)
    guard let renderer else { return }
    let picture = renderer.render(
      pixels: frame.pixels, width: frame.header.width, height: frame.header.height, format: frame.format)
    summary.renderSeconds += started.duration(to: .now).seconds
    summary.shown += 1
    let now = ContinuousClock.now
    shownRate.add(at: now)
    let status = StatusLine(
      id: settings.id, frame: frame.index + 1, frameCount: info.frameCount, seconds: seconds,
      durationSeconds: info.durationSeconds, shownFPS: shownRate.rate(now: now), fileFPS: info.frameRate,
      skipped: summary.skipped, kilobytesPerSecond: byteRate.rate(now: now) / 1000)
    // Each kitty frame is a new image: free the previous ones, or the terminal keeps them all.
    let clearing = display.mode == .kitty ? ControlSequence.deleteKittyImages : ""
    session.write(
      layout.compose(
        picture: picture, graphics: display.mode.isGraphics, status: status.text(width: screen.columns),
        first: clearing))
    if wantsBiggerFrames {
      wantsBiggerFrames = false
      // Continue just after this frame; the clock goes on, so the switch costs no time.
      restart = (frame.ptsSeconds + 0.001, limit.width, limit.height)
      throw CancellationError()
    }
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
    guard let sourceWidth = info.width, width < sourceWidth else { return }
    let space = ScreenLayout.pictureSpace(screen: screen, showStatus: settings.showStatus)
    let wanted = Fit.sourceLimit(for: space, mode: display.mode, cell: cell)
    guard wanted.width * 4 > limit.width * 5 || wanted.height * 4 > limit.height * 5 else { return }
    limit = wanted
    wantsBiggerFrames = true
  }
}

/// Presentation times, also for servers that send none (the Python demo: every frame at 0).
struct FrameTiming {
  private var first: (index: Int, pts: Double)?
  private var missing = false

  /// When `frame` is due, in seconds of the match: its own time, or else its number over the
  /// frame rate (25 frames a second when that is unknown too).
  mutating func seconds(of frame: ReceivedFrame, frameRate: Double?) -> Double {
    guard let first else {
      self.first = (frame.index, frame.ptsSeconds)
      return frame.ptsSeconds
    }
    if frame.index > first.index, frame.ptsSeconds <= first.pts { missing = true }
    guard missing else { return frame.ptsSeconds }
    return first.pts + Double(frame.index - first.index) / (frameRate ?? 25)
  }
}

/// What the server said about a match, when it could (the Python demo cannot).
struct MatchFacts: Sendable {
  /// Size of the source frames.
  var width: Int?
  var frameCount: Int?
  var durationSeconds: Double?
  var frameRate: Double?
}
