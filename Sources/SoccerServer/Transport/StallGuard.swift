import NIOCore

/// Resets an HTTP/2 stream whose writes have waited on the client for longer than a limit.
///
/// A stream is unwritable while the bytes handed to it have not left for the network, which
/// happens when the client stops granting flow-control window or stops reading its socket. The
/// reset (RST_STREAM CANCEL) drops what HTTP/2 had buffered for the stream and cancels the RPC,
/// so its decoder, file and stream slot are freed whatever the client does.
final class StallGuard: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = Any

  private let limit: TimeAmount
  /// Told as the stream is reset for stalling.
  private let onStall: (@Sendable () -> Void)?
  private var timer: Scheduled<Void>?

  init(limit: TimeAmount, onStall: (@Sendable () -> Void)? = nil) {
    self.limit = limit
    self.onStall = onStall
  }

  func handlerAdded(context: ChannelHandlerContext) {
    check(context: context)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    timer?.cancel()
    timer = nil
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    check(context: context)
    context.fireChannelWritabilityChanged()
  }

  func channelInactive(context: ChannelHandlerContext) {
    timer?.cancel()
    timer = nil
    context.fireChannelInactive()
  }

  private func check(context: ChannelHandlerContext) {
    if context.channel.isWritable {
      timer?.cancel()
      timer = nil
    } else if timer == nil {
      let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
      let onStall = self.onStall
      timer = context.eventLoop.scheduleTask(in: limit) {
        onStall?()
        loopBound.value.close(promise: nil)
      }
    }
  }
}
