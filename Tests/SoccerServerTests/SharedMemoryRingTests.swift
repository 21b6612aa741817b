import Foundation
import SoccerProtocol
import SoccerWire
import Testing
import VideoDecoding
import VideoFrames

@testable import SoccerServer

#if canImport(Glibc)
  import Glibc
#endif

/// An object in /dev/shm laid out as a ring, removed when the test is done with it.
private final class ShmObject {
  let name: String
  var path: String { "/dev/shm" + name }

  init(slots: Int = 2, slotBytes: Int = 4096, size: Int? = nil, magic: String = "SOCCERSM") throws {
    name = "/soccer-swift-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    var bytes = Data(magic.utf8)
    bytes.append(Data(count: (size ?? 4096 + slots * slotBytes) - bytes.count))
    try bytes.write(to: URL(fileURLWithPath: path))
  }

  deinit { unlink(path) }

  func request(slots: Int = 2, slotBytes: Int = 4096) -> Stream_SharedMemoryRing {
    .with {
      $0.name = name
      $0.slots = UInt32(slots)
      $0.slotBytes = UInt64(slotBytes)
      $0.size = UInt64(4096 + slots * slotBytes)
    }
  }

  /// Hands `count` frames back, as the client does, through the file (the mapping shares its pages).
  func release(count: UInt32) {
    var value = count.littleEndian
    let fd = open(path, O_WRONLY)
    _ = withUnsafeBytes(of: &value) { pwrite(fd, $0.baseAddress, 4, 64) }
    close(fd)
  }
}

@Suite(.serialized) struct SharedMemoryRingTests {
  private func refusal(_ object: ShmObject, _ request: Stream_SharedMemoryRing, uid: UInt32 = getuid())
    -> SharedMemoryError?
  {
    do {
      _ = try SharedMemoryRing(request, peerUID: uid, stallTimeout: .seconds(1))
      return nil
    } catch {
      return error
    }
  }

  /// Converts a frame into the ring as the decoding thread does and, unless `send` is false, sends
  /// it; returns the frame (its pixels hold the slot while it lives) and its slot.
  private func place(in ring: SharedMemoryRing, send: Bool = true) throws -> (frame: Frame, slot: Int) {
    try ring.waitForRoom()
    let place = try #require(ring.nextPlace(byteCount: 300))
    let (owner, slot) = (place.owner, place.slot)
    let pixels = Data(
      bytesNoCopy: place.pixels, count: 300, deallocator: .custom { _, _ in owner.dropped(slot: slot) })
    var frame = Frame(pixels: pixels, width: 10, height: 10, format: .bgr24, index: 0, ptsSeconds: 0)
    frame.slot = slot
    if send {
      let message = try ring.message(sending: frame)
      #expect(message.data.isEmpty && message.slot.index == UInt32(slot) && message.slot.length == 300)
    }
    return (frame, slot)
  }

  @Test func framesGoToTheSlotsInTurnAndOnlyIntoSlotsHandedBack() async throws {
    let object = try ShmObject()
    let ring = try SharedMemoryRing(object.request(), peerUID: getuid(), stallTimeout: .seconds(5))
    try ring.checkFits(frameBytes: 4096 - SharedMemoryLayout.slotSlack, frame: "small")
    try ring.map()
    let slots = try (0..<2).map { _ in try place(in: ring).slot }
    #expect(slots == [0, 1])
    // Both slots are the client's now: the next frame waits until one comes back.
    let started = ContinuousClock.now
    let waited = Task.detached {
      try await offCooperativePool { try ring.waitForRoom() }
      return started.duration(to: .now)
    }
    try await Task.sleep(for: .milliseconds(300))
    object.release(count: 1)
    #expect(try await waited.value >= .milliseconds(250))
    #expect(ring.nextPlace(byteCount: 100)?.slot == 0)
    #expect(ring.nextPlace(byteCount: 4097) == nil)
  }

  @Test func aFrameDroppedUnsentFreesItsSlotAndWakesTheDecodingThread() async throws {
    let object = try ShmObject()
    let ring = try SharedMemoryRing(object.request(), peerUID: getuid(), stallTimeout: .seconds(30))
    try ring.map()
    _ = try place(in: ring)
    var unsent: (frame: Frame, slot: Int)? = try place(in: ring, send: false)
    #expect(unsent?.slot == 1)
    // The client holds slot 0 and a seek drops the frame in slot 1 before it is sent.
    let started = ContinuousClock.now
    let waited = Task.detached {
      try await offCooperativePool { try ring.waitForRoom() }
      return started.duration(to: .now)
    }
    try await Task.sleep(for: .milliseconds(300))
    unsent = nil
    #expect(try await waited.value >= .milliseconds(250))
    #expect(ring.nextPlace(byteCount: 100)?.slot == 1)
  }

