import VideoFrames

extension VideoDecoder {
  /// Opens `path` and returns what it holds. Opening reads and parses the file, so it runs off
  /// the cooperative pool.
  public static func probe(path: String) async throws -> MediaInfo {
    try await offCooperativePool { try VideoDecoder(path: path).info }
  }
}
