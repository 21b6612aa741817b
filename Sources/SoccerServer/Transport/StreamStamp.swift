import CSoccerSystem
import NIOCore
import NIOHPACK
import NIOHTTP2

#if canImport(Glibc)
  import Glibc
#endif

/// Tells the service what only the transport knows about a request, in headers of its own.
///
/// `soccer-stream-tag` names the HTTP/2 stream, so the service can ask `StalledStreams` whether
/// this stream's `StallGuard` reset it. `soccer-peer-uid` is the connecting process's user, from
/// the Unix socket's peer credentials (SO_PEERCRED, which the kernel fills in at connect); a TCP
/// request never has one. Any such header the client sent is removed first, so no client can
/// claim another's user or stream.
final class StreamStamp: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias InboundOut = HTTP2Frame.FramePayload

  /// The request header that names the peer's user id.
  static let uidHeader = "soccer-peer-uid"
  /// The request header that names the stream for `StalledStreams`.
  static let tagHeader = "soccer-stream-tag"

  private let uid: UInt32?
  private let tag: UInt64

  init(uid: UInt32?, tag: UInt64) {
    self.uid = uid
    self.tag = tag
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard case .headers(var headers) = unwrapInboundIn(data) else {
      context.fireChannelRead(data)
      return
    }
    headers.headers.remove(name: Self.uidHeader)
    headers.headers.remove(name: Self.tagHeader)
    if let uid { headers.headers.add(name: Self.uidHeader, value: String(uid)) }
    headers.headers.add(name: Self.tagHeader, value: String(tag))
    context.fireChannelRead(wrapInboundOut(.headers(headers)))
  }

  /// The user id of the process at the other end of `stream`'s connection, when that is a Unix
  /// socket; nil for TCP (or when the kernel will not say).
  static func peerUID(of stream: any Channel) -> EventLoopFuture<UInt32?> {
    guard let connection = stream.parent, case .unixDomainSocket? = connection.localAddress,
      let provider = connection as? any SocketOptionProvider, soccer_so_peercred() >= 0
    else {
      return stream.eventLoop.makeSucceededFuture(nil)
    }
    let credentials: EventLoopFuture<soccer_peer_credentials> = provider.unsafeGetSocketOption(
      level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(soccer_so_peercred()))
    return credentials.map { Optional($0.uid) }.recover { _ in nil }.hop(to: stream.eventLoop)
  }
}
