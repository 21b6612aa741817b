import CFFmpeg
import Foundation
import VideoFrames

/// Decodes the video stream of one media file into packed frames with FFmpeg.
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
  private var scaler: OpaquePointer?
  private let streamIndex: Int32
  private let timeBase: Double
  private let startTimestamp: Int64

  private var options = DecodeOptions()
  private var draining = false
  private var finished = false
  private var pendingReadError: String?
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
      if decodedCount == 0 { throw .noDecodableFrames(pendingReadError) }
      throw .dataLoss(pendingReadError)
    }
    if decodedCount == 0 {
      throw .noDecodableFrames(
        skippedPackets > 0 ? "\(skippedPackets) packets were corrupt" : "the video stream is empty")
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
    let eligible = eligibleCount
    eligibleCount += 1
    guard eligible % options.stride == 0 else { return nil }
    let index = options.startSeconds > 0 && info.frameRate > 0 ? Int((pts * info.frameRate).rounded()) : ordinal
    return try convert(frame, index: index, pts: pts)
  }

  /// Converts (and scales) a decoded frame with swscale straight into the buffer that is sent.
  private func convert(_ frame: UnsafeMutablePointer<AVFrame>, index: Int, pts: Double) throws(DecodeError) -> Frame {
    let srcW = Int(frame.pointee.width)
    let srcH = Int(frame.pointee.height)
    let size = fittedSize(width: srcW, height: srcH, maxWidth: options.maxWidth, maxHeight: options.maxHeight)
    let target: AVPixelFormat
    switch options.format {
    case .bgr24: target = AV_PIX_FMT_BGR24
    case .rgb24: target = AV_PIX_FMT_RGB24
    case .gray8: target = AV_PIX_FMT_GRAY8
    }
    // OpenCV's FFmpeg backend converts with bicubic interpolation; matching it keeps our frames its frames.
    scaler = sws_getCachedContext(
      scaler, Int32(srcW), Int32(srcH), AVPixelFormat(rawValue: frame.pointee.format),
      Int32(size.width), Int32(size.height), target, SWS_BICUBIC, nil, nil, nil)
    guard let scaler else {
      throw .unsupportedCodec("cannot convert \(pixelFormatName(frame.pointee.format)) frames")
    }
    let rowBytes = size.width * options.format.channels
    let count = rowBytes * size.height
    // swscale's SIMD paths may touch a few bytes past the last row; the slack keeps that in bounds.
    guard let buffer = malloc(count + 64)?.assumingMemoryBound(to: UInt8.self) else {
      throw .resources("out of memory for a \(size.width)x\(size.height) frame")
    }
    var destination: [UnsafeMutablePointer<UInt8>?] = [buffer, nil, nil, nil]
    var destinationStride: [Int32] = [Int32(rowBytes), 0, 0, 0]
    let data = frame.pointee.data
    let linesize = frame.pointee.linesize
    let rows = withUnsafeBytes(of: data) { dataBytes in
      withUnsafeBytes(of: linesize) { strideBytes in
        sws_scale(
          scaler,
          dataBytes.bindMemory(to: UnsafePointer<UInt8>?.self).baseAddress,
          strideBytes.bindMemory(to: Int32.self).baseAddress,
          0, Int32(srcH), &destination, &destinationStride)
      }
    }
    guard rows == Int32(size.height) else {
      free(buffer)
      throw .dataLoss("conversion produced \(rows) of \(size.height) rows")
    }
    let pixels = Data(bytesNoCopy: buffer, count: count, deallocator: .free)
    return Frame(
      pixels: pixels, width: size.width, height: size.height, format: options.format, index: index, ptsSeconds: pts)
  }

  private func releaseAll() {
    if let scaler { sws_freeContext(scaler) }
    scaler = nil
    av_frame_free(&frame)
    av_packet_free(&packet)
    avcodec_free_context(&codec)
    avformat_close_input(&format)
  }

  static func describe(
    format: UnsafeMutablePointer<AVFormatContext>, stream: UnsafeMutablePointer<AVStream>,
    parameters: UnsafeMutablePointer<AVCodecParameters>, timeBase: Double
  ) -> MediaInfo {
    func rate(_ r: AVRational) -> Double { r.num > 0 && r.den > 0 ? Double(r.num) / Double(r.den) : 0 }
    var frameRate = rate(stream.pointee.avg_frame_rate)
    if frameRate == 0 { frameRate = rate(stream.pointee.r_frame_rate) }
    var duration = 0.0
    if stream.pointee.duration != soccer_av_nopts_value() && stream.pointee.duration > 0 {
      duration = Double(stream.pointee.duration) * timeBase
    } else if format.pointee.duration != soccer_av_nopts_value() && format.pointee.duration > 0 {
      duration = Double(format.pointee.duration) / Double(AV_TIME_BASE)
    }
    let counted = Int(stream.pointee.nb_frames)
    let estimated = Int((duration * frameRate).rounded())
    return MediaInfo(
      width: Int(parameters.pointee.width),
      height: Int(parameters.pointee.height),
      frameRate: frameRate,
      durationSeconds: duration,
      frameCount: counted > 0 ? counted : estimated,
      frameCountExact: counted > 0,
      codec: String(cString: avcodec_get_name(parameters.pointee.codec_id)),
      sourcePixelFormat: pixelFormatName(parameters.pointee.format))
  }
}

