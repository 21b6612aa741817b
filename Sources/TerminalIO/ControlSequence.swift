/// The escape sequences the player writes; VT100/xterm conventions every modern terminal follows.
public enum ControlSequence {
  public static let enterAlternateScreen = "\u{1B}[?1049h"
  public static let leaveAlternateScreen = "\u{1B}[?1049l"
  public static let hideCursor = "\u{1B}[?25l"
  public static let showCursor = "\u{1B}[?25h"
  /// Synchronized output (mode 2026): the terminal shows everything up to the end at once.
  public static let beginSynchronized = "\u{1B}[?2026h"
  public static let endSynchronized = "\u{1B}[?2026l"
  public static let disableAutowrap = "\u{1B}[?7l"
  public static let enableAutowrap = "\u{1B}[?7h"
  public static let clearScreen = "\u{1B}[2J"
  public static let clearToEndOfLine = "\u{1B}[K"
  public static let resetAttributes = "\u{1B}[0m"
  /// Deletes every kitty graphics image and frees its data.
  public static let deleteKittyImages = "\u{1B}_Ga=d,d=A\u{1B}\\"
  /// String terminator: ends a sixel or kitty sequence that was cut off midway.
  public static let stringTerminator = "\u{1B}\\"

  /// Moves the cursor to a 1-based row and column.
  public static func moveTo(row: Int, column: Int) -> String { "\u{1B}[\(row);\(column)H" }

  /// Queries answered by the terminal; DA1 goes last because every terminal answers it, so its
  /// reply means the others have arrived or never will.
  public static let capabilityQueries =
    "\u{1B}[16t"  // cell size in pixels
    + "\u{1B}[14t"  // text area size in pixels
    + "\u{1B}[?2026$p"  // is synchronized output supported?
    + "\u{1B}_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u{1B}\\"  // kitty graphics: query only, nothing drawn
    + "\u{1B}[c"  // primary device attributes (DA1); 4 among them means sixel

  /// Undoes everything the player may have set, in an order that is safe from any state.
  public static let restore =
    stringTerminator + endSynchronized + resetAttributes + enableAutowrap + showCursor + leaveAlternateScreen
}
