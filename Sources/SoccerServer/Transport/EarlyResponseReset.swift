import NIOCore
import NIOHTTP2

/// Tells a client to stop sending once the server has refused its call before reading all of
/// it: a trailers-only response (a status and nothing else) on a stream the client has not
/// finished is followed by RST_STREAM NO_ERROR, as RFC 9113 §8.1 allows.
///
/// Without it the stream stays half-open after a refused upload: the server has answered and
/// the client may never end its side, so both ends keep the stream until the connection goes,
/// and a server or client shutting down gracefully waits on it. A trailers-only response has
/// no DATA queued behind it, so the reset drops nothing the client was sent.
final class EarlyResponseReset: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias InboundOut = HTTP2Frame.FramePayload
  typealias OutboundIn = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  private var requestEnded = false
  private var responseStarted = false

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .headers(let headers) where headers.endStream: requestEnded = true
    case .data(let data) where data.endStream: requestEnded = true
    default: break
    }
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    let payload = unwrapOutboundIn(data)
    var trailersOnly = false
    switch payload {
    case .headers(let headers):
      trailersOnly = !responseStarted && headers.endStream
      responseStarted = true
    case .data:
      responseStarted = true
    default: break
    }
    context.write(data, promise: promise)
    if trailersOnly && !requestEnded {
      context.write(wrapOutboundOut(.rstStream(.noError)), promise: nil)
    }
  }
}
