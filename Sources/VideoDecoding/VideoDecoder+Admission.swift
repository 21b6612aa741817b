import VideoFrames

extension VideoDecoder {
  /// A stream's decoder, opened on its decoding thread with its frames reserved by `admit`:
  /// the one way `DecodeAhead`, `SharedDecode` and `PlaybackDecoder` start. Frames held ahead
  /// only save decoding, so a budget without room for them admits the request without
  /// (`holdAheadBytes` 0). Returns the options admitted and what their frames weigh; the caller
  /// configures the decoder with them.
  static func admitted(
    path: String, options: DecodeOptions, admit: (@Sendable (FrameGeometry) throws -> Void)?
  ) throws -> (decoder: VideoDecoder, options: DecodeOptions, geometry: FrameGeometry) {
    let decoder = try VideoDecoder(path: path, analyze: false, threads: options.threads, admitting: options)
    var options = options
    var geometry = decoder.geometry(for: options)
    do {
      try admit?(geometry)
    } catch  where geometry.framesHeldAhead > 0 {
      options.holdAheadBytes = 0
      geometry = decoder.geometry(for: options)
      try admit?(geometry)
    }
    return (decoder, options, geometry)
  }
}
