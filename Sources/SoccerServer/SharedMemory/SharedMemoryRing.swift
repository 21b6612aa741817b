import CSoccerSystem
import Foundation
import SoccerProtocol
import SoccerWire
import Synchronization
import VideoDecoding
import VideoFrames

#if canImport(Glibc)
  import Glibc
#endif

/// A client's ring of frame slots in a POSIX shared-memory object, which the decoding thread
/// converts frames straight into (`protos/stream.proto`, `SharedMemoryRing`, has the layout).
///
/// Opened, and checked, by the stream's handler; mapped by the decoding thread once the stream's
/// frame memory is reserved; unmapped when the last of the handler, the decoding thread and the
/// frames in flight lets go of it.
///
/// Nothing a client does to its object afterwards can fault the server: every page is allocated
/// before mapping (`fallocate`), and the mapping is registered with the fault guard, so a bus
/// error from pages lost later (the object shrunk, a hole punched on a full tmpfs) replaces the
/// mapping with private memory and ends only this stream (`SharedMemoryError.broken`).
final class SharedMemoryRing: FrameDestination {
  static let maxSlots = 64
  static let maxSlotBytes = 1 << 30
  /// Longest the decoding thread sleeps between looks at a full ring (and at cancellation): 50 ms.
  static let pollNanoseconds: Int64 = 50_000_000

  let name: String
  let size: Int
  let slots: Int
  let slotBytes: Int
  private let fd: Int32
  private let stallTimeout: Duration
  /// The mapping's address as a bit pattern; 0 until mapped.
  private let base = Atomic<Int>(0)
  private let book: Mutex<SlotBook>
  private let cancelled = Atomic<Bool>(false)
  private let idle = Atomic<Bool>(false)
  /// The mapping's place in the fault guard; -1 until mapped.
  private let guarded = Atomic<Int>(-1)
  /// Whether the process's fault guard is installed; done once, by the first ring mapped.
  private static let guardInstalled = soccer_fault_guard_install() == 0

  /// Opens the object `request` names, for a client running as `peerUID`, after checking it;
  /// nothing is mapped yet.
  init(_ request: Stream_SharedMemoryRing, peerUID: UInt32, stallTimeout: Duration) throws(SharedMemoryError) {
    name = request.name
    guard Self.isValidName(name) else {
      throw .invalid(
        "shared_memory.name must be \"/\" and then 1 to 200 letters, digits, '.', '_' or '-' (not '.' first), "
          + "not \"\(name.prefix(64))\"")
    }
    guard (1...Self.maxSlots).contains(Int(request.slots)) else {
      throw .invalid("shared_memory.slots must be 1 to \(Self.maxSlots), not \(request.slots)")
    }
    guard request.slotBytes > 0, request.slotBytes % 4096 == 0, request.slotBytes <= UInt64(Self.maxSlotBytes) else {
      throw .invalid("shared_memory.slot_bytes must be a multiple of 4096 up to 1 GiB, not \(request.slotBytes)")
    }
    slots = Int(request.slots)
    slotBytes = Int(request.slotBytes)
    book = Mutex(SlotBook(slots: slots))
    size = SharedMemoryLayout.size(slots: slots, slotBytes: slotBytes)
    guard request.size == UInt64(size) else {
      throw .invalid(
        "shared_memory.size must be 4096 + slots * slot_bytes = \(size) bytes, not \(request.size)")
    }
    self.stallTimeout = stallTimeout
    // O_NOFOLLOW: a symbolic link in /dev/shm is refused, never followed to a file elsewhere.
    let path = "/dev/shm" + name
    let opened = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
    guard opened >= 0 else {
      let error = errno
      switch error {
      case ENOENT: throw .invalid("there is no shared-memory object \(name) (\(path))")
      case ELOOP: throw .denied("\(name) is a symbolic link; shared memory is opened without following links")
      case EACCES, EPERM: throw .denied("\(name) may not be opened for reading and writing")
      default: throw .invalid("cannot open \(name): \(String(cString: strerror(error)))")
      }
    }
    // Checked before it is stored: a ring refused here is never whole, so no deinit closes it again.
    do {
      try Self.check(fd: opened, name: name, size: size, peerUID: peerUID)
    } catch {
      close(opened)
      throw error
    }
    fd = opened
  }

