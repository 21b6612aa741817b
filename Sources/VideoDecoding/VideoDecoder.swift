import CFFmpeg
import Foundation
import FrameCodecs
import VideoFrames

/// Decodes the video stream of one media file into packed frames with FFmpeg, keeping the
/// frames the options select (start time, stride, count).
///
/// Not thread-safe: one decoder belongs to one thread at a time. Every FFmpeg
/// resource is released when the decoder is deinitialised.
public final class VideoDecoder {
  /// What the container says about the video.
  public let info: MediaInfo
  /// Bytes of one decoded frame in the source's pixel format.
  public let decodedFrameBytes: Int
  /// Threads the decoder runs on.
  public let decoderThreads: Int
  /// Packets or frames FFmpeg refused and that were skipped, as FFmpeg's own tools skip them.
  public private(set) var skippedPackets = 0

  private var format: UnsafeMutablePointer<AVFormatContext>?
  private var codec: UnsafeMutablePointer<AVCodecContext>?
  private var packet: UnsafeMutablePointer<AVPacket>?
  private var frame: UnsafeMutablePointer<AVFrame>?
  private let converter = FrameConverter()
  /// Where converted frames go instead of memory of their own; nil: their own.
  public var destination: (any FrameDestination)?
  /// Threads each frame's conversion is sliced over: the decoder's own, unless told otherwise.
  var converterThreads: Int {
    get { converter.threads }
    set { converter.threads = newValue }
  }
  /// The container's number of the video stream decoded.
  let streamIndex: Int32
  private let timeBase: Double
  private let startTimestamp: Int64

  private var options = DecodeOptions()
  /// Encodes frames when the options ask for JPEG or PNG, on this decoder's thread.
  private lazy var encoder = FrameEncoder()
  private var draining = false
  private var finished = false
  private var pendingReadError: String?
  /// Where the file is: a read failure from an HTTP origin before any frame is the origin's fault.
  private let location: MediaLocation
  /// Frames the decoder has produced, before any filtering.
  private var decodedCount = 0
  /// The position (frame index) of the next frame out of the decoder, while it is known by
  /// counting; nil after a seek whose landing place could not be found, when indices come from time.
  private var nextIndex: Int? = 0
  /// After a seek by time: the position and timestamp of the keyframe the file was read from,
  /// once its packet is read; `awaitingLanding` until the decoder gives its first frame.
  private var landing: (index: Int, pts: Int64)?
  private var awaitingLanding = false
  private var lookingForLanding = false
  /// A landing on an exact frame through the frame index, until its frame comes out.
  private var exactLanding: ExactLanding?
  /// The frames' positions disagreed with the frame index: decode again from the start.
  private var mustRestart = false
  /// A landing failed, or a frame went missing after one: land on this position again from
  /// the keyframe before the one at or before it, the frames already given staying given.
  private var relandFromEarlierKeyframe: Int?
  /// After an exact landing, the index every later frame is checked against: a decoder that
  /// started at a keyframe may drop a frame a decode from the start gives.
  private var followedIndex: FrameIndex?
  /// While frames before a target are decoded only to reach it: the target's presentation
  /// timestamp. Frames shown before it that no other frame refers to are not decoded at all.
  private var skipBefore: Int64?
  /// The position strides count from when positions are exact; nil when they come from time.
  private var strideOrigin: Int? = 0
  /// Landings in this file start from the keyframe before the one at or before their target.
  private var landsEarly = false
  /// A landing the frame index showed to be past the last frame.
  private var pastEnd: (target: Int, count: Int)?
  /// This file's frame index once a landing asked for it; `.some(nil)` when it has none.
  private var frameIndex: FrameIndex??
  /// Frames at chosen positions: the next one of `options.frameIndices` to give, and the last given.
  private var chosenCursor = 0
  private var lastChosen: Frame?
  /// Whether anything was read since the file was opened or went back to its start.
  private var atStart = true
  private let path: String
  /// Frames at or after the start offset; stride counts these.
  private var eligibleCount = 0
  private var producedCount = 0
  private var lastTimestamp: Int64?

