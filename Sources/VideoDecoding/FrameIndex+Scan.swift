import CFFmpeg
import Glibc

extension FrameIndex {
  /// Reads the timestamps of every packet of stream `streamIndex` in `path` (a file or an HTTP
  /// URL) without decoding, and builds the index; nil when the file cannot be read that way or
  /// its timestamps cannot place every frame. Blocks: run it off the cooperative pool.
  ///
  /// An MP4 file's sample table holds every packet's place and time, so once its header is read
  /// the packets' bytes are not read at all: a 90-minute match is indexed in milliseconds. A
  /// scan that way whose packets disagree with the container's own count is done again reading
  /// every byte; other containers are read whole in the one pass.
  static func scan(path: String, streamIndex: Int32) -> FrameIndex? {
    if let packets = try? readPackets(path: path, streamIndex: streamIndex, skippingData: true) {
      return FrameIndex(packets: packets)
    }
    guard let packets = try? readPackets(path: path, streamIndex: streamIndex, skippingData: false) else {
      return nil
    }
    return FrameIndex(packets: packets)
  }

  private struct ScanFailed: Error {}

  private static func readPackets(path: String, streamIndex: Int32, skippingData: Bool) throws -> [Packet] {
    let input = try TimestampInput(path: path)
    var format = avformat_alloc_context()
    guard let fmt = format else { throw ScanFailed() }
    defer { avformat_close_input(&format) }
    fmt.pointee.pb = input.context
    // No parser may look into packets whose bytes are never read; the container's keyframe flags
    // are the ones a seek uses anyway.
    fmt.pointee.flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_NOPARSE | AVFMT_FLAG_NOFILLIN
    let opened = MediaLocation(path: path).withOpenOptions { avformat_open_input(&format, path, nil, $0) }
    guard opened >= 0, let fmt = format, streamIndex < fmt.pointee.nb_streams,
      let stream = fmt.pointee.streams[Int(streamIndex)]
    else { throw ScanFailed() }
    for i in 0..<Int(fmt.pointee.nb_streams) where i != Int(streamIndex) {
      fmt.pointee.streams[i]?.pointee.discard = AVDISCARD_ALL
    }
    // Only an MP4 demuxer finds every packet in its header; other containers are read whole.
    let isMP4 = fmt.pointee.iformat.map { String(cString: $0.pointee.name).contains("mp4") } ?? false
    let skipping = skippingData && isMP4
    let promised = Int(avformat_index_get_entries_count(stream))
    input.skipsData = skipping

    var packet = av_packet_alloc()
    guard let pkt = packet else { throw ScanFailed() }
    defer { av_packet_free(&packet) }
    var packets: [Packet] = []
    packets.reserveCapacity(promised)
    let none = soccer_av_nopts_value()
    while true {
      let read = av_read_frame(fmt, pkt)
      if read == soccer_averror_eof() { break }
      guard read >= 0 else { throw ScanFailed() }
      defer { av_packet_unref(pkt) }
      guard pkt.pointee.stream_index == streamIndex else { continue }
      let p = pkt.pointee
      packets.append(
        Packet(
          presentation: p.pts == none ? nil : p.pts, decode: p.dts == none ? nil : p.dts,
          isKey: p.flags & AV_PKT_FLAG_KEY != 0, discarded: p.flags & AV_PKT_FLAG_DISCARD != 0))
    }
    // Fragments or packets the header did not count: their boxes had to be read after all.
    if skipping && packets.count != promised { throw ScanFailed() }
    return packets
  }
}

/// The demuxer's input for a scan: reads the file through FFmpeg's own protocols (so an HTTP
/// store's options and checks apply), and once `skipsData` is set answers every read without
/// reading, moving its position as though it had.
private final class TimestampInput {
  private var inner: UnsafeMutablePointer<AVIOContext>?
  private(set) var context: UnsafeMutablePointer<AVIOContext>?
  private let size: Int64
  private var position: Int64 = 0
  var skipsData = false

  private struct OpenFailed: Error {}

  init(path: String) throws {
    var opening: UnsafeMutablePointer<AVIOContext>?
    let opened = MediaLocation(path: path).withOpenOptions { avio_open2(&opening, path, AVIO_FLAG_READ, nil, $0) }
    guard opened >= 0, let inner = opening else { throw OpenFailed() }
    self.inner = inner
    size = avio_size(inner)
    let bufferSize: Int32 = 64 * 1024
    guard size > 0, let buffer = av_malloc(Int(bufferSize)) else {
      avio_closep(&self.inner)
      throw OpenFailed()
    }
    context = avio_alloc_context(
      buffer.assumingMemoryBound(to: UInt8.self), bufferSize, 0, Unmanaged.passUnretained(self).toOpaque(),
      { opaque, buffer, count in
        guard let opaque else { return soccer_averror_eof() }
        return Unmanaged<TimestampInput>.fromOpaque(opaque).takeUnretainedValue().read(into: buffer, count: count)
      }, nil,
      { opaque, offset, whence in
        guard let opaque else { return -1 }
        return Unmanaged<TimestampInput>.fromOpaque(opaque).takeUnretainedValue().seek(offset, whence: whence)
      })
    if context == nil {
      av_free(buffer)
      avio_closep(&self.inner)
      throw OpenFailed()
    }
  }

  deinit {
    if let context { av_freep(&context.pointee.buffer) }
    avio_context_free(&context)
    avio_closep(&inner)
  }

  private func read(into buffer: UnsafeMutablePointer<UInt8>?, count: Int32) -> Int32 {
    guard position < size, count > 0 else { return soccer_averror_eof() }
    if skipsData {
      let n = Int32(min(Int64(count), size - position))
      position += Int64(n)
      return n
    }
    guard let inner, let buffer else { return soccer_averror_eof() }
    if avio_tell(inner) != position, avio_seek(inner, position, SEEK_SET) < 0 { return soccer_averror_eof() }
    let n = avio_read(inner, buffer, count)
    guard n > 0 else { return n == 0 ? soccer_averror_eof() : n }
    position += Int64(n)
    return n
  }

  private func seek(_ offset: Int64, whence: Int32) -> Int64 {
    if whence & AVSEEK_SIZE != 0 { return size }
    let target: Int64
    switch whence & ~AVSEEK_FORCE {
    case SEEK_SET: target = offset
    case SEEK_CUR: target = position + offset
    case SEEK_END: target = size + offset
    default: return -1
    }
    guard target >= 0 else { return -1 }
    position = target
    return target
  }
}
