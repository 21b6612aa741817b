import Foundation

/// One decoded picture: packed pixels and where it sits in the match.
public struct Frame: Sendable {
  /// Packed pixels, row-major, no row padding; or, when `encoding` says so, a JPEG or PNG file
  /// of them.
  public var pixels: Data
  public var width: Int
  public var height: Int
  public var format: PixelFormat
  /// Position of the frame in the match, from 0.
  public var index: Int
  /// Presentation time in seconds from the start of the match.
  public var ptsSeconds: Double
  /// The shared-memory slot `pixels` lie in, when they were converted into one; nil otherwise.
  public var slot: Int?
  /// What `pixels` holds; the size and format describe the decoded pixels either way.
  public var encoding = FrameEncoding.raw
  /// The frame's whole message in the transport's bytes, made once by a decode several streams
  /// share so that each sends them without a copy of its own; nil for a frame one stream sends.
  /// Typed loosely because frames know nothing of transports: the server's serializer sends it
  /// when it is of the transport's byte type and serializes the frame otherwise.
  public var wire: (any Sendable)?

  public init(pixels: Data, width: Int, height: Int, format: PixelFormat, index: Int, ptsSeconds: Double) {
    self.pixels = pixels
    self.width = width
    self.height = height
    self.format = format
    self.index = index
    self.ptsSeconds = ptsSeconds
  }

  /// The numpy header describing `pixels`.
  public var header: ArrayHeader {
    ArrayHeader(height: height, width: width, channels: format.channels)
  }
}
