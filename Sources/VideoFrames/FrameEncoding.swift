/// How a frame's bytes travel: its packed pixels, or a JPEG or PNG file of them.
public enum FrameEncoding: Sendable, Hashable, CustomStringConvertible {
  case raw
  /// Lossy, at a libjpeg quality from 1 to 100.
  case jpeg(quality: Int)
  /// Lossless.
  case png

  /// The JPEG quality a request that names none gets.
  public static let defaultJPEGQuality = 90

  /// "raw", "jpeg:90", "png": what `--encoding` and `--format` take.
  public var description: String {
    switch self {
    case .raw: return "raw"
    case .jpeg(let quality): return "jpeg:\(quality)"
    case .png: return "png"
    }
  }

  /// The file extension of a frame in this encoding; nil for raw pixels.
  public var fileExtension: String? {
    switch self {
    case .raw: return nil
    case .jpeg: return "jpg"
    case .png: return "png"
    }
  }

  /// Parses "raw", "png", "jpeg" or "jpeg:Q" (Q from 1 to 100); nil otherwise.
  public init?(parsing text: String) {
    let parts = text.lowercased().split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    switch (parts.first, parts.count) {
    case ("raw", 1): self = .raw
    case ("png", 1): self = .png
    case ("jpeg", 1), ("jpg", 1): self = .jpeg(quality: Self.defaultJPEGQuality)
    case ("jpeg", 2), ("jpg", 2):
      guard let quality = Int(parts[1]), (1...100).contains(quality) else { return nil }
      self = .jpeg(quality: quality)
    default: return nil
    }
  }
}
