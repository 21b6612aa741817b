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
    let ring = try ClientRing(frameBytes: 100, slots: 4)
    #expect(ring.slotBytes == 4096)
    var first = ring.pixels(sequence: 0, offset: 4096, length: 100)
    var second = ring.pixels(sequence: 1, offset: 8192, length: 100)
    var third = ring.pixels(sequence: 2, offset: 12288, length: 100)
    #expect(first?.count == 100 && second != nil && third != nil)
    second = nil
    // Frame 1 was dropped before frame 0: its slot waits, or the server would overwrite frame 0.
    #expect(released(ring) == 0)
    first = nil
    #expect(released(ring) == 2)
    third = nil
    #expect(released(ring) == 3)
    #expect(ring.pixels(sequence: 3, offset: 4096 * 5 - 99, length: 100) == nil)
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
      let pixels = try #require(ring.pixels(sequence: 0, offset: 4096, length: 12))
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

  @Test func theLargestFrameBoundsTheServersFittedSize() {
    #expect(ClientRing.largestFrame(width: 1920, height: 1080, maxWidth: 0, maxHeight: 0) == 1920 * 1080)
    // 640x360 fitted within 320 wide is 320x180; the bound allows a pixel or two of rounding.
    let bound = ClientRing.largestFrame(width: 640, height: 360, maxWidth: 320, maxHeight: 0)
    #expect(bound >= 320 * 180 && bound <= 322 * 182)
  }
}
