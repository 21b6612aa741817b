import Foundation
import NIOCore

/// How much each end of a connection reads from its socket at a time.
public enum SocketReads {
  /// Reads of up to 256 KiB, where NIO's default stops at 64 KiB.
  ///
  /// A 1080p frame is 6.2 MB: at 64 KiB a read, receiving it took about a hundred reads, each
  /// passing through the HTTP/2 parser and the gRPC deframer. 256 KiB cut the client's CPU per
  /// 1080p frame by a quarter (BENCHMARKS.md, "Socket reads"); 512 KiB and 1 MiB did no
  /// better, since each read's buffer is then a large allocation of its own.
  /// `SOCCER_SOCKET_READ_MAX` in the environment sets another maximum, for comparison.
  public static let allocator = AdaptiveRecvByteBufferAllocator(
    minimum: 1024, initial: min(64 * 1024, maximum), maximum: maximum)

  static let maximum = maximum(environment: ProcessInfo.processInfo.environment)

  /// The read maximum `environment` asks for, or 256 KiB.
  static func maximum(environment: [String: String]) -> Int {
    guard let bytes = environment["SOCCER_SOCKET_READ_MAX"].flatMap(Int.init), bytes >= 1024 else {
      return 256 * 1024
    }
    return bytes
  }

  /// Sets `allocator` on a connection's channel, before it reads.
  public static func apply(to channel: any Channel) -> EventLoopFuture<Void> {
    channel.setOption(ChannelOptions.recvAllocator, value: allocator)
  }
}
