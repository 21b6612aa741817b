import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

/// Delivers signals to a handler on a dispatch queue instead of their default action.
///
/// Keep the watcher alive for as long as the handler should run; `cancel()` restores nothing
/// (the signals stay ignored), which is what a process that is about to exit wants.
public final class SignalWatcher {
  private let sources: [any DispatchSourceSignal]

  public init(
    _ signals: [Int32], queue: DispatchQueue = DispatchQueue(label: "soccer.signals"),
    handler: @escaping @Sendable (Int32) -> Void
  ) {
    sources = signals.map { number in
      // The default action would end the process before the handler runs.
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { handler(number) }
      source.resume()
      return source
    }
  }

  public func cancel() {
    for source in sources { source.cancel() }
  }
}

/// Calls `handler` on a dispatch queue with every read from `descriptor` (a terminal's input).
public final class InputWatcher {
  private let source: any DispatchSourceRead

  public init(
    descriptor: Int32, queue: DispatchQueue = DispatchQueue(label: "soccer.keys"),
    handler: @escaping @Sendable ([UInt8]) -> Void
  ) {
    source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
    source.setEventHandler { [source] in
      var buffer = [UInt8](repeating: 0, count: 64)
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count > 0 {
        handler(Array(buffer[0..<count]))
      } else if count == 0 {
        // End of input (the terminal hung up): stop watching rather than spin.
        source.cancel()
      }
    }
    source.resume()
  }

  public func cancel() { source.cancel() }
}
