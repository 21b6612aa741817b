import TerminalGraphics
import TerminalIO
import TerminalPlayback
import Testing

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
