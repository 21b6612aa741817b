/// Who holds each slot of a shared-memory ring, as its decoding thread and its stream's writer
/// see it.
///
/// The client hands frames back by counting them, in the order their messages came, so the book
/// numbers the frames it sends (0, 1, 2…): a slot sent as number `n` is free again once the
/// count is past `n`. A frame converted into a slot and never sent (a seek dropped it, the stream
/// ended) frees its slot at once. Any free slot may take the next frame: the message says which.
struct SlotBook: Sendable {
  enum Use: Equatable {
    case free
    /// Holds a converted frame the server has not sent.
    case placed
    /// Sent as the client's frame number `n`.
    case sent(UInt64)
  }

  /// What `reserve` found.
  enum Room: Equatable {
    case reserved
    /// No slot is free, and some hold frames the server has not sent.
    case heldByServer
    /// Every slot holds a frame the client has and has not handed back.
    case heldByClient
  }

  private(set) var uses: [Use]
  /// Frames sent so far: the next one's number.
  private(set) var sent: UInt64 = 0
  /// The slot reserved for the next frame.
  private var reserved: Int?
  /// Where the search for a free slot begins: slots are taken in turn while all are free.
  private var cursor = 0

  /// A book of `slots` free slots; `sent` numbers the first frame (other than 0 only in tests).
  init(slots: Int, sent: UInt64 = 0) {
    uses = Array(repeating: .free, count: slots)
    self.sent = sent
  }

  /// Finds a slot for the next frame, given the client's count of frames handed back (uint32,
  /// wrapping, as the client keeps it).
  mutating func reserve(released: UInt32) -> Room {
    if reserved != nil { return .reserved }
    let through = handedBack(released)
    for step in 0..<uses.count {
      let slot = (cursor + step) % uses.count
      switch uses[slot] {
      case .free:
        break
      case .sent(let number) where number < through:
        uses[slot] = .free
      default:
        continue
      }
      reserved = slot
      cursor = (slot + 1) % uses.count
      return .reserved
    }
    return uses.contains(.placed) ? .heldByServer : .heldByClient
  }

  /// Takes the reserved slot for a converted frame; nil when none was reserved.
  mutating func place() -> Int? {
    guard let slot = reserved else { return nil }
    reserved = nil
    uses[slot] = .placed
    return slot
  }

  /// The frame in `slot` goes to the client as the next number.
  mutating func send(_ slot: Int) {
    guard uses.indices.contains(slot) else { return }
    uses[slot] = .sent(sent)
    sent += 1
  }

  /// The frame in `slot` was let go of; returns whether that freed the slot (it was never sent).
  mutating func drop(_ slot: Int) -> Bool {
    guard uses.indices.contains(slot), uses[slot] == .placed else { return false }
    uses[slot] = .free
    return true
  }

  /// Frames numbered below the result are handed back. The client's 32-bit count is read
  /// relative to what was sent; a count ahead of that (only a broken client writes one) hands
  /// nothing back, which can stall only that client's own stream.
  private func handedBack(_ released: UInt32) -> UInt64 {
    let outstanding = UInt32(truncatingIfNeeded: sent) &- released
    guard UInt64(outstanding) <= sent else { return 0 }
    return sent - UInt64(outstanding)
  }
}
