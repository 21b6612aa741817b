import Foundation
import Synchronization
import VideoDecoding
import VideoFrames

/// The bytes all streams' frames may hold at once (`--frame-memory`), the frame cache's included.
///
/// A stream reserves its `FrameFootprint` when its file is open and before anything is decoded,
/// and is refused at once when that does not fit, once the frame cache has let go of what it
/// held in the way; what it reserved comes back when both its handler and its decoder are done
/// with it. The cache takes what streams leave free, frame by frame.
public final class FrameMemoryBudget: Sendable, FrameCacheRoom {
  /// Bytes the streams and the cache may hold in all.
  public let limit: Int
  private struct Held {
    var streams = 0
    var cache = 0
  }
  private let held = Mutex(Held())
  /// The cache that gives way to streams; set once by `yield(to:)`.
  private let cache = Mutex<FrameCache?>(nil)

  public init(limit: Int) {
    self.limit = max(0, limit)
  }

  /// Bytes the streams have reserved now.
  public var reserved: Int { held.withLock { $0.streams } }

  /// Bytes the frame cache holds now.
  public var cached: Int { held.withLock { $0.cache } }

  /// Makes `cache` give way to streams: a stream that does not fit has it let go of frames first.
  public func yield(to cache: FrameCache) {
    self.cache.withLock { $0 = cache }
  }

  /// The default budget: half the memory this process may use (the machine's, or its cgroup's
  /// limit when lower), leaving the other half to the process itself, FFmpeg's demuxers, the
  /// page cache and the rest of the machine.
  public static func defaultLimit(machineMemory: Int? = MachineMemory.available()) -> Int {
    (machineMemory ?? 8 << 30) / 2
  }

  /// Takes `footprint`'s bytes for a stream, or throws `CapacityError.frameMemory`.
  func reserve(_ footprint: FrameFootprint) throws(CapacityError) -> FrameMemoryReservation {
    try take(footprint)
    return FrameMemoryReservation(budget: self, footprint: footprint)
  }

  fileprivate func take(_ footprint: FrameFootprint, replacing heldBefore: Int = 0) throws(CapacityError) {
    let bytes = footprint.bytes
    var free = 0
    // The cache is asked to let go outside the lock (it gives back through `giveFromCache`); a
    // frame it takes in between may need asking again, a few times at most.
    for _ in 0..<4 {
      let shortfall = held.withLock { held -> Int in
        free = limit - (held.streams - heldBefore) - held.cache
        guard bytes <= free else { return min(bytes - free, held.cache) }
        held.streams += bytes - heldBefore
        return 0
      }
      guard shortfall > 0, let cache = cache.withLock({ $0 }), cache.shed(shortfall) > 0 else { break }
    }
    guard bytes > free else { return }
    throw .frameMemory(
      FrameMemoryRefusal(
        footprint: footprint, free: max(0, free), limit: limit, fittingWidth: footprint.largestFittingWidth(in: free)))
  }

  fileprivate func give(_ bytes: Int) {
    held.withLock { $0.streams -= bytes }
  }

  public func takeForCache(_ bytes: Int) -> Bool {
    held.withLock { held in
      guard held.streams + held.cache + bytes <= limit else { return false }
      held.cache += bytes
      return true
    }
  }

  public func giveFromCache(_ bytes: Int) {
    held.withLock { $0.cache -= bytes }
  }
}

/// What one stream holds of a `FrameMemoryBudget`; given back when the last holder lets go of
/// it (the stream's handler and its decoding thread both hold it).
final class FrameMemoryReservation: Sendable {
  private let budget: FrameMemoryBudget
  private let footprint: Mutex<FrameFootprint>

  fileprivate init(budget: FrameMemoryBudget, footprint: FrameFootprint) {
    self.budget = budget
    self.footprint = Mutex(footprint)
  }

  deinit {
    budget.give(footprint.withLock { $0.bytes })
  }

  /// What the stream holds now.
  var current: FrameFootprint { footprint.withLock { $0 } }

  /// Holds `new` instead (Play's resize): throws, holding what it held, when the difference does not fit.
  func change(to new: FrameFootprint) throws(CapacityError) {
    try footprint.withLock { held throws(CapacityError) in
      try budget.take(new, replacing: held.bytes)
      held = new
    }
  }
}

/// Why a stream's frames did not fit in the frame-memory budget.
public struct FrameMemoryRefusal: Sendable, Equatable, CustomStringConvertible {
  let footprint: FrameFootprint
  /// Bytes of the budget free when the stream asked.
  let free: Int
  let limit: Int
  /// The largest max_width that would have fitted; nil when none would.
  let fittingWidth: Int?

  public var description: String {
    let g = footprint.geometry
    let size = g.outputSize == g.sourceSize ? g.sourceSize : "\(g.sourceSize) scaled to \(g.outputSize)"
    var text =
      "a stream of \(size) \(g.format) frames needs \(ByteCount.text(footprint.bytes)) of frame memory "
      + (footprint.ringBytes > 0
        ? "(a shared-memory ring of \(ByteCount.text(footprint.ringBytes)), \(footprint.decodedFrames) decoded frames), and "
        : "(\(footprint.convertedFrames) converted frames, \(footprint.decodedFrames) decoded), and ")
      + "\(ByteCount.text(free)) of this server's \(ByteCount.text(limit)) (--frame-memory) is free"
    if let width = fittingWidth {
      text += "; frames scaled with max_width \(width) (or a max_height as small) would fit now"
    } else if footprint.ringBytes > 0 {
      text += "; a smaller ring (fewer slots) may fit"
    } else if footprint.decodedBytes > limit {
      text += "; its decoded frames alone are more than the whole budget"
    } else {
      text += "; try again when streams end"
    }
    return text
  }
}

/// The memory this process may use: the machine's (`MemTotal`), or its cgroup's limit when lower.
public enum MachineMemory {
  public static func available() -> Int? {
    let total = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)).flatMap(memTotal(in:))
    let cgroup = (try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8)).flatMap(cgroupLimit(in:))
    switch (total, cgroup) {
    case (let total?, let cgroup?): return min(total, cgroup)
    case (let total, let cgroup): return total ?? cgroup
    }
  }

  /// `MemTotal` of /proc/meminfo, in bytes.
  static func memTotal(in meminfo: String) -> Int? {
    for line in meminfo.split(separator: "\n") where line.hasPrefix("MemTotal:") {
      let fields = line.split(separator: " ")
      guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
      return kib * 1024
    }
    return nil
  }

  /// A cgroup v2 `memory.max`: bytes, or nil for "max".
  static func cgroupLimit(in text: String) -> Int? {
    Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }
}
