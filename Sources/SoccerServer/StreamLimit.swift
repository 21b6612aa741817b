import Synchronization

/// Why the server refused a stream it could otherwise serve.
public enum CapacityError: Error, Equatable, CustomStringConvertible {
  case atStreamLimit(Int)
  /// The stream's frames do not fit in what is free of the frame-memory budget.
  case frameMemory(FrameMemoryRefusal)

  public var description: String {
    switch self {
    case .atStreamLimit(let limit): return "the server is at its limit of \(limit) concurrent streams"
    case .frameMemory(let refusal): return refusal.description
    }
  }
}

/// Counts the streams in flight and refuses those past a limit.
final class StreamLimit: Sendable {
  let limit: Int
  private let active = Atomic<Int>(0)

  init(limit: Int) {
    self.limit = limit
  }

  /// Takes a place, or throws when every place is taken.
  func acquire() throws(CapacityError) {
    if active.add(1, ordering: .acquiringAndReleasing).newValue > limit {
      active.subtract(1, ordering: .acquiringAndReleasing)
      throw .atStreamLimit(limit)
    }
  }

  /// Gives a place back; returns how many stay taken.
  @discardableResult
  func release() -> Int {
    active.subtract(1, ordering: .acquiringAndReleasing).newValue
  }

  /// Streams in flight now.
  var count: Int { active.load(ordering: .acquiring) }
}
