import CSoccerSystem
import ContentDigest
import Foundation
import Synchronization

/// A match being uploaded: written to a hidden file in the media folder (`.upload-<id>.part`,
/// which no id can name, so List, Describe and Watch never see it), checked, and published as
/// `<id>.mp4` by one rename, or removed.
///
/// The hidden file is locked (`flock`) while its upload lives. A second upload of the id finds
/// it locked and is refused; one left by a killed server is unlocked, so the next upload of the
/// id or the next server start removes it, even with several servers sharing the folder.
///
/// Every method blocks on the filesystem: call them off the cooperative pool.
final class StagedUpload: Sendable {
  /// Where the file is written until it is published.
  let stagingPath: String
  /// `<id>.mp4`, once published.
  let finalPath: String
  /// The bytes the client declared.
  let size: Int
  private let folder: String
  private let state: Mutex<State>

  private struct State {
    /// The staging file, open and locked; -1 once published or discarded.
    var descriptor: Int32
    var received = 0
    let hasher = SHA256()
  }

  /// How many written bytes at a time are handed to the disk before the upload ends.
  static let writebackBytes = 8 << 20

  /// Names of staging files begin with this, which no match id may.
  static let prefix = ".upload-"
  static let suffix = ".part"

  /// Starts the upload of `size` bytes as match `id` into `folder`, reserving the disk space.
  ///
  /// Throws `alreadyExists` when `id` is taken and not to be replaced, `inProgress` when another
  /// upload of it is under way, `noSpace` when the disk lacks room.
  static func begin(folder: String, id: String, size: Int, replace: Bool) throws(UploadError) -> StagedUpload {
    let finalPath = folder + "/" + id + ".mp4"
    var status = stat()
    if !replace, lstat(finalPath, &status) == 0 { throw .alreadyExists(id) }
    var disk = statvfs()
    if statvfs(folder, &disk) == 0 {
      let free = Int(clamping: UInt64(disk.f_bavail) &* UInt64(disk.f_frsize))
      guard size <= free else { throw .noSpace(needed: size, free: free) }
    }
    let stagingPath = folder + "/" + prefix + id + suffix
    let descriptor = try createLocked(stagingPath, id: id)
    let reserved = soccer_reserve_file_space(descriptor, Int64(size))
    guard reserved == 0 else {
      unlink(stagingPath)
      close(descriptor)
      if reserved == ENOSPC || reserved == EDQUOT { throw .noSpace(needed: size, free: nil) }
      throw .io("reserving \(size) bytes for \(stagingPath): \(String(cString: strerror(reserved)))")
    }
    return StagedUpload(folder: folder, stagingPath: stagingPath, finalPath: finalPath, size: size, fd: descriptor)
  }

  private init(folder: String, stagingPath: String, finalPath: String, size: Int, fd: Int32) {
    self.folder = folder
    self.stagingPath = stagingPath
    self.finalPath = finalPath
    self.size = size
    state = Mutex(State(descriptor: fd))
  }

  deinit { discard() }

  /// Creates `path` exclusively and locks it; a file there whose lock is free was abandoned by a
  /// killed upload and is replaced.
  private static func createLocked(_ path: String, id: String) throws(UploadError) -> Int32 {
    for _ in 0..<3 {
      let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      if descriptor < 0 {
        guard errno == EEXIST else { throw .io("creating \(path): \(String(cString: strerror(errno)))") }
        guard removeIfAbandoned(path) else { throw .inProgress(id) }
        continue
      }
      // Between the create and the lock, a cleaner may have taken the file for abandoned and
      // removed it: the lock must be on the file that is still at `path`.
      var opened = stat()
      var named = stat()
      guard flock(descriptor, LOCK_EX | LOCK_NB) == 0, fstat(descriptor, &opened) == 0,
        stat(path, &named) == 0, opened.st_ino == named.st_ino, opened.st_dev == named.st_dev
      else {
        close(descriptor)
        throw .inProgress(id)
      }
      return descriptor
    }
    throw .inProgress(id)
  }

