import CFFmpeg
import VideoFrames

/// Frames at chosen positions (`DecodeOptions.frameIndices`): each landed on exactly, in the order asked.
extension VideoDecoder {
  /// The frame at the next of `options.frameIndices`: decoded forward from where the decoder is
  /// when no keyframe lies between, else landed on; the last frame again for a repeated index.
  func nextChosen() throws(DecodeError) -> Frame? {
    guard chosenCursor < options.frameIndices.count else { return nil }
    let target = options.frameIndices[chosenCursor]
    chosenCursor += 1
    // A destination's slot may be reused once the frame is sent: a repeat is converted again.
    if let lastChosen, lastChosen.index == target, destination == nil { return lastChosen }
    var forward = false
    if let upcoming = nextIndex, upcoming <= target, exactLanding == nil, !mustRestart {
      forward = (index()?.keyframe(atOrBefore: target)?.position ?? 0) <= upcoming
    }
    if forward {
      options.startFrame = target
      if followedIndex != nil && !landsEarly { skipBefore = index()?.timestamp(at: target) }
    } else {
      land(at: target)
    }
    guard let frame = try nextSelected(), frame.index == target else {
      throw .frameIndexPastEnd(index: target, count: nextIndex ?? decodedCount)
    }
    lastChosen = frame
    return frame
  }
}
