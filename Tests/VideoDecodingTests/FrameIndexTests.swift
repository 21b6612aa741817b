import Testing

@testable import VideoDecoding

/// Positions come from the rank of presentation times; only keyframes that no earlier-decoded
/// frame is shown after are places a decode can start.
@Suite struct FrameIndexTests {
  private func packet(_ pts: Int64?, key: Bool = false, discarded: Bool = false) -> FrameIndex.Packet {
    FrameIndex.Packet(presentation: pts, decode: nil, isKey: key, discarded: discarded)
  }

  @Test func positionsAreRanksOfPresentationTimes() throws {
    // Decode order I P B B, shown I B B P.
    let index = try #require(FrameIndex(packets: [packet(0, key: true), packet(30), packet(10), packet(20)]))
    #expect(index.frameCount == 4)
    #expect([0, 10, 20, 30].map { index.position(ofTimestamp: $0) } == [0, 1, 2, 3])
    #expect(index.position(ofTimestamp: 15) == nil)
  }

  @Test func anOpenGOPsKeyframeCountsItsLeadingFrames() throws {
    // I0 P3 B1 B2 | I6 B4 B5 P7: the second keyframe is shown after two frames decoded after it.
    let packets = [
      packet(0, key: true), packet(30), packet(10), packet(20), packet(60, key: true), packet(40), packet(50),
      packet(70),
    ]
    let index = try #require(FrameIndex(packets: packets))
    #expect(index.keyframes.map(\.position) == [0, 6])
    #expect(index.keyframe(atOrBefore: 5)?.position == 0)
    #expect(index.keyframe(atOrBefore: 6)?.position == 6)
  }

  @Test func aKeyframeShownBeforeAnEarlierDecodedFrameIsNoStart() throws {
    // The frame at 30 is decoded before the keyframe at 20 but shown after it.
    let index = try #require(
      FrameIndex(packets: [packet(0, key: true), packet(30), packet(20, key: true), packet(10)]))
    #expect(index.keyframes.map(\.position) == [0])
  }

  @Test func discardedFramesAreNotCountedAndUnplaceableFilesHaveNoIndex() {
    let index = FrameIndex(packets: [packet(-10, key: true, discarded: true), packet(0, key: true), packet(10)])
    #expect(index?.frameCount == 2)
    #expect(index?.position(ofTimestamp: 0) == 0)
    #expect(FrameIndex(packets: [packet(0, key: true), packet(nil)]) == nil)
    #expect(FrameIndex(packets: [packet(0, key: true), packet(0)]) == nil)
    #expect(FrameIndex(packets: []) == nil)
  }
}
