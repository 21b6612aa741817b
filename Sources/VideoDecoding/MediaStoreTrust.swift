import Synchronization

/// Which certificates an HTTPS media store's must chain to. FFmpeg checks nothing unless told:
/// every HTTPS store is verified, against the system's CAs or the ones given here.
public enum MediaStoreTrust {
  static let caFile = Mutex<String?>(nil)

  /// Trusts the PEM CA certificates in `path` for HTTPS stores instead of the system's (nil: the system's).
  public static func trust(caFile path: String?) {
    caFile.withLock { $0 = path }
  }
}
