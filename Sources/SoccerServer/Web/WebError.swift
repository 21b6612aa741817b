import Foundation
import GRPCCore

/// An HTTP answer that is not the thing asked for: its status and the JSON body
/// `{"code": "NOT_FOUND", "message": "…"}`, whose code is the gRPC status a gRPC client would
/// have had. The single place where errors become HTTP statuses.
struct WebError: Error, Equatable {
  var status: Int
  var code: String
  var message: String
  /// Seconds after which trying again may work (429, 503).
  var retryAfter: Int?

  init(status: Int, code: String, message: String, retryAfter: Int? = nil) {
    self.status = status
    self.code = code
    self.message = message
    self.retryAfter = retryAfter
  }

  static func notFound(_ message: String) -> WebError { WebError(status: 404, code: "NOT_FOUND", message: message) }
  static func badRequest(_ message: String) -> WebError {
    WebError(status: 400, code: "INVALID_ARGUMENT", message: message)
  }

  /// What a call to the service that failed with `error` answers over HTTP.
  init(_ error: any Error) {
    let rpc = StatusMapping.rpcError(for: error)
    self.init(status: 500, code: "INTERNAL", message: rpc.message)
    switch rpc.code {
    case .invalidArgument: (status, code) = (400, "INVALID_ARGUMENT")
    case .notFound: (status, code) = (404, "NOT_FOUND")
    // A frame past the end is a URL that names nothing.
    case .outOfRange: (status, code) = (404, "OUT_OF_RANGE")
    case .unauthenticated: (status, code) = (401, "UNAUTHENTICATED")
    case .permissionDenied: (status, code) = (403, "PERMISSION_DENIED")
    // The server's stream limit or frame memory: busy for now.
    case .resourceExhausted: (status, code, retryAfter) = (503, "RESOURCE_EXHAUSTED", 1)
    case .unavailable: (status, code, retryAfter) = (503, "UNAVAILABLE", 1)
    // The file is there but cannot give frames (not a video, damaged, too large a frame).
    case .failedPrecondition: (status, code) = (422, "FAILED_PRECONDITION")
    case .dataLoss: (status, code) = (422, "DATA_LOSS")
    case .deadlineExceeded: (status, code) = (504, "DEADLINE_EXCEEDED")
    case .unimplemented: (status, code) = (501, "UNIMPLEMENTED")
    case .cancelled: (status, code) = (503, "CANCELLED")
    default: break
    }
  }

  /// The JSON body.
  var body: Data {
    (try? JSONSerialization.data(withJSONObject: ["code": code, "message": message], options: [.sortedKeys]))
      ?? Data("{\"code\":\"INTERNAL\"}".utf8)
  }
}
