import Synchronization
import VideoFrames

/// The decodes a server's streams share: a stream of a match joins a decode of the same file
/// version and output already running when the frame it starts at is still in that decode's
/// window, and starts one others may join otherwise. So eight clients that open the same match
/// at about the same time cost one decoder, one conversion and one encode per frame.
public final class SharedDecodes: Sendable {
  /// What streams must have in common to share a decode.
  struct Key: Hashable {
    let path: String
    /// The local file as it is now: a file replaced since a decode began is another file.
    let status: FileVersion.Status?
    let format: PixelFormat
    let maxWidth: Int
    let maxHeight: Int
    let encoding: FrameEncoding
  }

  private let decodes = Mutex<[Key: [SharedDecode]]>([:])
  private let prepare: (@Sendable (Frame) -> Frame)?

  /// `prepare` is done once to each frame a decode gives while several streams share it, on the
  /// decoding thread: work every reader would otherwise do for itself (the server makes the
  /// frame's message there).
  public init(prepare: (@Sendable (Frame) -> Frame)? = nil) {
    self.prepare = prepare
  }

  /// Whether a stream with `options` can share a decode: frames in order from a frame (not a
  /// time, whose positions come from it), every one of them, not chosen frames (the frame cache
  /// serves those), and converted into memory of the server's own, not a client's ring.
  public static func canShare(_ options: DecodeOptions, destination: (any FrameDestination)?) -> Bool {
    destination == nil && options.frameIndices.isEmpty && options.startSeconds == 0 && options.stride == 1
  }

  /// The frames of `path` that `options` ask for, from a decode already running when one can
  /// give them, else from a new one (`canShare` must hold). `capacity` is how far a decode runs
  /// ahead of its furthest reader; `admit` reserves this stream's frames (for a new decode, on
  /// its thread, which keeps it until the decoder is freed); `ownDecoder` makes the decoder the
  /// stream goes on with if it falls behind, from a frame and for at most a count of frames.
  public func frames(
    path: String, options: DecodeOptions, capacity: Int, tally: DecoderTally?,
    admit: (@Sendable (FrameGeometry) throws -> Void)?, cache: FrameCache?,
    ownDecoder: @escaping @Sendable (_ startFrame: Int, _ maxFrames: Int) -> DecodeAhead
  ) -> SharedFrames {
    let key = Key(
      path: path, status: FileVersion.Status(path: path), format: options.format, maxWidth: options.maxWidth,
      maxHeight: options.maxHeight, encoding: options.encoding)
    let start = options.startFrame
    return decodes.withLock { decodes -> SharedFrames in
      for decode in decodes[key] ?? [] {
        if let reader = decode.join(at: start) {
          return SharedFrames(
            decode: decode, reader: reader, joined: true, limit: options.maxFrames, admit: admit,
            ownDecoder: ownDecoder)
        }
      }
      var whole = options
      whole.maxFrames = 0
      let decode = SharedDecode(
        path: path, options: whole, ahead: capacity, tally: tally, admit: admit, cache: cache, prepare: prepare,
        closing: { [weak self] in self?.forget(key: key) })
      decodes[key, default: []].append(decode)
      return SharedFrames(
        decode: decode, reader: 0, joined: false, limit: options.maxFrames, admit: admit,
        ownDecoder: ownDecoder)
    }
  }

  /// Decodes running now.
  public var running: Int { decodes.withLock { $0.values.reduce(0) { $0 + $1.count } } }

  /// Drops the decodes of `key` that closed.
  private func forget(key: Key) {
    decodes.withLock { decodes in
      let open = (decodes[key] ?? []).filter { $0.readers > 0 }
      decodes[key] = open.isEmpty ? nil : open
    }
  }
}
