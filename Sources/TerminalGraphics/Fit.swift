/// A size in character cells.
public struct CellGrid: Sendable, Hashable, CustomStringConvertible {
  public var columns: Int
  public var rows: Int

  public init(columns: Int, rows: Int) {
    self.columns = columns
    self.rows = rows
  }

  /// Parses "COLSxROWS", e.g. "80x24"; nil unless both are 1 or more.
  public init?(_ text: String) {
    let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
    guard parts.count == 2, let columns = Int(parts[0]), let rows = Int(parts[1]), columns >= 1, rows >= 1,
      columns <= 10_000, rows <= 10_000
    else { return nil }
    self.init(columns: columns, rows: rows)
  }

  public var description: String { "\(columns)x\(rows)" }
}

/// The size of one character cell in pixels.
public struct CellSize: Sendable, Hashable {
  public var width: Int
  public var height: Int

  public init(width: Int, height: Int) {
    self.width = max(1, width)
    self.height = max(1, height)
  }

  /// What to assume when the terminal does not say: cells twice as tall as wide.
  public static let assumed = CellSize(width: 10, height: 20)
}

/// Sizes pictures to the terminal.
public enum Fit {
  /// The largest grid within `space` that shows a `width`×`height` picture at its aspect ratio.
  public static func cells(pictureWidth width: Int, height: Int, within space: CellGrid, cell: CellSize) -> CellGrid {
    guard width > 0, height > 0 else { return space }
    // Rows needed at full width: columns × cell width / aspect / cell height.
    let rowsAtFullWidth = Double(space.columns * cell.width * height) / Double(width * cell.height)
    if rowsAtFullWidth <= Double(space.rows) {
      return CellGrid(columns: space.columns, rows: max(1, Int(rowsAtFullWidth.rounded())))
    }
    let columnsAtFullHeight = Double(space.rows * cell.height * width) / Double(height * cell.width)
    return CellGrid(columns: max(1, min(space.columns, Int(columnsAtFullHeight.rounded()))), rows: space.rows)
  }

  /// The largest frame worth asking the server for, to fill `space` in `mode`.
  ///
  /// Graphics modes draw real pixels; character modes need about 2×2 samples per cell (half
  /// blocks use 1×2, quadrants 2×2, sextants 2×3), so more only costs bandwidth.
  public static func sourceLimit(for space: CellGrid, mode: RenderMode, cell: CellSize) -> (width: Int, height: Int) {
    if mode.isGraphics {
      return (space.columns * cell.width, space.rows * cell.height)
    }
    let rowPixels = max(2, (2 * cell.height + cell.width / 2) / cell.width)
    return (space.columns * 2, space.rows * rowPixels)
  }
}
