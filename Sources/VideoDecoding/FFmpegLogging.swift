import CFFmpeg

/// How much FFmpeg writes to standard error.
public enum FFmpegLogging {
  /// Silences FFmpeg's own messages: decoding errors reach callers as `DecodeError`s instead.
  public static func quiet() { av_log_set_level(AV_LOG_QUIET) }
  /// Lets FFmpeg print warnings and errors, for diagnosing a file.
  public static func verbose() { av_log_set_level(AV_LOG_WARNING) }
}
