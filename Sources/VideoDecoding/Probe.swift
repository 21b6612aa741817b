import VideoFrames

extension VideoDecoder {
  /// Opens `path` and returns what it holds. Opening reads and parses the file, so it runs off
  /// the cooperative pool.
  public static func probe(path: String) async throws -> MediaInfo {
    try await offCooperativePool { try VideoDecoder(path: path).info }
  }
}

extension VideoDecoder {
  /// Opens `path`, decodes its first frame, and returns what the file holds: proof that it
  /// plays. Blocks: call it off the cooperative pool.
  public static func checkPlayable(path: String) throws(DecodeError) -> MediaInfo {
    let decoder = try VideoDecoder(path: path, threads: 1)
    try decoder.configure(DecodeOptions(maxFrames: 1))
    guard try decoder.next() != nil else {
      throw .noDecodableFrames("the video stream ends before its first frame")
    }
    return decoder.info
  }
}
