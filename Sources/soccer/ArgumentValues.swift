import ArgumentParser
import SoccerClient
import TerminalGraphics
import TerminalPlayback
import VideoFrames

// Values the command line parses straight into the types the engines take.

extension PixelFormat: ExpressibleByArgument {}

/// What `soccer dump` writes: the pixels, in a format, as PPM/PGM files; or the server's JPEG or
/// PNG files.
enum DumpFormat: ExpressibleByArgument, Equatable {
  case pixels(PixelFormat)
  case encoded(FrameEncoding)

  init?(argument: String) {
    if let format = PixelFormat(rawValue: argument) {
      self = .pixels(format)
    } else if let encoding = FrameEncoding(parsing: argument), encoding != .raw {
      self = .encoded(encoding)
    } else {
      return nil
    }
  }

  /// `--format`'s value, or an error that says what the choices are.
  static func parse(_ text: String) throws -> DumpFormat {
    if let format = PixelFormat(rawValue: text) { return .pixels(format) }
    let encoding = try parseEncoding(text)
    guard encoding != .raw else {
      throw ValidationError("--format is rgb, bgr, gray, jpeg[:QUALITY] or png, not \"\(text)\"")
    }
    return .encoded(encoding)
  }

  var defaultValueDescription: String {
    switch self {
    case .pixels(let format): return format.rawValue
    case .encoded(let encoding): return encoding.description
    }
  }
}

extension FrameEncoding: ExpressibleByArgument {
  public init?(argument: String) { self.init(parsing: argument) }
}

/// An encoding's name, or an error that says what is wrong with it: an unknown name, or a JPEG
/// quality out of 1-100.
func parseEncoding(_ text: String) throws -> FrameEncoding {
  if let encoding = FrameEncoding(parsing: text) { return encoding }
  let parts = text.lowercased().split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
  if parts.count == 2, parts[0] == "jpeg" || parts[0] == "jpg" {
    throw ValidationError("JPEG quality is a whole number from 1 to 100, not \"\(parts[1])\"")
  }
  throw ValidationError("the encodings are raw, jpeg[:QUALITY] and png, not \"\(text)\"")
}
extension ModeChoice: ExpressibleByArgument {}
extension ColorChoice: ExpressibleByArgument {}

extension ServerTarget: ExpressibleByArgument {
  /// "HOST:PORT" ("[IPv6]:PORT", or a bare "HOST" for port 50051), a comma-separated list of
  /// them, or "dns:///NAME:PORT".
  public init?(argument: String) { self.init(argument) }
}

extension CellGrid: ExpressibleByArgument {
  /// "COLSxROWS", both 1 or more: "80x24".
  public init?(argument: String) { self.init(argument) }
}
