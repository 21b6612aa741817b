import CFFmpeg
import Glibc
import Synchronization

/// The frame indexes of the files streamed lately, so a file is scanned once, not once per
/// request: every resumption and every request for chosen frames of a match after the first
/// lands at once. Bounded by the frames it describes (8 bytes each), least recently used first out.
final class FrameIndexCache: Sendable {
  /// The one cache of the process.
  static let shared = FrameIndexCache(maxFrames: 4_000_000)

  private struct Entry {
    /// The file as it was when scanned: a file replaced since is scanned again.
    var size: Int64
    var modified: Int
    var index: FrameIndex?
    var used: UInt64
  }

  private struct State {
    var entries: [String: Entry] = [:]
    var frames = 0
    var clock: UInt64 = 0
  }

  private let state = Mutex(State())
  /// Files remembered at most, indexed or found unindexable.
  static let maxEntries = 1024
  private let maxFrames: Int

  init(maxFrames: Int) {
    self.maxFrames = maxFrames
  }

  /// The index of stream `streamIndex` of `path`, a file of `size` bytes, scanned if it is not
  /// known yet; nil when the file cannot be indexed. Blocks while scanning.
  func index(path: String, streamIndex: Int32, size: Int64) -> FrameIndex? {
    let modified = Self.modificationTime(path)
    let key = "\(streamIndex):\(path)"
    let known = state.withLock { s -> Entry? in
      guard var entry = s.entries[key], entry.size == size, entry.modified == modified else { return nil }
      s.clock += 1
      entry.used = s.clock
      s.entries[key] = entry
      return entry
    }
    if let known { return known.index }
    let index = FrameIndex.scan(path: path, streamIndex: streamIndex)
    store(index, key: key, size: size, modified: modified)
    return index
  }

  /// Forgets `path`'s index and remembers that it cannot be trusted: its frames disagreed with it.
  func distrust(path: String, streamIndex: Int32, size: Int64) {
    store(nil, key: "\(streamIndex):\(path)", size: size, modified: Self.modificationTime(path))
  }

  /// What is known of `path`'s stream `streamIndex`: nil when it was never scanned, `.some(nil)`
  /// when it has no index or its index was found to lie.
  func known(path: String, streamIndex: Int32) -> FrameIndex?? {
    state.withLock { s in s.entries["\(streamIndex):\(path)"].map(\.index) }
  }

  /// Files indexed now.
  var count: Int { state.withLock { $0.entries.count } }

  private func store(_ index: FrameIndex?, key: String, size: Int64, modified: Int) {
    state.withLock { s in
      if let old = s.entries.removeValue(forKey: key) { s.frames -= old.index?.frameCount ?? 0 }
      let frames = index?.frameCount ?? 0
      guard frames <= maxFrames else { return }
      while s.frames + frames > maxFrames || s.entries.count >= Self.maxEntries,
        let oldest = s.entries.min(by: { $0.value.used < $1.value.used })
      {
        s.entries.removeValue(forKey: oldest.key)
        s.frames -= oldest.value.index?.frameCount ?? 0
      }
      s.clock += 1
      s.entries[key] = Entry(size: size, modified: modified, index: index, used: s.clock)
      s.frames += frames
    }
  }

  /// A local file's modification time in nanoseconds; 0 for a URL, whose size stands for its version.
  private static func modificationTime(_ path: String) -> Int {
    guard !MediaLocation(path: path).isRemote else { return 0 }
    var info = stat()
    guard stat(path, &info) == 0 else { return 0 }
    return info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
  }
}