  /// Removes the staging file at `path` if no upload holds its lock; true if it is gone.
  @discardableResult
  static func removeIfAbandoned(_ path: String) -> Bool {
    let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else { return errno == ENOENT }
    defer { close(descriptor) }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return false }
    return unlink(path) == 0 || errno == ENOENT
  }

  /// Removes every staging file in `folder` that no upload holds: those of a server killed
  /// mid-upload. Returns their names.
  static func removeAbandoned(in folder: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { name in
      name.hasPrefix(prefix) && name.hasSuffix(suffix) && removeIfAbandoned(folder + "/" + name)
    }.sorted()
  }

  /// Writes the next bytes and adds them to the checksum, the two side by side on two threads:
  /// hashing costs more than writing to the page cache, and the upload goes at the pace of the
  /// slower of the two instead of their sum.
  func append(_ bytes: Data) throws(UploadError) {
    try state.withLock { state throws(UploadError) in
      guard state.descriptor >= 0 else { throw .io("the upload was already closed") }
      guard bytes.count <= size - state.received else {
        throw .sizeMismatch(declared: size, received: state.received + bytes.count, more: true)
      }
      let descriptor = state.descriptor
      let written = Mutex<Int32>(0)
      let writing = DispatchGroup()
      DispatchQueue.global(qos: .userInitiated).async(group: writing) {
        let error = Self.writeAll(bytes, to: descriptor)
        written.withLock { $0 = error }
      }
      state.hasher.update(bytes)
      writing.wait()
      let error = written.withLock { $0 }
      if error == ENOSPC || error == EDQUOT { throw .noSpace(needed: size, free: nil) }
      guard error == 0 else { throw .io("writing \(stagingPath): \(String(cString: strerror(error)))") }
      // The disk writes while the rest arrives, instead of all at once in the final fsync.
      let flushed = state.received / Self.writebackBytes * Self.writebackBytes
      state.received += bytes.count
      if state.received - flushed >= Self.writebackBytes {
        soccer_start_writeback(descriptor, Int64(flushed), Int64(state.received - flushed))
      }
    }
  }

  /// Writes every byte of `bytes` to `descriptor`; returns 0 or the errno that stopped it.
  private static func writeAll(_ bytes: Data, to descriptor: Int32) -> Int32 {
    bytes.withUnsafeBytes { buffer in
      guard let base = buffer.baseAddress else { return 0 }
      var offset = 0
      while offset < buffer.count {
        let written = write(descriptor, base + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return errno
        }
        offset += written
      }
      return 0
    }
  }

  /// Bytes written so far.
  var received: Int { state.withLock { $0.received } }

  /// Checks that every declared byte came with the declared SHA-256.
  func complete(sha256 declared: [UInt8]) throws(UploadError) {
    try state.withLock { state throws(UploadError) in
      guard state.received == size else {
        throw .sizeMismatch(declared: size, received: state.received, more: false)
      }
      let digest = state.hasher.finalize()
      guard digest == declared else {
        throw .checksumMismatch(declared: declared.hexText, received: digest.hexText)
      }
    }
  }

  /// Flushes the file to disk and makes it `<id>.mp4` in one step, durably: a `replace` upload
  /// renames it over an existing match (streams playing the old file keep it until they end);
  /// otherwise an id that appeared meanwhile is `alreadyExists` and wins.
  func publish(id: String, replace: Bool) throws(UploadError) {
    try state.withLock { state throws(UploadError) in
      guard state.descriptor >= 0 else { throw .io("the upload was already closed") }
      // Data first, then the name: after a crash the name never points at missing bytes.
      guard fsync(state.descriptor) == 0 else {
        throw .io("flushing \(stagingPath): \(String(cString: strerror(errno)))")
      }
      if replace {
        guard rename(stagingPath, finalPath) == 0 else {
          throw .io("renaming \(stagingPath) to \(finalPath): \(String(cString: strerror(errno)))")
        }
      } else {
        // link fails when the name exists, so of two uploads of one id exactly one publishes.
        guard link(stagingPath, finalPath) == 0 else {
          if errno == EEXIST { throw .alreadyExists(id) }
          throw .io("linking \(stagingPath) to \(finalPath): \(String(cString: strerror(errno)))")
        }
        unlink(stagingPath)
      }
      close(state.descriptor)
      state.descriptor = -1
      // The new name is durable once the folder itself is flushed.
      let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      if directory >= 0 {
        fsync(directory)
        close(directory)
      }
    }
  }

  /// Removes the staging file, unless published; safe to call more than once.
  func discard() {
    state.withLock { state in
      guard state.descriptor >= 0 else { return }
      // The lock is still held, so the file at the path is this upload's own.
      unlink(stagingPath)
      close(state.descriptor)
      state.descriptor = -1
    }
  }
}
