import Foundation
import GRPCCore
import Logging
import SoccerMetrics
import SoccerProtocol
import SoccerWire
import VideoDecoding
import VideoFrames

/// The `stream.Soccer` service: streams, describes and lists the matches of a media library,
/// and adds uploaded ones.
public struct SoccerService: Stream_Soccer.SimpleServiceProtocol {
  /// Largest output side a client may ask for, so one request cannot ask for absurd frames.
  static let maxOutputSide = 16_384
  /// Most frame indices one request may choose.
  public static let maxFrameIndices = 10_000
  /// Bytes of frames a `frame_indices` request may hold converted ahead of their turn, so that
  /// indices in any order decode each keyframe interval about once: 92 frames at 720p, 40 at
  /// 1080p, a whole interval of most files. Reserved in the frame-memory budget, and left out
  /// when the budget has no room for them.
  public static let holdAheadBytes = 256 << 20

  let library: MatchLibrary
  /// Frames decoded ahead of the network per stream.
  let queueDepth: Int
  /// Decoders open for this service's streams.
  public let decoders: DecoderTally
  private let streams: StreamLimit
  /// The bytes all streams' frames may hold at once, the frame cache's included.
  public let frameMemory: FrameMemoryBudget
  /// Frames decoded for one request and kept for the next that asks; nil for none.
  public let frameCache: FrameCache?
  /// The decodes streams of the same match and output share; nil when each stream decodes alone.
  public let sharedDecodes: SharedDecodes?
  /// Most pixels a frame sent may have (`DecodeOptions.maxFramePixels`).
  let maxFramePixels: Int
  private let reclaimer = MemoryReclaimer()
  /// How long one frame may wait on the client before the stream counts as stalled.
  let stallTimeout: Duration
  /// How long a Play stream may stay paused.
  let pauseTimeout: Duration
  /// Peers whose connection closed lately: a stream cancelled under one ends by disconnect.
  let departed: DepartedPeers
  /// Streams the transport reset for stalling.
  private let stalled: StalledStreams
  private let logger: Logger
  let metrics: ServerMetrics?
  /// Whether and how Upload adds matches; nil refuses every upload.
  let uploads: UploadPolicy?
  /// Whether Watch may deliver frames through a client's shared-memory ring (Unix socket only).
  let allowsSharedMemory: Bool
  /// Set when the server begins its graceful shutdown, which cancels every RPC's handle too.
  let draining = Latch()

  /// Frames a stream decodes ahead of its writer unless told otherwise.
  ///
  /// Two keeps decoding and sending overlapped with a frame of slack for a slow keyframe; four
  /// measured the same frames/s at 720p and 1080p, one stream and eight, with a fifth more memory.
  public static let defaultQueueDepth = 2

  /// Most pixels a frame may have unless told otherwise: 8K UHD, 7680x4320.
  public static let defaultMaxFramePixels = 7680 * 4320

  /// A service over `library`, decoding up to `queueDepth` frames ahead of each stream's writer,
  /// serving at most `maxStreams` streams at once, and logging one line per stream to `logger`.
  public init(
    library: MatchLibrary, queueDepth: Int = SoccerService.defaultQueueDepth, maxStreams: Int = 64,
    frameMemory: FrameMemoryBudget = FrameMemoryBudget(limit: FrameMemoryBudget.defaultLimit()),
    frameCache: Int = 0, sharesDecodes: Bool = true, maxFramePixels: Int = SoccerService.defaultMaxFramePixels,
    stallTimeout: Duration = .seconds(30),
    pauseTimeout: Duration = .seconds(300), uploads: UploadPolicy? = nil, allowsSharedMemory: Bool = false,
    logger: Logger = Logger(label: "soccer.stream")
  ) {
    self.init(
      library: library, queueDepth: queueDepth, maxStreams: maxStreams, frameMemory: frameMemory,
      frameCache: frameCache, sharesDecodes: sharesDecodes, maxFramePixels: maxFramePixels,
      stallTimeout: stallTimeout,
      pauseTimeout: pauseTimeout, uploads: uploads, allowsSharedMemory: allowsSharedMemory, departed: DepartedPeers(),
      logger: logger)
  }

