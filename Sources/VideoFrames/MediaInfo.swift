/// What a video file holds, read from its container without decoding; 0 or "" where unknown.
public struct MediaInfo: Sendable, Hashable {
  public var width: Int
  public var height: Int
  /// Average frames per second; 0 when the container does not say.
  public var frameRate: Double
  public var durationSeconds: Double
  public var frameCount: Int
  /// True when `frameCount` comes from the container's index, false when estimated.
  public var frameCountExact: Bool
  /// FFmpeg's codec name: "h264", "hevc", ...
  public var codec: String
  /// FFmpeg's name for the source pixel format: "yuv420p", ...
  public var sourcePixelFormat: String
  /// Why the file cannot be played whole, as far as its container shows without decoding; ""
  /// when it looks whole.
  public var damage = ""

  public init(
    width: Int = 0, height: Int = 0, frameRate: Double = 0, durationSeconds: Double = 0, frameCount: Int = 0,
    frameCountExact: Bool = false, codec: String = "", sourcePixelFormat: String = ""
  ) {
    self.width = width
    self.height = height
    self.frameRate = frameRate
    self.durationSeconds = durationSeconds
    self.frameCount = frameCount
    self.frameCountExact = frameCountExact
    self.codec = codec
    self.sourcePixelFormat = sourcePixelFormat
  }
}
