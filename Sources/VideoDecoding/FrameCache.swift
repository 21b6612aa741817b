import Synchronization
import VideoFrames

/// Decoded frames kept for the requests that ask for them again (`soccer serve --frame-cache`):
/// by file version, position and output (size, pixel format, encoding), so a frame is decoded,
/// converted and encoded once and then sent from memory.
///
/// Bounded twice: by its capacity, and by the room it is given (the server's frame-memory
/// budget, where streams come first: it sheds frames before a stream is refused). Evicts by
/// S3-FIFO (`S3FIFO`). The frames it holds are values no one writes to again, so a stream can
/// send one while another stream is handed the same pixels.
public final class FrameCache: Sendable {
  /// Bytes of frames the cache may hold.
  public let capacity: Int
  private let room: (any FrameCacheRoom)?
  private let entries: Mutex<S3FIFO<FrameCacheKey, Frame>>
  private let hits = Atomic<Int>(0)
  private let misses = Atomic<Int>(0)
  private let evictions = Atomic<Int>(0)

  /// The capacity a server gets unless told otherwise: a quarter of its frame memory, at most
  /// 1 GiB. That holds a few hundred 720p frames, or thousands at the sizes models take
  /// (224x224 RGB: 150 KB), and only frames that cost a landing go in; a quarter keeps a small
  /// server's memory mostly its streams', and the cache gives way to them anyway.
  public static func defaultCapacity(frameMemory: Int) -> Int { min(1 << 30, max(0, frameMemory) / 4) }

  /// A cache of at most `capacity` bytes of frames, taking each frame's bytes from `room` too.
  public init(capacity: Int, room: (any FrameCacheRoom)? = nil) {
    self.capacity = max(0, capacity)
    self.room = room
    entries = Mutex(S3FIFO(capacity: capacity))
  }

  /// The frame held under `key`, counted as a hit; nil (a miss) when there is none.
  public func frame(for key: FrameCacheKey) -> Frame? {
    let frame = entries.withLock { $0.value(for: key) }
    if frame == nil { misses.add(1, ordering: .relaxed) } else { hits.add(1, ordering: .relaxed) }
    return frame
  }

  /// Holds `frame` under `key`, pushing out what the policy says to make room; not held when the
  /// room has none to give even once the cache is empty, or when it is in a client's ring.
  public func insert(_ frame: Frame, for key: FrameCacheKey) {
    guard frame.slot == nil else { return }
    let weight = max(1, frame.pixels.count)
    guard weight <= capacity else { return }
    // Frames pushed out are let go of once the lock is given back.
    var pushedOut: [Frame] = []
    defer { withExtendedLifetime(pushedOut) {} }
    entries.withLock { s in
      guard !s.contains(key) else { return }
      var freed = 0
      while s.weight + weight > capacity, let (out, bytes) = s.evictOne() {
        pushedOut.append(out)
        freed += bytes
      }
      room?.giveFromCache(freed)
      while let room, !room.takeForCache(weight) {
        guard let (out, bytes) = s.evictOne() else { return }
        pushedOut.append(out)
        room.giveFromCache(bytes)
      }
      _ = s.insert(frame, for: key, weight: weight)
    }
    evictions.add(pushedOut.count, ordering: .relaxed)
  }

  /// Lets go of at least `bytes` of frames (all of them when it holds less), for a stream that
  /// needs the room; returns the bytes let go of.
  @discardableResult
  public func shed(_ bytes: Int) -> Int {
    var pushedOut: [Frame] = []
    defer { withExtendedLifetime(pushedOut) {} }
    let freed = entries.withLock { s -> Int in
      var freed = 0
      while freed < bytes, let (out, weight) = s.evictOne() {
        pushedOut.append(out)
        freed += weight
      }
      room?.giveFromCache(freed)
      return freed
    }
    evictions.add(pushedOut.count, ordering: .relaxed)
    return freed
  }

  /// What the cache holds and has done since it was made.
  public var statistics: FrameCacheStatistics {
    let (bytes, count) = entries.withLock { ($0.weight, $0.count) }
    return FrameCacheStatistics(
      bytes: bytes, frames: count, hits: hits.load(ordering: .relaxed), misses: misses.load(ordering: .relaxed),
      evictions: evictions.load(ordering: .relaxed))
  }
}

/// Which frame, of which file, in which output: what a cached frame is found by.
public struct FrameCacheKey: Hashable, Sendable {
  public let file: FileVersion
  /// The frame's position in the match, from 0.
  public let index: Int
  public let width: Int
  public let height: Int
  public let format: PixelFormat
  public let encoding: FrameEncoding
}

/// What a `FrameCache` holds and has done.
public struct FrameCacheStatistics: Sendable, Equatable {
  public var bytes: Int
  public var frames: Int
  public var hits: Int
  public var misses: Int
  public var evictions: Int
}

/// Where a `FrameCache`'s bytes come from besides its capacity: the server's frame-memory budget.
public protocol FrameCacheRoom: AnyObject, Sendable {
  /// Takes `bytes` for a cached frame; false when they are not free.
  func takeForCache(_ bytes: Int) -> Bool
  /// Gives back `bytes` of frames the cache let go of.
  func giveFromCache(_ bytes: Int)
}
