import VideoFrames

extension VideoDecoder {
  /// Opens `path` and returns what it holds. Opening reads and parses the file, so it runs off
  /// the cooperative pool. A container that does not count its frames has them counted by the
  /// frame index's scan (no decoding), so the count is exact whenever the file can be indexed.
  public static func probe(path: String) async throws -> MediaInfo {
    try await offCooperativePool {
      let decoder = try VideoDecoder(path: path)
      var info = decoder.info
      if !info.frameCountExact, let index = decoder.index() {
        info.frameCount = index.frameCount
        info.frameCountExact = true
      }
      info.damage = decoder.truncation() ?? ""
      return info
    }
  }
}

extension VideoDecoder {
  /// Opens `path`, decodes its first frame and, when the container counts its frames, its last
  /// one, and returns what the file holds: proof that it plays, and that it is not cut short
  /// (a file whose index promises frames its data lacks). Blocks: call it off the cooperative pool.
  ///
  /// `admit` hears what the frames weigh once the file is open, before the check decodes, and may
  /// refuse by throwing; it is called on this thread.
  public static func checkPlayable(path: String, admit: (FrameGeometry) throws -> Void = { _ in }) throws -> MediaInfo {
    let decoder = try VideoDecoder(path: path, threads: 1)
    // Small frames: the check is whether they decode, not what they show.
    let options = DecodeOptions(maxWidth: 160, maxFrames: 1)
    try admit(decoder.geometry(for: options))
    try decoder.configure(options)
    guard try decoder.next() != nil else {
      throw DecodeError.noDecodableFrames("the video stream ends before its first frame")
    }
    let info = decoder.info
    if info.frameCountExact, info.frameCount > 1 {
      decoder.seek(to: .frame(info.frameCount - 1))
      guard try decoder.next() != nil else {
        throw DecodeError.dataLoss("its last frame (\(info.frameCount - 1)) cannot be decoded: the file is cut short")
      }
    }
    return info
  }
}
