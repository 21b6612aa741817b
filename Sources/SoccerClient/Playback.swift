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
  private var timing = FrameTiming()
  private var shownRate = RateMeter()
  private var byteRate = RateMeter()
  private(set) var summary = PlaybackSummary()

  init(
    settings: WatchSettings, session: TerminalSession, info: MatchFacts, cell: CellSize, display: DisplayChoice,
    synchronized: Bool, screen: CellGrid
  ) {
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
  }

  /// The layout for frames of this size, rebuilding the renderer when it changes.
  private func arrange(width: Int, height: Int) -> ScreenLayout {
    var clear = false
    if resized {
      resized = false
      if settings.size == nil, let size = terminalSize(of: session.output) {
        screen = CellGrid(columns: size.columns, rows: size.rows)
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
  var frameCount: Int?
  var durationSeconds: Double?
  var frameRate: Double?
}
