import Foundation
import FrameCodecs
import Testing
import VideoFrames

@Suite struct FrameCodecsTests {
  /// A frame with smooth gradients and a few sharp edges, as real pictures have.
  private func picture(_ format: PixelFormat, width: Int = 96, height: Int = 64) -> Frame {
    var bytes = [UInt8]()
    bytes.reserveCapacity(width * height * format.channels)
    for y in 0..<height {
      for x in 0..<width {
        let edge: UInt8 = (x / 24 + y / 16) % 2 == 0 ? 40 : 0
        let values = [UInt8(x * 255 / width), UInt8(y * 255 / height), UInt8((x + y) * 127 / (width + height)) + edge]
        bytes.append(contentsOf: format == .gray8 ? [values[0] / 2 + values[1] / 2] : values)
      }
    }
    return Frame(pixels: Data(bytes), width: width, height: height, format: format, index: 7, ptsSeconds: 0.25)
  }

  private func psnr(_ a: Data, _ b: Data) -> Double {
    let squares = zip(a, b).reduce(0.0) { sum, pair in
      let difference = Double(pair.0) - Double(pair.1)
      return sum + difference * difference
    }
    let mean = squares / Double(a.count)
    return mean == 0 ? .infinity : 10 * log10(255 * 255 / mean)
  }

  @Test(arguments: PixelFormat.allCases)
  func pngGivesBackTheSamePixels(format: PixelFormat) throws {
    let frame = picture(format)
    let encoded = try FrameEncoder().encode(frame, as: .png)
    #expect(encoded.encoding == .png && encoded.index == 7 && encoded.width == 96 && encoded.format == format)
    #expect(encoded.pixels.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    #expect(encoded.pixels.count < frame.pixels.count)
    let decoded = try FrameDecoder().decode(encoded)
    #expect(decoded.encoding == .raw && decoded.pixels == frame.pixels)
  }

  @Test(arguments: PixelFormat.allCases)
  func jpegComesBackCloseAndSmaller(format: PixelFormat) throws {
    let frame = picture(format)
    let encoder = FrameEncoder()
    let encoded = try encoder.encode(frame, as: .jpeg(quality: 90))
    #expect(encoded.pixels.prefix(2) == Data([0xFF, 0xD8]))
    let decoded = try FrameDecoder().decode(encoded)
    #expect(decoded.pixels.count == frame.pixels.count)
    #expect(psnr(decoded.pixels, frame.pixels) > 30)
    // Lower quality, fewer bytes.
    let smaller = try encoder.encode(frame, as: .jpeg(quality: 40))
    #expect(smaller.pixels.count < encoded.pixels.count)
  }

  @Test func bgrAndRgbFramesOfOnePictureMakeTheSameFile() throws {
    let rgb = picture(.rgb24)
    var bgr = rgb
    bgr.format = .bgr24
    var swapped = [UInt8](rgb.pixels)
    for i in stride(from: 0, to: swapped.count, by: 3) { swapped.swapAt(i, i + 2) }
    bgr.pixels = Data(swapped)
    let encoder = FrameEncoder()
    #expect(try encoder.encode(rgb, as: .png).pixels == encoder.encode(bgr, as: .png).pixels)
    #expect(
      try encoder.encode(rgb, as: .jpeg(quality: 80)).pixels == encoder.encode(bgr, as: .jpeg(quality: 80)).pixels)
  }

  @Test func badInputIsAnErrorNeverACrash() throws {
    let encoder = FrameEncoder()
    #expect(throws: CodecError.self) { try encoder.encode(picture(.rgb24), as: .jpeg(quality: 0)) }
    var short = picture(.rgb24)
    short.pixels = short.pixels.prefix(100)
    #expect(throws: CodecError.self) { try encoder.encode(short, as: .png) }

    let decoder = FrameDecoder()
    for encoding in [FrameEncoding.png, .jpeg(quality: 90)] {
      var garbage = picture(.rgb24)
      garbage.encoding = encoding
      garbage.pixels = Data("not a picture at all".utf8)
      #expect(throws: CodecError.self) { try decoder.decode(garbage) }
      var empty = garbage
      empty.pixels = Data()
      #expect(throws: CodecError.self) { try decoder.decode(empty) }
      // A whole file of another size than the message says.
      var resized = try encoder.encode(picture(.rgb24, width: 48, height: 32), as: encoding)
      resized.width = 96
      resized.height = 64
      #expect(throws: CodecError.self) { try decoder.decode(resized) }
    }
  }

  @Test func encodingsParseAsTheCommandLineWritesThem() {
    #expect(FrameEncoding(parsing: "jpeg") == .jpeg(quality: 90))
    #expect(FrameEncoding(parsing: "JPEG:75") == .jpeg(quality: 75))
    #expect(FrameEncoding(parsing: "png") == .png)
    #expect(FrameEncoding(parsing: "raw") == .raw)
    for bad in ["jpeg:0", "jpeg:101", "jpeg:", "png:5", "webp", ""] {
      #expect(FrameEncoding(parsing: bad) == nil, "\(bad)")
    }
    #expect(FrameEncoding.jpeg(quality: 95).fileExtension == "jpg" && FrameEncoding.png.fileExtension == "png")
  }
}
