import Foundation
import Synchronization
import Testing
import VideoFrames

@testable import VideoDecoding

/// The frame cache: bounded by its capacity and by the room it is given, which it gives back
/// when it lets frames go, and never holding a frame that lies in a client's ring.
@Suite struct FrameCacheTests {
  /// A room of `limit` bytes, as the frame-memory budget is.
  final class Room: FrameCacheRoom {
    let limit: Int
    let taken = Mutex(0)
    init(limit: Int) { self.limit = limit }
    func takeForCache(_ bytes: Int) -> Bool {
      taken.withLock { taken in
        guard taken + bytes <= limit else { return false }
        taken += bytes
        return true
      }
    }
    func giveFromCache(_ bytes: Int) { taken.withLock { $0 -= bytes } }
  }

  static let file = FileVersion(path: "/m/a.mp4", device: 1, inode: 2, size: 3, modified: 4, layout: 5)

  static func key(_ index: Int, file: FileVersion = file, width: Int = 10) -> FrameCacheKey {
    FrameCacheKey(file: file, index: index, width: width, height: 10, format: .gray8, encoding: .raw)
  }

  static func frame(_ index: Int, bytes: Int = 100) -> Frame {
    Frame(
      pixels: Data(repeating: UInt8(index % 256), count: bytes), width: 10, height: 10, format: .gray8,
      index: index, ptsSeconds: Double(index))
  }

  @Test func aFrameIsFoundByItsFileItsPositionAndItsOutput() {
    let cache = FrameCache(capacity: 10_000)
    cache.insert(Self.frame(7), for: Self.key(7))
    #expect(cache.frame(for: Self.key(7))?.pixels == Self.frame(7).pixels)
    #expect(cache.frame(for: Self.key(8)) == nil)
    #expect(cache.frame(for: Self.key(7, width: 20)) == nil)
    let replaced = FileVersion(path: "/m/a.mp4", device: 1, inode: 9, size: 3, modified: 4, layout: 5)
    #expect(cache.frame(for: Self.key(7, file: replaced)) == nil, "a replaced file's frames are not its old ones")
    #expect(cache.statistics == FrameCacheStatistics(bytes: 100, frames: 1, hits: 1, misses: 3, evictions: 0))
  }

  @Test func itHoldsNoMoreThanItsCapacity() {
    let cache = FrameCache(capacity: 1000)
    for index in 0..<50 { cache.insert(Self.frame(index), for: Self.key(index)) }
    #expect(cache.statistics.bytes == 1000)
    #expect(cache.statistics.frames == 10)
    #expect(cache.statistics.evictions == 40)
  }

  @Test func itTakesItsBytesFromTheRoomAndGivesThemBackWhenItLetsGo() {
    let room = Room(limit: 550)
    let cache = FrameCache(capacity: 10_000, room: room)
    for index in 0..<20 { cache.insert(Self.frame(index), for: Self.key(index)) }
    // The room has space for five: the cache pushes its own frames out to take a new one.
    #expect(cache.statistics.frames == 5)
    #expect(room.taken.withLock { $0 } == 500)
    #expect(cache.frame(for: Self.key(19)) != nil)
    #expect(cache.shed(150) == 200)
    #expect(room.taken.withLock { $0 } == 300)
    #expect(cache.shed(.max) == 300)
    #expect(room.taken.withLock { $0 } == 0 && cache.statistics.bytes == 0)
  }

  @Test func aRoomWithNothingFreeKeepsTheCacheEmpty() {
    let room = Room(limit: 50)
    let cache = FrameCache(capacity: 10_000, room: room)
    cache.insert(Self.frame(1), for: Self.key(1))
    #expect(cache.statistics.frames == 0 && room.taken.withLock { $0 } == 0)
  }

  @Test func aFrameInAClientsRingIsNotHeld() {
    let cache = FrameCache(capacity: 10_000)
    var frame = Self.frame(3)
    frame.slot = 0
    cache.insert(frame, for: Self.key(3))
    #expect(cache.frame(for: Self.key(3)) == nil)
  }

  @Test func theDefaultIsAQuarterOfTheFrameMemoryAndAtMostAGibibyte() {
    #expect(FrameCache.defaultCapacity(frameMemory: 256 << 20) == 64 << 20)
    #expect(FrameCache.defaultCapacity(frameMemory: 12 << 30) == 1 << 30)
  }
}
