import VideoFrames

/// What to decode and how to convert it.
public struct DecodeOptions: Sendable, Hashable {
  public var format: PixelFormat
  /// Largest output width; 0 for no limit.
  public var maxWidth: Int
  /// Largest output height; 0 for no limit.
  public var maxHeight: Int
  /// Seconds into the video to start at.
  public var startSeconds: Double
  /// The first frame to produce, by its position in the video (presentation order, from 0);
  /// exact whatever the frame rate. 0 for the beginning; not with `startSeconds`.
  public var startFrame = 0
  /// Positions of the frames to produce, in this order (repeats allowed), instead of a range; not
  /// with a start, stride or count. Empty for a range.
  public var frameIndices: [Int] = []
  /// Frames to produce at most; 0 for all.
  public var maxFrames: Int
  /// Produce every Nth frame; 1 for every frame.
  public var stride: Int
  /// Decoder threads; 0 lets FFmpeg choose (one per core, plus one).
  public var threads: Int
  /// Most pixels a produced frame may have, after fitting to `maxWidth`×`maxHeight`; 0 for no
  /// cap. A file over it is refused before FFmpeg opens its decoder.
  public var maxFramePixels = 0
  /// How each frame leaves the decoder: raw pixels, or encoded as JPEG or PNG on its thread.
  public var encoding = FrameEncoding.raw
  /// Bytes of frames a request of `frameIndices` may hold converted ahead of their turn: a frame
  /// asked for later that the decoder passes on its way to an earlier one is kept, so each
  /// keyframe interval the request needs is decoded about once, whatever the order. 0 keeps none.
  public var holdAheadBytes = 0

  public init(
    format: PixelFormat = .bgr24, maxWidth: Int = 0, maxHeight: Int = 0,
    startSeconds: Double = 0, maxFrames: Int = 0, stride: Int = 1, threads: Int = 0
  ) {
    self.format = format
    self.maxWidth = maxWidth
    self.maxHeight = maxHeight
    self.startSeconds = startSeconds
    self.maxFrames = maxFrames
    self.stride = max(1, stride)
    self.threads = max(0, threads)
  }
}

/// The size a frame of `width`×`height` is scaled to so that it fits the limits,
/// keeping its aspect ratio and never growing. A limit of 0 means none.
public func fittedSize(width: Int, height: Int, maxWidth: Int, maxHeight: Int) -> (width: Int, height: Int) {
  guard width > 0, height > 0 else { return (width, height) }
  var scale = 1.0
  if maxWidth > 0 { scale = min(scale, Double(maxWidth) / Double(width)) }
  if maxHeight > 0 { scale = min(scale, Double(maxHeight) / Double(height)) }
  guard scale < 1 else { return (width, height) }
  var w = max(1, Int((Double(width) * scale).rounded()))
  var h = max(1, Int((Double(height) * scale).rounded()))
  if maxWidth > 0 { w = min(w, maxWidth) }
  if maxHeight > 0 { h = min(h, maxHeight) }
  return (w, h)
}
