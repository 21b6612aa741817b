import Synchronization

/// One value handed from one task to another: the first `put` wins, and `value()` waits for it
/// (or throws `CancellationError` when its task is cancelled first).
final class Handoff<Value: Sendable>: Sendable {
  private struct State {
    var result: Result<Value, any Error>?
    var waiter: CheckedContinuation<Value, any Error>?
  }

  private let state = Mutex(State())

  func put(_ result: Result<Value, any Error>) {
    let waiter = state.withLock { s -> CheckedContinuation<Value, any Error>? in
      guard s.result == nil else { return nil }
      s.result = result
      defer { s.waiter = nil }
      return s.waiter
    }
    waiter?.resume(with: result)
  }

  func value() async throws -> Value {
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
        let known = state.withLock { s -> Result<Value, any Error>? in
          if let result = s.result { return result }
          s.waiter = continuation
          return nil
        }
        if let known { continuation.resume(with: known) }
      }
    } onCancel: {
      put(.failure(CancellationError()))
    }
  }
}
