import CSoccerSystem
import Foundation
import SoccerProtocol
import SoccerWire
import Synchronization
import VideoDecoding

#if canImport(Glibc)
  import Glibc
#endif

/// A client's ring of frame slots in a POSIX shared-memory object, which the decoding thread
/// converts frames straight into (`protos/stream.proto`, `SharedMemoryRing`, has the layout).
///
/// Opened, and checked, by the stream's handler; mapped by the decoding thread once the stream's
/// frame memory is reserved; unmapped when the last of the handler, the decoding thread and the
/// frames in flight lets go of it.
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
  /// Frames placed so far: the next one goes to slot `placed % slots` (uint32, as the client counts).
  private let placed = Atomic<UInt32>(0)
  private let cancelled = Atomic<Bool>(false)

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
    guard let mapping = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
      mapping != MAP_FAILED
    else {
      throw .invalid("cannot map \(name): \(String(cString: strerror(errno)))")
    }
    base.store(Int(bitPattern: mapping), ordering: .releasing)
  }

  /// Ends waits for room: the stream is over.
  func cancel() {
    cancelled.store(true, ordering: .releasing)
  }

  // MARK: - FrameDestination (the decoding thread)

  func waitForRoom() throws {
    guard let mapping = UnsafeMutableRawPointer(bitPattern: base.load(ordering: .acquiring)) else {
      throw SharedMemoryError.invalid("\(name) is not mapped")
    }
    let word = (mapping + SharedMemoryLayout.releasedOffset).assumingMemoryBound(to: UInt32.self)
    let next = placed.load(ordering: .relaxed)
    var fullSince: ContinuousClock.Instant?
    while true {
      if cancelled.load(ordering: .acquiring) { throw CancellationError() }
      let released = soccer_load_acquire_u32(word)
      // The client holds the slots of frames placed but not released; the next slot is free
      // once fewer than `slots` are held (uint32 arithmetic, as the client counts).
      if next &- released < UInt32(slots) { return }
      let now = ContinuousClock.now
      let since = fullSince ?? now
      fullSince = since
      if since.duration(to: now) >= stallTimeout { throw SharedMemoryError.stalled(stallTimeout) }
      _ = soccer_futex_wait_shared(word, released, Self.pollNanoseconds)
    }
  }

  func nextPlace(byteCount: Int) -> FramePlace? {
    guard byteCount <= slotBytes, let mapping = UnsafeMutableRawPointer(bitPattern: base.load(ordering: .acquiring))
    else { return nil }
    let sequence = placed.wrappingAdd(1, ordering: .relaxed).oldValue
    let slot = Int(sequence % UInt32(slots))
    return FramePlace(pixels: mapping + offset(of: slot), slot: slot, owner: self)
  }

  /// Where slot `slot` begins in the object.
  func offset(of slot: Int) -> Int { SharedMemoryLayout.headerBytes + slot * slotBytes }
}
