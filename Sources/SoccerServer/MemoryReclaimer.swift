import CSoccerSystem
import Dispatch
import Synchronization

/// Gives the heap's free memory back to the system a moment after streams end: all of it when
/// none is left, or once more than `retainedLimit` bytes lie free while others go on.
///
/// Frame buffers are kept on the heap between frames (see `MemoryTuning` in the CLI), which
/// keeps streaming fast but leaves a served match's buffers resident once it ends. The heap's
/// free space only grows to the busiest moment's frames in flight, and would stay at that
/// high-water mark: an idle server should not look as big as its busiest minute, nor a busy
/// one keep its busiest minute's buffers on top of what its streams now use.
final class MemoryReclaimer: Sendable {
  /// The heap operations the reclaimer uses: glibc's, or a test's.
  struct Heap: Sendable {
    var freeBytes: @Sendable () -> Int
    var trim: @Sendable () -> Void

    static let glibc = Heap(
      freeBytes: { Int(clamping: soccer_malloc_free_bytes()) }, trim: { _ = soccer_malloc_trim() })
  }

  private let scheduled = Atomic<Bool>(false)
  private let delay: DispatchTimeInterval
  private let retainedLimit: Int
  private let heap: Heap

  /// `retainedLimit` is 64 MiB by default: about twenty 720p frames, or ten 1080p ones.
  init(delay: DispatchTimeInterval = .seconds(1), retainedLimit: Int = 64 << 20, heap: Heap = .glibc) {
    self.delay = delay
    self.retainedLimit = retainedLimit
    self.heap = heap
  }

  /// After the delay, trims the heap if `isIdle` says so then, or if more than the limit is free.
  ///
  /// At most one check is pending at a time, so streams ending in a burst cost one trim.
  func streamEnded(isIdle: @escaping @Sendable () -> Bool) {
    guard scheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    else { return }
    // malloc_trim walks every arena and can take milliseconds: a GCD thread, never the Swift pool.
    DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + delay) {
      self.scheduled.store(false, ordering: .releasing)
      if isIdle() || self.heap.freeBytes() > self.retainedLimit { self.heap.trim() }
    }
  }
}
