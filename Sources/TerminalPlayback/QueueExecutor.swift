import Dispatch

/// Runs an actor's jobs on a serial dispatch queue of its own.
///
/// The player's actor renders with chafa and writes to the terminal, both blocking; on this
/// executor a slow or stopped terminal holds the player's own thread, never one of the few
/// threads of Swift's cooperative pool that every task shares.
final class QueueExecutor: SerialExecutor {
  private let queue: DispatchQueue

  init(label: String) {
    queue = DispatchQueue(label: label)
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    let executor = asUnownedSerialExecutor()
    queue.async { job.runSynchronously(on: executor) }
  }

  func asUnownedSerialExecutor() -> UnownedSerialExecutor {
    UnownedSerialExecutor(ordinary: self)
  }
}
