import Foundation
import TerminalGraphics
import TestSupport
import Testing
import VideoFrames

/// RGB pixels made by `color(x, y)`.
func picture(width: Int, height: Int, _ color: (Int, Int) -> (UInt8, UInt8, UInt8)) -> Data {
  var data = Data(capacity: width * height * 3)
  for y in 0..<height {
    for x in 0..<width {
      let (r, g, b) = color(x, y)
      data.append(contentsOf: [r, g, b])
    }
  }
  return data
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Suite struct AsciiGoldenTests {
  func ascii(_ pixels: Data, width: Int, height: Int, grid: CellGrid, format: PixelFormat = .rgb24) -> String {
    let renderer = FrameRenderer(settings: RenderSettings(mode: .ascii, colors: .none, grid: grid))
    return text(renderer.render(pixels: pixels, width: width, height: height, format: format))
  }

  @Test func leftDarkRightLight() {
    let pixels = picture(width: 32, height: 16) { x, _ in x < 16 ? (0, 0, 0) : (255, 255, 255) }
    let expected = """
          @@@@
          @@@@
          @@@@
      """
    #expect(ascii(pixels, width: 32, height: 16, grid: CellGrid(columns: 8, rows: 3)) == expected)
  }

  @Test func diagonal() {
    let pixels = picture(width: 64, height: 32) { x, y in x / 2 > y ? (255, 255, 255) : (0, 0, 0) }
    let expected = """
      `~@@@@@@@@@@@@@@
         ~?@@@@@@@@@@@
            ~4@@@@@@@@
              `~@@@@@@
                 ~?@@@
                    ~4
      """
    #expect(ascii(pixels, width: 64, height: 32, grid: CellGrid(columns: 16, rows: 6)) == expected)
  }

  @Test func channelOrderDoesNotChangeGrayPictures() {
    let pixels = picture(width: 48, height: 24) { x, y in
      let v = UInt8((x * 5 + y * 3) % 256)
      return (v, v, v)
    }
    let grid = CellGrid(columns: 12, rows: 4)
    let rgb = ascii(pixels, width: 48, height: 24, grid: grid, format: .rgb24)
    #expect(rgb == ascii(pixels, width: 48, height: 24, grid: grid, format: .bgr24))
    var gray = Data()
    for index in stride(from: 0, to: pixels.count, by: 3) { gray.append(pixels[index]) }
    #expect(rgb == ascii(gray, width: 48, height: 24, grid: grid, format: .gray8))
  }

  @Test func outputIsPrintableAsciiInTheGrid() {
    let pixels = picture(width: 160, height: 90) { x, y in (UInt8(x), UInt8(y * 2), UInt8((x + y) % 256)) }
    for colors in ColorDepth.allCases {
      let renderer = FrameRenderer(
        settings: RenderSettings(mode: .ascii, colors: colors, grid: CellGrid(columns: 40, rows: 11)))
      let output = renderer.render(pixels: pixels, width: 160, height: 90, format: .rgb24)
      // Strip colour sequences; what is left must be ASCII characters in 11 rows of 40.
      let plain = text(output).replacing(/\x1B\[[0-9;]*m/, with: "")
      let rows = plain.split(separator: "\n", omittingEmptySubsequences: false)
      #expect(rows.count == 11, "\(colors)")
      #expect(rows.allSatisfy { $0.count == 40 }, "\(colors)")
      #expect(plain.unicodeScalars.allSatisfy { $0 == "\n" || (0x20...0x7E).contains($0.value) }, "\(colors)")
      #expect(colors == .none ? !text(output).contains("\u{1B}") : text(output).contains("\u{1B}["), "\(colors)")
    }
  }

  @Test func blocksUseBlockCharacters() {
    let pixels = picture(width: 64, height: 32) { x, y in x / 2 > y ? (255, 200, 0) : (0, 0, 90) }
    let renderer = FrameRenderer(
      settings: RenderSettings(mode: .blocks, colors: .truecolor, grid: CellGrid(columns: 16, rows: 4)))
    let plain = text(renderer.render(pixels: pixels, width: 64, height: 32, format: .rgb24))
      .replacing(/\x1B\[[0-9;]*m/, with: "")
    let symbols = Set(plain.unicodeScalars.filter { $0 != "\n" && $0 != " " })
    #expect(!symbols.isEmpty)
    // Block elements (U+2580–259F) and sextants (U+1FB00–1FB3B) only.
    #expect(symbols.allSatisfy { (0x2580...0x259F).contains($0.value) || (0x1FB00...0x1FB3B).contains($0.value) })
  }
}

@Suite struct SixelTests {
  /// Four coloured quadrants and a gradient bar: colours a palette must keep apart.
  static func source(width: Int, height: Int) -> Data {
    picture(width: width, height: height) { x, y in
      if y >= height * 3 / 4 { return (UInt8(x * 255 / (width - 1)), 128, UInt8(255 - x * 255 / (width - 1))) }
      switch (x < width / 2, y < height * 3 / 8) {
      case (true, true): return (220, 30, 30)
      case (false, true): return (30, 200, 40)
      case (true, false): return (30, 40, 210)
      case (false, false): return (240, 240, 240)
      }
    }
  }

  /// Decodes sixel data with libsixel's sixel2png and FFmpeg back to packed RGB.
  static func decode(_ sixel: [UInt8], width: Int, height: Int) throws -> Data {
    let folder = try makeTemporaryFolder("sixel")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try Data(sixel).write(to: URL(fileURLWithPath: folder + "/frame.six"))
    let png = try run("/usr/bin/sixel2png", ["-i", folder + "/frame.six", "-o", folder + "/frame.png"])
    guard png.status == 0 else { throw TestSupportError("sixel2png failed: \(png.output)") }
    try TestMedia.ffmpeg([
      "-i", folder + "/frame.png", "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", folder + "/frame.rgb",
    ])
    return try Data(contentsOf: URL(fileURLWithPath: folder + "/frame.rgb"))
  }

  /// Mean absolute difference per channel between sixel output decoded back to pixels and the
  /// source scaled to the same size. Bound: 6 of 255 (measured: 1.2 and 1.6).
  @Test(arguments: [(160, 60), (320, 120)])
  func sixelDecodesBackToTheSource(sourceWidth: Int, sourceHeight: Int) throws {
    // 160x60 pixels: sixel bands are 6 pixels tall, so the height is a multiple of 6.
    let grid = CellGrid(columns: 16, rows: 3)
    let cell = CellSize(width: 10, height: 20)
    let renderer = FrameRenderer(settings: RenderSettings(mode: .sixel, colors: .truecolor, grid: grid, cell: cell))
    let source = Self.source(width: sourceWidth, height: sourceHeight)
    let sixel = renderer.render(pixels: source, width: sourceWidth, height: sourceHeight, format: .rgb24)
    #expect(sixel.starts(with: Array("\u{1B}P".utf8)))
    #expect(sixel.suffix(2) == Array("\u{1B}\\".utf8)[...])
    let (width, height) = (160, 60)
    let decoded = try Self.decode(sixel, width: width, height: height)
    try #require(decoded.count == width * height * 3, "decoded \(decoded.count) bytes")
    // The source scaled to 160x60 by averaging whole blocks of pixels.
    let factor = sourceWidth / width
    let expected = Self.source(width: sourceWidth, height: sourceHeight)
    var total = 0
    for y in 0..<height {
      for x in 0..<width {
        for channel in 0..<3 {
          var sum = 0
          for dy in 0..<factor {
            for dx in 0..<factor {
              sum += Int(expected[((y * factor + dy) * sourceWidth + x * factor + dx) * 3 + channel])
            }
          }
          total += abs(sum / (factor * factor) - Int(decoded[(y * width + x) * 3 + channel]))
        }
      }
    }
    let meanError = Double(total) / Double(width * height * 3)
    print("sixel \(sourceWidth)x\(sourceHeight) → 160x60: mean absolute error \(meanError)")
    #expect(meanError <= 6)
  }

  @Test func sixelIsTheGridTimesTheCell() {
    let renderer = FrameRenderer(
      settings: RenderSettings(
        mode: .sixel, colors: .truecolor, grid: CellGrid(columns: 7, rows: 3), cell: CellSize(width: 9, height: 17)))
    let sixel = text(renderer.render(pixels: Self.source(width: 64, height: 48), width: 64, height: 48, format: .rgb24))
    // The raster attributes give the picture's size ("Pan;Pad;Ph;Pv): 7 × 9 wide, and
    // 3 × 17 = 51 tall cut to whole sixel bands of 6.
    #expect(sixel.contains("\"1;1;63;48#"))
  }
}
