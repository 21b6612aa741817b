/// Whether a server takes uploads, how large, and with which token.
public struct UploadPolicy: Sendable {
  /// Most bytes of file one `UploadChunk` may carry; a larger message is RESOURCE_EXHAUSTED.
  public static let maxChunkBytes = 1 << 20
  /// What a request message may weigh with uploads on: a full chunk and its field header.
  static let maxRequestPayload = maxChunkBytes + 64

  /// Largest file accepted, in bytes.
  public var maxBytes: Int
  /// The bearer token Upload needs instead of the server's token, so that viewers cannot write;
  /// nil: Upload needs the server's token, if it has one.
  public var token: String?

  public init(maxBytes: Int = 4 << 30, token: String? = nil) {
    self.maxBytes = maxBytes
    self.token = token
  }
}
