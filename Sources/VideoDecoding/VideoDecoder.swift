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

  // The state below is internal, not private: the decoder's jobs (seeking, frames at chosen
  // positions, how a file ends) are extensions in files of their own, VideoDecoder+*.swift.
  var format: UnsafeMutablePointer<AVFormatContext>?
  var codec: UnsafeMutablePointer<AVCodecContext>?
  var packet: UnsafeMutablePointer<AVPacket>?
  var frame: UnsafeMutablePointer<AVFrame>?
  let converter = FrameConverter()
  /// Where converted frames go instead of memory of their own; nil: their own.
  public var destination: (any FrameDestination)?
  /// Threads each frame's conversion is sliced over: the decoder's own, unless told otherwise.
  var converterThreads: Int {
    get { converter.threads }
    set { converter.threads = newValue }
  }
  /// The container's number of the video stream decoded.
  let streamIndex: Int32
  let timeBase: Double
  let startTimestamp: Int64

  var options = DecodeOptions()
  /// Encodes frames when the options ask for JPEG or PNG, on this decoder's thread.
  lazy var encoder = FrameEncoder()
  var draining = false
  var finished = false
  var pendingReadError: String?
  /// Where the file is: a read failure from an HTTP origin before any frame is the origin's fault.
  let location: MediaLocation
  /// Frames the decoder has produced, before any filtering.
  var decodedCount = 0
  /// The position (frame index) of the next frame out of the decoder, while it is known by
  /// counting; nil after a seek whose landing place could not be found, when indices come from time.
  var nextIndex: Int? = 0
  /// After a seek by time: the position and timestamp of the keyframe the file was read from,
  /// once its packet is read; `awaitingLanding` until the decoder gives its first frame.
  var landing: (index: Int, pts: Int64)?
  var awaitingLanding = false
  var lookingForLanding = false
  /// A landing on an exact frame through the frame index, until its frame comes out.
  var exactLanding: ExactLanding?
  /// The frames' positions disagreed with the frame index: decode again from the start.
  var mustRestart = false
  /// A landing failed, or a frame went missing after one: land on this position again from
  /// the keyframe before the one at or before it, the frames already given staying given.
  var relandFromEarlierKeyframe: Int?
  /// After an exact landing, the index every later frame is checked against: a decoder that
  /// started at a keyframe may drop a frame a decode from the start gives.
  var followedIndex: FrameIndex?
  /// While frames before a target are decoded only to reach it: the target's presentation
  /// timestamp. Frames shown before it that no other frame refers to are not decoded at all.
  var skipBefore: Int64?
  /// The position strides count from when positions are exact; nil when they come from time.
  var strideOrigin: Int? = 0
  /// Landings in this file start from the keyframe before the one at or before their target.
  var landsEarly = false
  /// A landing the frame index showed to be past the last frame.
  var pastEnd: (target: Int, count: Int)?
  /// This file's frame index once a landing asked for it; `.some(nil)` when it has none.
  var frameIndex: FrameIndex??
  /// Frames at chosen positions: the next one of `options.frameIndices` to give, and the last given.
  var chosenCursor = 0
  var lastChosen: Frame?
  /// Chosen frames converted ahead of their turn, by position, at most `framesHeldAheadLimit`.
  var heldAhead: [Int: Frame] = [:]
  /// Frames of chosen positions that may be held ahead of their turn; set from the options by
  /// `configure`, lowered when the frame-memory budget admits fewer.
  public var framesHeldAheadLimit = 0
  /// How many times each position is still to be given after the one being decoded for.
  var wantedAhead: [Int: Int] = [:]
  /// The distinct chosen positions, ascending.
  var wantedPositions: [Int] = []
  /// Frames already decoded, converted and encoded, shared with other streams; nil for none.
  public var cache: FrameCache?
  /// The file as it was before FFmpeg opened it, for its version.
  let statusBeforeOpening: FileVersion.Status?
  /// This file's version, the cache's key; nil when it changed while it was opened.
  lazy var version: FileVersion? = format.flatMap {
    FileVersion(path: path, status: statusBeforeOpening, format: $0, streamIndex: streamIndex)
  }
  /// In a range, the position the next frame should have; nil before the first.
  var rangeNext: Int?
  /// The frames given last came from the cache: the decoder must be brought to the next one.
  var outOfStep = false
  /// The position a start frame or a Play seek landed on, whose frame the cache keeps.
  var landedAt: Int?
  /// The next frame converted is one the cache keeps: into memory of the decoder's own, never
  /// a client's ring, whose pixels the client could change before others are sent them.
  var keepsNextFrame = false
  /// Frames out of the decoder since it was opened, through every seek and landing.
  public private(set) var framesDecoded = 0
  /// Whether anything was read since the file was opened or went back to its start.
  var atStart = true
  let path: String
  /// Frames at or after the start offset; stride counts these.
  var eligibleCount = 0
  var producedCount = 0
  var lastTimestamp: Int64?

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
    statusBeforeOpening = FileVersion.Status(path: path)
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

  /// Sets what `next()` produces; call before the first `next()`.
  public func configure(_ options: DecodeOptions) throws(DecodeError) {
    self.options = options
    strideOrigin = options.startSeconds > 0 ? nil : options.startFrame
    if let last = options.frameIndices.max() {
      if let count = index()?.frameCount, last >= count { throw .frameIndexPastEnd(index: last, count: count) }
      prepareChosenFrames()
      return
    }
    if options.startFrame > 0 {
      if let count = index()?.frameCount, options.startFrame >= count {
        throw .startFramePastEnd(frame: options.startFrame, count: count)
      }
      land(at: options.startFrame)
      landedAt = options.startFrame
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

  /// Sets the largest frame size from the next frame on; 0 for no limit.
  public func resize(maxWidth: Int, maxHeight: Int) {
    options.maxWidth = max(0, maxWidth)
    options.maxHeight = max(0, maxHeight)
  }

  /// The next frame that the options select, or nil at the end of the video.
  public func next() throws(DecodeError) -> Frame? {
    options.frameIndices.isEmpty ? try nextInRange() : try nextChosen()
  }

  func nextSelected() throws(DecodeError) -> Frame? {
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
        framesDecoded += 1
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
      case .passed(let position):
        exactLanding = exact
        try holdIfWanted(frame, position: position, pts: pts)
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
    guard position >= options.startFrame else {
      try holdIfWanted(frame, position: position, pts: pts)
      return nil
    }
    let eligible = strideOrigin.map { position - $0 } ?? eligibleCount
    eligibleCount += 1
    guard eligible % options.stride == 0 else { return nil }
    return try output(frame, index: position, pts: pts)
  }

  private func releaseAll() {
    av_frame_free(&frame)
    av_packet_free(&packet)
    avcodec_free_context(&codec)
    avformat_close_input(&format)
  }

}
