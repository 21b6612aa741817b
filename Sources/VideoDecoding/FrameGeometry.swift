import CFFmpeg
import VideoFrames

/// What one stream's frames weigh, known once a file is open and before anything is decoded:
/// the decoder's frames at the source size and format, and the converted frames at the size and
/// pixel format the client asked for.
public struct FrameGeometry: Sendable, Hashable {
  public var sourceWidth: Int
  public var sourceHeight: Int
  /// Bytes of one decoded frame in the source's pixel format.
  public var decodedFrameBytes: Int
  /// Threads the decoder runs on: frame threading keeps a frame in flight on each.
  public var decoderThreads: Int
  public var outputWidth: Int
  public var outputHeight: Int
  public var format: PixelFormat
  /// Whether frames are encoded (JPEG, PNG) after their conversion.
  public var encoded = false
  /// Converted frames a request of chosen frames may hold ahead of their turn
  /// (`DecodeOptions.holdAheadBytes`), counted at their raw size.
  public var framesHeldAhead = 0

  public init(
    sourceWidth: Int, sourceHeight: Int, decodedFrameBytes: Int, decoderThreads: Int, outputWidth: Int,
    outputHeight: Int, format: PixelFormat
  ) {
    self.sourceWidth = sourceWidth
    self.sourceHeight = sourceHeight
    self.decodedFrameBytes = decodedFrameBytes
    self.decoderThreads = decoderThreads
    self.outputWidth = outputWidth
    self.outputHeight = outputHeight
    self.format = format
  }

  /// Bytes of one converted frame: the `data` of one message.
  public var outputFrameBytes: Int { outputWidth * outputHeight * format.channels }

  /// "8192x4320"
  public var sourceSize: String { "\(sourceWidth)x\(sourceHeight)" }
  /// "1920x1013"
  public var outputSize: String { "\(outputWidth)x\(outputHeight)" }

  /// The same frames converted to `format` and fitted within `maxWidth`×`maxHeight` (0: no limit).
  public func converted(to format: PixelFormat, maxWidth: Int, maxHeight: Int) -> FrameGeometry {
    var geometry = self
    let size = fittedSize(width: sourceWidth, height: sourceHeight, maxWidth: maxWidth, maxHeight: maxHeight)
    (geometry.outputWidth, geometry.outputHeight) = size
    geometry.format = format
    return geometry
  }
}

extension DecodeOptions {
  /// Throws `.framesTooLarge` when frames of `width`×`height`, fitted to these options' largest
  /// size, have more than `maxFramePixels` pixels (0: no cap).
  public func checkFrameSize(width: Int, height: Int) throws(DecodeError) {
    guard maxFramePixels > 0 else { return }
    let output = fittedSize(width: width, height: height, maxWidth: maxWidth, maxHeight: maxHeight)
    guard output.width * output.height > maxFramePixels else { return }
    throw .framesTooLarge(
      source: "\(width)x\(height)", output: "\(output.width)x\(output.height)",
      pixels: output.width * output.height, limit: maxFramePixels)
  }
}

/// Bytes FFmpeg gives one decoded frame of `width`×`height` in `format`. When neither the
/// container nor the opened decoder names the format (H.264 in MP4 until its first frame is
/// decoded), the most its profile allows; with no profile either, a 4:4:4 frame of 16-bit samples.
func decodedFrameBytes(
  width: Int, height: Int, format: Int32, parameters: UnsafeMutablePointer<AVCodecParameters>
) -> Int {
  if format >= 0 {
    let known = av_image_get_buffer_size(AVPixelFormat(rawValue: format), Int32(width), Int32(height), 1)
    if known > 0 { return Int(known) }
  }
  let pixels = width * height
  // An avcC record's second byte is the SPS's profile_idc.
  if parameters.pointee.codec_id == AV_CODEC_ID_H264, parameters.pointee.extradata_size > 1,
    let extradata = parameters.pointee.extradata, extradata[0] == 1
  {
    switch extradata[1] {
    case 66, 77, 88, 100: return pixels * 3 / 2  // 4:2:0, 8 bits
    case 110: return pixels * 3  // 4:2:0, up to 14 bits in 16
    case 122: return pixels * 4  // 4:2:2, up to 16 bits
    default: break
    }
  }
  return pixels * 6
}
