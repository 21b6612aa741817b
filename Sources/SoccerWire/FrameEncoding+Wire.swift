import SoccerProtocol
import VideoFrames

extension Stream_FrameEncoding {
  /// The wire's name for `encoding` (a JPEG's quality travels in `Match.jpeg_quality`).
  public init(_ encoding: FrameEncoding) {
    switch encoding {
    case .raw: self = .raw
    case .jpeg: self = .jpeg
    case .png: self = .png
    }
  }
}

extension FrameEncoding {
  /// The encoding a message's field names; nil for a value this build does not know.
  public init?(_ wire: Stream_FrameEncoding) {
    switch wire {
    case .raw: self = .raw
    case .jpeg: self = .jpeg(quality: Self.defaultJPEGQuality)
    case .png: self = .png
    case .UNRECOGNIZED: return nil
    }
  }

  /// The encoding a request's `encoding` and `jpeg_quality` ask for; throws why they make no
  /// sense together.
  public static func requested(_ wire: Stream_FrameEncoding, jpegQuality: UInt32) throws(InvalidEncoding)
    -> FrameEncoding
  {
    switch wire {
    case .raw where jpegQuality == 0: return .raw
    case .png where jpegQuality == 0: return .png
    case .raw, .png: throw InvalidEncoding("jpeg_quality goes only with the JPEG encoding")
    case .jpeg:
      guard jpegQuality <= 100 else { throw InvalidEncoding("jpeg_quality must be 1 to 100, not \(jpegQuality)") }
      return .jpeg(quality: jpegQuality == 0 ? defaultJPEGQuality : Int(jpegQuality))
    case .UNRECOGNIZED(let value): throw InvalidEncoding("unknown encoding \(value)")
    }
  }
}

/// A request's encoding fields that make no sense.
public struct InvalidEncoding: Error, Sendable, CustomStringConvertible {
  public let description: String

  init(_ description: String) {
    self.description = description
  }
}

extension Stream_Match {
  /// Asks for frames in `encoding`.
  public mutating func setEncoding(_ encoding: FrameEncoding) {
    self.encoding = Stream_FrameEncoding(encoding)
    if case .jpeg(let quality) = encoding { jpegQuality = UInt32(clamping: quality) } else { jpegQuality = 0 }
  }
}
