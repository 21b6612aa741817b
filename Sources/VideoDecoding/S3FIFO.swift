/// The S3-FIFO eviction policy (Yang et al., SOSP 2023) over entries weighed in bytes.
///
/// New entries go to a small FIFO queue, a tenth of the bytes; one that is asked for again
/// before it leaves it moves to the main queue, and one that is not leaves the cache, its key
/// remembered in a ghost queue so that it goes straight to the main queue if it comes back. The
/// main queue gives every entry asked for since it last came round another turn (up to three).
/// A pass through frames that are never asked for again (one training sample, one look) thus
/// leaves through the small queue without pushing out what is asked for over and over (every
/// epoch's frames), which a least-recently-used list would lose; and a hit only bumps a counter.
struct S3FIFO<Key: Hashable, Value> {
  private struct Entry {
    var value: Value
    var weight: Int
    var uses: UInt8
    var inMain: Bool
  }

  /// Bytes the entries may weigh in all.
  let capacity: Int
  /// Bytes the entries weigh now.
  private(set) var weight = 0
  private var entries: [Key: Entry] = [:]
  private var small = KeyQueue<Key>()
  private var main = KeyQueue<Key>()
  private var smallWeight = 0
  private var ghost = KeyQueue<Key>()
  private var ghosts: Set<Key> = []

  init(capacity: Int) {
    self.capacity = max(0, capacity)
  }

  /// Entries held now.
  var count: Int { entries.count }

  /// The value for `key`, counted as a use; nil when it is not held.
  mutating func value(for key: Key) -> Value? {
    guard var entry = entries[key] else { return nil }
    entry.uses = min(entry.uses + 1, 3)
    entries[key] = entry
    return entry.value
  }

  /// Whether `key` is held, without counting a use.
  func contains(_ key: Key) -> Bool { entries[key] != nil }

  /// Holds `value` under `key`, weighing `weight` bytes; returns the values pushed out to make
  /// room, with their weights. A value heavier than the whole capacity is not held.
  mutating func insert(_ value: Value, for key: Key, weight: Int) -> [(Value, Int)] {
    let weight = max(1, weight)
    guard weight <= capacity, entries[key] == nil else { return [] }
    var evicted: [(Value, Int)] = []
    while self.weight + weight > capacity, let out = evictOne() { evicted.append(out) }
    let returning = ghosts.remove(key) != nil
    entries[key] = Entry(value: value, weight: weight, uses: 0, inMain: returning)
    if returning {
      main.push(key)
    } else {
      small.push(key)
      smallWeight += weight
    }
    self.weight += weight
    return evicted
  }

  /// Pushes out one entry by the policy; nil when nothing is held.
  mutating func evictOne() -> (Value, Int)? {
    while !entries.isEmpty {
      if smallWeight > 0 && (smallWeight * 10 >= capacity || main.isEmpty) {
        guard let key = small.pop() else {
          smallWeight = 0
          continue
        }
        guard var entry = entries[key] else { continue }
        smallWeight -= entry.weight
        if entry.uses > 0 {
          entry.uses = 0
          entry.inMain = true
          entries[key] = entry
          main.push(key)
          continue
        }
        remember(key)
        return remove(key)
      }
      guard let key = main.pop() else { return nil }
      guard var entry = entries[key] else { continue }
      if entry.uses > 0 {
        entry.uses -= 1
        entries[key] = entry
        main.push(key)
        continue
      }
      return remove(key)
    }
    return nil
  }

  private mutating func remove(_ key: Key) -> (Value, Int)? {
    guard let entry = entries.removeValue(forKey: key) else { return nil }
    weight -= entry.weight
    return (entry.value, entry.weight)
  }

  /// Remembers a key pushed out of the small queue, as many keys as the cache holds entries (and
  /// at least a thousand), the oldest forgotten first. (A key remembered twice is forgotten at its
  /// first turn: a ghost is a hint, never a value.)
  private mutating func remember(_ key: Key) {
    ghost.push(key)
    ghosts.insert(key)
    while ghost.count > max(1024, entries.count), let old = ghost.pop() { ghosts.remove(old) }
  }
}

/// A first-in, first-out queue of keys: pushes at the back, pops from the front, both O(1).
struct KeyQueue<Key> {
  private var items: [Key] = []
  private var head = 0

  var count: Int { items.count - head }
  var isEmpty: Bool { head == items.count }

  mutating func push(_ key: Key) { items.append(key) }

  mutating func pop() -> Key? {
    guard head < items.count else { return nil }
    let key = items[head]
    head += 1
    // The popped front is dropped once it is half the storage, so memory follows the count.
    if head >= 1024 && head * 2 >= items.count {
      items.removeFirst(head)
      head = 0
    }
    return key
  }
}
