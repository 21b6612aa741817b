import CFFmpeg

/// Small HTTP(S) resources (a media origin's listing) read with FFmpeg's own http protocol, so
/// the server speaks to its origin through one HTTP client, with the same protocols allowed and
/// the same timeout as the media itself.
public enum HTTPResource {
  /// The body of `url`, at most `limit` bytes. Blocks: call it off the cooperative pool.
  public static func read(_ url: String, limit: Int = 4 << 20) throws(DecodeError) -> [UInt8] {
    let location = MediaLocation(path: url)
    guard location.isRemote else { throw .notMedia("\(url) is not an http or https URL") }
    var context: UnsafeMutablePointer<AVIOContext>?
    let opened = location.withOpenOptions { avio_open2(&context, url, AVIO_FLAG_READ, nil, $0) }
    guard opened >= 0, let io = context else { throw location.openError(opened) }
    defer { avio_closep(&context) }
    var body: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let count = chunk.withUnsafeMutableBufferPointer { avio_read(io, $0.baseAddress, Int32($0.count)) }
      if count == soccer_averror_eof() || count == 0 { break }
      guard count > 0 else { throw .originUnavailable(origin: location.origin, reason: ffmpegErrorText(count)) }
      body += chunk[0..<Int(count)]
      guard body.count <= limit else { throw .notMedia("\(url) is over \(limit) bytes") }
    }
    return body
  }
}
