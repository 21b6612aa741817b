import Foundation
import SoccerProtocol
import SoccerWire
import VideoFrames

/// A frame as it arrived from a server, its header checked against its bytes.
public struct ReceivedFrame: Sendable {
  public var header: ArrayHeader
  public var pixels: Data
  /// Channel order; BGR from servers that do not say.
  public var format: PixelFormat
  public var index: Int
  public var ptsSeconds: Double

  /// Checks a `Video` message the way the reference client reads it with numpy; its pixels are
  /// `pixels` when they came apart from it (a shared-memory slot), else its `data`.
  init(_ video: Stream_Video, pixels given: Data? = nil) throws(ClientError) {
    let pixels = given ?? video.data
    do {
      header = try ArrayHeader(dataType: video.dataType, dataShape: video.dataShape, byteCount: pixels.count)
    } catch {
      throw .badFrame(error.description)
    }
    guard let format = PixelFormat(video.pixelFormat) else {
      throw .badFrame("unknown pixel_format \(video.pixelFormat.rawValue)")
    }
    // Servers that do not say send BGR24's value, 0, for gray frames too.
    self.format = format == .bgr24 && header.channels == 1 ? .gray8 : format
    self.pixels = pixels
    index = Int(clamping: video.frameIndex)
    ptsSeconds = video.ptsSeconds
  }

  /// The frame as a PPM (RGB) or PGM (gray) file's bytes.
  public func netPBM() throws(ClientError) -> Data {
    guard header.elementType == .uint8 else { throw .badFrame("only 8-bit frames can be written as PPM/PGM") }
    guard header.channels == 1 || header.channels == 3 else {
      throw .badFrame("frames with \(header.channels) channels cannot be written as PPM/PGM")
    }
    do {
      return try NetPBM.encode(
        pixels: pixels, width: header.width, height: header.height, channels: header.channels,
        bgr: format == .bgr24)
    } catch {
      throw .badFrame(error.description)
    }
  }
}

extension ReceivedFrame {
  /// The frame as a plain 8-bit picture; fails for other element types or channel counts.
  public func frame() throws(ClientError) -> Frame {
    guard header.elementType == .uint8, header.channels == format.channels else {
      throw .badFrame("a \(header.dataType) frame of \(header.channels) channels cannot be shown as \(format)")
    }
    return Frame(
      pixels: pixels, width: header.width, height: header.height, format: format, index: index, ptsSeconds: ptsSeconds)
  }
}
