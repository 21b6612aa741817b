import CFFmpeg
import Foundation
import VideoFrames

/// Frames from the frame cache (`cache`): a frame it holds is given without decoding, and the
/// decoder, when it is needed again, goes on from where the stream is. What it keeps is what
/// cost a landing: every frame of `frameIndices`, and the frame a start frame or a Play seek
/// landed on; frames decoded in sequence cost one decode each and are not kept, so a stream
/// through a whole match never pushes out the frames asked for by position. A frame it keeps is
/// converted into the decoder's own memory and copied into a client's ring after, never taken
/// from the ring, which its client may write to.
extension VideoDecoder {
  /// The next frame of a range (a start frame, a stride, a count): from the cache when it holds
  /// it, else decoded, the decoder first brought to it when the frames before came from the cache.
  func nextInRange() throws(DecodeError) -> Frame? {
    // Positions from time are not exact: only exact ones are looked up.
    guard let cache, strideOrigin != nil, options.startSeconds == 0, pastEnd == nil, !finished else {
      return try nextSelected()
    }
    if options.maxFrames > 0 && producedCount >= options.maxFrames {
      finished = true
      return nil
    }
    let wanted = rangeNext ?? options.startFrame
    if let key = cacheKey(at: wanted), let hit = cache.frame(for: key) {
      let frame = try delivered(hit)
      producedCount += 1
      rangeNext = wanted + options.stride
      outOfStep = true
      landedAt = nil
      return frame
    }
    if outOfStep {
      outOfStep = false
      if let count = index()?.frameCount, wanted >= count {
        finished = true
        return nil
      }
      let produced = producedCount
      _ = move(to: wanted)
      producedCount = produced
    }
    keepsNextFrame = landedAt != nil
    defer { keepsNextFrame = false }
    guard let frame = try nextSelected() else { return nil }
    rangeNext = frame.index + options.stride
    guard frame.index == landedAt else { return try delivered(frame) }
    landedAt = nil
    remember(frame)
    return try delivered(frame)
  }

  /// Brings the decoder to `target`: forward from where it is when no keyframe lies between,
  /// else landed on from the keyframe at or before it. Returns the position decoding goes on
  /// from when it goes forward; nil when it lands.
  func move(to target: Int) -> Int? {
    if let upcoming = nextIndex, upcoming <= target, exactLanding == nil, !mustRestart,
      (index()?.keyframe(atOrBefore: target)?.position ?? 0) <= upcoming
    {
      options.startFrame = target
      if followedIndex != nil && !landsEarly { skipBefore = index()?.timestamp(at: target) }
      return upcoming
    }
    land(at: target)
    return nil
  }

  /// The cache's key for the frame at `position` in the output the options ask for now; nil
  /// without a cache, or for a file that has no version (it changed while it was opened).
  func cacheKey(at position: Int) -> FrameCacheKey? {
    guard cache != nil, let version else { return nil }
    let size = fittedSize(
      width: info.width, height: info.height, maxWidth: options.maxWidth, maxHeight: options.maxHeight)
    return FrameCacheKey(
      file: version, index: position, width: size.width, height: size.height, format: options.format,
      encoding: options.encoding)
  }

  /// Keeps `frame` in the cache, unless it lies in a client's ring.
  func remember(_ frame: Frame) {
    guard let cache, frame.slot == nil, let key = cacheKey(at: frame.index) else { return }
    cache.insert(frame, for: key)
  }

  /// A frame of the decoder's own memory (from the cache, or kept in it) as this stream gives
  /// it: copied into the destination's place when there is one (a client's ring), else the
  /// pixels themselves, which no one writes to. A frame already in a place is given as it is.
  func delivered(_ cached: Frame) throws(DecodeError) -> Frame {
    let count = cached.pixels.count
    guard let destination, cached.slot == nil, count >= FramePlace.minimumBytes else { return cached }
    guard let place = destination.nextPlace(byteCount: count + FramePlace.slack) else {
      throw .resources("no place for a \(cached.width)x\(cached.height) frame in the shared memory")
    }
    cached.pixels.withUnsafeBytes { bytes in
      if let base = bytes.baseAddress { place.pixels.copyMemory(from: base, byteCount: count) }
    }
    let (owner, slot) = (place.owner, place.slot)
    var frame = cached
    frame.pixels = Data(
      bytesNoCopy: place.pixels, count: count, deallocator: .custom { _, _ in owner.dropped(slot: slot) })
    frame.slot = slot
    return frame
  }
}
