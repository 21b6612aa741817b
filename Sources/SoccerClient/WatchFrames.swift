import GRPCCore
import SoccerProtocol
import SoccerWire
import Synchronization

/// The frames of one `Watch` stream, checked and numbered, in the order they arrive.
///
/// Reading to the end of a stream that brought no frame throws `ClientError.noFrames`.
public struct WatchFrames: AsyncSequence, Sendable {
  public typealias Element = ReceivedFrame

  private let id: String
  /// The server that sends them, as it names itself (`soccer-replica`); nil for a server that does not.
  public let replica: String?
  private let messages: RPCAsyncSequence<Stream_Video, any Error>
  private let floor: Int?
  private let chosen: [Int]
  private let progress: WatchProgress?
  private let ring: ClientRing?
  private let trailers: WatchTrailers?
  /// Once the stream has ended: the frames the server says it decoded for it (0 when they came
  /// from its frame cache or a decode it shared); nil while it goes on, or from a server that
  /// does not say.
  public var framesDecodedByServer: Int? { trailers?.decoded }
  /// Whether the frames come through shared memory: each frame's pixels are then a view of its
  /// slot, which goes back to the server when the frame is dropped.
  public var sharedMemory: Bool { ring != nil }

  init(
    id: String, replica: String? = nil, messages: RPCAsyncSequence<Stream_Video, any Error>, floor: Int? = nil,
    chosen: [Int] = [], progress: WatchProgress? = nil, ring: ClientRing? = nil, trailers: WatchTrailers? = nil
  ) {
    self.id = id
    self.replica = replica
    self.messages = messages
    self.floor = floor
    self.chosen = chosen
    self.progress = progress
    self.ring = ring
    self.trailers = trailers
  }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(
      id: id, messages: messages.makeAsyncIterator(), floor: floor, chosen: chosen, progress: progress,
      slots: SlotReader(ring: ring))
  }

  public struct AsyncIterator: AsyncIteratorProtocol {
    let id: String
    var messages: RPCAsyncSequence<Stream_Video, any Error>.AsyncIterator
    /// On a resumed stream, the first frame wanted: a server that ignores `start_frame` (the
    /// Python demo) sends the match from its start, and the frames already had are dropped.
    let floor: Int?
    /// The frame indices asked for, which must come exactly so: a server that predates
    /// `frame_indices` sends a range instead, and that is an error, never frames mislabelled.
    let chosen: [Int]
    let progress: WatchProgress?
    let slots: SlotReader
    var numbering = FrameNumbering()

    public mutating func next() async throws -> ReceivedFrame? {
      if !chosen.isEmpty { return try await nextChosen() }
      while true {
        guard let video = try await messages.next() else {
          // A resumed stream may rightly bring nothing: the break came after the last frame.
          if numbering.received == 0 && floor == nil { throw ClientError.noFrames(id) }
          return nil
        }
        var frame = try frame(from: video)
        frame.index = numbering.index(sent: frame.index)
        if let floor, frame.index < floor { continue }
        progress?.handedOut(frame.index)
        return frame
      }
    }

    private mutating func nextChosen() async throws -> ReceivedFrame? {
      let received = numbering.received
      guard let video = try await messages.next() else {
        guard received == chosen.count else {
          throw ClientError.badFrame("the stream ended after \(received) of the \(chosen.count) frames asked for")
        }
        return nil
      }
      let frame = try frame(from: video)
      _ = numbering.index(sent: frame.index)
      guard received < chosen.count, frame.index == chosen[received] else {
        let wanted = received < chosen.count ? "frame \(chosen[received])" : "no more frames"
        throw ClientError.badFrame(
          "the server sent frame \(frame.index) where \(wanted) was asked for: it does not serve frames at chosen indices"
        )
      }
      progress?.handedOut(frame.index)
      return frame
    }

    /// The frame a message brings, its pixels in the message or in the ring's slot.
    private mutating func frame(from video: Stream_Video) throws(ClientError) -> ReceivedFrame {
      try slots.frame(from: video)
    }
  }
}

/// Frame numbers for servers that predate `frame_index` (they send 0 for every frame):
/// once a number fails to increase, frames are numbered in the order they arrive.
struct FrameNumbering {
  private var last: Int?
  private var serverNumbers = true
  private(set) var received = 0

  mutating func index(sent: Int) -> Int {
    defer { received += 1 }
    if let last, sent <= last { serverNumbers = false }
    last = sent
    return serverNumbers ? sent : received
  }
}

/// What a Watch stream's trailers said, kept as they arrive after its last frame.
final class WatchTrailers: Sendable {
  private let decodedFrames = Mutex<Int?>(nil)

  /// Frames the server decoded for the stream; nil until the trailers say.
  var decoded: Int? { decodedFrames.withLock { $0 } }

  func heard(_ metadata: Metadata) {
    let decoded = metadata[stringValues: MetadataKey.decoded].first(where: { _ in true }).flatMap { Int($0) }
    decodedFrames.withLock { $0 = decoded }
  }
}
