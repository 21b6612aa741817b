import SoccerProtocol
import VideoFrames

extension Stream_MatchInfo {
  /// The `Describe` answer for match `id`.
  public init(id: String, _ info: MediaInfo) {
    self.init()
    self.id = id
    width = UInt32(clamping: info.width)
    height = UInt32(clamping: info.height)
    frameRate = info.frameRate
    durationSeconds = info.durationSeconds
    frameCount = UInt64(clamping: info.frameCount)
    frameCountExact = info.frameCountExact
    codec = info.codec
    sourcePixelFormat = info.sourcePixelFormat
    damage = info.damage
  }
}

extension MediaInfo {
  /// What a `Describe` answer says; what it leaves out stays 0 or "".
  public init(_ message: Stream_MatchInfo) {
    self.init(
      width: Int(message.width), height: Int(message.height), frameRate: message.frameRate,
      durationSeconds: message.durationSeconds, frameCount: Int(clamping: message.frameCount),
      frameCountExact: message.frameCountExact, codec: message.codec, sourcePixelFormat: message.sourcePixelFormat)
    damage = message.damage
  }
}