  /// Opens `path` and prepares its best video stream for decoding.
  ///
  /// With `analyze` false, FFmpeg's analysis pass (which decodes a frame to learn the pixel
  /// format) is skipped whenever the container header already names the codec and frame size,
  /// as MP4's does: a stream's first frame then comes several milliseconds sooner, and
  /// `info.sourcePixelFormat` may be "unknown".
  ///
  /// `threads` is the decoder's thread count; 0 lets FFmpeg choose. With `options`, a file whose
  /// frames, at the size they ask for, are over their `maxFramePixels` is refused
  /// (`.framesTooLarge`) before FFmpeg opens its decoder or allocates a frame.
  public init(path: String, analyze: Bool = true, threads: Int = 0, admitting options: DecodeOptions? = nil)
    throws(DecodeError)
  {
    let opened = try OpenedStream.open(path: path, analyze: analyze, threads: threads, admitting: options)
    format = opened.format
    codec = opened.codec
    packet = opened.packet
    frame = opened.frame
    streamIndex = opened.streamIndex
    timeBase = opened.timeBase
    startTimestamp = opened.startTimestamp
    info = opened.info
    decodedFrameBytes = opened.decodedFrameBytes
    decoderThreads = opened.threads
    converter.threads = opened.threads
    location = MediaLocation(path: path)
    self.path = path
  }

  deinit {
    releaseAll()
  }

  /// What this file's frames weigh, decoded and converted as `options` ask.
  public func geometry(for options: DecodeOptions) -> FrameGeometry {
    var geometry = FrameGeometry(
      sourceWidth: info.width, sourceHeight: info.height, decodedFrameBytes: decodedFrameBytes,
      decoderThreads: decoderThreads, outputWidth: info.width, outputHeight: info.height, format: options.format
    ).converted(to: options.format, maxWidth: options.maxWidth, maxHeight: options.maxHeight)
    geometry.encoded = options.encoding != .raw
    return geometry
  }

  /// Sets what `next()` produces; call before the first `next()`.
  public func configure(_ options: DecodeOptions) throws(DecodeError) {
    self.options = options
    strideOrigin = options.startSeconds > 0 ? nil : options.startFrame
    if let last = options.frameIndices.max() {
      if let count = index()?.frameCount, last >= count { throw .frameIndexPastEnd(index: last, count: count) }
      return
    }
    if options.startFrame > 0 {
      if let count = index()?.frameCount, options.startFrame >= count {
        throw .startFramePastEnd(frame: options.startFrame, count: count)
      }
      land(at: options.startFrame)
      return
    }
    guard options.startSeconds > 0, let fmt = format else { return }
    if info.durationSeconds > 0 && options.startSeconds >= info.durationSeconds {
      throw .startPastEnd(start: options.startSeconds, duration: info.durationSeconds)
    }
    guard timeBase > 0 else { return }
    let target = startTimestamp + Int64(options.startSeconds / timeBase)
    // A failed seek leaves the file at its start; frames before the offset are then skipped by time.
    _ = av_seek_frame(fmt, streamIndex, target, AVSEEK_FLAG_BACKWARD)
    nextIndex = nil
  }

