import GRPCCore
import VideoDecoding
import VideoFrames

/// Errors raised by the `Match` options themselves.
public enum RequestError: Error, Equatable, CustomStringConvertible {
  case invalidOption(String)

  public var description: String {
    switch self {
    case .invalidOption(let why): return why
    }
  }
}

/// The single place where errors become gRPC statuses (design.md §3).
enum StatusMapping {
  static func rpcError(for error: any Error) -> RPCError {
    switch error {
    case let error as RPCError:
      return error
    case let error as LibraryError:
      switch error {
      case .invalidID: return RPCError(code: .invalidArgument, message: error.description)
      case .notFound: return RPCError(code: .notFound, message: error.description)
      case .notAFile: return RPCError(code: .failedPrecondition, message: error.description)
      }
    case let error as RequestError:
      return RPCError(code: .invalidArgument, message: error.description)
    case let error as CapacityError:
      return RPCError(code: .resourceExhausted, message: error.description)
    case let error as DecodeError:
      switch error {
      case .notMedia, .noVideoStream, .unsupportedCodec, .noDecodableFrames:
        return RPCError(code: .failedPrecondition, message: error.description)
      case .startPastEnd:
        return RPCError(code: .outOfRange, message: error.description)
      case .dataLoss:
        return RPCError(code: .dataLoss, message: error.description)
      case .resources:
        return RPCError(code: .resourceExhausted, message: error.description)
      }
    case is CancellationError:
      return RPCError(code: .cancelled, message: "the stream was cancelled")
    default:
      return RPCError(code: .internalError, message: "internal error: \(error)")
    }
  }
}
