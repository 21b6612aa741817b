/// Decides when each frame is shown: at its presentation time after the first frame's,
/// divided by the speed.
public struct PlaybackClock: Sendable {
  /// What to do with a frame.
  public enum Decision: Sendable, Equatable {
    /// Show it after waiting this long (zero when due now or slightly late).
    case show(after: Duration)
    /// Too late: skip it.
    case skip
  }

  public let speed: Double
  /// How late a frame may be and still be shown.
  public let tolerance: Duration
  /// Later than this, playback has stalled (the network, say): start the clock afresh
  /// instead of skipping everything that follows.
  public let stallLimit: Duration
  /// Show a frame at least this often even if all are late, so the picture never freezes.
  public let longestFreeze: Duration

  private var origin: (pts: Double, time: ContinuousClock.Instant)?
  private var lastShown: ContinuousClock.Instant?

  public init(
    speed: Double = 1, tolerance: Duration = .milliseconds(40), stallLimit: Duration = .seconds(1),
    longestFreeze: Duration = .milliseconds(250)
  ) {
    self.speed = speed > 0 ? speed : 1
    self.tolerance = tolerance
    self.stallLimit = stallLimit
    self.longestFreeze = longestFreeze
  }

  /// Starts over: the next frame is shown at once and sets the time origin.
  public mutating func reset() {
    origin = nil
    lastShown = nil
  }

  /// Decides about a frame presented at `pts` seconds, at time `now`.
  public mutating func decide(pts: Double, now: ContinuousClock.Instant) -> Decision {
    guard let origin else {
      self.origin = (pts, now)
      lastShown = now
      return .show(after: .zero)
    }
    let offset = max(0, (pts - origin.pts) / speed)
    let due = origin.time + .nanoseconds(Int64((offset * 1e9).rounded()))
    let lateness = due.duration(to: now)
    if lateness <= .zero {
      lastShown = due
      return .show(after: now.duration(to: due))
    }
    if lateness > stallLimit {
      self.origin = (pts, now)
      lastShown = now
      return .show(after: .zero)
    }
    if lateness <= tolerance || (lastShown.map { $0.duration(to: now) >= longestFreeze } ?? true) {
      lastShown = now
      return .show(after: .zero)
    }
    return .skip
  }
}
