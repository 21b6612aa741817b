import GRPCCore

/// Requires the metadata `authorization: Bearer <token>` on every call it sees, else UNAUTHENTICATED.
public struct BearerTokenInterceptor: ServerInterceptor {
  private let expected: [UInt8]
  /// A token that is good elsewhere but not here: PERMISSION_DENIED rather than UNAUTHENTICATED.
  private let readOnly: [UInt8]?

  /// An interceptor that accepts `token` only; the token must not be empty. Presenting
  /// `readOnly` (the viewers' token, where uploads need their own) is PERMISSION_DENIED.
  public init(token: String, readOnly: String? = nil) {
    expected = Array("Bearer \(token)".utf8)
    self.readOnly = readOnly.map { Array("Bearer \($0)".utf8) }
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    var presented: String?
    for value in request.metadata[stringValues: "authorization"] {
      presented = value
      break
    }
    guard let presented else {
      throw RPCError(code: .unauthenticated, message: "this server needs a bearer token (authorization metadata)")
    }
    let bytes = Array(presented.utf8)
    guard Self.constantTimeEqual(bytes, expected) else {
      if let readOnly, Self.constantTimeEqual(bytes, readOnly) {
        throw RPCError(
          code: .permissionDenied, message: "this token may watch but not upload; uploads need the upload token")
      }
      throw RPCError(code: .unauthenticated, message: "the bearer token is wrong")
    }
    return try await next(request, context)
  }

  /// Compares in time that depends only on the expected value's length, so timing tells nothing of the token.
  static func constantTimeEqual(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
    var difference = presented.count == expected.count ? 0 : 1
    for i in 0..<expected.count {
      let byte = i < presented.count ? presented[i] : 0
      difference |= Int(byte ^ expected[i])
    }
    return difference == 0
  }
}
