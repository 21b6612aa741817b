import SoccerProtocol
import SoccerWire
import VideoFrames

/// What to ask the server for in `Watch`.
public struct WatchRequest: Sendable, Hashable {
  /// Most frame indices one request carries (the server's limit); a client asking for more
  /// sends them in consecutive requests.
  public static let maxFrameIndices = 10_000

  public var id: String
  /// Pixel format; nil leaves the server's default (BGR24, like the Python demo).
  public var format: PixelFormat?
  public var maxWidth = 0
  public var maxHeight = 0
  public var startSeconds = 0.0
  /// The first frame, by its index in the match (exact); 0 for the beginning. Not with `startSeconds`.
  public var startFrame = 0
  public var maxFrames = 0
  public var stride = 1
  public var realTime = false
  /// The frames to receive, by index, in this order (repeats allowed), instead of a range: not
  /// with a start, stride or count. Empty for a range.
  public var frameIndices: [Int] = []
  /// How frames travel: raw pixels, or JPEG or PNG files the server encodes. Not through shared
  /// memory, which carries raw pixels: an encoded request never makes a ring.
  public var encoding = FrameEncoding.raw

  public init(id: String) { self.id = id }

  var message: Stream_Match {
    Stream_Match.with {
      $0.id = id
      $0.pixelFormat = Stream_PixelFormat(format ?? .bgr24)
      $0.maxWidth = UInt32(clamping: maxWidth)
      $0.maxHeight = UInt32(clamping: maxHeight)
      $0.startSeconds = startSeconds
      $0.startFrame = UInt64(clamping: max(0, startFrame))
      $0.maxFrames = UInt32(clamping: maxFrames)
      $0.stride = UInt32(clamping: max(1, stride))
      $0.realTime = realTime
      $0.frameIndices = frameIndices.map { UInt64(clamping: max(0, $0)) }
      $0.setEncoding(encoding)
    }
  }
}

extension WatchRequest {
  /// `n` frame indices spread evenly over a match of `count` frames, the first and the last
  /// included (just the first for one).
  public static func spread(_ n: Int, over count: Int) -> [Int] {
    guard n > 1, count > 1 else { return n >= 1 && count >= 1 ? [0] : [] }
    return (0..<n).map { Int((Double($0) * Double(count - 1) / Double(n - 1)).rounded()) }
  }
}
