import GRPCCore
import SoccerProtocol
import SoccerWire

/// What one stream has sent so far, for its log line and for telling a stall from a cancel.
struct StreamProgress {
  let started = ContinuousClock.now
  /// Hears how long the first frame took, when metrics are kept.
  let firstFrame: ((Duration) -> Void)?
  var frames = 0
  var bytes = 0
  /// Frames decoded for the stream, those passed on the way to the ones sent included; nil when not known.
  var decoded: Int?
  /// Whether the stream joined a decode another stream had started (`SharedDecodes`).
  var joinedDecode = false
  /// Commands a Play stream received; nil for other streams.
  var commands: Int?
  /// When the frame being written began to wait for the client; nil between writes.
  var waitingSince: ContinuousClock.Instant?

  /// Writes one frame, counting it.
  mutating func write(_ message: Stream_Video, to response: RPCWriter<Stream_Video>) async throws {
    try await write(message, as: message, to: response)
  }

  /// Writes one frame that may carry the bytes made for it, counting it.
  mutating func write(_ video: OutgoingVideo, to response: RPCWriter<OutgoingVideo>) async throws {
    try await write(video.message, as: video, to: response)
  }

  private mutating func write<Element>(
    _ message: Stream_Video, as element: Element, to response: RPCWriter<Element>
  ) async throws {
    waitingSince = .now
    try await response.write(element)
    waitingSince = nil
    if frames == 0 { firstFrame?(started.duration(to: .now)) }
    frames += 1
    bytes += message.hasSlot ? Int(clamping: message.slot.length) : message.data.count
  }
}
