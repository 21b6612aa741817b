import CFFmpeg
import FrameCodecs
import VideoFrames

/// What the frames weigh, and how each leaves the decoder: converted, then encoded when asked.
extension VideoDecoder {
  /// What this file's frames weigh, decoded and converted as `options` ask.
  public func geometry(for options: DecodeOptions) -> FrameGeometry {
    var geometry = FrameGeometry(
      sourceWidth: info.width, sourceHeight: info.height, decodedFrameBytes: decodedFrameBytes,
      decoderThreads: decoderThreads, outputWidth: info.width, outputHeight: info.height, format: options.format
    ).converted(to: options.format, maxWidth: options.maxWidth, maxHeight: options.maxHeight)
    geometry.encoded = options.encoding != .raw
    if !options.frameIndices.isEmpty && options.holdAheadBytes > 0 {
      geometry.framesHeldAhead = min(
        options.frameIndices.count - 1, options.holdAheadBytes / max(1, geometry.outputFrameBytes))
    }
    return geometry
  }

  /// A decoded frame converted (into the destination, when there is one) and encoded as the options ask.
  func output(_ frame: UnsafeMutablePointer<AVFrame>, index: Int, pts: Double) throws(DecodeError) -> Frame {
    let converted = try converter.convert(
      frame, to: options.format, maxWidth: options.maxWidth, maxHeight: options.maxHeight, index: index, pts: pts,
      destination: keepsNextFrame ? nil : destination)
    guard options.encoding != .raw else { return converted }
    do {
      return try encoder.encode(converted, as: options.encoding)
    } catch {
      throw .resources("frame \(index): \(error)")
    }
  }
}
