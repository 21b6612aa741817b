import CFFmpeg
import VideoFrames

/// Frames at chosen positions (`DecodeOptions.frameIndices`): each landed on exactly, given in
/// the order asked. A frame asked for later that the decoder passes on its way to an earlier one
/// is held (up to `framesHeldAheadLimit`), so a request walking keyframe intervals backwards
/// decodes each of them about once, as the same positions ascending do.
extension VideoDecoder {
  /// The frame at the next of `options.frameIndices`: held from an earlier pass, decoded forward
  /// from where the decoder is when no keyframe lies between, else landed on; the last frame
  /// again for a repeated index.
  func nextChosen() throws(DecodeError) -> Frame? {
    guard chosenCursor < options.frameIndices.count else { return nil }
    let target = options.frameIndices[chosenCursor]
    chosenCursor += 1
    wantedAhead[target, default: 1] -= 1
    if let held = heldAhead[target] {
      if wantedAhead[target, default: 0] <= 0 { heldAhead[target] = nil }
      lastChosen = held
      return held
    }
    // A destination's slot may be reused once the frame is sent: a repeat is converted again.
    if let lastChosen, lastChosen.index == target, destination == nil { return lastChosen }
    if let key = cacheKey(at: target), let hit = cache?.frame(for: key) {
      lastChosen = try delivered(hit)
      return lastChosen
    }
    decodeWantedOnTheWay(to: target, from: move(to: target))
    keepsNextFrame = cache != nil
    defer { keepsNextFrame = false }
    guard let frame = try nextSelected(), frame.index == target else {
      throw .frameIndexPastEnd(index: target, count: nextIndex ?? decodedCount)
    }
    remember(frame)
    lastChosen = try delivered(frame)
    return lastChosen
  }

  /// Counts how often each chosen position is asked for, and how many frames may be held.
  func prepareChosenFrames() {
    wantedAhead = options.frameIndices.reduce(into: [:]) { counts, position in counts[position, default: 0] += 1 }
    wantedPositions = wantedAhead.keys.sorted()
    framesHeldAheadLimit = geometry(for: options).framesHeldAhead
  }

  /// Holds `frame`, at `position` on the way to an earlier chosen frame, when it is asked for
  /// later and there is room: converted now, given when its turn comes.
  func holdIfWanted(_ frame: UnsafeMutablePointer<AVFrame>, position: Int, pts: Double) throws(DecodeError) {
    guard heldAhead.count < framesHeldAheadLimit, destination == nil, heldAhead[position] == nil,
      wantedAhead[position, default: 0] > 0
    else { return }
    let held = try output(frame, index: position, pts: pts)
    heldAhead[position] = held
    remember(held)
  }

  /// While frames can be held, frames shown before the target are decoded from the first one
  /// asked for later, not skipped: from the keyframe the landing starts at (or `from`, going forward).
  private func decodeWantedOnTheWay(to target: Int, from: Int?) {
    guard framesHeldAheadLimit > heldAhead.count, destination == nil, let index = index(), skipBefore != nil,
      let start = from ?? index.keyframe(atOrBefore: target)?.position
    else { return }
    var low = 0
    var high = wantedPositions.count
    while low < high {
      let middle = (low + high) / 2
      if wantedPositions[middle] < start { low = middle + 1 } else { high = middle }
    }
    while low < wantedPositions.count, wantedPositions[low] < target {
      let position = wantedPositions[low]
      if wantedAhead[position, default: 0] > 0 && heldAhead[position] == nil {
        if let timestamp = index.timestamp(at: position) { skipBefore = min(skipBefore ?? timestamp, timestamp) }
        return
      }
      low += 1
    }
  }
}
