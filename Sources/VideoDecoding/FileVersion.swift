import CFFmpeg
import Glibc

/// One version of a media file: what the frame cache keys frames by, so that a file replaced
/// (an upload published over it) or changed (a new file at an HTTP store) never serves the
/// frames of the one before.
///
/// A local file is known by its device, inode, size and modification time, read before and after
/// FFmpeg opened it (a file replaced in between has no version: its frames are not cached); a
/// file at an HTTP store by its size. Both also by a digest of the container's sample table
/// (every packet's place, size and time), which a re-encoded or edited file changes even when
/// its size does not.
public struct FileVersion: Hashable, Sendable {
  let path: String
  let device: UInt64
  let inode: UInt64
  let size: Int64
  let modified: Int
  let layout: UInt64

  init(path: String, device: UInt64, inode: UInt64, size: Int64, modified: Int, layout: UInt64) {
    self.path = path
    self.device = device
    self.inode = inode
    self.size = size
    self.modified = modified
    self.layout = layout
  }

  /// The status of a local file as a version is made of; nil for a URL or a file not there.
  public struct Status: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// Modification time in nanoseconds since 1970.
    public var modified: Int

    public init?(path: String) {
      guard !MediaLocation(path: path).isRemote else { return nil }
      var info = stat()
      guard stat(path, &info) == 0 else { return nil }
      device = UInt64(info.st_dev)
      inode = UInt64(info.st_ino)
      size = Int64(info.st_size)
      modified = info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
    }
  }

  /// The version of `path`, opened as `format` with its video stream `streamIndex`; `status` is
  /// the local file's as read before it was opened. Nil when the file changed while it was being
  /// opened, or when an HTTP store's file has no sample table to know it by.
  init?(
    path: String, status: Status?, format: UnsafeMutablePointer<AVFormatContext>, streamIndex: Int32
  ) {
    guard let stream = format.pointee.streams[Int(streamIndex)] else { return nil }
    let entries = avformat_index_get_entries_count(stream)
    var digest = Digest()
    for entry in 0..<entries {
      guard let e = avformat_index_get_entry(stream, entry) else { continue }
      digest.add(UInt64(bitPattern: e.pointee.pos))
      digest.add(UInt64(bitPattern: e.pointee.timestamp))
      digest.add(UInt64(UInt32(bitPattern: e.pointee.size)) << 32 | UInt64(UInt32(bitPattern: e.pointee.flags)))
    }
    let remote = MediaLocation(path: path).isRemote
    if remote {
      guard entries > 0 else { return nil }
      device = 0
      inode = 0
      size = format.pointee.pb.map { avio_size($0) } ?? -1
      modified = 0
    } else {
      guard let status, Status(path: path) == status else { return nil }
      device = status.device
      inode = status.inode
      size = status.size
      modified = status.modified
    }
    self.path = path
    layout = digest.value
  }

  /// FNV-1a, 64 bits, over 64-bit words.
  private struct Digest {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ word: UInt64) {
      var word = word
      for _ in 0..<8 {
        value = (value ^ (word & 0xff)) &* 0x100_0000_01b3
        word >>= 8
      }
    }
  }
}
