import GRPCCore
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import SoccerServer

@Suite struct StreamStampTests {
  private func request(_ extra: [(String, String)] = []) -> HTTP2Frame.FramePayload {
    var headers: HPACKHeaders = [
      ":method": "POST", ":path": "/stream.Soccer/Watch", "content-type": "application/grpc",
    ]
    for (name, value) in extra { headers.add(name: name, value: value) }
    return .headers(.init(headers: headers))
  }

  private func headers(after stamp: StreamStamp, of payload: HTTP2Frame.FramePayload) throws -> HPACKHeaders? {
    let channel = EmbeddedChannel(handler: stamp)
    try channel.writeInbound(payload)
    guard case .headers(let passed)? = try channel.readInbound(as: HTTP2Frame.FramePayload.self) else { return nil }
    return passed.headers
  }

  @Test func theTransportsFactsReplaceWhatAClientClaims() throws {
    let claimed = request([("soccer-peer-uid", "0"), ("soccer-stream-tag", "1"), ("soccer-peer-uid", "7")])
    let stamped = try #require(try headers(after: StreamStamp(uid: 1000, tag: 42), of: claimed))
    #expect(stamped[StreamStamp.uidHeader] == ["1000"])
    #expect(stamped[StreamStamp.tagHeader] == ["42"])
  }

  @Test func aTCPRequestCarriesNoUser() throws {
    let stamped = try #require(
      try headers(after: StreamStamp(uid: nil, tag: 3), of: request([("soccer-peer-uid", "0")])))
    #expect(stamped[StreamStamp.uidHeader].isEmpty)
    #expect(stamped[StreamStamp.tagHeader] == ["3"])
  }

  @Test func theFactsReachTheService() {
    let metadata: GRPCCore.Metadata = ["soccer-peer-uid": "1000", "soccer-stream-tag": "42", "grpc-timeout": "5S"]
    let now = ContinuousClock.now
    let facts = RequestFacts(metadata, now: now)
    #expect(facts.peerUID == 1000)
    #expect(facts.streamTag == 42)
    #expect(facts.deadline == now + .seconds(5))
    #expect(RequestFacts(["soccer-peer-uid": "-1"]).peerUID == nil)
  }
}