  /// A service that learns from `departed` which streams ended because their connection closed.
  init(
    library: MatchLibrary, queueDepth: Int, maxStreams: Int, frameMemory: FrameMemoryBudget, frameCache: Int,
    sharesDecodes: Bool, maxFramePixels: Int, stallTimeout: Duration, pauseTimeout: Duration,
    uploads: UploadPolicy?, allowsSharedMemory: Bool = false, departed: DepartedPeers,
    stalled: StalledStreams = StalledStreams(), logger: Logger, metrics: ServerMetrics? = nil
  ) {
    self.stalled = stalled
    self.allowsSharedMemory = allowsSharedMemory
    self.frameMemory = frameMemory
    if frameCache > 0 {
      let cache = FrameCache(capacity: frameCache, room: frameMemory)
      frameMemory.yield(to: cache)
      self.frameCache = cache
    } else {
      self.frameCache = nil
    }
    // Each frame's message is made once for all the streams of a shared decode, which then send
    // the same bytes: one copy of the pixels a frame instead of one a stream.
    sharedDecodes = sharesDecodes ? SharedDecodes(prepare: { $0.inWireForm() }) : nil
    self.maxFramePixels = maxFramePixels
    self.pauseTimeout = pauseTimeout
    self.uploads = uploads
    self.metrics = metrics
    var timing: (@Sendable (Duration) -> Void)?
    if let metrics { timing = { duration in metrics.decoded(in: duration) } }
    decoders = DecoderTally(timing: timing)
    self.library = library
    self.queueDepth = queueDepth
    self.streams = StreamLimit(limit: maxStreams)
    self.stallTimeout = stallTimeout
    self.departed = departed
    self.logger = logger
  }

  /// Runs one stream with its log line, its end classified (cancel, stall, deadline) and mapped
  /// to the status the client is sent; `rpc` names a method other than Watch in the line, and
  /// `subject` gives the match id and the options for it.
  func logged(
    rpc: String?, subject: () -> (id: String, options: String), context: ServerContext,
    facts: RequestFacts, body: (inout StreamProgress) async throws -> Void
  ) async throws {
    var progress = StreamProgress(firstFrame: metrics.map { metrics in { metrics.firstFrame(after: $0) } })
    var status = "OK"
    var cause: String?
    var reason: String?
    defer {
      let (id, options) = subject()
      let elapsed = progress.started.duration(to: .now)
      var metadata: Logger.Metadata = [
        "peer": "\(context.remotePeer)", "id": "\(id.prefix(MatchLibrary.maxIDLength))",
        "options": "\(options)", "frames": "\(progress.frames)", "bytes": "\(progress.bytes)",
        "ms": "\(Int(elapsed / .milliseconds(1)))",
        "status": "\(status)",
      ]
      if let rpc { metadata["rpc"] = "\(rpc)" }
      if context.localPeer == WebAPI.localPeer { metadata["via"] = "http" }
      if let commands = progress.commands { metadata["commands"] = "\(commands)" }
      if let decoded = progress.decoded { metadata["decoded"] = "\(decoded)" }
      if progress.joinedDecode { metadata["decode"] = "shared" }
      if let cause { metadata["cause"] = "\(cause)" }
      if let reason { metadata["reason"] = "\(reason)" }
      logger.info("stream", metadata: metadata)
    }
    do {
      try await body(&progress)
    } catch {
      let end = StreamEnd(
        error: error, cancelled: context.cancellation.isCancelled, deadline: facts.deadline,
        stalledByTransport: facts.streamTag.map(stalled.take) ?? false,
        waitingSince: progress.waitingSince, stallTimeout: stallTimeout,
        disconnected: departed.contains(context.remotePeer))
      status = end.status
      cause = end.cause
      // Why it failed, in the words the client was sent; a cancel says it all.
      if end.rpcError.code != .cancelled { reason = String(end.rpcError.message.prefix(300)) }
      if end.cause == "stalled" { metrics?.rejected(.stall) }
      throw end.rpcError
    }
  }

  /// Runs a stream's `body`, calling `stop` at once when its client cancels the RPC, resets it or
  /// goes away. gRPC tells a handler so only through its RPC cancellation handle, so without this
  /// a handler waiting on its decoder (a full ring, a slow start) would hold its stream slot,
  /// frame memory, mapping and decoder until the stall timeout. A graceful shutdown cancels
  /// every handle too: streams then keep their grace period.
  func stoppingOnCancel(
    _ body: () async throws -> Void, stop: @escaping @Sendable () -> Void
  ) async throws {
    try await withRPCCancellationHandler(operation: body) { [draining] in
      if !draining.isSet { stop() }
    }
  }

