import Testing

@testable import SoccerServer

@Suite struct SlotBookTests {
  /// Reserves, places and sends one frame; returns its slot.
  private func sendOne(_ book: inout SlotBook, released: UInt32) -> Int? {
    guard book.reserve(released: released) == .reserved, let slot = book.place() else { return nil }
    book.send(slot)
    return slot
  }

  @Test func slotsComeBackInTheOrderTheClientCountsFrames() {
    var book = SlotBook(slots: 3)
    #expect((0..<3).map { _ in sendOne(&book, released: 0) } == [0, 1, 2])
    #expect(book.reserve(released: 0) == .heldByClient)
    #expect(book.reserve(released: 1) == .reserved)
    #expect(book.place() == 0)
    book.send(0)
    #expect(book.uses == [.sent(3), .sent(1), .sent(2)])
  }

  @Test func aFrameDroppedBeforeItIsSentFreesItsSlotButASentOneDoesNot() {
    var book = SlotBook(slots: 2)
    #expect(sendOne(&book, released: 0) == 0)
    #expect(book.reserve(released: 0) == .reserved)
    #expect(book.place() == 1)
    #expect(book.reserve(released: 0) == .heldByServer)
    #expect(book.drop(0) == false)
    #expect(book.drop(1) == true)
    #expect(book.reserve(released: 0) == .reserved)
    #expect(book.place() == 1)
    // The next number goes to the frame sent next, whichever slot it is in.
    book.send(1)
    #expect(book.uses == [.sent(0), .sent(1)])
  }

  @Test func theClientsCountWrapsAt32Bits() {
    var book = SlotBook(slots: 1, sent: 0xFFFF_FFFE)
    #expect(sendOne(&book, released: 0xFFFF_FFFE) == 0)
    #expect(book.reserve(released: 0xFFFF_FFFE) == .heldByClient)
    #expect(sendOne(&book, released: 0xFFFF_FFFF) == 0)
    #expect(book.sent == 0x1_0000_0000)
    #expect(book.reserve(released: 0xFFFF_FFFF) == .heldByClient)
    #expect(book.reserve(released: 0) == .reserved)
  }

  @Test func aCountAheadOfTheFramesSentHandsNothingBack() {
    var book = SlotBook(slots: 1)
    #expect(sendOne(&book, released: 0) == 0)
    #expect(book.reserve(released: 7) == .heldByClient)
    #expect(book.reserve(released: UInt32.max) == .heldByClient)
    #expect(book.drop(5) == false)
  }
}
