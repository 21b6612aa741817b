import GRPCCore

/// Requires the metadata `authorization: Bearer <token>` on every call it sees, else UNAUTHENTICATED.
public struct BearerTokenInterceptor: ServerInterceptor {
  private let expected: [UInt8]

  /// An interceptor that accepts `token` only; the token must not be empty.
  public init(token: String) {
    expected = Array("Bearer \(token)".utf8)
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
    guard Self.constantTimeEqual(Array(presented.utf8), expected) else {
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
