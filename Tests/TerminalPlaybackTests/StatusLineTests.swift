import TerminalGraphics
import TerminalIO
import TerminalPlayback
import Testing

@Suite struct StatusLineTests {
  @Test func everyFigure() {
    let line = StatusLine(
      id: "sample", frame: 57, frameCount: 100, seconds: 2.28, durationSeconds: 4, shownFPS: 24.96, fileFPS: 25,
      skipped: 3, kilobytesPerSecond: 42.4)
    #expect(
      line.text(width: 200) == "sample  frame 57/100  0:02.28/0:04.00  25.0/25 fps  skipped 3  42 kB/s  ? keys  q quits"
    )
  }

  @Test func unknownTotalsAndLongMatches() {
    let line = StatusLine(
      id: "m", frame: 9, seconds: 83.5, shownFPS: 29.97, fileFPS: 29.97, skipped: 0, kilobytesPerSecond: 0)
    #expect(line.text(width: 200) == "m  frame 9  1:23.50  30.0/29.97 fps  skipped 0  0 kB/s  ? keys  q quits")
  }

  @Test func pausedSpeedAndANoteInsteadOfTheRates() {
    var line = StatusLine(
      id: "sample", frame: 57, frameCount: 100, seconds: 2.28, durationSeconds: 4, shownFPS: 0, fileFPS: 25,
      skipped: 0, kilobytesPerSecond: 0)
    line.state = "paused ×2"
    line.note = "saved sample_000057.ppm"
    #expect(line.text(width: 200) == "sample  paused ×2  frame 57/100  0:02.28/0:04.00  saved sample_000057.ppm")
  }

  @Test func cutToTheWidthWithoutControlCharacters() {
    let line = StatusLine(id: "a\u{1B}[2Jb", frame: 1, seconds: 0, shownFPS: 0, skipped: 0, kilobytesPerSecond: 0)
    #expect(line.text(width: 12) == "a?[2Jb  fram")
    #expect(line.text(width: 0) == "")
  }
}
