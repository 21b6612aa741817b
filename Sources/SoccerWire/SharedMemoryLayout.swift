/// The layout of a shared-memory ring (`SharedMemoryRing` in protos/stream.proto), as the server
/// that writes frames into it and the client that makes it both read it.
public enum SharedMemoryLayout {
  /// Bytes before the first slot.
  public static let headerBytes = 4096
  /// What the header begins with.
  public static let magic = Array("SOCCERSM".utf8)
  /// Where the client's count of frames handed back (a little-endian uint32, the futex word) lies.
  public static let releasedOffset = 64
  /// Bytes a slot holds past a frame's end, for the server's converter (swscale may touch them).
  public static let slotSlack = 64

  /// The smallest slot size, in whole pages, for frames of `frameBytes`.
  public static func slotBytes(forFrameBytes frameBytes: Int) -> Int {
    (frameBytes + slotSlack + 4095) / 4096 * 4096
  }

  /// Bytes in a ring of `slots` slots of `slotBytes` each.
  public static func size(slots: Int, slotBytes: Int) -> Int { headerBytes + slots * slotBytes }
}
