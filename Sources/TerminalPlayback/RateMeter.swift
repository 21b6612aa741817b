/// Counts events over the last second: frames shown per second, bytes received per second.
public struct RateMeter: Sendable {
  private var events: [(time: ContinuousClock.Instant, amount: Int)] = []
  private var first = 0
  public let window: Duration

  public init(window: Duration = .seconds(1)) { self.window = window }

  public mutating func add(_ amount: Int = 1, at time: ContinuousClock.Instant) {
    events.append((time, amount))
    trim(now: time)
  }

  /// Events per second over the window ending at `now`.
  public mutating func rate(now: ContinuousClock.Instant) -> Double {
    trim(now: now)
    let live = events[first...]
    guard let oldest = live.first else { return 0 }
    let span = max(oldest.time.duration(to: now), window / 4)
    return Double(live.reduce(0) { $0 + $1.amount }) / (span / .seconds(1))
  }

  private mutating func trim(now: ContinuousClock.Instant) {
    while first < events.count, events[first].time.duration(to: now) > window { first += 1 }
    if first > 256 {
      events.removeFirst(first)
      first = 0
    }
  }
}
