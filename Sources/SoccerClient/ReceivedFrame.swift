import Foundation
import SoccerProtocol
import VideoFrames

/// A frame as it arrived from a server, its header checked against its bytes.
public struct ReceivedFrame: Sendable {
  public var header: ArrayHeader
  public var pixels: Data
  /// Channel order; BGR from servers that do not say.
  public var format: PixelFormat
  public var index: Int
  public var ptsSeconds: Double

  /// Checks a `Video` message the way the reference client reads it with numpy.
  init(_ video: Stream_Video) throws(ClientError) {
    do {
      header = try ArrayHeader(dataType: video.dataType, dataShape: video.dataShape, byteCount: video.data.count)
    } catch {
      throw .badFrame(error.description)
    }
    switch video.pixelFormat {
    case .bgr24: format = header.channels == 1 ? .gray8 : .bgr24
    case .rgb24: format = .rgb24
    case .gray8: format = .gray8
    case .UNRECOGNIZED(let value): throw .badFrame("unknown pixel_format \(value)")
    }
    pixels = video.data
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
