import TestSupport
import Testing

@testable import VideoDecoding

/// The eviction policy: its weight never passes its capacity, a pass of entries asked for once
/// does not push out entries asked for again, and a key that comes back soon goes to the main queue.
@Suite struct S3FIFOTests {
  @Test func theWeightNeverPassesTheCapacityWhateverIsInsertedAndAskedFor() {
    var cache = S3FIFO<Int, Int>(capacity: 10_000)
    var random = SplitMix(seed: 38)
    var held = 0
    for _ in 0..<20_000 {
      let key = Int(random.next() % 500)
      if random.next() % 3 == 0 {
        _ = cache.value(for: key)
      } else {
        let evicted = cache.insert(key, for: key, weight: Int(random.next() % 900) + 1)
        held -= evicted.reduce(0) { $0 + $1.1 }
      }
      #expect(cache.weight <= cache.capacity)
      held = cache.weight
    }
    #expect(held > cache.capacity / 2, "the cache stays mostly full")
  }

  @Test func aPassOfFramesAskedForOnceDoesNotPushOutFramesAskedForAgain() {
    var cache = S3FIFO<Int, Int>(capacity: 100)
    // An epoch's frames, asked for again: they are in use.
    for key in 0..<50 { _ = cache.insert(key, for: key, weight: 1) }
    for key in 0..<50 { #expect(cache.value(for: key) == key) }
    // A stream of 10,000 frames no one asks for again.
    for key in 1000..<11_000 { _ = cache.insert(key, for: key, weight: 1) }
    let kept = (0..<50).filter { cache.contains($0) }.count
    #expect(kept == 50, "\(kept) of the 50 frames in use survived a pass of 10,000")
  }

  @Test func aLeastRecentlyUsedListWouldHaveLostThemAll() {
    // The same pass, with the frames in use asked for once more: by recency alone, 10,000 newer
    // frames would push every one of them out; here they stay.
    var cache = S3FIFO<Int, Int>(capacity: 100)
    for key in 0..<50 { _ = cache.insert(key, for: key, weight: 1) }
    for key in 0..<50 { _ = cache.value(for: key) }
    for key in 1000..<1200 { _ = cache.insert(key, for: key, weight: 1) }
    #expect((0..<50).allSatisfy { cache.contains($0) })
  }

  @Test func aKeyThatComesBackSoonAfterLeavingGoesToTheMainQueue() {
    var cache = S3FIFO<Int, Int>(capacity: 10)
    for key in 0..<10 { _ = cache.insert(key, for: key, weight: 1) }
    // Key 0 leaves through the small queue, never asked for: a ghost.
    _ = cache.insert(100, for: 100, weight: 1)
    #expect(!cache.contains(0))
    // It comes back, into the main queue, and outlives the new keys that follow it.
    _ = cache.insert(0, for: 0, weight: 1)
    for key in 200..<215 { _ = cache.insert(key, for: key, weight: 1) }
    #expect(cache.contains(0))
  }

  @Test func anEntryHeavierThanTheCapacityIsNotHeldAndEvictsNothing() {
    var cache = S3FIFO<Int, Int>(capacity: 10)
    _ = cache.insert(1, for: 1, weight: 5)
    #expect(cache.insert(2, for: 2, weight: 11).isEmpty)
    #expect(!cache.contains(2) && cache.contains(1) && cache.weight == 5)
  }

  @Test func evictingEverythingEmptiesTheCache() {
    var cache = S3FIFO<Int, Int>(capacity: 100)
    for key in 0..<60 { _ = cache.insert(key, for: key, weight: 1) }
    for key in 0..<30 { _ = cache.value(for: key) }
    var out = 0
    while cache.evictOne() != nil { out += 1 }
    #expect(out == 60 && cache.weight == 0 && cache.count == 0)
  }
}
