/// Where every frame of a video stream stands in presentation order, and from which keyframes a
/// decode may start: what exact access by frame index stands on.
///
/// Built from the packets' timestamps alone (`FrameIndex.scan`), never by decoding. A frame's
/// position is the rank of its presentation timestamp among all frames, which is the number a
/// decode from the beginning gives it; a decoder that lands somewhere checks the frames it gets
/// against this table and falls back to decoding from the start when they disagree.
public struct FrameIndex: Sendable, Equatable {
  /// A keyframe a decode can start from: every frame shown from it on is decoded from packets at
  /// or after it.
  public struct Keyframe: Sendable, Equatable {
    /// Its position in presentation order.
    public var position: Int
    /// Its presentation timestamp, in the stream's time base: where a seek goes.
    public var presentationTimestamp: Int64
    /// Its decoding timestamp: where a seek goes when one by presentation time lands past it.
    public var decodeTimestamp: Int64
  }

  /// Presentation timestamps of every frame, in presentation order (the stream's time base).
  let timestamps: [Int64]
  /// The keyframes a decode can start from, by increasing position.
  public let keyframes: [Keyframe]

  /// Frames in the stream.
  public var frameCount: Int { timestamps.count }

  /// An index from the video packets in decoding order, or nil when their timestamps cannot place
  /// every frame (a packet without a presentation time, two frames at one time).
  init?(packets: [Packet]) {
    var shown: [Int64] = []
    shown.reserveCapacity(packets.count)
    for packet in packets where !packet.discarded {
      guard let pts = packet.presentation else { return nil }
      shown.append(pts)
    }
    guard !shown.isEmpty else { return nil }
    shown.sort()
    for i in 1..<shown.count where shown[i] == shown[i - 1] { return nil }
    timestamps = shown
    var starts: [Keyframe] = []
    // A keyframe is a clean start only when no frame decoded before it is shown after it.
    var latestShown = Int64.min
    for packet in packets where !packet.discarded {
      guard let pts = packet.presentation else { continue }
      if packet.isKey, pts > latestShown, let position = Self.rank(of: pts, in: shown) {
        starts.append(Keyframe(position: position, presentationTimestamp: pts, decodeTimestamp: packet.decode ?? pts))
      }
      latestShown = max(latestShown, pts)
    }
    keyframes = starts.sorted { $0.position < $1.position }
  }

  /// What the index needs of one packet.
  struct Packet {
    var presentation: Int64?
    var decode: Int64?
    var isKey: Bool
    /// Decoded but never shown (before an edit list's start).
    var discarded: Bool
  }

  /// The position of the frame shown at `timestamp`, or nil when no frame is shown then.
  public func position(ofTimestamp timestamp: Int64) -> Int? {
    Self.rank(of: timestamp, in: timestamps)
  }

  /// The presentation timestamp of the frame at `position`, if there is one.
  func timestamp(at position: Int) -> Int64? {
    timestamps.indices.contains(position) ? timestamps[position] : nil
  }

  /// The last keyframe a decode can start from at or before `position`.
  public func keyframe(atOrBefore position: Int) -> Keyframe? {
    var low = 0
    var high = keyframes.count
    while low < high {
      let mid = (low + high) / 2
      if keyframes[mid].position <= position { low = mid + 1 } else { high = mid }
    }
    return low > 0 ? keyframes[low - 1] : nil
  }

  /// Whether a decode can start from the frame at `position`.
  func isKeyframe(_ position: Int) -> Bool {
    keyframe(atOrBefore: position)?.position == position
  }

  private static func rank(of timestamp: Int64, in sorted: [Int64]) -> Int? {
    var low = 0
    var high = sorted.count
    while low < high {
      let mid = (low + high) / 2
      if sorted[mid] < timestamp { low = mid + 1 } else { high = mid }
    }
    return low < sorted.count && sorted[low] == timestamp ? low : nil
  }
}
