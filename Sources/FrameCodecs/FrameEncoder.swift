import CImageCodecs
import Foundation
import VideoFrames

/// Encodes frames as JPEG (libjpeg-turbo's TurboJPEG API: SIMD, and it reads BGR, RGB and gray
/// rows as they are) or PNG (libpng's simplified writer, fast compression). One per thread: its
/// JPEG compressor is not shared.
public final class FrameEncoder {
  private var compressor: tjhandle?

  public init() {}

  deinit {
    if let compressor { tjDestroy(compressor) }
  }

  /// `frame` (raw pixels) as `encoding` says; the same frame for `.raw`.
  public func encode(_ frame: Frame, as encoding: FrameEncoding) throws(CodecError) -> Frame {
    guard frame.encoding == .raw else { throw .encode("the frame is already encoded (\(frame.encoding))") }
    guard frame.pixels.count == frame.header.byteCount else {
      throw .encode("\(frame.pixels.count) bytes do not make a \(frame.width)x\(frame.height) \(frame.format) frame")
    }
    var encoded = frame
    switch encoding {
    case .raw: return frame
    case .jpeg(let quality): encoded.pixels = try jpeg(frame, quality: quality)
    case .png: encoded.pixels = try png(frame)
    }
    encoded.encoding = encoding
    encoded.slot = nil
    return encoded
  }

  private func jpeg(_ frame: Frame, quality: Int) throws(CodecError) -> Data {
    guard (1...100).contains(quality) else { throw .encode("JPEG quality must be 1 to 100, not \(quality)") }
    if compressor == nil { compressor = tjInitCompress() }
    guard let compressor else { throw .encode("TurboJPEG could not start a compressor") }
    var output: UnsafeMutablePointer<UInt8>?
    var size: UInt = 0
    let gray = frame.format == .gray8
    let result = frame.pixels.withUnsafeBytes { pixels in
      tjCompress2(
        compressor, pixels.bindMemory(to: UInt8.self).baseAddress, Int32(frame.width), 0, Int32(frame.height),
        frame.format.turboJPEGFormat, &output, &size,
        Int32(gray ? TJSAMP_GRAY.rawValue : TJSAMP_420.rawValue), Int32(quality), 0)
    }
    guard result == 0, let output else {
      if let output { tjFree(output) }
      throw .encode(String(cString: tjGetErrorStr2(compressor)))
    }
    return Data(bytesNoCopy: output, count: Int(size), deallocator: .custom { bytes, _ in tjFree(bytes) })
  }

  private func png(_ frame: Frame) throws(CodecError) -> Data {
    let channels = Int32(frame.format.channels)
    var size = soccer_png_size_max(UInt32(frame.width), UInt32(frame.height), channels)
    // The most the file can take, so one pass writes it; what is left over goes back after.
    guard let memory = malloc(size) else { throw .encode("out of memory for a \(size)-byte PNG") }
    var message = [CChar](repeating: 0, count: 128)
    let result = frame.pixels.withUnsafeBytes { pixels in
      soccer_png_encode(
        pixels.baseAddress, UInt32(frame.width), UInt32(frame.height), channels, frame.format == .bgr24 ? 1 : 0,
        memory, &size, &message, message.count)
    }
    guard result == 0 else {
      free(memory)
      throw .encode(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    let kept = realloc(memory, max(1, size)) ?? memory
    return Data(bytesNoCopy: kept, count: size, deallocator: .free)
  }
}

extension PixelFormat {
  /// TurboJPEG's name for the layout.
  var turboJPEGFormat: Int32 {
    switch self {
    case .bgr24: return TJPF_BGR.rawValue
    case .rgb24: return TJPF_RGB.rawValue
    case .gray8: return TJPF_GRAY.rawValue
    }
  }
}
