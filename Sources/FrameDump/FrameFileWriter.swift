import Foundation

/// Why a frame file could not be written.
public struct WriteError: Error, CustomStringConvertible {
  public var description: String
}

/// Writes frame files into one folder, each atomically: a temporary name, then a rename,
/// so a reader never sees half a frame, even if the writer dies mid-file.
public struct FrameFileWriter: Sendable {
  public let directory: String

  /// Creates `directory` if needed and checks that files can be written in it.
  public init(directory: String) throws(WriteError) {
    self.directory = directory
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw WriteError(description: "cannot create output folder \(directory): \(Self.reason(error))")
    }
    let probe = directory + "/.soccer-write-test-\(getpid())"
    guard FileManager.default.createFile(atPath: probe, contents: Data()) else {
      throw WriteError(description: "cannot write in output folder \(directory): \(String(cString: strerror(errno)))")
    }
    unlink(probe)
  }

  /// Writes `data` as `name` inside the folder; returns the file's path.
  @discardableResult
  public func write(_ data: Data, name: String) throws(WriteError) -> String {
    let path = directory + "/" + name
    let temporary = directory + "/." + name + ".part"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure("cannot create \(temporary)") }
    let written = data.withUnsafeBytes { raw -> Bool in
      var offset = 0
      while offset < raw.count {
        let n = Foundation.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          return false
        }
        offset += n
      }
      return true
    }
    let writeErrno = errno
    guard written, close(fd) == 0 else {
      let error = failure("cannot write \(path)", code: written ? errno : writeErrno)
      unlink(temporary)
      throw error
    }
    guard rename(temporary, path) == 0 else {
      let error = failure("cannot rename \(temporary) to \(path)")
      unlink(temporary)
      throw error
    }
    return path
  }

  /// Removes the temporary files of writes that never finished (a dump killed mid-file)
  /// whose names start with `prefix`.
  public func removeUnfinished(prefix: String) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for name in names where name.hasPrefix("." + prefix) && name.hasSuffix(".part") {
      unlink(directory + "/" + name)
    }
  }

  private func failure(_ what: String, code: Int32 = errno) -> WriteError {
    WriteError(description: "\(what): \(String(cString: strerror(code)))")
  }

  private static func reason(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
      return String(cString: strerror(Int32(underlying.code)))
    }
    return nsError.localizedDescription
  }
}
