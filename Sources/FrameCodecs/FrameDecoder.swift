import CImageCodecs
import Foundation
import VideoFrames

/// Decodes JPEG and PNG frames back into packed pixels of the size and format their message
/// describes. One per thread: its JPEG decompressor is not shared.
public final class FrameDecoder {
  private var decompressor: tjhandle?

  public init() {}

  deinit {
    if let decompressor { tjDestroy(decompressor) }
  }

  /// `frame` with raw pixels: decoded when it is a JPEG or PNG file, which must be the frame's
  /// size; the same frame when it is raw.
  public func decode(_ frame: Frame) throws(CodecError) -> Frame {
    guard frame.encoding != .raw else { return frame }
    var decoded = frame
    let byteCount = frame.header.byteCount
    guard let memory = malloc(max(1, byteCount)) else { throw .decode("out of memory for \(byteCount) bytes") }
    do {
      switch frame.encoding {
      case .raw: break
      case .jpeg: try jpeg(frame, into: memory)
      case .png: try png(frame, into: memory)
      }
    } catch {
      free(memory)
      throw error
    }
    decoded.pixels = Data(bytesNoCopy: memory, count: byteCount, deallocator: .free)
    decoded.encoding = .raw
    return decoded
  }

  private func jpeg(_ frame: Frame, into memory: UnsafeMutableRawPointer) throws(CodecError) {
    if decompressor == nil { decompressor = tjInitDecompress() }
    guard let decompressor else { throw .decode("TurboJPEG could not start a decompressor") }
    let result = frame.pixels.withUnsafeBytes { file -> Int32 in
      guard let base = file.bindMemory(to: UInt8.self).baseAddress else { return -2 }
      var width: Int32 = 0
      var height: Int32 = 0
      var subsampling: Int32 = 0
      var colorspace: Int32 = 0
      guard tjDecompressHeader3(decompressor, base, UInt(file.count), &width, &height, &subsampling, &colorspace) == 0
      else { return -1 }
      guard width == frame.width, height == frame.height else { return -3 }
      return tjDecompress2(
        decompressor, base, UInt(file.count), memory.assumingMemoryBound(to: UInt8.self), width, 0, height,
        frame.format.turboJPEGFormat, 0)
    }
    switch result {
    case 0: return
    case -2: throw .decode("the JPEG is empty")
    case -3: throw .decode("the JPEG is not \(frame.width)x\(frame.height)")
    default: throw .decode(String(cString: tjGetErrorStr2(decompressor)))
    }
  }

  private func png(_ frame: Frame, into memory: UnsafeMutableRawPointer) throws(CodecError) {
    var message = [CChar](repeating: 0, count: 128)
    let result = frame.pixels.withUnsafeBytes { file in
      soccer_png_decode(
        file.baseAddress, file.count, memory, UInt32(frame.width), UInt32(frame.height),
        Int32(frame.format.channels), frame.format == .bgr24 ? 1 : 0, &message, message.count)
    }
    guard result == 0 else {
      throw .decode(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
  }
}
