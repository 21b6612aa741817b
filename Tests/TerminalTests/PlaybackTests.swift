import TerminalGraphics
import TerminalIO
import TerminalPlayback
import Testing

@Suite struct FitTests {
  let cell = CellSize.assumed

  @Test func wideVideoFillsTheWidth() {
    // 16:9 in 80 columns of 1:2 cells: 80 × 10 × 9 / 16 / 20 = 22.5 rows.
    #expect(
      Fit.cells(pictureWidth: 1920, height: 1080, within: CellGrid(columns: 80, rows: 23), cell: cell)
        == CellGrid(columns: 80, rows: 23))
    #expect(
      Fit.cells(pictureWidth: 1920, height: 1080, within: CellGrid(columns: 100, rows: 29), cell: cell)
        == CellGrid(columns: 100, rows: 28))
  }

  @Test func shortTerminalLimitsByHeight() {
    #expect(
      Fit.cells(pictureWidth: 1920, height: 1080, within: CellGrid(columns: 200, rows: 20), cell: cell)
        == CellGrid(columns: 71, rows: 20))
  }

  @Test func squareCellsAndTallVideo() {
    let square = CellSize(width: 8, height: 8)
    #expect(
      Fit.cells(pictureWidth: 100, height: 200, within: CellGrid(columns: 50, rows: 50), cell: square)
        == CellGrid(columns: 25, rows: 50))
  }

  @Test func neverBelowOneCell() {
    #expect(
      Fit.cells(pictureWidth: 10_000, height: 1, within: CellGrid(columns: 10, rows: 10), cell: cell)
        == CellGrid(columns: 10, rows: 1))
  }

  @Test func serverLimitIsAFewSamplesPerCellForCharacters() {
    let characters = Fit.sourceLimit(for: CellGrid(columns: 80, rows: 24), mode: .blocks, cell: cell)
    #expect(characters.width == 160 && characters.height == 96)
    let graphics = Fit.sourceLimit(for: CellGrid(columns: 80, rows: 24), mode: .sixel, cell: cell)
    #expect(graphics.width == 800 && graphics.height == 480)
  }

  @Test func sizeOption() {
    #expect(CellGrid("80x24") == CellGrid(columns: 80, rows: 24))
    #expect(CellGrid("200X60") == CellGrid(columns: 200, rows: 60))
    for bad in ["", "80", "80x", "x24", "0x24", "80x-1", "axb", "80x24x2", "99999x1"] {
      #expect(CellGrid(bad) == nil, "\(bad)")
    }
  }
}

@Suite struct PlaybackClockTests {
  let start = ContinuousClock.now

  @Test func framesAreShownAtTheirTimeFromTheFirst() {
    var clock = PlaybackClock()
    #expect(clock.decide(pts: 5.0, now: start) == .show(after: .zero))
    // The frame 40 ms later in the file, arriving at once, waits 40 ms.
    #expect(clock.decide(pts: 5.04, now: start) == .show(after: .milliseconds(40)))
    #expect(clock.decide(pts: 5.08, now: start + .milliseconds(50)) == .show(after: .milliseconds(30)))
  }

  @Test func speedDividesTheWait() {
    var clock = PlaybackClock(speed: 2)
    _ = clock.decide(pts: 0, now: start)
    #expect(clock.decide(pts: 1, now: start) == .show(after: .milliseconds(500)))
  }

  @Test func lateFramesAreSkippedButThePictureNeverFreezes() {
    var clock = PlaybackClock(tolerance: .milliseconds(40), longestFreeze: .milliseconds(250))
    _ = clock.decide(pts: 0, now: start)
    // Slightly late: shown at once.
    #expect(clock.decide(pts: 0.04, now: start + .milliseconds(60)) == .show(after: .zero))
    // Late by 100 ms: skipped.
    #expect(clock.decide(pts: 0.08, now: start + .milliseconds(180)) == .skip)
    #expect(clock.decide(pts: 0.12, now: start + .milliseconds(260)) == .skip)
    // Nothing shown for 250 ms: this one is shown although late.
    #expect(clock.decide(pts: 0.16, now: start + .milliseconds(320)) == .show(after: .zero))
  }

  @Test func aStallRestartsTheClock() {
    var clock = PlaybackClock(stallLimit: .seconds(1))
    _ = clock.decide(pts: 0, now: start)
    #expect(clock.decide(pts: 0.04, now: start + .seconds(3)) == .show(after: .zero))
    // Timed from the frame after the stall now.
    #expect(clock.decide(pts: 0.08, now: start + .seconds(3)) == .show(after: .milliseconds(40)))
  }

  @Test func resetStartsOver() {
    var clock = PlaybackClock()
    _ = clock.decide(pts: 3, now: start)
    clock.reset()
    #expect(clock.decide(pts: 0, now: start + .seconds(10)) == .show(after: .zero))
    #expect(clock.decide(pts: 0.5, now: start + .seconds(10)) == .show(after: .milliseconds(500)))
  }
}

@Suite struct StatusLineTests {
  @Test func everyFigure() {
    let line = StatusLine(
      id: "sample", frame: 57, frameCount: 100, seconds: 2.28, durationSeconds: 4, shownFPS: 24.96, fileFPS: 25,
      skipped: 3, kilobytesPerSecond: 42.4)
    #expect(line.text(width: 200) == "sample  frame 57/100  0:02.28/0:04.00  25.0/25 fps  skipped 3  42 kB/s  q quits")
  }

  @Test func unknownTotalsAndLongMatches() {
    let line = StatusLine(
      id: "m", frame: 9, seconds: 83.5, shownFPS: 29.97, fileFPS: 29.97, skipped: 0, kilobytesPerSecond: 0)
    #expect(line.text(width: 200) == "m  frame 9  1:23.50  30.0/29.97 fps  skipped 0  0 kB/s  q quits")
  }

