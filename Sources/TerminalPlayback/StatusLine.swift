import Foundation

/// The figures of the status line under the picture.
public struct StatusLine: Sendable, Hashable {
  public var id: String
  /// 1-based number of the frame on screen.
  public var frame: Int
  /// Frames in the match, when the server said.
  public var frameCount: Int?
  public var seconds: Double
  public var durationSeconds: Double?
  public var shownFPS: Double
  /// The file's frame rate, when known.
  public var fileFPS: Double?
  public var skipped: Int
  public var kilobytesPerSecond: Double
  /// "paused", "×1.5": how playback differs from playing at normal speed; nil when it does not.
  public var state: String?
  /// A message shown instead of the rates for a while: a saved file's name, the keys.
  public var note: String?

  public init(
    id: String, frame: Int, frameCount: Int? = nil, seconds: Double, durationSeconds: Double? = nil,
    shownFPS: Double, fileFPS: Double? = nil, skipped: Int, kilobytesPerSecond: Double
  ) {
    self.id = id
    self.frame = frame
    self.frameCount = frameCount
    self.seconds = seconds
    self.durationSeconds = durationSeconds
    self.shownFPS = shownFPS
    self.fileFPS = fileFPS
    self.skipped = skipped
    self.kilobytesPerSecond = kilobytesPerSecond
  }

  /// The line, cut to `width` columns: "sample  frame 57/100  0:02.28/0:04.00  25.0/25 fps  skipped 0  42 kB/s  ? keys  q quits",
  /// with "paused" or the speed after the id when they apply.
  public func text(width: Int) -> String {
    let frames = frameCount.map { "frame \(frame)/\($0)" } ?? "frame \(frame)"
    let time = durationSeconds.map { "\(Self.clock(seconds))/\(Self.clock($0))" } ?? Self.clock(seconds)
    let rate =
      fileFPS.map { String(format: "%.1f/%@ fps", shownFPS, Self.compact($0)) } ?? String(format: "%.1f fps", shownFPS)
    let tail =
      note.map { [$0] } ?? [
        rate, "skipped \(skipped)", String(format: "%.0f kB/s", kilobytesPerSecond), "? keys  q quits",
      ]
    let line = ([id] + (state.map { [$0] } ?? []) + [frames, time] + tail).joined(separator: "  ")
    let safe = String(line.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    return String(safe.prefix(max(0, width)))
  }

  /// 83.5 → "1:23.50".
  static func clock(_ seconds: Double) -> String {
    let value = max(0, seconds.isFinite ? seconds : 0)
    let minutes = Int(value / 60)
    return String(format: "%d:%05.2f", minutes, value - Double(minutes * 60))
  }

  /// 25 → "25", 29.97 → "29.97".
  static func compact(_ value: Double) -> String {
    value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.2f", value)
  }
}
