import GRPCCore
import SoccerProtocol

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
  private let progress: WatchProgress?

  init(
    id: String, replica: String? = nil, messages: RPCAsyncSequence<Stream_Video, any Error>, floor: Int? = nil,
    progress: WatchProgress? = nil
  ) {
    self.id = id
    self.replica = replica
    self.messages = messages
    self.floor = floor
    self.progress = progress
  }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(id: id, messages: messages.makeAsyncIterator(), floor: floor, progress: progress)
  }

  public struct AsyncIterator: AsyncIteratorProtocol {
    let id: String
    var messages: RPCAsyncSequence<Stream_Video, any Error>.AsyncIterator
    /// On a resumed stream, the first frame wanted: a server that ignores `start_frame` (the
    /// Python demo) sends the match from its start, and the frames already had are dropped.
    let floor: Int?
    let progress: WatchProgress?
    var numbering = FrameNumbering()

    public mutating func next() async throws -> ReceivedFrame? {
      while true {
        guard let video = try await messages.next() else {
          // A resumed stream may rightly bring nothing: the break came after the last frame.
          if numbering.received == 0 && floor == nil { throw ClientError.noFrames(id) }
          return nil
        }
        var frame = try ReceivedFrame(video)
        frame.index = numbering.index(sent: frame.index)
        if let floor, frame.index < floor { continue }
        progress?.handedOut(frame.index)
        return frame
      }
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
