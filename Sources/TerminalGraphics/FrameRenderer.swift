import CChafa
import Foundation
import VideoFrames

/// Everything that decides how a picture is drawn.
public struct RenderSettings: Sendable, Hashable {
  public var mode: RenderMode
  public var colors: ColorDepth
  /// The picture's size in cells.
  public var grid: CellGrid
  /// Pixel size of one cell; graphics modes draw grid × cell pixels.
  public var cell: CellSize

  public init(mode: RenderMode, colors: ColorDepth, grid: CellGrid, cell: CellSize = .assumed) {
    self.mode = mode
    self.colors = colors
    self.grid = grid
    self.cell = cell
  }
}

/// Draws frames as terminal output with libchafa; one canvas, reused from frame to frame.
///
/// Not thread-safe: one renderer belongs to one task.
public final class FrameRenderer {
  public let settings: RenderSettings
  private let canvas: OpaquePointer
  private let termInfo: OpaquePointer
  private var rgb: [UInt8] = []

  public init(settings: RenderSettings) {
    self.settings = settings
    let config = chafa_canvas_config_new()
    defer { chafa_canvas_config_unref(config) }
    chafa_canvas_config_set_geometry(config, Int32(settings.grid.columns), Int32(settings.grid.rows))
    chafa_canvas_config_set_cell_geometry(config, Int32(settings.cell.width), Int32(settings.cell.height))
    switch settings.mode {
    case .ascii, .blocks:
      chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SYMBOLS)
      chafa_canvas_config_set_canvas_mode(config, settings.colors.canvasMode)
      let symbols = chafa_symbol_map_new()
      chafa_symbol_map_add_by_tags(symbols, settings.mode == .ascii ? CHAFA_SYMBOL_TAG_ASCII : Self.blockTags)
      chafa_canvas_config_set_symbol_map(config, symbols)
      chafa_symbol_map_unref(symbols)
      if settings.colors == .ansi16 {
        // Sixteen colours band badly without dithering.
        chafa_canvas_config_set_dither_mode(config, CHAFA_DITHER_MODE_ORDERED)
      }
    case .sixel:
      chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SIXELS)
      chafa_canvas_config_set_canvas_mode(config, CHAFA_CANVAS_MODE_TRUECOLOR)
    case .kitty:
      chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_KITTY)
      chafa_canvas_config_set_canvas_mode(config, CHAFA_CANVAS_MODE_TRUECOLOR)
    }
    canvas = chafa_canvas_new(config)
    // The fallback description knows every sequence; which ones are used is decided above.
    termInfo = chafa_term_db_get_fallback_info(chafa_term_db_get_default())
  }

  deinit {
    chafa_canvas_unref(canvas)
    chafa_term_info_unref(termInfo)
  }

  private static let blockTags = ChafaSymbolTags(
    rawValue: CHAFA_SYMBOL_TAG_SPACE.rawValue | CHAFA_SYMBOL_TAG_SOLID.rawValue | CHAFA_SYMBOL_TAG_HALF.rawValue
      | CHAFA_SYMBOL_TAG_QUAD.rawValue | CHAFA_SYMBOL_TAG_SEXTANT.rawValue)

  /// Draws packed 8-bit pixels and returns what to write to the terminal.
  ///
  /// Character modes give one line per row of cells, separated by "\n" with none after the
  /// last; graphics modes give one escape sequence.
  public func render(pixels: Data, width: Int, height: Int, format: PixelFormat) -> [UInt8] {
    guard width > 0, height > 0, pixels.count >= width * height * format.channels else { return [] }
    pixels.withUnsafeBytes { raw in
      guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
      switch format {
      case .rgb24:
        chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGB8, base, Int32(width), Int32(height), Int32(width * 3))
      case .bgr24:
        chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_BGR8, base, Int32(width), Int32(height), Int32(width * 3))
      case .gray8:
        rgb.removeAll(keepingCapacity: true)
        rgb.reserveCapacity(width * height * 3)
        for value in UnsafeBufferPointer(start: base, count: width * height) {
          rgb.append(value)
          rgb.append(value)
          rgb.append(value)
        }
        rgb.withUnsafeBufferPointer { expanded in
          guard let expandedBase = expanded.baseAddress else { return }
          chafa_canvas_draw_all_pixels(
            canvas, CHAFA_PIXEL_RGB8, expandedBase, Int32(width), Int32(height), Int32(width * 3))
        }
      }
    }
    guard let printed = chafa_canvas_print(canvas, termInfo) else { return [] }
    defer { soccer_gstring_free(printed) }
    guard let text = printed.pointee.str else { return [] }
    let length = Int(printed.pointee.len)
    return text.withMemoryRebound(to: UInt8.self, capacity: length) {
      Array(UnsafeBufferPointer(start: $0, count: length))
    }
  }
}

extension ColorDepth {
  var canvasMode: ChafaCanvasMode {
    switch self {
    case .none: return CHAFA_CANVAS_MODE_FGBG
    case .ansi16: return CHAFA_CANVAS_MODE_INDEXED_16
    case .ansi256: return CHAFA_CANVAS_MODE_INDEXED_240
    case .truecolor: return CHAFA_CANVAS_MODE_TRUECOLOR
    }
  }
}