  deinit {
    if let mapping = UnsafeMutableRawPointer(bitPattern: base.load(ordering: .acquiring)) {
      soccer_fault_guard_remove(Int32(guarded.load(ordering: .acquiring)))
      munmap(mapping, size)
    }
    close(fd)
  }

  /// The object's kind, owner, size and magic, as the ring's contract asks.
  private static func check(fd: Int32, name: String, size: Int, peerUID: UInt32) throws(SharedMemoryError) {
    var status = stat()
    guard fstat(fd, &status) == 0 else { throw .invalid("cannot read what \(name) is") }
    guard (status.st_mode & S_IFMT) == S_IFREG else { throw .invalid("\(name) is not a regular file") }
    guard soccer_is_on_tmpfs(fd) == 1 else {
      throw .invalid("\(name) is not on a shared-memory filesystem (tmpfs)")
    }
    guard status.st_uid == peerUID else {
      throw .denied(
        "\(name) belongs to uid \(status.st_uid), not to uid \(peerUID), which the connecting process runs as")
    }
    guard Int(status.st_size) == size else {
      throw .invalid("\(name) holds \(status.st_size) bytes, not the \(size) that shared_memory.size declares")
    }
    var head = [UInt8](repeating: 0, count: SharedMemoryLayout.magic.count)
    let read = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, SharedMemoryLayout.magic.count, 0) }
    guard read == SharedMemoryLayout.magic.count, head == SharedMemoryLayout.magic else {
      throw .invalid("\(name) does not begin with the ring's magic, \"SOCCERSM\"")
    }
  }

  /// "/" and then 1 to 200 letters, digits, '.', '_' or '-', not '.' first.
  static func isValidName(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    guard bytes.first == UInt8(ascii: "/"), (2...201).contains(bytes.count), bytes[1] != UInt8(ascii: ".") else {
      return false
    }
    return bytes.dropFirst().allSatisfy { byte in
      (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
        || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
  }

  /// Throws when frames of `frameBytes` do not fit a slot with the converter's slack.
  func checkFits(frameBytes: Int, frame: String) throws(SharedMemoryError) {
    guard frameBytes + SharedMemoryLayout.slotSlack <= slotBytes else {
      throw .invalid(
        "slots of \(slotBytes) bytes hold no \(frame) frame: it needs \(frameBytes) bytes and "
          + "\(SharedMemoryLayout.slotSlack) more; shared_memory.slot_bytes must be at least "
          + "\(SharedMemoryLayout.slotBytes(forFrameBytes: frameBytes))")
    }
  }

  /// Maps the object; called once, on the decoding thread, after the frame memory is reserved.
  func map() throws(SharedMemoryError) {
    // Every page exists before the first store: a sparse object on a full tmpfs is refused here,
    // not met as a bus error mid-frame.
    let reserved = soccer_reserve_file_space(fd, Int64(size))
    guard reserved == 0 else {
      if reserved == ENOSPC {
        throw .noRoom(
          "there is no room in /dev/shm for the \(ByteCount.text(size)) of \(name): free some, or ask for fewer "
            + "or smaller slots")
      }
      throw .invalid("cannot allocate the pages of \(name): \(String(cString: strerror(reserved)))")
    }
    guard Self.guardInstalled else { throw .noRoom("the server cannot guard shared memory on this system") }
    guard let mapping = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
      mapping != MAP_FAILED
    else {
      throw .invalid("cannot map \(name): \(String(cString: strerror(errno)))")
    }
    let place = soccer_fault_guard_add(mapping, size)
    guard place >= 0 else {
      munmap(mapping, size)
      throw .noRoom("the server maps as many shared-memory rings as it can guard; try again when a stream ends")
    }
    guarded.store(Int(place), ordering: .releasing)
    base.store(Int(bitPattern: mapping), ordering: .releasing)
  }

  /// Whether a page of the mapping was lost under the server: its frames are not the client's.
  var isBroken: Bool {
    let place = guarded.load(ordering: .acquiring)
    return place >= 0 && soccer_fault_guard_hit(Int32(place)) == 1
  }

  /// Whether the stream is paused by its client: a full ring is then no stall, as a paused
  /// stream sends nothing (its pause timeout bounds it).
  func setIdle(_ paused: Bool) {
    idle.store(paused, ordering: .relaxed)
  }

  /// Ends waits for room at once: the stream is over.
  func cancel() {
    cancelled.store(true, ordering: .releasing)
    if let word = releasedWord { soccer_futex_wake_shared(word) }
  }

  // MARK: - FrameDestination (the decoding thread)

  func waitForRoom() throws {
    guard let word = releasedWord else { throw SharedMemoryError.invalid("\(name) is not mapped") }
    var fullSince: ContinuousClock.Instant?
    while true {
      if cancelled.load(ordering: .acquiring) { throw CancellationError() }
      let released = soccer_load_acquire_u32(word)
      if isBroken { throw SharedMemoryError.broken(name: name) }
      switch book.withLock({ $0.reserve(released: released) }) {
      case .reserved:
        return
      case .heldByServer:
        // Frames the server holds (queued, paused, or waiting on a slow socket) free their
        // slots when sent and handed back, or dropped; the transport times out a stalled reader.
        fullSince = nil
      case .heldByClient where idle.load(ordering: .relaxed):
        fullSince = nil
      case .heldByClient:
        let now = ContinuousClock.now
        let since = fullSince ?? now
        fullSince = since
        if since.duration(to: now) >= stallTimeout { throw SharedMemoryError.stalled(stallTimeout) }
      }
      _ = soccer_futex_wait_shared(word, released, Self.pollNanoseconds)
    }
  }

  func nextPlace(byteCount: Int) -> FramePlace? {
    guard byteCount <= slotBytes, let mapping = UnsafeMutableRawPointer(bitPattern: base.load(ordering: .acquiring)),
      let slot = book.withLock({ $0.place() })
    else { return nil }
    return FramePlace(pixels: mapping + offset(of: slot), slot: slot, owner: self)
  }

  func dropped(slot: Int) {
    guard book.withLock({ $0.drop(slot) }), let word = releasedWord else { return }
    // A decoding thread waiting for room sleeps on the client's count: wake it for this slot.
    soccer_futex_wake_shared(word)
  }

  /// The message for `frame`, whose pixels are in one of this ring's slots: from here on the slot
  /// is the client's until it counts the frame handed back. Called in the order messages are written.
  /// Throws when the ring lost pages since the frame was converted: its pixels are not the frame's.
  func message(sending frame: Frame) throws(SharedMemoryError) -> Stream_Video {
    guard let slot = frame.slot else { return Stream_Video(frame) }
    if isBroken { throw .broken(name: name) }
    book.withLock { $0.send(slot) }
    var pixelless = frame
    pixelless.pixels = Data()
    var message = Stream_Video(pixelless)
    message.slot = Stream_SharedMemorySlot.with {
      $0.index = UInt32(slot)
      $0.offset = UInt64(offset(of: slot))
      $0.length = UInt64(frame.pixels.count)
    }
    return message
  }

  /// The client's count of frames handed back, in the mapped header; nil before mapping.
  private var releasedWord: UnsafeMutablePointer<UInt32>? {
    guard let mapping = UnsafeMutableRawPointer(bitPattern: base.load(ordering: .acquiring)) else { return nil }
    return (mapping + SharedMemoryLayout.releasedOffset).assumingMemoryBound(to: UInt32.self)
  }

  /// Where slot `slot` begins in the object.
  func offset(of slot: Int) -> Int { SharedMemoryLayout.headerBytes + slot * slotBytes }
}
