import Synchronization

/// The streams whose `StallGuard` reset them, by the tag `StreamStamp` gave their requests, so a
/// stream's end is classified as stalled from what happened, not from how long its last write
/// had waited (a write begun after the stream stopped being writable has waited less).
final class StalledStreams: Sendable {
  /// Tags kept at most; a stream whose handler never asks (not one of the service's) is
  /// forgotten with the rest once this many wait.
  static let capacity = 4096

  private let nextTag = Atomic<UInt64>(1)
  private let stalled = Mutex(Set<UInt64>())

  /// A tag for a new stream.
  func newTag() -> UInt64 { nextTag.wrappingAdd(1, ordering: .relaxed).oldValue }

  /// Notes that the stream tagged `tag` was reset for stalling.
  func record(_ tag: UInt64) {
    stalled.withLock { tags in
      if tags.count >= Self.capacity { tags.removeAll() }
      tags.insert(tag)
    }
  }

  /// Whether the stream tagged `tag` was reset for stalling; forgets it.
  func take(_ tag: UInt64) -> Bool {
    stalled.withLock { $0.remove(tag) != nil }
  }
}
