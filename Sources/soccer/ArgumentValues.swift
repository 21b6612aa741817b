import ArgumentParser
import SoccerClient
import TerminalGraphics
import TerminalPlayback
import VideoFrames

// Values the command line parses straight into the types the engines take.

extension PixelFormat: ExpressibleByArgument {}
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
