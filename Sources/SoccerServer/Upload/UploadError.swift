import GRPCCore

/// Why an upload was refused or failed; whatever the reason, nothing of it stays in the media folder.
public enum UploadError: Error, Equatable, CustomStringConvertible {
  /// The server runs without `--allow-upload`.
  case notEnabled
  /// The matches come from an HTTP media store, which the server cannot write to.
  case remoteStore(String)
  /// The first message is not a start, a later one is, or the start is incomplete.
  case invalid(String)
  /// A match has this id and the upload did not ask to replace it.
  case alreadyExists(String)
  /// Another upload of this id is under way, on this server or another one sharing the folder.
  case inProgress(String)
  /// The declared size is over `--max-upload-bytes`.
  case tooLarge(size: Int, limit: Int)
  /// One chunk carries more than `UploadPolicy.maxChunkBytes`.
  case chunkTooLarge(Int)
  /// The disk has no room for the file.
  case noSpace(needed: Int, free: Int?)
  /// The bytes received do not add up to the declared size.
  case sizeMismatch(declared: Int, received: Int, more: Bool)
  /// The bytes received do not have the declared SHA-256.
  case checksumMismatch(declared: String, received: String)
  /// FFmpeg cannot play the file; the text says why.
  case unplayable(String)
  /// No chunk came for the stall timeout.
  case stalled(Duration)
  /// The filesystem failed otherwise; the text says where and how.
  case io(String)

  public var description: String {
    switch self {
    case .notEnabled: return "this server does not accept uploads (it runs without --allow-upload)"
    case .remoteStore(let root):
      return "this server's matches come from the HTTP media store \(root), which it cannot write to"
    case .invalid(let why): return why
    case .alreadyExists(let id): return "a match with id \"\(id)\" exists (upload with replace to replace it)"
    case .inProgress(let id): return "another upload of \"\(id)\" is under way"
    case .tooLarge(let size, let limit): return "\(size) bytes is over this server's upload limit of \(limit) bytes"
    case .chunkTooLarge(let size):
      return "a chunk of \(size) bytes is over the \(UploadPolicy.maxChunkBytes) bytes one chunk may carry"
    case .noSpace(let needed, let free?):
      return "the media folder's disk has room for \(free) more bytes, not \(needed)"
    case .noSpace(let needed, nil): return "the media folder's disk ran out of room for \(needed) bytes"
    case .sizeMismatch(let declared, let received, let more):
      return more
        ? "the upload arrived damaged: it sent more than the \(declared) bytes it declared"
        : "the upload arrived damaged: it ended after \(received) of the \(declared) bytes it declared"
    case .checksumMismatch(let declared, let received):
      return "the upload arrived damaged: the bytes received have SHA-256 \(received), not the declared \(declared)"
    case .unplayable(let why): return "not a playable video: \(why)"
    case .stalled(let limit): return "the client sent nothing for \(limit)"
    case .io(let why): return "the server could not store the upload: \(why)"
    }
  }

  /// Why the upload ended, for its log line.
  var cause: String? {
    if case .stalled = self { return "stalled" }
    return nil
  }
}

extension UploadError: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code {
    switch self {
    case .notEnabled: return .permissionDenied
    case .remoteStore, .unplayable: return .failedPrecondition
    case .invalid: return .invalidArgument
    case .alreadyExists: return .alreadyExists
    case .inProgress: return .aborted
    case .tooLarge, .chunkTooLarge, .noSpace: return .resourceExhausted
    case .sizeMismatch, .checksumMismatch: return .dataLoss
    case .stalled: return .cancelled
    case .io: return .internalError
    }
  }
  public var rpcErrorMessage: String { description }
}
