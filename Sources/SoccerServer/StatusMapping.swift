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

/// The single place where errors become gRPC statuses: each error type of the server says
/// its status here, and anything else is INTERNAL.
enum StatusMapping {
  static func rpcError(for error: any Error) -> RPCError {
    switch error {
    case let error as RPCError: return error
    case let error as any RPCErrorConvertible: return RPCError(error)
    case is CancellationError: return RPCError(code: .cancelled, message: "the stream was cancelled")
    default: return RPCError(code: .internalError, message: "internal error: \(error)")
    }
  }
}

extension LibraryError: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code {
    switch self {
    case .invalidID: return .invalidArgument
    case .notFound: return .notFound
    case .notAFile: return .failedPrecondition
    case .noListing: return .unimplemented
    }
  }
  public var rpcErrorMessage: String { description }
}

extension RequestError: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code { .invalidArgument }
  public var rpcErrorMessage: String { description }
}

extension CapacityError: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code { .resourceExhausted }
  public var rpcErrorMessage: String { description }
}

extension DecodeError: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code {
    switch self {
    case .notMedia, .noVideoStream, .unsupportedCodec, .noDecodableFrames, .framesTooLarge: return .failedPrecondition
    case .startPastEnd, .startFramePastEnd, .frameIndexPastEnd: return .outOfRange
    case .dataLoss: return .dataLoss
    case .resources: return .resourceExhausted
    case .originNotFound: return .notFound
    case .originUnavailable: return .unavailable
    }
  }
  public var rpcErrorMessage: String { description }
}

extension SharedMemoryError: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code {
    switch self {
    case .notAllowed, .notOverUnixSocket: return .failedPrecondition
    case .invalid: return .invalidArgument
    case .denied: return .permissionDenied
    case .noRoom: return .resourceExhausted
    case .broken: return .failedPrecondition
    // As a TCP client that stops reading: its stream is reset, which the client sees as CANCELLED.
    case .stalled: return .cancelled
    }
  }
  public var rpcErrorMessage: String { description }
}
