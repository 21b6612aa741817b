import CFFmpeg
import VideoFrames

/// Why a file could not be decoded, or stopped decoding.
public enum DecodeError: Error, Equatable, CustomStringConvertible {
  /// FFmpeg could not open the file as media (empty, random bytes, text, truncated index).
  case notMedia(String)
  /// The file is media but holds no video stream.
  case noVideoStream
  /// The video's codec has no decoder here, or the decoder refused its parameters.
  case unsupportedCodec(String)
  /// Not one frame could be decoded.
  case noDecodableFrames(String)
  /// The start offset lies at or past the end of the video.
  case startPastEnd(start: Double, duration: Double)
  /// Decoding stopped after some frames because the rest of the file is unreadable.
  case dataLoss(String)
  /// FFmpeg could not allocate what it needed.
  case resources(String)
  /// The requested start frame is past the last frame (the video has `count`).
  case startFramePastEnd(frame: Int, count: Int)
  /// A chosen frame index is past the last frame (the video has `count`).
  case frameIndexPastEnd(index: Int, count: Int)
  /// The frames, at the size asked for (`output`, the `source` size unless scaled), have more
  /// pixels than the server's cap, `limit`.
  case framesTooLarge(source: String, output: String, pixels: Int, limit: Int)
  /// The media origin answered that it has no such file (HTTP 404).
  case originNotFound(String)
  /// The media origin could not be reached, timed out or failed (5xx).
  case originUnavailable(origin: String, reason: String)

  public var description: String {
    switch self {
    case .notMedia(let why): return "not a readable media file: \(why)"
    case .noVideoStream: return "the file has no video stream"
    case .unsupportedCodec(let why): return "unsupported video codec: \(why)"
    case .noDecodableFrames(let why): return "no frame could be decoded: \(why)"
    case .startPastEnd(let start, let duration):
      return "start offset \(start.shortText) s is at or past the end of the video (\(duration.shortText) s)"
    case .dataLoss(let why): return "the match's file is damaged: \(why)"
    case .resources(let why): return "decoder resources: \(why)"
    case .startFramePastEnd(let frame, let count):
      return "start frame \(frame) is past the end of the video (\(count) frames, numbered from 0)"
    case .frameIndexPastEnd(let index, let count):
      return "frame index \(index) is past the end of the video (\(count) frames, numbered from 0)"
    case .framesTooLarge(let source, let output, let pixels, let limit):
      let size = source == output ? "the video's frames are \(source)" : "its \(source) frames scaled to \(output) are"
      return "\(size), \(pixels) pixels, over this server's limit of \(limit) pixels a frame (--max-frame-pixels): "
        + "ask for smaller frames with max_width or max_height"
    case .originNotFound(let url): return "the media origin has no \(url)"
    case .originUnavailable(let origin, let reason): return "the media origin \(origin) failed: \(reason)"
    }
  }
}

/// FFmpeg's text for an error code, from av_strerror.
func ffmpegErrorText(_ code: Int32) -> String {
  var buffer = [CChar](repeating: 0, count: 128)
  if av_strerror(code, &buffer, buffer.count) < 0 { return "error \(code)" }
  return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