/// The FFmpeg objects of a freshly opened video stream; frees what it made when opening fails.
private struct OpenedStream {
  var format: UnsafeMutablePointer<AVFormatContext>?
  var codec: UnsafeMutablePointer<AVCodecContext>?
  var packet: UnsafeMutablePointer<AVPacket>?
  var frame: UnsafeMutablePointer<AVFrame>?
  var streamIndex: Int32 = -1
  var timeBase = 0.0
  var startTimestamp: Int64 = 0
  var info = MediaInfo()

  static func open(path: String, analyze: Bool, threads: Int) throws(DecodeError) -> OpenedStream {
    var opened = OpenedStream()
    do {
      try opened.setUp(path: path, analyze: analyze, threads: threads)
      return opened
    } catch {
      av_frame_free(&opened.frame)
      av_packet_free(&opened.packet)
      avcodec_free_context(&opened.codec)
      avformat_close_input(&opened.format)
      throw error
    }
  }

  private mutating func setUp(path: String, analyze: Bool, threads: Int) throws(DecodeError) {
    let openResult = avformat_open_input(&format, path, nil, nil)
    guard openResult >= 0, let fmt = format else { throw .notMedia(ffmpegErrorText(openResult)) }
    if analyze || !Self.headerDescribesVideo(fmt) {
      let infoResult = avformat_find_stream_info(fmt, nil)
      guard infoResult >= 0 else { throw .notMedia(ffmpegErrorText(infoResult)) }
    }
    let index = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
    guard index >= 0, let stream = fmt.pointee.streams[Int(index)], let parameters = stream.pointee.codecpar
    else { throw .noVideoStream }
    streamIndex = index
    let tb = stream.pointee.time_base
    timeBase = tb.den != 0 ? Double(tb.num) / Double(tb.den) : 0
    let start = stream.pointee.start_time
    startTimestamp = start == soccer_av_nopts_value() ? 0 : start
    info = VideoDecoder.describe(format: fmt, stream: stream, parameters: parameters, timeBase: timeBase)
    guard info.width > 0, info.height > 0 else { throw .unsupportedCodec("\(info.codec) stream has no frame size") }

    guard let decoder = avcodec_find_decoder(parameters.pointee.codec_id) else {
      throw .unsupportedCodec("no decoder for \(info.codec)")
    }
    guard let context = avcodec_alloc_context3(decoder) else { throw .resources("cannot allocate a codec context") }
    codec = context
    var setup = avcodec_parameters_to_context(context, parameters)
    if setup >= 0 {
      context.pointee.pkt_timebase = tb
      // Frame and slice threading both; 0 threads lets FFmpeg pick one per core.
      context.pointee.thread_count = Int32(clamping: threads)
      context.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
      setup = avcodec_open2(context, decoder, nil)
    }
    guard setup >= 0 else { throw .unsupportedCodec("\(info.codec): \(ffmpegErrorText(setup))") }
    packet = av_packet_alloc()
    frame = av_frame_alloc()
    guard packet != nil, frame != nil else { throw .resources("cannot allocate packet or frame") }
  }

  /// Whether the container header alone names a video stream's codec and frame size.
  private static func headerDescribesVideo(_ fmt: UnsafeMutablePointer<AVFormatContext>) -> Bool {
    for i in 0..<Int(fmt.pointee.nb_streams) {
      guard let parameters = fmt.pointee.streams[i]?.pointee.codecpar,
        parameters.pointee.codec_type == AVMEDIA_TYPE_VIDEO
      else { continue }
      if parameters.pointee.codec_id != AV_CODEC_ID_NONE && parameters.pointee.width > 0
        && parameters.pointee.height > 0
      {
        return true
      }
    }
    return false
  }
}

private func pixelFormatName(_ raw: Int32) -> String {
  guard let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: raw)) else { return "unknown" }
  return String(cString: name)
}

/// How much FFmpeg writes to standard error.
public enum FFmpegLogging {
  /// Silences FFmpeg's own messages: decoding errors reach callers as `DecodeError`s instead.
  public static func quiet() { av_log_set_level(AV_LOG_QUIET) }
  /// Lets FFmpeg print warnings and errors, for diagnosing a file.
  public static func verbose() { av_log_set_level(AV_LOG_WARNING) }
}
