import Foundation

/// Why an id does not name a streamable match.
public enum LibraryError: Error, Equatable, CustomStringConvertible {
  /// The id is empty, too long, or has characters outside the safe alphabet.
  case invalidID(String)
  /// No file for the id, or it resolves outside the media root.
  case notFound(String)
  /// Something is there, but not a regular file.
  case notAFile(String)
  /// The HTTP media origin offers no JSON listing of its matches (nginx's `autoindex_format json`).
  case noListing(String)

  public var description: String {
    switch self {
    case .invalidID(let why): return "invalid match id: \(why)"
    case .notFound(let id): return "no match with id \"\(id)\""
    case .notAFile(let id): return "match \"\(id)\" is not a regular file"
    case .noListing(let why): return "the media origin offers no list of matches: \(why)"
    }
  }
}

/// The matches in a media folder, `<root>/<id>.mp4`, or at an HTTP(S) origin, `<URL><id>.mp4`.
public struct MatchLibrary: Sendable {
  /// Longest id accepted.
  public static let maxIDLength = 128

  /// The media folder or URL, as given.
  public let root: String
  /// The media folder with symlinks resolved (every match must resolve inside it), or the
  /// origin's URL ending in "/".
  private let resolvedRoot: String
  /// Whether the matches are at an HTTP(S) origin.
  public let isRemote: Bool

  /// Opens the media folder `root`, which must exist, or the origin at an http(s) URL `root`.
  public init(root: String) throws(LibraryError) {
    if root.hasPrefix("http://") || root.hasPrefix("https://") {
      self.root = root
      self.resolvedRoot = root.hasSuffix("/") ? root : root + "/"
      self.isRemote = true
      return
    }
    isRemote = false
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue,
      let resolved = Self.realPath(root)
    else {
      throw .notFound(root)
    }
    self.root = root
    self.resolvedRoot = resolved
  }

  /// The media folder with symlinks resolved, where uploads go; nil for an HTTP origin.
  var folder: String? { isRemote ? nil : resolvedRoot }

  /// Checks an id against the safe alphabet before it comes near the filesystem.
  public static func validate(_ id: String) throws(LibraryError) {
    guard !id.isEmpty else { throw .invalidID("the id is empty") }
    guard id.utf8.count <= maxIDLength else {
      throw .invalidID("the id is longer than \(maxIDLength) characters")
    }
    guard id.first != "." else { throw .invalidID("the id starts with '.'") }
    for byte in id.utf8 {
      let ok =
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
      guard ok else {
        throw .invalidID("ids use letters, digits, '-', '_' and '.' only")
      }
    }
  }

  /// The file of match `id`, after checking the id and that the file stays inside the root.
  public func path(for id: String) throws(LibraryError) -> String {
    try Self.validate(id)
    // The origin says whether the file exists when the decoder opens it (404: NOT_FOUND).
    if isRemote { return resolvedRoot + id + ".mp4" }
    let candidate = resolvedRoot + "/" + id + ".mp4"
    guard let resolved = Self.realPath(candidate) else { throw .notFound(id) }
    // A symlink that leads out of the root is treated as absent: the server never reads outside it.
    guard resolved.hasPrefix(resolvedRoot + "/") else { throw .notFound(id) }
    var status = stat()
    guard stat(resolved, &status) == 0 else { throw .notFound(id) }
    // Only regular files: opening a FIFO or a device could block the decoder forever.
    guard status.st_mode & S_IFMT == S_IFREG else { throw .notAFile(id) }
    return resolved
  }

  /// The ids of every `.mp4` in the root whose name is a valid id, sorted. An origin's come
  /// from its JSON listing of the URL. Blocks: call it off the cooperative pool.
  public func ids() throws -> [String] {
    let names = isRemote ? try OriginListing.names(at: resolvedRoot) : localNames()
    return names.compactMap { name -> String? in
      guard name.hasSuffix(".mp4") else { return nil }
      let id = String(name.dropLast(4))
      guard (try? Self.validate(id)) != nil, isRemote || (try? path(for: id)) != nil else { return nil }
      return id
    }.sorted()
  }

  private func localNames() -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: resolvedRoot)) ?? []
  }

  private static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
