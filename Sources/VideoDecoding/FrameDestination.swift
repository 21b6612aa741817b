/// Memory for converted frames that is not their own: a slot of a client's shared-memory ring.
///
/// The decoding thread waits for room (`waitForRoom`) before it decodes each frame, off the
/// cooperative pool; the converter then takes the place (`nextPlace`) and swscale writes the
/// frame straight into it, so the pixels are never copied after their conversion.
public protocol FrameDestination: AnyObject, Sendable {
  /// Blocks until the next frame has a place; throws to stop the stream (the consumer stalled
  /// or went away).
  func waitForRoom() throws
  /// The place for the next frame's `byteCount` bytes, after `waitForRoom`; nil when they do not
  /// fit there.
  func nextPlace(byteCount: Int) -> FramePlace?
  /// The last copy of the frame in `slot` was let go of: the slot is free again unless the frame
  /// was sent, which the destination knows.
  func dropped(slot: Int)
}

/// Where one converted frame's pixels go: memory `owner` keeps valid.
public struct FramePlace {
  /// Bytes past a frame's end that swscale may touch: every place a frame goes has them.
  public static let slack = 64
  /// Frames smaller than this are never placed: `Data` copies a few bytes into itself and lets
  /// go of memory it was given at once, which would free the place before the frame is sent.
  public static let minimumBytes = 64

  /// The first byte of the pixels.
  public let pixels: UnsafeMutableRawPointer
  /// Which slot of the destination it is.
  public let slot: Int
  /// What keeps the memory valid: held as long as the frame's pixels are, and told when they go.
  public let owner: any FrameDestination

  public init(pixels: UnsafeMutableRawPointer, slot: Int, owner: any FrameDestination) {
    self.pixels = pixels
    self.slot = slot
    self.owner = owner
  }
}
