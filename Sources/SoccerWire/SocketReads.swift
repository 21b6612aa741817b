import NIOCore

/// How much each end of a connection reads from its socket at a time.
public enum SocketReads {
  /// Reads of up to 256 KiB, where NIO's default stops at 64 KiB.
  ///
  /// A 1080p frame is 6.2 MB: at 64 KiB a read, receiving it took about a hundred reads, each
  /// passing through the HTTP/2 parser and the gRPC deframer. 256 KiB cut the client's CPU per
  /// 1080p frame by a fifth (BENCHMARKS.md, "Socket reads"); 1 and 4 MiB did no better,
  /// since each read's buffer is then a large allocation of its own.
  public static let allocator = AdaptiveRecvByteBufferAllocator(
    minimum: 1024, initial: 64 * 1024, maximum: 256 * 1024)

  /// Sets `allocator` on a connection's channel, before it reads.
  public static func apply(to channel: any Channel) -> EventLoopFuture<Void> {
    channel.setOption(ChannelOptions.recvAllocator, value: allocator)
  }
}
