import TerminalGraphics
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
