import GRPCCore

/// What a call's headers say beside its messages: the client's deadline, and what the transport
/// stamped on it (`StreamStamp`): the stream's tag and, on the Unix socket, the peer's user.
struct RequestFacts: Sendable {
  /// When the call's `grpc-timeout` runs out, if it has one.
  var deadline: ContinuousClock.Instant?
  /// The connecting process's user id, on the Unix socket only.
  var peerUID: UInt32?
  /// The stream's tag in `StalledStreams`; nil without the transport's stamp (in-process calls).
  var streamTag: UInt64?

  init(deadline: ContinuousClock.Instant? = nil, peerUID: UInt32? = nil, streamTag: UInt64? = nil) {
    self.deadline = deadline
    self.peerUID = peerUID
    self.streamTag = streamTag
  }

  init(_ metadata: Metadata, now: ContinuousClock.Instant = .now) {
    func first(_ name: String) -> String? { metadata[stringValues: name].first { _ in true } }
    deadline = first("grpc-timeout").flatMap(GRPCTimeout.init).map { now + $0.duration }
    peerUID = first(StreamStamp.uidHeader).flatMap { UInt32($0) }
    streamTag = first(StreamStamp.tagHeader).flatMap { UInt64($0) }
  }
}
