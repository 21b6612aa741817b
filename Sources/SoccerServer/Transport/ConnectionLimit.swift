import Synchronization

/// Counts open connections and turns away those past a limit.
final class ConnectionLimit: Sendable {
  let limit: Int
  private let open = Atomic<Int>(0)

  init(limit: Int) {
    self.limit = limit
  }

  /// Connections open now.
  var count: Int { open.load(ordering: .relaxed) }

  /// Takes a place for a new connection; false (and no place taken) when every place is taken.
  func admit() -> Bool {
    if open.add(1, ordering: .relaxed).newValue > limit {
      open.subtract(1, ordering: .relaxed)
      return false
    }
    return true
  }

  func leave() {
    open.subtract(1, ordering: .relaxed)
  }
}
