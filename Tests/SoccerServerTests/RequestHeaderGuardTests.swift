import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import SoccerServer

@Suite struct GRPCTimeoutTests {
  @Test(arguments: [
    ("1S", Duration.seconds(1)), ("99999999H", .seconds(Int64(99_999_999) * 3600)), ("250m", .milliseconds(250)),
    ("0n", .zero), ("7u", .microseconds(7)), ("2M", .seconds(120)), ("00000001S", .seconds(1)),
  ])
  func validValuesParse(value: String, duration: Duration) {
    #expect(GRPCTimeout(value)?.duration == duration)
  }

  @Test(arguments: [
    "-1S", "-5S", "-1n", "", "S", "1", "123456789S", "1x", "1.5S", " 1S", "+1S", "1s", "-0S", "1\u{0663}S", "\u{e9}S",
    "99999999999999999999S",
  ])
  func malformedValuesAreRefused(value: String) {
    #expect(GRPCTimeout(value) == nil)
  }

  @Test func messagesArePercentEncoded() {
    #expect(RequestHeaderGuard.grpcMessageValue("100% \"é\"\n") == "100%25 \"%C3%A9\"%0A")
  }
}

@Suite struct RequestHeaderGuardTests {
  private func request(timeout: String?) -> HTTP2Frame.FramePayload {
    var headers: HPACKHeaders = [
      ":method": "POST", ":path": "/stream.Soccer/List", ":scheme": "http", "content-type": "application/grpc",
    ]
    if let timeout { headers.add(name: "grpc-timeout", value: timeout) }
    return .headers(.init(headers: headers))
  }

  @Test func aValidRequestPassesUntouched() throws {
    let channel = EmbeddedChannel(handler: RequestHeaderGuard())
    try channel.writeInbound(request(timeout: "5S"))
    let passed = try channel.readInbound(as: HTTP2Frame.FramePayload.self)
    #expect(passed != nil)
    #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
  }

  @Test func aNegativeTimeoutIsAnsweredWithInvalidArgumentAndNeverForwarded() throws {
    let channel = EmbeddedChannel(handler: RequestHeaderGuard())
    try channel.writeInbound(request(timeout: "-1S"))
    try channel.writeInbound(
      HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(bytes: [0, 0, 0, 0, 0])))))
    #expect(try channel.readInbound(as: HTTP2Frame.FramePayload.self) == nil)
    guard case .headers(let trailers) = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) else {
      Issue.record("no trailers")
      return
    }
    #expect(trailers.endStream)
    #expect(trailers.headers.first(name: "grpc-status") == "3")
    guard case .rstStream(let code) = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) else {
      Issue.record("no RST_STREAM")
      return
    }
    #expect(code == .noError)
  }
}