  @Test func framesTheServerHoldsNeverCountAsAStall() async throws {
    let object = try ShmObject(slots: 1)
    let ring = try SharedMemoryRing(object.request(slots: 1), peerUID: getuid(), stallTimeout: .milliseconds(100))
    try ring.map()
    let held = try place(in: ring, send: false)
    // Paused, with its one slot holding a frame not yet sent: the wait outlasts the stall timeout
    // and ends when the stream does.
    let waiting = Task.detached { try await offCooperativePool { try ring.waitForRoom() } }
    try await Task.sleep(for: .milliseconds(400))
    ring.cancel()
    await #expect(throws: CancellationError.self) { try await waiting.value }
    withExtendedLifetime(held) {}
  }

  /// A mapped one-slot ring whose slot holds a frame the client has not handed back.
  private func fullRing(_ object: ShmObject, stallTimeout: Duration) throws -> SharedMemoryRing {
    let ring = try SharedMemoryRing(object.request(slots: 1), peerUID: getuid(), stallTimeout: stallTimeout)
    try ring.map()
    _ = try place(in: ring)
    return ring
  }

  @Test func aRingLeftFullForTheStallTimeoutEndsTheStream() async throws {
    let object = try ShmObject(slots: 1)
    let ring = try fullRing(object, stallTimeout: .milliseconds(200))
    await #expect(throws: SharedMemoryError.stalled(.milliseconds(200))) {
      try await offCooperativePool { try ring.waitForRoom() }
    }
  }

  @Test func cancellingEndsAWait() async throws {
    let object = try ShmObject(slots: 1)
    let ring = try fullRing(object, stallTimeout: .seconds(30))
    let waiting = Task.detached { try await offCooperativePool { try ring.waitForRoom() } }
    try await Task.sleep(for: .milliseconds(100))
    ring.cancel()
    await #expect(throws: CancellationError.self) { try await waiting.value }
  }

  @Test func eachCheckSaysWhatFailed() throws {
    let good = try ShmObject()
    var request = good.request()
    request.name = "/../etc/passwd"
    #expect(refusal(good, request)?.description.contains("shared_memory.name must be") == true)
    request = good.request()
    request.size += 1
    #expect(refusal(good, request)?.description.contains("shared_memory.size must be") == true)
    #expect(refusal(good, good.request(slotBytes: 4000))?.description.contains("multiple of 4096") == true)
    #expect(refusal(good, good.request(), uid: getuid() + 1)?.description.contains("belongs to uid") == true)
    if case .denied = refusal(good, good.request(), uid: getuid() + 1) {} else { Issue.record("not denied") }

    let short = try ShmObject(size: 4096 + 4096)
    #expect(refusal(short, short.request())?.description.contains("holds 8192 bytes") == true)
    let unmarked = try ShmObject(magic: "NOTMAGIC")
    #expect(refusal(unmarked, unmarked.request())?.description.contains("magic") == true)

    let link = "/soccer-swift-test-link-\(getpid())"
    symlink(good.path, "/dev/shm" + link)
    defer { unlink("/dev/shm" + link) }
    request = good.request()
    request.name = link
    #expect(
      refusal(good, request) == .denied("\(link) is a symbolic link; shared memory is opened without following links"))
    request.name = "/soccer-swift-test-missing"
    #expect(refusal(good, request)?.description.contains("there is no shared-memory object") == true)
  }

  @Test func slotsMustHoldAFrameAndItsSlack() throws {
    // The converter touches no more past a frame than a slot holds for it.
    #expect(FramePlace.slack <= SharedMemoryLayout.slotSlack)
    let object = try ShmObject()
    let ring = try SharedMemoryRing(object.request(), peerUID: getuid(), stallTimeout: .seconds(1))
    let room = 4096 - SharedMemoryLayout.slotSlack
    #expect(throws: SharedMemoryError.self) { try ring.checkFits(frameBytes: room + 1, frame: "x") }
    try ring.checkFits(frameBytes: room, frame: "x")
  }
}
