import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SoccerProtocol
import VideoFrames

/// A `Video` message on its way out, with its bytes when they were made before: a decode shared
/// by several streams makes each frame's message once (`Frame.inWireForm()`), and every stream
/// then sends the same bytes.
public struct OutgoingVideo: Sendable {
  public var message: Stream_Video
  /// `message` in the transport's bytes, or nil to serialize it.
  public var wire: (any Sendable)?

  /// A message to serialize.
  public init(_ message: Stream_Video) {
    self.message = message
  }

  /// A frame's message, with the bytes made for it if it has them.
  public init(_ frame: Frame) {
    message = Stream_Video(frame)
    wire = frame.wire
  }
}

/// Sends an `OutgoingVideo`'s bytes as they are when they are the transport's byte type; writes
/// the message as `VideoSerializer` does otherwise.
public struct OutgoingVideoSerializer: MessageSerializer {
  public init() {}

  public func serialize<Bytes: GRPCContiguousBytes>(_ video: OutgoingVideo) throws -> Bytes {
    if let wire = video.wire as? Bytes { return wire }
    return try VideoSerializer().serialize(video.message)
  }
}

extension Frame {
  /// The frame with its message made in the HTTP/2 transport's bytes (`wire`), with one copy of
  /// the pixels, and its pixels read from those bytes: the copy replaces the frame's own buffer
  /// instead of adding to it.
  public func inWireForm() -> Frame {
    guard let bytes = try? VideoWireBytes(Stream_Video(self)) else { return self }
    let wire = GRPCNIOTransportBytes(bytes)
    var frame = self
    frame.pixels = wire.data(in: bytes.pixelRange)
    frame.wire = wire
    return frame
  }
}

extension GRPCNIOTransportBytes {
  /// The bytes at `range` as `Data`, without a copy.
  func data(in range: Range<Int>) -> Data {
    // Safe: the bytes live in a ByteBuffer's storage, a class instance whose memory does not
    // move while it is alive. The deallocator holds `self`, and with it the storage, for as
    // long as the Data exists. Nothing writes to them: a ByteBuffer that is not uniquely
    // referenced copies before it writes, and these bytes are only read.
    withUnsafeBytes { raw in
      guard let base = raw.baseAddress else { return Data() }
      return Data(
        bytesNoCopy: UnsafeMutableRawPointer(mutating: base + range.lowerBound), count: range.count,
        deallocator: .custom { _, _ in withExtendedLifetime(self) {} })
    }
  }
}
