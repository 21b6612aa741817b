import VideoFrames

/// Presentation times, also for servers that send none (the Python demo: every frame at 0).
struct FrameTiming {
  private var first: (index: Int, pts: Double)?
  private var missing = false

  /// When `frame` is due, in seconds of the match: its own time, or else its number over the
  /// frame rate (25 frames a second when that is unknown too).
  mutating func seconds(of frame: Frame, frameRate: Double?) -> Double {
    guard let first else {
      self.first = (frame.index, frame.ptsSeconds)
      return frame.ptsSeconds
    }
    if frame.index > first.index, frame.ptsSeconds <= first.pts { missing = true }
    guard missing else { return frame.ptsSeconds }
    return first.pts + Double(frame.index - first.index) / (frameRate ?? 25)
  }
}
