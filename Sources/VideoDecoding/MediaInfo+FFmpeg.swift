import CFFmpeg
import VideoFrames

extension MediaInfo {
  /// What the container says about `stream`, read without decoding.
  init(
    format: UnsafeMutablePointer<AVFormatContext>, stream: UnsafeMutablePointer<AVStream>,
    parameters: UnsafeMutablePointer<AVCodecParameters>, timeBase: Double
  ) {
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
    self.init(
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

/// FFmpeg's name for a pixel format: "yuv420p", ...; "unknown" for none.
func pixelFormatName(_ raw: Int32) -> String {
  guard let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: raw)) else { return "unknown" }
  return String(cString: name)
}
