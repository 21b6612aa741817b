import NIOCore
import NIOHTTP2

/// Closes, at the TCP level, a connection whose peer has gone quiet where HTTP/2 waits on it.
///
/// Two waits would otherwise last forever: a connection that never completes its TLS handshake
/// and HTTP/2 preface (no frame ever arrives), and a peer that stops acknowledging PINGs. The
/// transport answers a missed keepalive PING with GOAWAY and a second PING, then waits for that
/// acknowledgement with no limit, so a stopped client would keep its streams, decoders and slots.
///
/// It also makes the transport's graceful close lossless. The transport half-closes (FIN) after
/// the last stream's trailers and closes the socket as soon as those bytes are written. If the
/// client's WINDOW_UPDATEs or PING acknowledgements are still unread at that moment, the kernel
/// answers with RST instead of FIN, and the client's kernel, on that RST, drops the frames it had
/// received but the client had not read yet: the stream's last frames. So once the output is
/// closed, the full close waits until the client closes its side (reading and discarding what it
/// sends) or `lingerTimeout` passes.
///
/// Sits between the HTTP/2 handler and the transport's connection manager, seeing both's frames.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTP2Frame
  typealias InboundOut = HTTP2Frame
  typealias OutboundIn = HTTP2Frame
  typealias OutboundOut = HTTP2Frame

  private let handshakeTimeout: TimeAmount
  private let pingTimeout: TimeAmount
  private let lingerTimeout: TimeAmount
  private var handshakeTimer: Scheduled<Void>?
  private var pingTimer: Scheduled<Void>?
  private var outputClosed = false
  private var lingering: (timer: Scheduled<Void>, promise: EventLoopPromise<Void>?)?

  /// Closes the connection when no frame arrives within `handshakeTimeout` of accepting it, or
  /// when a PING the server sent is not acknowledged within `pingTimeout`; after a half-close,
  /// waits up to `lingerTimeout` for the client to close first.
  init(handshakeTimeout: TimeAmount, pingTimeout: TimeAmount, lingerTimeout: TimeAmount = .seconds(5)) {
    self.handshakeTimeout = handshakeTimeout
    self.pingTimeout = pingTimeout
    self.lingerTimeout = lingerTimeout
  }

  func handlerAdded(context: ChannelHandlerContext) {
    handshakeTimer = Self.closing(context, after: handshakeTimeout)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    handshakeTimer?.cancel()
    pingTimer?.cancel()
    lingering?.timer.cancel()
  }

  func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
    switch mode {
    case .output:
      outputClosed = true
      context.close(mode: mode, promise: promise)
    case .all where outputClosed && lingering == nil && context.channel.isActive:
      let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
      let timer = context.eventLoop.scheduleTask(in: lingerTimeout) {
        loopBound.value.close(mode: .all, promise: nil)
      }
      lingering = (timer, promise)
      if let promise { context.channel.closeFuture.cascade(to: promise) }
    case .all where lingering != nil:
      // Already waiting for the client to close; the close future says when it has.
      if let promise { context.channel.closeFuture.cascade(to: promise) }
    default:
      context.close(mode: mode, promise: promise)
    }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    // The first frame (the client's SETTINGS) arrives only after TLS and the preface.
    handshakeTimer?.cancel()
    handshakeTimer = nil
    if case .ping(_, ack: true) = unwrapInboundIn(data).payload {
      pingTimer?.cancel()
      pingTimer = nil
    }
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    if case .ping(_, ack: false) = unwrapOutboundIn(data).payload, pingTimer == nil {
      pingTimer = Self.closing(context, after: pingTimeout)
    }
    context.write(data, promise: promise)
  }

  private static func closing(_ context: ChannelHandlerContext, after delay: TimeAmount) -> Scheduled<Void> {
    let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
    return context.eventLoop.scheduleTask(in: delay) {
      loopBound.value.close(mode: .all, promise: nil)
    }
  }
}
