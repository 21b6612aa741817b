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
/// ones before it), so the server never writes into a frame a consumer still holds. A consumer
/// that keeps frames would fill the ring that way and stall its stream, so once half the slots
/// are the consumer's, the oldest kept frame's pages are swapped, in one step, for a private copy
/// of them (`soccer_replace_with_private_copy`) and its slot goes back: a kept frame never
/// changes, and only kept frames are copied. The name is unlinked once the server has the object
/// open; the mappings go with the last frame.
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
  private let fd: Int32
  private let unlinked = Atomic<Bool>(false)
  private let book: Mutex<Book>

  /// Who has each frame the ring has carried, and where each slot is mapped.
  private struct Book {
    /// Frames handed back so far (what the header says).
    var released: UInt32 = 0
    /// Frames dropped ahead of their turn.
    var early: Set<UInt32> = []
    /// Frames the consumer holds: their slot, and where their pixels are mapped.
    var held: [UInt32: (slot: Int, address: Int)] = [:]
    /// Frames set aside: the address of their private copy, unmapped when they are dropped.
    var copies: [UInt32: Int] = [:]
    /// Where each slot is mapped now: in the ring's mapping, or afresh after a set-aside.
    var addresses: [Int]
    /// Frames received so far: the next one's number.
    var received: UInt32 = 0
    /// Frames whose pixels were copied out because the consumer kept them.
    var setAside = 0
  }

  /// A new ring of `slots` slots big enough for `frameBytes`-byte frames.
  init(frameBytes: Int, slots: Int = ClientRing.defaultSlots) throws(ClientError) {
    self.slots = slots
    slotBytes = SharedMemoryLayout.slotBytes(forFrameBytes: frameBytes)
    name = "/soccer-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    let path = "/dev/shm" + name
    let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw .local("cannot make a shared-memory ring \(path): \(String(cString: strerror(errno)))") }
    let size = SharedMemoryLayout.size(slots: slots, slotBytes: slotBytes)
    // Every page exists before the server writes: a full /dev/shm is said here.
    let reserved = ftruncate(fd, off_t(size)) == 0 ? soccer_reserve_file_space(fd, Int64(size)) : errno
    guard reserved == 0, let mapping = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
      mapping != MAP_FAILED
    else {
      Glibc.unlink(path)
      close(fd)
      throw .local(
        "cannot make a shared-memory ring of \(size) bytes in /dev/shm: \(String(cString: strerror(reserved)))")
    }
    UnsafeMutableRawBufferPointer(start: mapping, count: 8).copyBytes(from: SharedMemoryLayout.magic)
    base = Int(bitPattern: mapping)
    self.fd = fd
    let first = Int(bitPattern: mapping) + SharedMemoryLayout.headerBytes
    let slotBytes = self.slotBytes
    book = Mutex(Book(addresses: (0..<slots).map { first + $0 * slotBytes }))
  }

  deinit {
    unlink()
    let (addresses, first) = book.withLock { ($0.addresses, base + SharedMemoryLayout.headerBytes) }
    // Slots mapped afresh lie outside the ring's mapping.
    for (slot, address) in addresses.enumerated() where address != first + slot * slotBytes {
      if let mapping = UnsafeMutableRawPointer(bitPattern: address) { munmap(mapping, slotBytes) }
    }
    if let mapping = UnsafeMutableRawPointer(bitPattern: base) { munmap(mapping, size) }
    close(fd)
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

  /// Frames whose pixels were copied out of their slot because the consumer kept them.
  var setAside: Int { book.withLock { $0.setAside } }

  /// Removes the name from /dev/shm; the server keeps what it opened. Once.
  func unlink() {
    guard !unlinked.exchange(true, ordering: .relaxed) else { return }
    Glibc.unlink("/dev/shm" + name)
  }

  /// The pixels of the stream's next frame, at `offset` (the start of a slot) for `length` bytes:
  /// a view of the slot, handed back when the last copy of it is dropped; nil when the place is
  /// not one of the ring's slots. Kept frames are set aside first while half the slots are the
  /// consumer's.
  func pixels(offset: Int, length: Int) -> Data? {
    let (slot, within) = (offset - SharedMemoryLayout.headerBytes).quotientAndRemainder(dividingBy: slotBytes)
    guard offset >= SharedMemoryLayout.headerBytes, within == 0, slot < slots, (0...slotBytes).contains(length)
    else { return nil }
    let keep = UInt32(max(1, slots / 2))
    let (sequence, address, wake) = book.withLock { book in
      var wake = false
      while book.received &- book.released >= keep, setAsideOldest(&book) { wake = true }
      let sequence = book.received
      book.received &+= 1
      book.held[sequence] = (slot, book.addresses[slot])
      return (sequence, book.addresses[slot], wake)
    }
    if wake { wakeServer() }
    guard let pixels = UnsafeMutableRawPointer(bitPattern: address) else { return nil }
    return Data(bytesNoCopy: pixels, count: length, deallocator: .custom { [self] _, _ in handBack(sequence) })
  }

  /// Swaps the oldest frame the consumer holds for a private copy and hands its slot back; false
  /// when the oldest frame out is not held (it cannot be: frames go back in order).
  private func setAsideOldest(_ book: inout Book) -> Bool {
    let sequence = book.released
    guard let (slot, address) = book.held[sequence], let pixels = UnsafeMutableRawPointer(bitPattern: address),
      soccer_replace_with_private_copy(pixels, slotBytes) == 0,
      let fresh = mmap(
        nil, slotBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
        off_t(SharedMemoryLayout.headerBytes + slot * slotBytes)),
      fresh != MAP_FAILED
    else { return false }
    book.held[sequence] = nil
    book.copies[sequence] = address
    book.addresses[slot] = Int(bitPattern: fresh)
    book.setAside += 1
    advance(&book, past: sequence)
    return true
  }

  /// Frame `sequence` was dropped: its private copy is unmapped, or its slot goes back in turn.
  private func handBack(_ sequence: UInt32) {
    let wake = book.withLock { book -> Bool in
      if let copy = book.copies.removeValue(forKey: sequence) {
        release(copy: copy)
        return false
      }
      book.held[sequence] = nil
      guard sequence == book.released else {
        book.early.insert(sequence)
        return false
      }
      advance(&book, past: sequence)
      return true
    }
    if wake { wakeServer() }
  }

  /// Gives a set-aside frame's private copy back to the system. One inside the ring's mapping
  /// leaves its range reserved (inaccessible, no memory), never a hole another mapping could
  /// take before the ring's mapping is unmapped whole.
  private func release(copy: Int) {
    guard let mapping = UnsafeMutableRawPointer(bitPattern: copy) else { return }
    if copy >= base && copy < base + size {
      _ = mmap(mapping, slotBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0)
    } else {
      munmap(mapping, slotBytes)
    }
  }

  /// Counts frame `sequence` (the oldest out) handed back, with every frame dropped early after it.
  private func advance(_ book: inout Book, past sequence: UInt32) {
    book.released = sequence &+ 1
    while book.early.remove(book.released) != nil { book.released &+= 1 }
    if let word = releasedWord { soccer_store_release_u32(word, book.released) }
  }

  /// The header's count of frames handed back; the mapping lives from init to deinit.
  private var releasedWord: UnsafeMutablePointer<UInt32>? {
    UnsafeMutablePointer(bitPattern: base + SharedMemoryLayout.releasedOffset)
  }

  private func wakeServer() {
    if let word = releasedWord { soccer_futex_wake_shared(word) }
  }
}

/// Reads the frames of one stream's messages, whose pixels are in the message or in a slot of
/// `ring`, which numbers the slot's frames as they come and hands them back by that number.
struct SlotReader: Sendable {
  let ring: ClientRing?

  init(ring: ClientRing?) {
    self.ring = ring
  }

  /// The frame `video` brings.
  func frame(from video: Stream_Video) throws(ClientError) -> ReceivedFrame {
    guard video.hasSlot else { return try ReceivedFrame(video) }
    guard let ring else { throw .badFrame("a frame came in a shared-memory slot that was never asked for") }
    // The server has the ring open once a frame comes: nothing need stay in /dev/shm.
    ring.unlink()
    guard let pixels = ring.pixels(offset: Int(clamping: video.slot.offset), length: Int(clamping: video.slot.length))
    else { throw .badFrame("frame \(video.frameIndex) lies outside the shared-memory ring") }
    return try ReceivedFrame(video, pixels: pixels)
  }
}
