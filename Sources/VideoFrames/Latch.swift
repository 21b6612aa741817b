import Synchronization

/// A yes/no that goes from no to yes once, shared by whoever holds it.
public final class Latch: Sendable {
  private let value = Atomic<Bool>(false)

  public init() {}

  /// Whether it was set.
  public var isSet: Bool { value.load(ordering: .relaxed) }

  /// Sets it, for good.
  public func set() { value.store(true, ordering: .relaxed) }
}
