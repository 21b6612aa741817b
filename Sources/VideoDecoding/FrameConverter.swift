import CFFmpeg
import Foundation
import VideoFrames

/// Converts decoded frames to packed pixels, and scales them, with swscale.
///
/// Keeps one swscale context, reused while the frames' size and format stay the same.
final class FrameConverter {
  private var scaler: OpaquePointer?

  deinit {
    if let scaler { sws_freeContext(scaler) }
  }

  /// Converts (and scales) a decoded frame straight into the buffer that is sent, or into a
  /// place `destination` gives.
  func convert(
    _ frame: UnsafeMutablePointer<AVFrame>, to format: PixelFormat, maxWidth: Int, maxHeight: Int, index: Int,
    pts: Double, destination: (any FrameDestination)? = nil
  ) throws(DecodeError) -> Frame {
    let srcW = Int(frame.pointee.width)
    let srcH = Int(frame.pointee.height)
    let size = fittedSize(width: srcW, height: srcH, maxWidth: maxWidth, maxHeight: maxHeight)
    let target: AVPixelFormat
    switch format {
    case .bgr24: target = AV_PIX_FMT_BGR24
    case .rgb24: target = AV_PIX_FMT_RGB24
    case .gray8: target = AV_PIX_FMT_GRAY8
    }
    // OpenCV's FFmpeg backend converts with bicubic interpolation; matching it keeps our frames its frames.
    scaler = sws_getCachedContext(
      scaler, Int32(srcW), Int32(srcH), AVPixelFormat(rawValue: frame.pointee.format),
      Int32(size.width), Int32(size.height), target, SWS_BICUBIC, nil, nil, nil)
    guard let scaler else {
      throw .unsupportedCodec("cannot convert \(pixelFormatName(frame.pointee.format)) frames")
    }
    let rowBytes = size.width * format.channels
    let count = rowBytes * size.height
    // swscale's SIMD paths may touch a few bytes past the last row; the slack keeps that in bounds.
    let place: FramePlace?
    if let destination {
      guard let given = destination.nextPlace(byteCount: count + FramePlace.slack) else {
        throw .resources("no place for a \(size.width)x\(size.height) frame in the shared memory")
      }
      place = given
    } else {
      place = nil
    }
    guard let buffer = (place?.pixels ?? malloc(count + FramePlace.slack))?.assumingMemoryBound(to: UInt8.self) else {
      throw .resources("out of memory for a \(size.width)x\(size.height) frame")
    }
    var destination: [UnsafeMutablePointer<UInt8>?] = [buffer, nil, nil, nil]
    var destinationStride: [Int32] = [Int32(rowBytes), 0, 0, 0]
    let data = frame.pointee.data
    let linesize = frame.pointee.linesize
    let rows = withUnsafeBytes(of: data) { dataBytes in
      withUnsafeBytes(of: linesize) { strideBytes in
        sws_scale(
          scaler,
          dataBytes.bindMemory(to: UnsafePointer<UInt8>?.self).baseAddress,
          strideBytes.bindMemory(to: Int32.self).baseAddress,
          0, Int32(srcH), &destination, &destinationStride)
      }
    }
    guard rows == Int32(size.height) else {
      if place == nil { free(buffer) }
      throw .dataLoss("conversion produced \(rows) of \(size.height) rows")
    }
    let pixels: Data
    if let place {
      let owner = place.owner
      pixels = Data(bytesNoCopy: buffer, count: count, deallocator: .custom { _, _ in withExtendedLifetime(owner) {} })
    } else {
      pixels = Data(bytesNoCopy: buffer, count: count, deallocator: .free)
    }
    var converted = Frame(
      pixels: pixels, width: size.width, height: size.height, format: format, index: index, ptsSeconds: pts)
    converted.slot = place?.slot
    return converted
  }
}
