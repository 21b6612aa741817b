import Testing

@testable import ServerPlayback

@Suite(.timeLimit(.minutes(1))) struct FrameHandoffTests {
  @Test func valuesArriveInOrderAndTheEndAfterThem() async throws {
    let handoff = FrameHandoff<Int>()
    let producer = Task {
      for n in 0..<50 { try await handoff.put(n) }
      handoff.finish(nil)
    }
    var taken: [Int] = []
    for try await n in handoff { taken.append(n) }
    try await producer.value
    #expect(taken == Array(0..<50))
  }

  /// A producer cancelled at any moment of a put (before it waits, while it waits, as the value
  /// is taken) returns, whatever the timing: the viewer's quit cancels it so.
  @Test func aCancelledPutAlwaysReturns() async throws {
    for round in 0..<2000 {
      let handoff = FrameHandoff<Int>()
      let producer = Task {
        while true { try await handoff.put(round) }
      }
      if round % 3 == 0 { _ = try await handoff.next() }
      if round % 2 == 0 { await Task.yield() }
      producer.cancel()
      let ended = await producer.result
      #expect(throws: CancellationError.self) { try ended.get() }
    }
  }

  @Test func aCancelledTakeAlwaysReturns() async throws {
    for round in 0..<2000 {
      let handoff = FrameHandoff<Int>()
      let consumer = Task { try await handoff.next() }
      if round % 2 == 0 { await Task.yield() }
      consumer.cancel()
      _ = await consumer.result
    }
  }
}
