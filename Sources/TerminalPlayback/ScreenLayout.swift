import TerminalGraphics
import TerminalIO

/// Places a rendered picture and the status line on the screen, overwriting the last frame
/// in place (cursor moves, no clearing), so nothing flickers.
public struct ScreenLayout: Sendable, Hashable {
  /// The whole terminal.
  public var screen: CellGrid
  /// The picture, in cells.
  public var picture: CellGrid
  public var showStatus: Bool
  public var synchronized: Bool

  public init(screen: CellGrid, picture: CellGrid, showStatus: Bool, synchronized: Bool) {
    self.screen = screen
    self.picture = picture
    self.showStatus = showStatus
    self.synchronized = synchronized
  }

  /// Rows left for the picture.
  public static func pictureSpace(screen: CellGrid, showStatus: Bool) -> CellGrid {
    CellGrid(columns: screen.columns, rows: max(1, screen.rows - (showStatus ? 1 : 0)))
  }

  /// 1-based top-left cell of the picture: centred in its space.
  public var origin: (row: Int, column: Int) {
    let space = Self.pictureSpace(screen: screen, showStatus: showStatus)
    return (max(0, space.rows - picture.rows) / 2 + 1, max(0, space.columns - picture.columns) / 2 + 1)
  }

  /// The bytes that put one frame (and the status line, if any) on screen, after `first`
  /// (which goes inside the synchronized update too).
  public func compose(picture rendered: [UInt8], graphics: Bool, status: String?, first: String = "") -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(rendered.count + 256)
    if synchronized { out += ControlSequence.beginSynchronized.utf8 }
    out += first.utf8
    let (top, left) = origin
    if graphics {
      out += ControlSequence.moveTo(row: top, column: left).utf8
      out += rendered
    } else {
      var row = 0
      for line in rendered.split(separator: 0x0A, omittingEmptySubsequences: false) where row < picture.rows {
        out += ControlSequence.moveTo(row: top + row, column: left).utf8
        out += line
        row += 1
      }
    }
    out += ControlSequence.resetAttributes.utf8
    if showStatus, let status {
      out += ControlSequence.moveTo(row: screen.rows, column: 1).utf8
      out += status.utf8
      out += ControlSequence.clearToEndOfLine.utf8
    }
    if synchronized { out += ControlSequence.endSynchronized.utf8 }
    return out
  }
}
