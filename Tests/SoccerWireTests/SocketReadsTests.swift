import NIOCore
import NIOPosix
import Testing

@testable import SoccerWire

@Suite struct SocketReadsTests {
  @Test func readsGrowPastNIOsDefaultTo256KiBAndNoFurther() {
    var reads = SocketReads.allocator
    var sizes: [Int] = []
    for _ in 0..<8 {
      let buffer = reads.buffer(allocator: ByteBufferAllocator())
      sizes.append(buffer.capacity)
      _ = reads.record(actualReadBytes: buffer.capacity)  // a read that filled its buffer
    }
    #expect(sizes.first == 64 * 1024)
    #expect(sizes.max() == 256 * 1024)
    #expect(sizes.suffix(4).allSatisfy { $0 == 256 * 1024 })
  }

  @Test func smallReadsShrinkTheBufferAgain() {
    var reads = SocketReads.allocator
    for _ in 0..<4 { _ = reads.record(actualReadBytes: 256 * 1024) }
    for _ in 0..<16 { _ = reads.record(actualReadBytes: 100) }
    #expect(reads.buffer(allocator: ByteBufferAllocator()).capacity < 64 * 1024)
  }

  @Test func applyingSetsAConnectionsReadAllocator() async throws {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let listener = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
    let port = try #require(listener.localAddress?.port)
    let channel = try await ClientBootstrap(group: group)
      .channelInitializer { SocketReads.apply(to: $0) }
      .connect(host: "127.0.0.1", port: port).get()
    let reads = try await channel.getOption(ChannelOptions.recvAllocator).get()
    let adaptive = try #require(reads as? AdaptiveRecvByteBufferAllocator)
    #expect(adaptive.maximum == 256 * 1024)
    try await channel.close()
    try await listener.close()
    try await group.shutdownGracefully()
  }
}

@Suite struct SocketReadsEnvironmentTests {
  @Test func theEnvironmentMaySetAnotherMaximum() {
    #expect(SocketReads.maximum(environment: [:]) == 256 * 1024)
    #expect(SocketReads.maximum(environment: ["SOCCER_SOCKET_READ_MAX": "65536"]) == 65536)
    #expect(SocketReads.maximum(environment: ["SOCCER_SOCKET_READ_MAX": "12"]) == 256 * 1024)
    #expect(SocketReads.maximum(environment: ["SOCCER_SOCKET_READ_MAX": "lots"]) == 256 * 1024)
  }
}
