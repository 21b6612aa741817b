import VideoDecoding
import VideoFrames

/// The bytes one stream's frames may hold at once, from what they weigh (`FrameGeometry`).
///
/// Converted frames: the decode-ahead queue (the frame being converted takes one of its places),
/// the frame the handler is writing, its serialized copy, and the message before it still in the
/// HTTP/2 stream's buffer. Decoded frames, at the source size: one in flight on each decoder
/// thread, the reference frames a stream keeps (a level-conforming H.264 or HEVC stream keeps at
/// most six at the sizes where memory matters), and the one being converted.
struct FrameFootprint: Sendable, Equatable {
  /// Converted frames held beyond the queue: the handler's, its serialized copy, and the one before.
  static let transportFrames = 3
  /// Decoded frames held beyond one per decoder thread.
  static let decoderFramesBeyondThreads = 7

  let geometry: FrameGeometry
  /// Converted frames the stream decodes ahead of its writer.
  let queueDepth: Int
  /// Bytes of a client's shared-memory ring the stream maps; its converted frames are there,
  /// none in the server's own memory. 0 without one.
  var ringBytes = 0

  var convertedFrames: Int { ringBytes > 0 ? 0 : queueDepth + Self.transportFrames + geometry.framesHeldAhead }
  var decodedFrames: Int { geometry.decoderThreads + Self.decoderFramesBeyondThreads }
  var decodedBytes: Int { geometry.decodedFrameBytes * decodedFrames }
  /// An encoded stream's frame, converted, and the encoder's output buffer before it shrinks to
  /// the file (at most a little over the frame): the encoded frames themselves are counted at
  /// their raw size, which a JPEG never reaches and a PNG reaches only for noise.
  var encoderBytes: Int { geometry.encoded ? 2 * geometry.outputFrameBytes + geometry.outputFrameBytes / 64 + 4096 : 0 }
  var bytes: Int { geometry.outputFrameBytes * convertedFrames + decodedBytes + ringBytes + encoderBytes }

  /// The same stream with frames fitted to `maxWidth`×`maxHeight` (0: no limit).
  func resized(maxWidth: Int, maxHeight: Int) -> FrameFootprint {
    FrameFootprint(
      geometry: geometry.converted(to: geometry.format, maxWidth: maxWidth, maxHeight: maxHeight),
      queueDepth: queueDepth, ringBytes: ringBytes)
  }

  /// The largest `max_width` whose stream fits in `available` bytes; nil when none does (the
  /// decoder's frames, at the source size whatever the output, do not fit by themselves).
  func largestFittingWidth(in available: Int) -> Int? {
    // A ring's size is the client's choice, whatever the frames' size.
    guard convertedFrames > 0 else { return nil }
    let perFrame = (available - decodedBytes) / convertedFrames
    let sourcePixels = Double(geometry.sourceWidth * geometry.sourceHeight)
    guard perFrame > 0, sourcePixels > 0 else { return nil }
    let scale = min(1, (Double(perFrame / geometry.format.channels) / sourcePixels).squareRoot())
    var width = Int(Double(geometry.sourceWidth) * scale)
    width -= width % 16
    while width >= 16 {
      if resized(maxWidth: width, maxHeight: 0).bytes <= available { return width }
      width -= 16
    }
    return nil
  }
}
