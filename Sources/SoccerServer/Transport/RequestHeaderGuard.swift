import NIOCore
import NIOHPACK
import NIOHTTP2

/// Refuses, with INVALID_ARGUMENT, a request whose headers GRPCCore cannot be trusted to parse.
///
/// GRPCCore 2.4.3 traps on a negative `grpc-timeout` (the precondition in
/// `Timeout.init(amount:unit:)`, reached from `Timeout(decoding:)`), so one header could end the
/// process before any token check. This handler sits first in every HTTP/2 stream's pipeline and
/// answers such requests itself, so GRPCCore never sees them.
final class RequestHeaderGuard: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias InboundOut = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  private var refused = false
  /// Told of each request refused.
  private let onRefusal: (@Sendable () -> Void)?

  init(onRefusal: (@Sendable () -> Void)? = nil) {
    self.onRefusal = onRefusal
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !refused else { return }
    if case .headers(let headers) = unwrapInboundIn(data), let problem = Self.problem(in: headers.headers) {
      refused = true
      onRefusal?()
      refuse(context: context, message: problem)
      return
    }
    context.fireChannelRead(data)
  }

  /// Why `headers` cannot go on to GRPCCore, or nil when they can.
  static func problem(in headers: HPACKHeaders) -> String? {
    for value in headers[canonicalForm: "grpc-timeout"] where GRPCTimeout(value) == nil {
      return "grpc-timeout must be 1 to 8 digits and a unit (H, M, S, m, u, n), not \"\(value.prefix(32))\""
    }
    return nil
  }

  /// `text` as a `grpc-message` value: printable ASCII except `%` as is, the rest percent-encoded.
  static func grpcMessageValue(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      if (0x20...0x7E).contains(byte) && byte != UInt8(ascii: "%") {
        out.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        out += "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
      }
    }
    return out
  }

  /// Sends a trailers-only INVALID_ARGUMENT response and ends the stream.
  private func refuse(context: ChannelHandlerContext, message: String) {
    let trailers: HPACKHeaders = [
      ":status": "200", "content-type": "application/grpc", "grpc-status": "3",
      "grpc-message": Self.grpcMessageValue(message),
    ]
    context.write(wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
    // The request may still be open; NO_ERROR tells the client the answer above is complete.
    context.writeAndFlush(wrapOutboundOut(.rstStream(.noError)), promise: nil)
  }
}

/// A `grpc-timeout` header value as the gRPC protocol defines it: 1 to 8 ASCII digits and a unit.
struct GRPCTimeout: Equatable {
  /// The timeout it stands for.
  let duration: Duration

  init?(_ value: String) {
    let bytes = Array(value.utf8)
    guard (2...9).contains(bytes.count), let unit = bytes.last else { return nil }
    var amount: Int64 = 0
    for byte in bytes.dropLast() {
      guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
      amount = amount * 10 + Int64(byte - UInt8(ascii: "0"))
    }
    switch unit {
    case UInt8(ascii: "H"): duration = .seconds(amount * 3600)
    case UInt8(ascii: "M"): duration = .seconds(amount * 60)
    case UInt8(ascii: "S"): duration = .seconds(amount)
    case UInt8(ascii: "m"): duration = .milliseconds(amount)
    case UInt8(ascii: "u"): duration = .microseconds(amount)
    case UInt8(ascii: "n"): duration = .nanoseconds(amount)
    default: return nil
    }
  }

}