  /// Goes to `target` in an open decoder: reads from the keyframe at or before it, and the next
  /// `next()` gives the exact frame there. A frame target lands through the frame index, exactly;
  /// a time target lands by the container's seek, its frame indices exact when the container's
  /// index shows where the read began (MP4's does), else from time and the frame rate.
  public func seek(to target: PlaybackTarget) {
    switch target {
    case .frame(let index):
      strideOrigin = max(0, index)
      land(at: max(0, index))
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
  private func restartFromBeginning() {
    if !atStart { seekToBeginning() }
    resetAfterSeek()
    atStart = true
    nextIndex = 0
    decodedCount = 0
  }

  /// Puts the demuxer back at the first packet: at the container index's first entry, or the
  /// first byte. (A seek to the smallest timestamp can leave an MP4 demuxer at a later keyframe.)
  private func seekToBeginning() {
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
  private func resetAfterSeek() {
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
  private func relandEarlier(at target: Int) {
    landsEarly = true
    let produced = producedCount
    land(at: target)
    producedCount = produced
  }

  /// The file's frames disagree with its index: it is decoded from its start from now on, by
  /// this decoder and every later one.
  private func abandonIndex() {
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

  /// For a container that lists where each frame's bytes lie (MP4's sample table): how many of
  /// the frames it lists lie wholly within the file, when some do not (the file was cut short);
  /// nil when it lists none or all are there. Reads no frame.
  func framesPastTheData() -> (present: Int, listed: Int)? {
    guard let fmt = format, let pb = fmt.pointee.pb, let stream = fmt.pointee.streams[Int(streamIndex)] else {
      return nil
    }
    let size = avio_size(pb)
    let listed = Int(avformat_index_get_entries_count(stream))
    guard size > 0, listed > 0 else { return nil }
    var present = 0
    for i in 0..<listed {
      guard let entry = avformat_index_get_entry(stream, Int32(i)) else { break }
      if entry.pointee.pos >= 0, entry.pointee.pos + Int64(entry.pointee.size) <= size { present += 1 }
    }
    return present < listed ? (present, listed) : nil
  }

  /// Sets the largest frame size from the next frame on; 0 for no limit.
  public func resize(maxWidth: Int, maxHeight: Int) {
    options.maxWidth = max(0, maxWidth)
    options.maxHeight = max(0, maxHeight)
  }

  /// Index entries at the start that an edit list hides: they are decoded but never shown.
  private func leadingDiscards(_ stream: UnsafeMutablePointer<AVStream>, count: Int) -> Int {
    var discards = 0
    while discards < count, let e = avformat_index_get_entry(stream, Int32(discards)), e.pointee.flags & 2 != 0 {
      discards += 1
    }
    return discards
  }

  /// Learns where a seek landed from the first packet read after it: a keyframe whose place in
  /// the index is its position in presentation order, the GOPs being closed.
  private func noteLanding(_ packet: UnsafeMutablePointer<AVPacket>) {
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

  /// The next frame that the options select, or nil at the end of the video.
  public func next() throws(DecodeError) -> Frame? {
    options.frameIndices.isEmpty ? try nextSelected() : try nextChosen()
  }

  /// The frame at the next of `options.frameIndices`: decoded forward from where the decoder is
  /// when no keyframe lies between, else landed on; the last frame again for a repeated index.
  private func nextChosen() throws(DecodeError) -> Frame? {
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

  private func nextSelected() throws(DecodeError) -> Frame? {
    if let pastEnd { throw .startFramePastEnd(frame: pastEnd.target, count: pastEnd.count) }
    guard let codec, let frame, !finished else { return nil }
    if options.maxFrames > 0 && producedCount >= options.maxFrames {
      finished = true
      return nil
    }
    var consecutiveErrors = 0
    while true {
      let received = avcodec_receive_frame(codec, frame)
      if received == 0 {
        consecutiveErrors = 0
        defer { av_frame_unref(frame) }
        if let output = try select(frame) {
          producedCount += 1
          return output
        }
        if mustRestart {
          abandonIndex()
        } else if let target = relandFromEarlierKeyframe {
          relandEarlier(at: target)
        }
        continue
      }
      if received == soccer_averror_eof() {
        if let exact = exactLanding {
          // The landing's frame never came: from an earlier keyframe it may; if not, the index
          // promised a frame the file does not give.
          if exact.fromEarlierKeyframe { abandonIndex() } else { relandEarlier(at: exact.target) }
          continue
        }
        finished = true
        try checkEnd()
        return nil
      }
      if received != soccer_averror_again() {
        // A broken frame inside the decoder: skip it as FFmpeg's tools do.
        skippedPackets += 1
        consecutiveErrors += 1
        if consecutiveErrors > 1000 {
          finished = true
          throw decodedCount > 0
            ? .dataLoss("it breaks after frame \(decodedCount - 1): \(ffmpegErrorText(received))")
            : .noDecodableFrames(ffmpegErrorText(received))
        }
        continue
      }
      try feed()
    }
  }

  /// Sends the next video packet to the decoder, or starts draining at the end of the file.
  private func feed() throws(DecodeError) {
    guard let format, let codec, let packet else { return }
    if draining {
      // The decoder wants input after draining began: nothing more will come.
      return
    }
    while true {
      let read = av_read_frame(format, packet)
      if read < 0 {
        pendingReadError = read == soccer_averror_eof() ? truncation() : ffmpegErrorText(read)
        draining = true
        _ = avcodec_send_packet(codec, nil)
        return
      }
      defer { av_packet_unref(packet) }
      guard packet.pointee.stream_index == streamIndex else { continue }
      atStart = false
      if lookingForLanding { noteLanding(packet) }
      // Only frames shown from the target on, and those others refer to, need decoding.
      let pts = packet.pointee.pts
      let skips = skipBefore.map { pts != soccer_av_nopts_value() && pts < $0 } ?? false
      codec.pointee.skip_frame = skips ? AVDISCARD_NONREF : AVDISCARD_DEFAULT
      let sent = avcodec_send_packet(codec, packet)
      if sent < 0 && sent != soccer_averror_again() {
        skippedPackets += 1
        continue
      }
      return
    }
  }

  /// Why the file ended early, if its index names video data past its end (a cut-off download, say).
  func truncation() -> String? {
    framesPastTheData().map {
      "the file is cut short: its data holds \($0.present) of the \($0.listed) frames its index lists"
    }
  }

  /// At the end: a file that gave nothing is an error, never an empty success.
  private func checkEnd() throws(DecodeError) {
    if let pendingReadError {
      if decodedCount == 0 && location.isRemote {
        throw .originUnavailable(origin: location.origin, reason: pendingReadError)
      }
      if decodedCount == 0 { throw .noDecodableFrames(pendingReadError) }
      throw .dataLoss("it breaks after frame \(decodedCount - 1): \(pendingReadError)")
    }
    if decodedCount == 0 {
      throw .noDecodableFrames(
        skippedPackets > 0 ? "\(skippedPackets) packets were corrupt" : "the video stream is empty")
    }
    if producedCount == 0 && eligibleCount == 0 && options.startFrame > 0 {
      throw .startFramePastEnd(frame: options.startFrame, count: decodedCount)
    }
    if producedCount == 0 && eligibleCount == 0 && options.startSeconds > 0 {
      throw .startPastEnd(start: options.startSeconds, duration: info.durationSeconds)
    }
  }

  /// Applies start offset and stride to a decoded frame, and converts the ones kept.
  private func select(_ frame: UnsafeMutablePointer<AVFrame>) throws(DecodeError) -> Frame? {
    let ordinal = decodedCount
    decodedCount += 1
    var timestamp = frame.pointee.best_effort_timestamp
    if timestamp == soccer_av_nopts_value() {
      timestamp = lastTimestamp.map { $0 + max(1, frame.pointee.pkt_duration) } ?? startTimestamp
    }
    lastTimestamp = timestamp
    let pts = Double(timestamp - startTimestamp) * timeBase
    if awaitingLanding {
      // The first frame after a seek is the landing keyframe when the GOPs are closed; if it is
      // not, positions after this seek come from time.
      awaitingLanding = false
      if let landing, landing.pts == timestamp { nextIndex = landing.index }
    }
    if var exact = exactLanding {
      switch exact.place(frame, timestamp: timestamp) {
      case .before:
        exactLanding = exact
        return nil
      case .disagrees where !exact.fromEarlierKeyframe, .overshot where !exact.fromEarlierKeyframe:
        relandFromEarlierKeyframe = exact.target
        return nil
      case .disagrees, .overshot:
        mustRestart = true
        return nil
      case .arrived(let position):
        exactLanding = nil
        followedIndex = exact.index
        nextIndex = position
      }
    } else if let index = followedIndex, let expected = nextIndex {
      let position = index.position(ofTimestamp: timestamp)
      if let position, position >= expected, position < options.startFrame {
        // On the way to a chosen frame, frames nothing refers to were not decoded.
        nextIndex = position
      } else if position != max(expected, options.startFrame) {
        // A frame went missing (or came twice) after the landing: land again where it should be.
        relandFromEarlierKeyframe = max(expected, options.startFrame)
        return nil
      }
    }
    let position: Int
    if let known = nextIndex {
      position = known
      nextIndex = known + 1
    } else {
      position = info.frameRate > 0 ? Int((pts * info.frameRate).rounded()) : ordinal
    }
    if options.startSeconds > 0 {
      let halfFrame = info.frameRate > 0 ? 0.5 / info.frameRate : 0
      guard pts >= options.startSeconds - halfFrame else { return nil }
    }
    // Positions are exact here (counted from the start, or placed by the frame index after a
    // landing) whatever the frame rate or reordering; frames before the start are never converted.
    guard position >= options.startFrame else { return nil }
    let eligible = strideOrigin.map { position - $0 } ?? eligibleCount
    eligibleCount += 1
    guard eligible % options.stride == 0 else { return nil }
    let index = position
    let converted = try converter.convert(
      frame, to: options.format, maxWidth: options.maxWidth, maxHeight: options.maxHeight, index: index, pts: pts,
      destination: destination)
    guard options.encoding != .raw else { return converted }
    do {
      return try encoder.encode(converted, as: options.encoding)
    } catch {
      throw .resources("frame \(index): \(error)")
    }
  }

  private func releaseAll() {
    av_frame_free(&frame)
    av_packet_free(&packet)
    avcodec_free_context(&codec)
    avformat_close_input(&format)
  }

}

/// A landing on frame `target` through the frame index: each frame the decoder gives is placed
/// by its timestamp, and from the first keyframe on they must follow one another without a gap,
/// whole, up to the target.
struct ExactLanding {
  enum Verdict {
    /// Before the target (or a leading frame before the first keyframe): not given.
    case before
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
    return position == target ? .arrived(position) : .before
  }
}
