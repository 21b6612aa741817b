import SoccerMetrics
import Synchronization
import VideoDecoding

/// One stream's place in the frame-memory budget: its decoding thread reserves through
/// `admit` once the file is open, before anything is decoded.
///
/// The handler and the decoding thread (through the `admit` closure it keeps until its decoder
/// is freed) both hold this, and the reservation goes back when the last of them lets go: the
/// frames of a stream whose client went away count until its decoder has really stopped, so
/// streams opened and reset in a loop cannot pile up decoders beyond the budget.
final class FrameAdmission: Sendable {
  private let budget: FrameMemoryBudget
  private let queueDepth: Int
  private let metrics: ServerMetrics?
  private let reservation = Mutex<FrameMemoryReservation?>(nil)

  init(budget: FrameMemoryBudget, queueDepth: Int, metrics: ServerMetrics?) {
    self.budget = budget
    self.queueDepth = queueDepth
    self.metrics = metrics
  }

  /// Reserves what frames of `geometry` need (with a shared-memory ring of `ringBytes` in place
  /// of the converted frames), or throws `CapacityError.frameMemory`.
  func admit(_ geometry: FrameGeometry, ringBytes: Int = 0) throws(CapacityError) {
    do {
      let taken = try budget.reserve(FrameFootprint(geometry: geometry, queueDepth: queueDepth, ringBytes: ringBytes))
      reservation.withLock { $0 = taken }
    } catch {
      // A request that would hold frames ahead is asked for again without them: not refused yet.
      if geometry.framesHeldAhead == 0 { metrics?.rejected(.frameMemory) }
      throw error
    }
  }

  /// Reserves for frames fitted to `maxWidth`×`maxHeight` instead (Play's resize); throws,
  /// keeping what was held, when they do not fit.
  func resize(maxWidth: Int, maxHeight: Int) throws(CapacityError) {
    guard let held = reservation.withLock({ $0 }) else { return }
    do {
      try held.change(to: held.current.resized(maxWidth: maxWidth, maxHeight: maxHeight))
    } catch {
      metrics?.rejected(.frameMemory)
      throw error
    }
  }
}
