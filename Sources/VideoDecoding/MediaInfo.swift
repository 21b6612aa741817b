/// What a video file holds, read from its container without decoding.
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
}
