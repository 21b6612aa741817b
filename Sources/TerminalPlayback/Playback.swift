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
    }
    let started = ContinuousClock.now
    let layout = arrange(width: frame.width, height: frame.height)
    guard let renderer else { return nil }
    let picture = renderer.render(pixels: frame.pixels, width: frame.width, height: frame.height, format: frame.format)
    summary.renderSeconds += started.duration(to: .now).seconds
    summary.shown += 1
    let now = ContinuousClock.now
    shownRate.add(at: now)
    let status = StatusLine(
      id: settings.id, frame: frame.index + 1, frameCount: info.knownFrameCount, seconds: seconds,
      durationSeconds: info.knownDuration, shownFPS: shownRate.rate(now: now), fileFPS: info.knownFrameRate,
      skipped: summary.skipped, kilobytesPerSecond: byteRate.rate(now: now) / 1000)
    // Each kitty frame is a new image: free the previous ones, or the terminal keeps them all.
    let clearing = display.mode == .kitty ? ControlSequence.deleteKittyImages : ""
    session.write(
      layout.compose(
        picture: picture, graphics: display.mode.isGraphics, status: status.text(width: screen.columns),
        first: clearing))
    guard wantsBiggerFrames else { return nil }
    wantsBiggerFrames = false
    // Continue just after this frame; the clock goes on, so the switch costs no time.
    return FrameRequest(startSeconds: frame.ptsSeconds + 0.001, maxWidth: limit.width, maxHeight: limit.height)
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
