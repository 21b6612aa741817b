import CFFmpeg

/// Where a match's bytes are: a local file, or an HTTP(S) URL that FFmpeg reads itself with
/// range requests. Decides which of FFmpeg's protocols may be used and what a failure to open means.
struct MediaLocation {
  let path: String

  /// Protocols an HTTP(S) source may use: never `file:` or others, whatever a redirect or a
  /// container's references ask for.
  static let remoteProtocols = "http,https,tcp,tls"
  /// How long a read from an origin may wait before it fails.
  static let readTimeoutMicroseconds = 10_000_000

  /// Whether FFmpeg reads this source over the network.
  var isRemote: Bool { path.hasPrefix("http://") || path.hasPrefix("https://") }

  /// The origin's scheme, host and port, for messages: "http://127.0.0.1:8080".
  var origin: String {
    guard let schemeEnd = path.range(of: "://") else { return path }
    let rest = path[schemeEnd.upperBound...]
    return String(path[..<schemeEnd.upperBound] + rest.prefix { $0 != "/" })
  }

  /// FFmpeg's open options: the allowed protocols, and for HTTP reconnects, a read timeout and,
  /// for HTTPS, certificate checks.
  func withOpenOptions<T>(_ body: (UnsafeMutablePointer<OpaquePointer?>) -> T) -> T {
    var options: OpaquePointer?
    if isRemote {
      av_dict_set(&options, "protocol_whitelist", Self.remoteProtocols, 0)
      av_dict_set(&options, "reconnect", "1", 0)
      av_dict_set(&options, "reconnect_delay_max", "2", 0)
      av_dict_set(&options, "rw_timeout", String(Self.readTimeoutMicroseconds), 0)
      if path.hasPrefix("https://") {
        // The store's certificate must be valid for its name: FFmpeg's default checks nothing.
        av_dict_set(&options, "tls_verify", "1", 0)
        if let caFile = MediaStoreTrust.caFile.withLock({ $0 }) { av_dict_set(&options, "ca_file", caFile, 0) }
      }
    } else {
      // A local container cannot make FFmpeg open anything but files (HLS or concat references).
      av_dict_set(&options, "protocol_whitelist", "file", 0)
    }
    defer { av_dict_free(&options) }
    return body(&options)
  }

  /// What a failed open means: for a remote source, missing (404) or unreachable; else not media.
  func openError(_ code: Int32) -> DecodeError {
    guard isRemote else { return .notMedia(ffmpegErrorText(code)) }
    if code == soccer_averror_http_not_found() { return .originNotFound(path) }
    if code == soccer_averror_http_forbidden() || code == soccer_averror_http_other_4xx() {
      return .notMedia("the media origin refused \(path): \(ffmpegErrorText(code))")
    }
    return .originUnavailable(origin: origin, reason: ffmpegErrorText(code))
  }
}
