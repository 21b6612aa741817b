import Foundation
import FrameCodecs
import SoccerProtocol
import SoccerWire
import VideoFrames

/// A frame as it arrived from a server, its header checked against its bytes.
public struct ReceivedFrame: Sendable {
  public var header: ArrayHeader
  public var pixels: Data
  /// Channel order; BGR from servers that do not say.
  public var format: PixelFormat
  public var index: Int
  public var ptsSeconds: Double
  /// What `pixels` holds: the pixels, or a JPEG or PNG file of them (`frame()` decodes it).
  public var encoding: FrameEncoding
  /// Whether `pixels` is a view of a shared-memory slot, which goes back to the server, in
  /// order, once the last copy of the view is dropped.
  public var inSharedMemory: Bool

  /// Checks a `Video` message the way the reference client reads it with numpy; its pixels are
  /// `pixels` when they came apart from it (a shared-memory slot), else its `data`.
  init(_ video: Stream_Video, pixels given: Data? = nil) throws(ClientError) {
    let pixels = given ?? video.data
    guard let encoding = FrameEncoding(video.encoding) else {
      throw .badFrame("unknown encoding \(video.encoding.rawValue)")
    }
    guard encoding == .raw || (!pixels.isEmpty && given == nil) else {
      throw .badFrame("an encoded frame must come in data, and not be empty")
    }
    self.encoding = encoding
    inSharedMemory = given != nil
    do {
      header = try ArrayHeader(
        dataType: video.dataType, dataShape: video.dataShape, byteCount: encoding == .raw ? pixels.count : nil)
    } catch {
      throw .badFrame(error.description)
    }
    guard let format = PixelFormat(video.pixelFormat) else {
      throw .badFrame("unknown pixel_format \(video.pixelFormat.rawValue)")
    }
    // Servers that do not say send BGR24's value, 0, for gray frames too.
    self.format = format == .bgr24 && header.channels == 1 ? .gray8 : format
    self.pixels = pixels
    index = Int(clamping: video.frameIndex)
    ptsSeconds = video.ptsSeconds
  }

  /// The frame as a PPM (RGB) or PGM (gray) file's bytes.
  public func netPBM() throws(ClientError) -> Data {
    guard header.elementType == .uint8 else { throw .badFrame("only 8-bit frames can be written as PPM/PGM") }
    guard header.channels == 1 || header.channels == 3 else {
      throw .badFrame("frames with \(header.channels) channels cannot be written as PPM/PGM")
    }
    let pixels = encoding == .raw ? self.pixels : try frame().pixels
    do {
      return try NetPBM.encode(
        pixels: pixels, width: header.width, height: header.height, channels: header.channels,
        bgr: format == .bgr24)
    } catch {
      throw .badFrame(error.description)
    }
  }
}

extension ReceivedFrame {
  /// `frame()` with pixels of its own: one from a shared-memory slot is copied out, so its slot
  /// goes back now however long the frame is kept. For a consumer that keeps one frame while it
  /// drops later ones (a player's frame on screen), which would otherwise hold back the ring's
  /// in-order hand-back until the ring is full.
  public func ownFrame(decoder: FrameDecoder? = nil) throws(ClientError) -> Frame {
    var frame = try frame(decoder: decoder)
    if inSharedMemory {
      frame.pixels = frame.pixels.withUnsafeBytes { Data(buffer: $0.bindMemory(to: UInt8.self)) }
    }
    return frame
  }

  /// The frame as a plain 8-bit picture, a JPEG or PNG decoded (with `decoder`, which a loop
  /// keeps for its frames); fails for other element types or channel counts, or a file that
  /// does not decode to the frame the message describes.
  public func frame(decoder: FrameDecoder? = nil) throws(ClientError) -> Frame {
    guard header.elementType == .uint8, header.channels == format.channels else {
      throw .badFrame("a \(header.dataType) frame of \(header.channels) channels cannot be shown as \(format)")
    }
    var frame = Frame(
      pixels: pixels, width: header.width, height: header.height, format: format, index: index, ptsSeconds: ptsSeconds)
    guard encoding != .raw else { return frame }
    frame.encoding = encoding
    do {
      return try (decoder ?? FrameDecoder()).decode(frame)
    } catch {
      throw .badFrame("frame \(index): \(error)")
    }
  }
}