  /// Takes a stream slot, or throws RESOURCE_EXHAUSTED.
  func acquireStream() throws {
    do {
      try streams.acquire()
    } catch {
      metrics?.rejected(.limit)
      throw error
    }
  }

  /// Gives a stream slot back, and lets the allocator return the memory streams no longer use.
  func releaseStream() {
    streams.release()
    reclaimer.streamEnded { [streams, decoders] in streams.count == 0 && decoders.open == 0 }
  }

  public func describe(request: Stream_Match, context: ServerContext) async throws -> Stream_MatchInfo {
    try await mappingErrors {
      let path = try library.path(for: request.id)
      let info = try await VideoDecoder.probe(path: path)
      return Stream_MatchInfo(id: request.id, info)
    }
  }

  public func list(request: Stream_ListRequest, context: ServerContext) async throws -> Stream_MatchList {
    try await mappingErrors {
      // Listing reads a folder or asks the origin over HTTP.
      let library = self.library
      let ids = try await offCooperativePool { try library.ids() }
      return Stream_MatchList.with { $0.ids = ids }
    }
  }

  /// Threads for a new stream's decoder: the cores shared among the streams decoding now.
  ///
  /// A stream alone gets a thread more than the cores, as FFmpeg's own choice does (one frame
  /// thread is often waiting on another): through shared memory that took a 1080p stream from
  /// 0.89x to 0.92-0.93x of decoding in-process. With more streams than cores each decoder runs
  /// on one thread, which decodes the most frames per CPU second, keeps streams equally fast and
  /// holds no per-thread frame buffers.
  static func decoderThreads(openDecoders: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
    guard openDecoders > 0 else { return cores > 1 ? cores + 1 : 1 }
    return max(1, cores / (openDecoders + 1))
  }

  /// Streams in flight now.
  public var activeStreams: Int { streams.count }

  /// A new stream's place in the frame-memory budget, for its decoder to reserve.
  func frameAdmission() -> FrameAdmission {
    FrameAdmission(budget: frameMemory, queueDepth: queueDepth, metrics: metrics)
  }

  /// The request's decoder options, with this server's cap on frame size.
  func decodeOptions(for match: Stream_Match) throws(RequestError) -> DecodeOptions {
    var options = try Self.decodeOptions(for: match)
    options.maxFramePixels = maxFramePixels
    return options
  }

  /// Checks the `Match` options and turns them into decoder options.
  static func decodeOptions(for match: Stream_Match) throws(RequestError) -> DecodeOptions {
    guard let format = PixelFormat(match.pixelFormat) else {
      throw .invalidOption("unknown pixel_format \(match.pixelFormat.rawValue)")
    }
    guard match.startSeconds.isFinite, match.startSeconds >= 0 else {
      throw .invalidOption("start_seconds must be a finite number of seconds, 0 or more")
    }
    guard match.maxWidth <= maxOutputSide, match.maxHeight <= maxOutputSide else {
      throw .invalidOption("max_width and max_height must be at most \(maxOutputSide)")
    }
    guard match.startFrame == 0 || match.startSeconds == 0 else {
      throw .invalidOption("start_frame and start_seconds do not go together")
    }
    var options = DecodeOptions(
      format: format, maxWidth: Int(match.maxWidth), maxHeight: Int(match.maxHeight),
      startSeconds: match.startSeconds, maxFrames: Int(match.maxFrames), stride: Int(max(1, match.stride)))
    options.startFrame = Int(clamping: match.startFrame)
    do {
      options.encoding = try FrameEncoding.requested(match.encoding, jpegQuality: match.jpegQuality)
    } catch {
      throw .invalidOption(error.description)
    }
    if options.encoding != .raw && match.hasSharedMemory {
      throw .invalidOption("shared_memory carries raw pixels: it does not go with an encoding")
    }
    if !match.frameIndices.isEmpty {
      guard match.frameIndices.count <= maxFrameIndices else {
        throw .invalidOption(
          "frame_indices holds \(match.frameIndices.count) indices; at most \(maxFrameIndices) go in one request")
      }
      guard match.startSeconds == 0, match.startFrame == 0, match.stride <= 1, match.maxFrames == 0 else {
        throw .invalidOption("frame_indices does not go with start_seconds, start_frame, stride or max_frames")
      }
      options.frameIndices = match.frameIndices.map { Int(clamping: $0) }
      options.holdAheadBytes = Self.holdAheadBytes
    }
    return options
  }

  private func mappingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
      return try await body()
    } catch {
      throw StatusMapping.rpcError(for: error)
    }
  }
}
