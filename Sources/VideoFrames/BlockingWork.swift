import Dispatch

/// Runs `work`, which blocks (file or network I/O, FFmpeg opening a file), on Dispatch's shared
/// pool of threads and returns its result: never on a thread of the cooperative pool.
public func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    DispatchQueue.global(qos: .userInitiated).async {
      continuation.resume(with: Result { try work() })
    }
  }
}
