import SoccerProtocol
import VideoFrames

extension Stream_PixelFormat {
  /// The wire's name for `format`.
  public init(_ format: PixelFormat) {
    switch format {
    case .bgr24: self = .bgr24
    case .rgb24: self = .rgb24
    case .gray8: self = .gray8
    }
  }
}

extension PixelFormat {
  /// The format a wire value names; nil for a value this build does not know.
  public init?(_ wire: Stream_PixelFormat) {
    switch wire {
    case .bgr24: self = .bgr24
    case .rgb24: self = .rgb24
    case .gray8: self = .gray8
    case .UNRECOGNIZED: return nil
    }
  }
}
