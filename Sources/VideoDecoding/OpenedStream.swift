import CFFmpeg
import VideoFrames

/// The FFmpeg objects of a freshly opened video stream; frees what it made when opening fails.
struct OpenedStream {
  var format: UnsafeMutablePointer<AVFormatContext>?
  var codec: UnsafeMutablePointer<AVCodecContext>?
  var packet: UnsafeMutablePointer<AVPacket>?
  var frame: UnsafeMutablePointer<AVFrame>?
  var streamIndex: Int32 = -1
  var timeBase = 0.0
  var startTimestamp: Int64 = 0
  var info = MediaInfo()
  /// Bytes of one decoded frame in the source's pixel format.
  var decodedFrameBytes = 0
  /// The decoder's thread count once open.
  var threads = 1

  /// Opens `path`; with `options`, a file whose frames are over their pixel cap is refused
  /// before the decoder is opened, from the sizes the header gives.
  static func open(path: String, analyze: Bool, threads: Int, admitting options: DecodeOptions? = nil)
    throws(DecodeError) -> OpenedStream
  {
    var opened = OpenedStream()
    do {
      try opened.setUp(path: path, analyze: analyze, threads: threads, admitting: options)
      return opened
    } catch {
      av_frame_free(&opened.frame)
      av_packet_free(&opened.packet)
      avcodec_free_context(&opened.codec)
      avformat_close_input(&opened.format)
      throw error
    }
  }

  private mutating func setUp(path: String, analyze: Bool, threads: Int, admitting options: DecodeOptions?)
    throws(DecodeError)
  {
    let location = MediaLocation(path: path)
    let openResult = location.withOpenOptions { avformat_open_input(&format, path, nil, $0) }
    guard openResult >= 0, let fmt = format else { throw location.openError(openResult) }
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
    info = MediaInfo(format: fmt, stream: stream, parameters: parameters, timeBase: timeBase)
    guard info.width > 0, info.height > 0 else { throw .unsupportedCodec("\(info.codec) stream has no frame size") }
    try options?.checkFrameSize(width: info.width, height: info.height)

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
    self.threads = max(1, Int(context.pointee.thread_count))
    decodedFrameBytes = VideoDecoding.decodedFrameBytes(
      width: info.width, height: info.height,
      format: context.pointee.pix_fmt.rawValue >= 0 ? context.pointee.pix_fmt.rawValue : parameters.pointee.format,
      parameters: parameters)
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
