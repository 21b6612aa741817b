import Foundation
import VideoFrames

/// A frame saved from the player as a PPM (PGM for gray) in the current folder.
enum FrameFile {
  /// The file name of frame `index` of `id`: numbered from 1, as `soccer dump` numbers them.
  static func name(id: String, index: Int) -> String {
    String(format: "%@_%06d", id, index + 1) + ".ppm"
  }

  /// Writes `frame` under a temporary name and renames it, so no reader sees half a file;
  /// returns the file's name.
  static func save(_ frame: Frame, id: String, folder: String = FileManager.default.currentDirectoryPath)
    async throws -> String
  {
    var name = name(id: id, index: frame.index)
    if frame.format == .gray8 { name = String(name.dropLast(4)) + ".pgm" }
    let path = folder + "/" + name
    let file = try NetPBM.encode(
      pixels: frame.pixels, width: frame.width, height: frame.height, channels: frame.format.channels,
      bgr: frame.format == .bgr24)
    try await offCooperativePool {
      let temporary = path + ".part"
      try file.write(to: URL(fileURLWithPath: temporary))
      guard rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: reason])
      }
    }
    return name
  }
}
