import CSoccerSystem
import Dispatch
import Synchronization

/// Gives the heap's free memory back to the system a moment after the last stream ends.
///
/// Frame buffers are kept on the heap between frames (see `MemoryTuning` in the CLI), which
/// keeps streaming fast but leaves a served match's buffers resident once it ends; an idle
/// server should not look as big as its busiest minute.
final class MemoryReclaimer: Sendable {
  private let scheduled = Atomic<Bool>(false)
  private let delay: DispatchTimeInterval

  init(delay: DispatchTimeInterval = .seconds(1)) {
    self.delay = delay
  }

  /// Trims the heap after the delay if `isIdle` still says so then.
  func streamsEnded(isIdle: @escaping @Sendable () -> Bool) {
    guard scheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    else { return }
    // malloc_trim walks every arena and can take milliseconds: a GCD thread, never the Swift pool.
    DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + delay) {
      self.scheduled.store(false, ordering: .releasing)
      if isIdle() { _ = soccer_malloc_trim() }
    }
  }
}
