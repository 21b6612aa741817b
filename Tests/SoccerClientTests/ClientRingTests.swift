import Foundation
import SoccerProtocol
import Testing
import VideoFrames

@testable import SoccerClient

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct ClientRingTests {
  /// The count of frames handed back, as the server reads it from the object.
  private func released(_ ring: ClientRing) -> UInt32? {
    var value: UInt32 = 0
    let object = open("/dev/shm" + ring.name, O_RDONLY)
    guard object >= 0 else { return nil }
    defer { close(object) }
    guard withUnsafeMutableBytes(of: &value, { pread(object, $0.baseAddress, 4, 64) }) == 4 else { return nil }
    return UInt32(littleEndian: value)
  }

  @Test func slotsGoBackInTheOrderTheFramesCameWhateverOrderTheyAreDropped() throws {
    // Eight slots: the consumer may hold four before kept frames are set aside.
    let ring = try ClientRing(frameBytes: 100, slots: 8)
    #expect(ring.slotBytes == 4096)
    var first = ring.pixels(offset: 4096, length: 100)
    // Frame 1, dropped at once.
    #expect(ring.pixels(offset: 8192, length: 100) != nil)
    var third = ring.pixels(offset: 12288, length: 100)
    #expect(first?.count == 100 && third != nil)
    // Frame 1 was dropped before frame 0: its slot waits, or the server would overwrite frame 0.
    #expect(released(ring) == 0)
    first = nil
    #expect(released(ring) == 2)
    third = nil
    #expect(released(ring) == 3)
    #expect(ring.pixels(offset: 4096 * 9 - 99, length: 100) == nil)
    #expect(ring.pixels(offset: 4096 * 2 + 1, length: 100) == nil)
    #expect(ring.pixels(offset: 4096, length: 4097) == nil)
    #expect(ring.setAside == 0)
    ring.unlink()
    #expect(!FileManager.default.fileExists(atPath: "/dev/shm" + ring.name))
  }

  @Test func aFrameOfItsOwnGivesItsSlotBackAtOnce() throws {
    let ring = try ClientRing(frameBytes: 12, slots: 2)
    let video = Stream_Video.with {
      $0.dataType = "uint8"
      $0.dataShape = "(2, 2, 3)"
      $0.frameIndex = 4
    }
    let kept: Frame
    do {
      let pixels = try #require(ring.pixels(offset: 4096, length: 12))
      let received = try ReceivedFrame(video, pixels: pixels)
      #expect(received.inSharedMemory)
      // Kept, as a player keeps the frame on screen: the slot is the server's again.
      kept = try received.ownFrame()
    }
    #expect(released(ring) == 1)
    #expect(kept.pixels.count == 12 && kept.index == 4)
    var plain = video
    plain.data = Data(count: 12)
    #expect(!(try ReceivedFrame(plain)).inSharedMemory)
  }

  /// Writes `byte` over slot `slot` of `ring` through the object, as the server writes a frame.
  private func overwrite(_ ring: ClientRing, slot: Int, with byte: UInt8) {
    let object = open("/dev/shm" + ring.name, O_RDWR)
    defer { close(object) }
    let bytes = [UInt8](repeating: byte, count: ring.slotBytes)
    _ = bytes.withUnsafeBytes { pwrite(object, $0.baseAddress, ring.slotBytes, off_t(4096 + slot * ring.slotBytes)) }
  }

  @Test func keptFramesAreSetAsideUnchangedAndTheirSlotsGoBack() throws {
    let ring = try ClientRing(frameBytes: 100, slots: 4)
    var kept: [Data] = []
    // Forty frames kept, each written into the slot that is free, as a server writes them.
    for number in 0..<40 {
      let slot = number % 4
      overwrite(ring, slot: slot, with: UInt8(number))
      kept.append(try #require(ring.pixels(offset: 4096 + slot * ring.slotBytes, length: 100)))
      // Half the slots at most stay the consumer's: the server always has room.
      #expect(UInt32(number + 1) - (released(ring) ?? 0) <= 2)
    }
    for (number, pixels) in kept.enumerated() {
      #expect(pixels.allSatisfy { $0 == UInt8(number) }, "frame \(number): \(Array(pixels.prefix(4)))")
    }
    #expect(ring.setAside == 38)
    kept.removeAll()
    #expect(released(ring) == 40)
  }

  @Test func framesDroppedInTurnAreNeverCopied() throws {
    let ring = try ClientRing(frameBytes: 100, slots: 4)
    for number in 0..<40 {
      let pixels = try #require(ring.pixels(offset: 4096 + number % 4 * ring.slotBytes, length: 100))
      #expect(pixels.count == 100)
    }
    #expect(ring.setAside == 0)
    #expect(released(ring) == 40)
  }

  @Test func theLargestFrameBoundsTheServersFittedSize() {
    #expect(ClientRing.largestFrame(width: 1920, height: 1080, maxWidth: 0, maxHeight: 0) == 1920 * 1080)
    // 640x360 fitted within 320 wide is 320x180; the bound allows a pixel or two of rounding.
    let bound = ClientRing.largestFrame(width: 640, height: 360, maxWidth: 320, maxHeight: 0)
    #expect(bound >= 320 * 180 && bound <= 322 * 182)
  }
}
