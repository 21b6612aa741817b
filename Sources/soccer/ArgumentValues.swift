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
