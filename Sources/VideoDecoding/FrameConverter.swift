import CFFmpeg
import Foundation
import VideoFrames

/// Converts decoded frames to packed pixels, and scales them, with swscale.
///
/// Keeps one swscale context, reused while the frames' size and format stay the same. With
/// more than one thread it converts each unscaled frame in slices on that many threads, so a
/// stream's conversion no longer runs on its decoding thread alone; the pixels are the same.
/// Scaled frames are converted on one thread: swscale's slices scale the rows at their edges
/// differently.
final class FrameConverter {
  private var scaler: OpaquePointer?
  /// What `scaler` converts: source size and format, output size and format.
  private var converting: [Int32] = []
  /// Threads each conversion may use.
  var threads = 1

  deinit {
    if let scaler { sws_freeContext(scaler) }
  }

  /// A context for this conversion: the one kept when it is the same conversion.
  private func context(
    source: (Int32, Int32, AVPixelFormat), output: (Int32, Int32, AVPixelFormat)
  ) -> OpaquePointer? {
    let threads = Int32(source.0 == output.0 && source.1 == output.1 ? max(1, self.threads) : 1)
    let key = [source.0, source.1, source.2.rawValue, output.0, output.1, output.2.rawValue, threads]
    if let scaler, key == converting { return scaler }
    if let scaler { sws_freeContext(scaler) }
    // OpenCV's FFmpeg backend converts with bicubic interpolation; matching it keeps our frames its frames.
    scaler = soccer_sws_context(
      source.0, source.1, source.2, output.0, output.1, output.2, SWS_BICUBIC, threads)
    converting = scaler == nil ? [] : key
    return scaler
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
    guard
      let scaler = context(
        source: (Int32(srcW), Int32(srcH), AVPixelFormat(rawValue: frame.pointee.format)),
        output: (Int32(size.width), Int32(size.height), target))
    else {
      throw .unsupportedCodec("cannot convert \(pixelFormatName(frame.pointee.format)) frames")
    }
    let rowBytes = size.width * format.channels
    let count = rowBytes * size.height
    // swscale's SIMD paths may touch a few bytes past the last row; the slack keeps that in bounds.
    let place: FramePlace?
    if let destination, count >= FramePlace.minimumBytes {
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
    let result = soccer_sws_scale_into(
      scaler, frame, buffer, Int32(rowBytes), Int32(size.width), Int32(size.height), target, count + FramePlace.slack)
    guard result == 0 else {
      if place == nil { free(buffer) }
      throw .dataLoss("conversion of a \(size.width)x\(size.height) frame failed (\(result))")
    }
    let pixels: Data
    if let place {
      let (owner, slot) = (place.owner, place.slot)
      pixels = Data(bytesNoCopy: buffer, count: count, deallocator: .custom { _, _ in owner.dropped(slot: slot) })
    } else {
      pixels = Data(bytesNoCopy: buffer, count: count, deallocator: .free)
    }
    var converted = Frame(
      pixels: pixels, width: size.width, height: size.height, format: format, index: index, ptsSeconds: pts)
    converted.slot = place?.slot
    return converted
  }
}
