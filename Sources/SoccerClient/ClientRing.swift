import CSoccerSystem
import Foundation
import SoccerProtocol
import SoccerWire
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A ring of frame slots this client makes in /dev/shm for one Watch stream, which the server
/// converts frames straight into (`SharedMemoryRing` in protos/stream.proto has the layout).
///
/// A frame's pixels are a view of its slot; the slot goes back to the server when the last copy
/// of that view is dropped, in the order the frames came (a frame dropped early waits for the
/// ones before it), so the server never writes into a frame a consumer still holds. The name is
/// unlinked once the server has the object open; the mapping goes with the last frame.
final class ClientRing: Sendable {
  /// Slots per ring: the server converts ahead into those the client is not holding.
  static let defaultSlots = 8
  /// Slots per Play ring, sized for the match's full frames so every resize fits: the server
  /// decodes two frames ahead and holds one to send, and the player shows one.
  static let playSlots = 5

  let name: String
  let slots: Int
  let slotBytes: Int
  var size: Int { SharedMemoryLayout.size(slots: slots, slotBytes: slotBytes) }
  private let base: Int
  private let unlinked = Atomic<Bool>(false)
  /// Frames handed back so far (what the header says), and those dropped ahead of their turn.
  private let handBack = Mutex<(released: UInt32, early: Set<UInt32>)>((0, []))

  /// A new ring of `slots` slots big enough for `frameBytes`-byte frames.
  init(frameBytes: Int, slots: Int = ClientRing.defaultSlots) throws(ClientError) {
    self.slots = slots
    slotBytes = SharedMemoryLayout.slotBytes(forFrameBytes: frameBytes)
    name = "/soccer-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    let path = "/dev/shm" + name
    let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw .local("cannot make a shared-memory ring \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let size = SharedMemoryLayout.size(slots: slots, slotBytes: slotBytes)
    guard ftruncate(fd, off_t(size)) == 0, let mapping = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
      mapping != MAP_FAILED
    else {
      Glibc.unlink(path)
      throw .local("cannot make a shared-memory ring of \(size) bytes in /dev/shm")
    }
    UnsafeMutableRawBufferPointer(start: mapping, count: 8).copyBytes(from: SharedMemoryLayout.magic)
    base = Int(bitPattern: mapping)
  }

  deinit {
    unlink()
    if let mapping = UnsafeMutableRawPointer(bitPattern: base) { munmap(mapping, size) }
  }

  /// Pixels in the largest frame of a `width`×`height` video fitted within `maxWidth`×`maxHeight`
  /// (0: no limit): the server's fitted size is at most a pixel or two off the scale.
  static func largestFrame(width: Int, height: Int, maxWidth: Int, maxHeight: Int) -> Int {
    guard width > 0, height > 0 else { return 0 }
    var scale = 1.0
    if maxWidth > 0 { scale = min(scale, Double(maxWidth) / Double(width)) }
    if maxHeight > 0 { scale = min(scale, Double(maxHeight) / Double(height)) }
    let w = min(width, Int((Double(width) * scale).rounded(.up)) + 2)
    let h = min(height, Int((Double(height) * scale).rounded(.up)) + 2)
    return w * h
  }

  /// The ring as `Match.shared_memory` names it.
  var request: Stream_SharedMemoryRing {
    .with {
      $0.name = name
      $0.size = UInt64(size)
      $0.slots = UInt32(slots)
      $0.slotBytes = UInt64(slotBytes)
    }
  }

  /// Removes the name from /dev/shm; the server keeps what it opened. Once.
  func unlink() {
    guard !unlinked.exchange(true, ordering: .relaxed) else { return }
    Glibc.unlink("/dev/shm" + name)
  }

  /// The pixels of the stream's frame number `sequence` (from 0), at `offset` for `length` bytes:
  /// a view of the slot, handed back when the last copy of it is dropped; nil when the place
  /// lies outside the ring.
  func pixels(sequence: UInt32, offset: Int, length: Int) -> Data? {
    guard offset >= SharedMemoryLayout.headerBytes, length >= 0, offset + length <= size,
      let pixels = UnsafeMutableRawPointer(bitPattern: base + offset)
    else { return nil }
    return Data(bytesNoCopy: pixels, count: length, deallocator: .custom { [self] _, _ in handBack(sequence) })
  }

  /// Hands frame `sequence` back: the header's count moves past every frame handed back in turn.
  private func handBack(_ sequence: UInt32) {
    guard let mapping = UnsafeMutableRawPointer(bitPattern: base) else { return }
    let word = (mapping + SharedMemoryLayout.releasedOffset).assumingMemoryBound(to: UInt32.self)
    handBack.withLock { state in
      guard sequence == state.released else {
        state.early.insert(sequence)
        return
      }
      state.released &+= 1
      while state.early.remove(state.released) != nil { state.released &+= 1 }
      soccer_store_release_u32(word, state.released)
    }
    soccer_futex_wake_shared(word)
  }
}

/// Reads the frames of one stream's messages, whose pixels are in the message or in a slot of
/// `ring`: the slot's frames are numbered as they come, the number the ring hands them back by.
struct SlotReader: Sendable {
  let ring: ClientRing?
  /// Frames received in slots: the next one's number in the ring.
  private var sequence: UInt32 = 0

  init(ring: ClientRing?) {
    self.ring = ring
  }

  /// The frame `video` brings.
  mutating func frame(from video: Stream_Video) throws(ClientError) -> ReceivedFrame {
    guard video.hasSlot else { return try ReceivedFrame(video) }
    guard let ring else { throw .badFrame("a frame came in a shared-memory slot that was never asked for") }
    // The server has the ring open once a frame comes: nothing need stay in /dev/shm.
    ring.unlink()
    defer { sequence &+= 1 }
    guard
      let pixels = ring.pixels(
        sequence: sequence, offset: Int(clamping: video.slot.offset), length: Int(clamping: video.slot.length))
    else { throw .badFrame("frame \(video.frameIndex) lies outside the shared-memory ring") }
    return try ReceivedFrame(video, pixels: pixels)
  }
}