  @Test func cutToTheWidthWithoutControlCharacters() {
    let line = StatusLine(id: "a\u{1B}[2Jb", frame: 1, seconds: 0, shownFPS: 0, skipped: 0, kilobytesPerSecond: 0)
    #expect(line.text(width: 12) == "a?[2Jb  fram")
    #expect(line.text(width: 0) == "")
  }
}

@Suite struct DisplayChoiceTests {
  func replies(_ text: String) -> TerminalReplies { TerminalReplies(parsing: Array(text.utf8)) }

  @Test func autoPrefersKittyThenSixelThenBlocks() {
    let kitty = DisplayChoice.resolve(
      mode: .auto, colors: .auto, environment: [:], replies: replies("\u{1B}_Gi=31;OK\u{1B}\\\u{1B}[?62;4c"))
    #expect(kitty.mode == .kitty)
    let sixel = DisplayChoice.resolve(mode: .auto, colors: .auto, environment: [:], replies: replies("\u{1B}[?62;4c"))
    #expect(sixel.mode == .sixel)
    let silent = DisplayChoice.resolve(mode: .auto, colors: .auto, environment: [:], replies: nil)
    #expect(silent == DisplayChoice(mode: .blocks, colors: .ansi256))
  }

  @Test func silentTerminalsAreJudgedByTheEnvironment() {
    let kitty = DisplayChoice.resolve(mode: .auto, colors: .auto, environment: ["TERM": "xterm-kitty"], replies: nil)
    #expect(kitty.mode == .kitty)
    let foot = DisplayChoice.resolve(
      mode: .auto, colors: .auto, environment: ["TERM": "foot"], replies: TerminalReplies())
    #expect(foot.mode == .sixel)
    // An answer without graphics outweighs the name, and tmux never passes graphics through.
    let answered = DisplayChoice.resolve(
      mode: .auto, colors: .auto, environment: ["TERM": "xterm-kitty"], replies: replies("\u{1B}[?62;22c"))
    #expect(answered.mode == .blocks)
    let tmux = DisplayChoice.resolve(
      mode: .auto, colors: .auto, environment: ["TERM": "foot", "TMUX": "/tmp/tmux-0/default,1,0"], replies: nil)
    #expect(tmux.mode == .blocks)
  }

  @Test func explicitModeWins() {
    let choice = DisplayChoice.resolve(
      mode: .ascii, colors: .none, environment: ["COLORTERM": "truecolor"], replies: replies("\u{1B}[?62;4c"))
    #expect(choice == DisplayChoice(mode: .ascii, colors: .none))
  }

  @Test func colorsFromTheEnvironment() {
    #expect(DisplayChoice.colorDepth(environment: ["COLORTERM": "truecolor", "TERM": "xterm"]) == .truecolor)
    #expect(DisplayChoice.colorDepth(environment: ["TERM": "xterm-256color"]) == .ansi256)
    #expect(DisplayChoice.colorDepth(environment: ["TERM": "linux"]) == .ansi16)
    #expect(DisplayChoice.colorDepth(environment: ["TERM": "dumb"]) == .none)
    #expect(DisplayChoice.colorDepth(environment: ["TERM_PROGRAM": "WezTerm"]) == .truecolor)
    #expect(DisplayChoice.colorDepth(environment: [:]) == .ansi256)
  }
}

@Suite struct ScreenLayoutTests {
  @Test func rowsArePlacedCentredAndTheStatusGoesLast() {
    let layout = ScreenLayout(
      screen: CellGrid(columns: 10, rows: 6), picture: CellGrid(columns: 4, rows: 2), showStatus: true,
      synchronized: true)
    #expect(layout.origin == (2, 4))
    let out = String(
      decoding: layout.compose(picture: Array("abcd\nefgh".utf8), graphics: false, status: "st"), as: UTF8.self)
    #expect(
      out == "\u{1B}[?2026h\u{1B}[2;4Habcd\u{1B}[3;4Hefgh\u{1B}[0m\u{1B}[6;1Hst\u{1B}[K\u{1B}[?2026l")
  }

  @Test func graphicsGoInOnePieceWithoutStatusOrSync() {
    let layout = ScreenLayout(
      screen: CellGrid(columns: 10, rows: 6), picture: CellGrid(columns: 10, rows: 6), showStatus: false,
      synchronized: false)
    let out = String(
      decoding: layout.compose(picture: Array("\u{1B}Pq#0\u{1B}\\".utf8), graphics: true, status: "x"), as: UTF8.self)
    #expect(out == "\u{1B}[1;1H\u{1B}Pq#0\u{1B}\\\u{1B}[0m")
  }

  @Test func extraRowsAreNeverDrawnOverTheStatusLine() {
    let layout = ScreenLayout(
      screen: CellGrid(columns: 4, rows: 2), picture: CellGrid(columns: 4, rows: 1), showStatus: true,
      synchronized: false)
    let out = String(
      decoding: layout.compose(picture: Array("aaaa\nbbbb".utf8), graphics: false, status: nil), as: UTF8.self)
    #expect(!out.contains("bbbb"))
  }
}

@Suite struct RateMeterTests {
  @Test func countsTheLastSecond() {
    let start = ContinuousClock.now
    var meter = RateMeter()
    for frame in 0..<50 { meter.add(at: start + .milliseconds(frame * 40)) }
    let rate = meter.rate(now: start + .milliseconds(49 * 40))
    #expect(rate > 23 && rate < 27, "\(rate)")
    #expect(meter.rate(now: start + .seconds(10)) == 0)
  }
}
