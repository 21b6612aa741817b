import Foundation
import GRPCCore
import SoccerProtocol
import SoccerWire
import VideoDecoding
import VideoFrames

/// Watch: a match's frames as one stream, from a start or a choice of frames, decoded ahead on a
/// thread of the stream's own, paced when asked, through the client's ring when it gave one.
extension SoccerService {
  /// Watch with the request's metadata, whose `grpc-timeout` tells a passed deadline from a cancel.
  public func watch(
    request: ServerRequest<Stream_Match>, context: ServerContext
  ) async throws -> StreamingServerResponse<Stream_Video> {
    let facts = RequestFacts(request.metadata)
    return StreamingServerResponse { writer in
      try await watch(
        request: request.message, response: RPCWriter(wrapping: MessagesOnly(writer)), context: context, facts: facts)
    }
  }

  /// Watch as the server's own routes serve it (`VideoRoutes`): a frame whose message a shared
  /// decode made is sent as it was made.
  func watchOutgoing(
    request: ServerRequest<Stream_Match>, context: ServerContext
  ) async throws -> StreamingServerResponse<OutgoingVideo> {
    let facts = RequestFacts(request.metadata)
    return StreamingServerResponse { writer in
      try await watch(request: request.message, response: writer, context: context, facts: facts)
    }
  }

  public func watch(
    request: Stream_Match, response: RPCWriter<Stream_Video>, context: ServerContext
  ) async throws {
    _ = try await watch(
      request: request, response: RPCWriter(wrapping: MessagesOnly(response)), context: context, facts: RequestFacts())
  }

  /// Streams the request's frames; returns the trailers, which say how many frames were decoded
  /// for it, for clients that measure it (soccer bench).
  private func watch(
    request: Stream_Match, response: RPCWriter<OutgoingVideo>, context: ServerContext, facts: RequestFacts
  ) async throws -> Metadata {
    var decoded: Int?
    try await logged(rpc: nil, subject: { (request.id, Self.describe(request)) }, context: context, facts: facts) {
      progress in
      try await stream(request, to: response, progress: &progress, peerUID: facts.peerUID)
      decoded = progress.decoded
    }
    var trailers = Metadata()
    if let decoded { trailers.addString("\(decoded)", forKey: MetadataKey.decoded) }
    return trailers
  }

  private func stream(
    _ request: Stream_Match, to response: RPCWriter<OutgoingVideo>, progress: inout StreamProgress,
    peerUID: UInt32?
  ) async throws {
    let path = try library.path(for: request.id)
    var options = try decodeOptions(for: request)
    let ring = request.hasSharedMemory ? try sharedMemoryRing(request.sharedMemory, peerUID: peerUID) : nil
    try acquireStream()
    defer { releaseStream() }
    options.threads = Self.decoderThreads(openDecoders: decoders.open)
    let admission = frameAdmission()
    // The frames this handler writes count until it returns, as its decoder's do until freed.
    defer { withExtendedLifetime(admission) {} }
    let frames = decodedFrames(path: path, options: options, ring: ring, admission: admission)
    progress.joinedDecode = (frames as? SharedFrames)?.joined ?? false
    if progress.joinedDecode { metrics?.joinedDecode() }
    defer {
      frames.cancel()
      ring?.cancel()
    }
    defer {
      progress.decoded = frames.framesDecoded
      metrics?.decoded(frames: frames.framesDecoded)
    }
    var pacer = request.realTime ? Pacer() : nil
    try await stoppingOnCancel {
      while let frame = try await frames.next() {
        try await pacer?.wait(untilPresentationTime: frame.ptsSeconds)
        let video = try ring.map { OutgoingVideo(try $0.message(sending: frame)) } ?? OutgoingVideo(frame)
        try await progress.write(video, to: response)
        metrics?.sent(byteCount: frame.pixels.count)
      }
    } stop: {
      frames.cancel()
      ring?.cancel()
    }
  }

  /// The stream's frames: from a decode it shares with streams of the same match and output when
  /// it can, else from a decoder of its own.
  private func decodedFrames(
    path: String, options: DecodeOptions, ring: SharedMemoryRing?, admission: FrameAdmission
  ) -> any FrameStream {
    let admit = Self.admitting(into: ring, admission: admission)
    guard let sharedDecodes, SharedDecodes.canShare(options, destination: ring) else {
      // Through a ring, frames decoded ahead wait in the client's slots, which bound them: the
      // queue may be as deep as the ring at no cost to the server's memory.
      return DecodeAhead(
        path: path, options: options, capacity: max(queueDepth, ring?.slots ?? 0), tally: decoders, admit: admit,
        destination: ring, cache: frameCache)
    }
    return sharedDecodes.frames(
      path: path, options: options, capacity: queueDepth, tally: decoders, admit: admit, cache: frameCache
    ) { [queueDepth, decoders, frameCache] start, count in
      // Fallen behind: on its own from its next frame, its reservation kept until this decoder is freed.
      var own = options
      own.startFrame = start
      own.maxFrames = count
      return DecodeAhead(
        path: path, options: own, capacity: queueDepth, tally: decoders,
        admit: { _ in withExtendedLifetime(admission) {} }, cache: frameCache)
    }
  }

  /// The options a request set, for the log: "format:rgb24,max:320x0,start:2.0"; "-" for none.
  static func describe(_ match: Stream_Match) -> String {
    var parts: [String] = []
    if match.pixelFormat != .bgr24 { parts.append("format:\(match.pixelFormat)") }
    if match.maxWidth > 0 || match.maxHeight > 0 { parts.append("max:\(match.maxWidth)x\(match.maxHeight)") }
    if match.startSeconds != 0 { parts.append("start:\(match.startSeconds)") }
    if match.startFrame != 0 { parts.append("start-frame:\(match.startFrame)") }
    if match.maxFrames > 0 { parts.append("frames:\(match.maxFrames)") }
    if match.stride > 1 { parts.append("stride:\(match.stride)") }
    if !match.frameIndices.isEmpty { parts.append("frames-at:\(match.frameIndices.count)") }
    if match.hasSharedMemory { parts.append("shared-memory:\(match.sharedMemory.slots)") }
    if let encoding = try? FrameEncoding.requested(match.encoding, jpegQuality: match.jpegQuality), encoding != .raw {
      parts.append("encoding:\(encoding)")
    }
    if match.realTime { parts.append("real-time") }
    return parts.isEmpty ? "-" : parts.joined(separator: ",")
  }
}

/// Writes the messages of `OutgoingVideo`s to a writer of plain messages, for the generated
/// service's routes, which serialize each message themselves.
private struct MessagesOnly: RPCWriterProtocol {
  let base: RPCWriter<Stream_Video>

  init(_ base: RPCWriter<Stream_Video>) { self.base = base }

  func write(_ element: OutgoingVideo) async throws { try await base.write(element.message) }

  func write(contentsOf elements: some Sequence<OutgoingVideo>) async throws {
    try await base.write(contentsOf: elements.map(\.message))
  }
}
