import CFFmpeg
import Foundation
import VideoFrames

/// Going to a position: by time through FFmpeg's seek, or to an exact frame through the frame
/// index, landing from the keyframe at or before it and checking every frame on the way.
extension VideoDecoder {
  /// Goes to `target` in an open decoder: reads from the keyframe at or before it, and the next
  /// `next()` gives the exact frame there. A frame target lands through the frame index, exactly;
  /// a time target lands by the container's seek, its frame indices exact when the container's
  /// index shows where the read began (MP4's does), else from time and the frame rate.
  public func seek(to target: PlaybackTarget) {
    rangeNext = nil
    outOfStep = false
    landedAt = nil
    switch target {
    case .frame(let index):
      strideOrigin = max(0, index)
      land(at: max(0, index))
      landedAt = max(0, index)
    case .seconds(let seconds):
      guard let fmt = format else { return }
      strideOrigin = nil
      options.startFrame = 0
      options.startSeconds = max(0, seconds)
      var timestamp = startTimestamp
      if timeBase > 0 { timestamp = startTimestamp + Int64(options.startSeconds / timeBase) }
      if av_seek_frame(fmt, streamIndex, timestamp, AVSEEK_FLAG_BACKWARD) < 0 {
        // Before the first keyframe's time, or a container that cannot seek there: from the start.
        seekToBeginning()
      }
      resetAfterSeek()
      nextIndex = nil
      lookingForLanding = true
      awaitingLanding = true
    }
  }

  /// The landing routine of every exact access (a start frame, a Play seek, a resumption, chosen
  /// frames): from the keyframe at or before `target` that the frame index names, checking each
  /// frame decoded against the index on the way, so the next frame given is exactly the frame a
  /// decode from the beginning numbers `target`. Without an index, or when the file's frames
  /// disagree with it, decodes from the start instead, never giving a wrong frame.
  func land(at target: Int) {
    options.startFrame = target
    options.startSeconds = 0
    guard let index = index() else {
      restartFromBeginning()
      return
    }
    guard target < index.frameCount else {
      resetAfterSeek()
      pastEnd = (target, index.frameCount)
      return
    }
    guard var keyframe = index.keyframe(atOrBefore: target) else {
      restartFromBeginning()
      return
    }
    if landsEarly {
      guard let earlier = index.keyframe(atOrBefore: keyframe.position - 1) else {
        restartFromBeginning()
        return
      }
      keyframe = earlier
    }
    guard keyframe.position > 0 else {
      restartFromBeginning()
      return
    }
    // By presentation time, as a seek in seconds goes (MP4's demuxer seeks by shifted decode
    // times, so a keyframe's own decode time lands a GOP early when frames are reordered); from
    // an earlier keyframe, by its decode time, which lands there or earlier still.
    let timestamp = landsEarly ? keyframe.decodeTimestamp : keyframe.presentationTimestamp
    guard let fmt = format, av_seek_frame(fmt, streamIndex, timestamp, AVSEEK_FLAG_BACKWARD) >= 0 else {
      restartFromBeginning()
      return
    }
    resetAfterSeek()
    nextIndex = nil
    exactLanding = ExactLanding(target: target, index: index, fromEarlierKeyframe: landsEarly)
    // A file whose landings had to start earlier gets every frame decoded: its decoder loses
    // frames after a keyframe, and skipping frames only makes that likelier.
    skipBefore = landsEarly ? nil : index.timestamp(at: target)
  }

  /// Decodes from the first frame again, numbering frames by counting them.
  func restartFromBeginning() {
    if !atStart { seekToBeginning() }
    resetAfterSeek()
    atStart = true
    nextIndex = 0
    decodedCount = 0
  }

  /// Puts the demuxer back at the first packet: at the container index's first entry, or the
  /// first byte. (A seek to the smallest timestamp can leave an MP4 demuxer at a later keyframe.)
  func seekToBeginning() {
    guard let fmt = format, let stream = fmt.pointee.streams[Int(streamIndex)] else { return }
    if avformat_index_get_entries_count(stream) > 0, let first = avformat_index_get_entry(stream, 0),
      av_seek_frame(fmt, streamIndex, first.pointee.timestamp, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_ANY) >= 0
    {
      return
    }
    if av_seek_frame(fmt, -1, 0, AVSEEK_FLAG_BYTE) >= 0 { return }
    _ = av_seek_frame(fmt, streamIndex, Int64.min + 1, AVSEEK_FLAG_BACKWARD)
  }

  /// Forgets the decoder's frames and every per-position state, for a new position.
  func resetAfterSeek() {
    if let codec, !atStart { avcodec_flush_buffers(codec) }
    atStart = false
    draining = false
    finished = false
    pendingReadError = nil
    eligibleCount = 0
    producedCount = 0
    lastTimestamp = nil
    landing = nil
    lookingForLanding = false
    awaitingLanding = false
    exactLanding = nil
    mustRestart = false
    relandFromEarlierKeyframe = nil
    followedIndex = nil
    skipBefore = nil
    pastEnd = nil
  }

  /// Lands on `target` again, from the keyframe before the one at or before it, the frames
  /// already given staying counted. Some decoders drop a frame or two after starting at an open
  /// GOP's keyframe: from the keyframe before it, every frame of its GOP has its references.
  func relandEarlier(at target: Int) {
    landsEarly = true
    // Frames held on the way to a landing that failed are decoded again rather than trusted.
    heldAhead = [:]
    let produced = producedCount
    land(at: target)
    producedCount = produced
  }

  /// The file's frames disagree with its index: it is decoded from its start from now on, by
  /// this decoder and every later one.
  func abandonIndex() {
    heldAhead = [:]
    let size = format?.pointee.pb.map { avio_size($0) } ?? -1
    FrameIndexCache.shared.distrust(path: path, streamIndex: streamIndex, size: size)
    frameIndex = .some(nil)
    let produced = producedCount
    restartFromBeginning()
    producedCount = produced
  }

  /// The file's frame index, scanned (or taken from the process's cache) the first time it is needed.
  func index() -> FrameIndex? {
    if let known = frameIndex { return known }
    let size = format?.pointee.pb.map { avio_size($0) } ?? -1
    let index = FrameIndexCache.shared.index(path: path, streamIndex: streamIndex, size: size)
    frameIndex = .some(index)
    return index
  }

  /// Index entries at the start that an edit list hides: they are decoded but never shown.
  func leadingDiscards(_ stream: UnsafeMutablePointer<AVStream>, count: Int) -> Int {
    var discards = 0
    while discards < count, let e = avformat_index_get_entry(stream, Int32(discards)), e.pointee.flags & 2 != 0 {
      discards += 1
    }
    return discards
  }

  /// Learns where a seek landed from the first packet read after it: a keyframe whose place in
  /// the index is its position in presentation order, the GOPs being closed.
  func noteLanding(_ packet: UnsafeMutablePointer<AVPacket>) {
    lookingForLanding = false
    guard packet.pointee.flags & AV_PKT_FLAG_KEY != 0, packet.pointee.pts != soccer_av_nopts_value(),
      let stream = format?.pointee.streams[Int(streamIndex)]
    else { return }
    let entry = Int(av_index_search_timestamp(stream, packet.pointee.dts, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_ANY))
    guard entry >= 0, let e = avformat_index_get_entry(stream, Int32(entry)), e.pointee.timestamp == packet.pointee.dts
    else { return }
    let count = Int(avformat_index_get_entries_count(stream))
    landing = (entry - leadingDiscards(stream, count: count), packet.pointee.pts)
  }
}
