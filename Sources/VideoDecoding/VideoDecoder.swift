import CFFmpeg
import Foundation
import VideoFrames

/// Decodes the video stream of one media file into packed frames with FFmpeg, keeping the
/// frames the options select (start time, stride, count).
///
/// Not thread-safe: one decoder belongs to one thread at a time. Every FFmpeg
/// resource is released when the decoder is deinitialised.
public final class VideoDecoder {
  /// What the container says about the video.
  public let info: MediaInfo
  /// Packets or frames FFmpeg refused and that were skipped, as FFmpeg's own tools skip them.
  public private(set) var skippedPackets = 0

  private var format: UnsafeMutablePointer<AVFormatContext>?
  private var codec: UnsafeMutablePointer<AVCodecContext>?
  private var packet: UnsafeMutablePointer<AVPacket>?
  private var frame: UnsafeMutablePointer<AVFrame>?
  private let converter = FrameConverter()
  private let streamIndex: Int32
  private let timeBase: Double
  private let startTimestamp: Int64

  private var options = DecodeOptions()
  private var draining = false
  private var finished = false
  private var pendingReadError: String?
  /// Where the file is: a read failure from an HTTP origin before any frame is the origin's fault.
  private let location: MediaLocation
  /// Frames the decoder has produced, before any filtering.
  private var decodedCount = 0
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
  /// `threads` is the decoder's thread count; 0 lets FFmpeg choose.
  public init(path: String, analyze: Bool = true, threads: Int = 0) throws(DecodeError) {
    let opened = try OpenedStream.open(path: path, analyze: analyze, threads: threads)
    format = opened.format
    codec = opened.codec
    packet = opened.packet
    frame = opened.frame
    streamIndex = opened.streamIndex
    timeBase = opened.timeBase
    startTimestamp = opened.startTimestamp
    info = opened.info
    location = MediaLocation(path: path)
  }

  deinit {
    releaseAll()
  }

  /// Sets what `next()` produces; call before the first `next()`.
  public func configure(_ options: DecodeOptions) throws(DecodeError) {
    self.options = options
    guard options.startSeconds > 0, let fmt = format else { return }
    if info.durationSeconds > 0 && options.startSeconds >= info.durationSeconds {
      throw .startPastEnd(start: options.startSeconds, duration: info.durationSeconds)
    }
    guard timeBase > 0 else { return }
    let target = startTimestamp + Int64(options.startSeconds / timeBase)
    // A failed seek leaves the file at its start; frames before the offset are then skipped by time.
    _ = av_seek_frame(fmt, streamIndex, target, AVSEEK_FLAG_BACKWARD)
  }

  /// The next frame that the options select, or nil at the end of the video.
  public func next() throws(DecodeError) -> Frame? {
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
        continue
      }
      if received == soccer_averror_eof() {
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
          throw decodedCount > 0 ? .dataLoss(ffmpegErrorText(received)) : .noDecodableFrames(ffmpegErrorText(received))
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
      let sent = avcodec_send_packet(codec, packet)
      if sent < 0 && sent != soccer_averror_again() {
        skippedPackets += 1
        continue
      }
      return
    }
  }

  /// Why the file ended early, if its index names video data past its end (a cut-off download, say).
  private func truncation() -> String? {
    guard let format, let io = format.pointee.pb, let stream = format.pointee.streams[Int(streamIndex)] else {
      return nil
    }
    let entries = avformat_index_get_entries_count(stream)
    guard entries > 0, let last = avformat_index_get_entry(stream, entries - 1) else { return nil }
    let needed = last.pointee.pos + Int64(last.pointee.size)
    let size = avio_size(io)
    guard size > 0, needed > size else { return nil }
    return "the file is truncated: its index needs \(needed) bytes but it has \(size)"
  }

  /// At the end: a file that gave nothing is an error, never an empty success.
  private func checkEnd() throws(DecodeError) {
    if let pendingReadError {
      if decodedCount == 0 && location.isRemote {
        throw .originUnavailable(origin: location.origin, reason: pendingReadError)
      }
      if decodedCount == 0 { throw .noDecodableFrames(pendingReadError) }
      throw .dataLoss(pendingReadError)
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
    if options.startSeconds > 0 {
      let halfFrame = info.frameRate > 0 ? 0.5 / info.frameRate : 0
      guard pts >= options.startSeconds - halfFrame else { return nil }
    }
    // A start frame is found by counting every decoded frame from the beginning: exact for
    // variable frame rates and reordered (B-) frames, where a time-based seek is not. Frames
    // before it are decoded but never converted.
    guard ordinal >= options.startFrame else { return nil }
    let eligible = eligibleCount
    eligibleCount += 1
    guard eligible % options.stride == 0 else { return nil }
    let index = options.startSeconds > 0 && info.frameRate > 0 ? Int((pts * info.frameRate).rounded()) : ordinal
    return try converter.convert(
      frame, to: options.format, maxWidth: options.maxWidth, maxHeight: options.maxHeight, index: index, pts: pts)
  }

  private func releaseAll() {
    av_frame_free(&frame)
    av_packet_free(&packet)
    avcodec_free_context(&codec)
    avformat_close_input(&format)
  }

}
