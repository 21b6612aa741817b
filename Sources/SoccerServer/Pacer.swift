/// When each frame is due: at its presentation time relative to the first frame (or the
/// frame at the last restart), divided by the speed.
struct Pacer {
  var speed = 1.0
  /// Falling further behind than this starts the pace again from the frame at hand, instead of
  /// sending a burst to catch up; nil never does.
  var slack: Duration?
  private var origin: (clock: ContinuousClock.Instant, pts: Double)?

  init(slack: Duration? = nil) {
    self.slack = slack
  }

  /// The next frame sets the pace afresh.
  mutating func restart() { origin = nil }

  /// When the frame presented at `pts` is due.
  mutating func due(pts: Double, now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
    guard let origin else {
      self.origin = (now, pts)
      return now
    }
    let due = origin.clock + .seconds(max(0, pts - origin.pts) / speed)
    if let slack, due.duration(to: now) > slack {
      self.origin = (now, pts)
      return now
    }
    return due
  }

  mutating func wait(untilPresentationTime pts: Double) async throws {
    try await Task.sleep(until: due(pts: pts), clock: .continuous)
  }
}
