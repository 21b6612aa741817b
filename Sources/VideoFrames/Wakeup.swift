import Synchronization

/// Wakes one waiting task when something it waits for may have changed; a wake with nobody
/// waiting is kept for the next wait, so none is lost.
public final class Wakeup: Sendable {
  private struct State {
    var pending = false
    var waiter: CheckedContinuation<Void, Never>?
  }

  private let state = Mutex(State())

  public init() {}

  /// Wakes the waiting task, or the next one to wait.
  public func signal() {
    let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
      guard let waiter = s.waiter else {
        s.pending = true
        return nil
      }
      s.waiter = nil
      return waiter
    }
    waiter?.resume()
  }

  /// Returns at the next signal (at once if one came since the last wait), or when cancelled.
  public func wait() async {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let now = state.withLock { s -> Bool in
          if s.pending || Task.isCancelled {
            s.pending = false
            return true
          }
          s.waiter = continuation
          return false
        }
        if now { continuation.resume() }
      }
    } onCancel: {
      signal()
    }
  }

  /// Returns at the next signal or at `deadline`, whichever is first.
  public func wait(until deadline: ContinuousClock.Instant) async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
      group.addTask { await self.wait() }
      await group.next()
      group.cancelAll()
    }
  }
}
