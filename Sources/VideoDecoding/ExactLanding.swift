import CFFmpeg
import Foundation
import VideoFrames

/// A landing on frame `target` through the frame index: each frame the decoder gives is placed
/// by its timestamp, and from the first keyframe on they must follow one another without a gap,
/// whole, up to the target.
struct ExactLanding {
  enum Verdict {
    /// A leading frame before the first keyframe: never counted, never given.
    case before
    /// A frame on the way to the target, at this position: not given (a chosen frame asked for
    /// later may be held).
    case passed(Int)
    /// The frame at the target, at this position.
    case arrived(Int)
    /// Not where the index says a decode from the start would put it.
    case disagrees
    /// The first frame decoded lies past the target: the seek went too far.
    case overshot
  }

  let target: Int
  let index: FrameIndex
  /// Whether the landing started from the keyframe before the one at or before the target.
  let fromEarlierKeyframe: Bool
  /// The position the next frame must have, once a keyframe came.
  private var expected: Int?

  init(target: Int, index: FrameIndex, fromEarlierKeyframe: Bool) {
    self.target = target
    self.index = index
    self.fromEarlierKeyframe = fromEarlierKeyframe
  }

  mutating func place(_ frame: UnsafeMutablePointer<AVFrame>, timestamp: Int64) -> Verdict {
    guard let position = index.position(ofTimestamp: timestamp) else { return .disagrees }
    if let expected {
      // Before the target, frames nothing refers to are not decoded: gaps are expected there.
      guard position == expected || (position > expected && position <= target) else { return .disagrees }
    } else {
      guard position <= target else { return .overshot }
      // Frames shown before the keyframe but decoded after it (an open GOP's leading frames)
      // lack their references: they are never counted.
      guard index.isKeyframe(position) else { return .before }
    }
    // A frame the decoder could not rebuild whole is not the frame a decode from the start gives.
    if frame.pointee.decode_error_flags != 0 || frame.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 { return .disagrees }
    expected = position + 1
    return position == target ? .arrived(position) : .passed(position)
  }
}
