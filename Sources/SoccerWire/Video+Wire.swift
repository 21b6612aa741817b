import SoccerProtocol
import VideoFrames

extension Stream_Video {
  /// The message for one decoded frame, in the layout the Python demo sends.
  public init(_ frame: Frame) {
    self.init()
    let header = frame.header
    data = frame.pixels
    dataType = header.dataType
    dataShape = header.dataShape
    frameIndex = UInt64(clamping: frame.index)
    ptsSeconds = frame.ptsSeconds
    pixelFormat = Stream_PixelFormat(frame.format)
    if frame.encoding != .raw { encoding = Stream_FrameEncoding(frame.encoding) }
  }
}
