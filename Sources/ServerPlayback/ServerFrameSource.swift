import FrameCodecs
import SoccerClient
import Synchronization
import TerminalPlayback
import VideoFrames

/// Whether any of a player's frames came through a shared-memory ring, for its summary line.
public final class SharedMemoryUse: Sendable {
  public init() {}

  private let seen = Atomic<Bool>(false)

  public var used: Bool { seen.load(ordering: .relaxed) }

  public func note(_ sharedMemory: Bool) {
    if sharedMemory { seen.store(true, ordering: .relaxed) }
  }
}

/// The player's frames from a server: `Watch` streams of RGB frames, `Describe` for the totals.
public struct ServerFrameSource: FrameSource {
  let client: SoccerClient
  let id: String
  /// How a stream that breaks mid-match goes on.
  var resumption = Resumption(retries: 0)
  var throughSharedMemory = SharedMemoryUse()
  /// How frames travel; JPEG and PNG frames are decoded here, as the player needs pixels.
  var encoding = FrameEncoding.raw

  /// The frames of match `id` from `client`, resumed after a break as `resumption` says.
  public init(
    client: SoccerClient, id: String, resumption: Resumption = Resumption(retries: 0),
    throughSharedMemory: SharedMemoryUse = SharedMemoryUse(), encoding: FrameEncoding = .raw
  ) {
    self.client = client
    self.id = id
    self.resumption = resumption
    self.throughSharedMemory = throughSharedMemory
    self.encoding = encoding
  }

  /// RGB frames of this match, from the request's time and no bigger than it asks.
  private func watchRequest(_ request: FrameRequest) -> WatchRequest {
    var watch = WatchRequest(id: id)
    watch.format = .rgb24
    watch.startSeconds = request.startSeconds
    watch.maxWidth = request.maxWidth
    watch.maxHeight = request.maxHeight
    watch.encoding = encoding
    return watch
  }

  public func describe() async throws -> MediaInfo {
    do {
      return try await client.describe(id)
    } catch  where error.code == .unimplemented {
      // The Python demo has only Watch: play without totals.
      return MediaInfo()
    }
  }

  public func frames<Result: Sendable>(
    _ request: FrameRequest, _ body: @escaping @Sendable (ServerFrames) async throws -> Result
  ) async throws -> Result {
    var watch = watchRequest(request)
    watch.maxFrames = request.maxFrames
    let result: Result?
    do {
      // The player's body takes frames, not streams: after a break it simply goes on with the next one.
      result = try await client.watch(watch, resuming: resumption, state: Result?.none) { result, frames in
        throughSharedMemory.note(frames.sharedMemory)
        result = try await body(ServerFrames(frames: frames))
      }
    } catch {
      if error.code == .outOfRange && request.startSeconds > 0 { throw PastTheEnd() }
      throw error
    }
    // Only a stream that ended without its body finishing leaves no result, and that throws.
    guard let result else { throw ClientError.noFrames(id) }
    return result
  }
}

/// A `Watch` stream's frames as the player takes them: plain 8-bit frames.
public struct ServerFrames: AsyncSequence, Sendable {
  let frames: WatchFrames

  public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(frames: frames.makeAsyncIterator()) }

  public struct AsyncIterator: AsyncIteratorProtocol {
    var frames: WatchFrames.AsyncIterator
    /// Decodes JPEG and PNG frames, one decompressor for the whole stream.
    let decoder = FrameDecoder()

    public mutating func next() async throws -> Frame? {
      // The player keeps the frame on screen while it skips later ones: its own pixels.
      try await frames.next()?.ownFrame(decoder: decoder)
    }
  }
}

extension ServerFrameSource: ControllableFrameSource {
  /// Plays over `Play`; with a server without it (the Python demo), over `Watch` streams
  /// reopened at each seek and after each pause.
  public func play(
    _ request: FrameRequest, speed: Double,
    _ body: @escaping @Sendable (any PlaybackControls, ServerEvents) async throws -> Void
  ) async throws {
    var play = watchRequest(request)
    play.realTime = true
    do {
      // A stream that breaks goes on from the frame after the last one received, as Watch does.
      try await client.play(play, resuming: resumption) { controller, events in
        throughSharedMemory.note(events.sharedMemory)
        if speed != 1 { controller.send(.speed(speed)) }
        try await body(ServerControls(controller: controller), ServerEvents(events: events))
      }
    } catch .server(code: .unimplemented, _) {
      return try await playReopening(request, body)
    } catch {
      if error.code == .outOfRange && request.startSeconds > 0 { throw PastTheEnd() }
      throw error
    }
  }

  public func fullFrame(index: Int) async throws -> Frame {
    var watch = WatchRequest(id: id)
    watch.format = .rgb24
    watch.startFrame = index
    watch.maxFrames = 1
    // A server that ignores start_frame (the Python demo) sends from the start: read up to it.
    let frame = try await client.watch(watch) { frames in try await frames.first { $0.index >= index } }
    guard let frame, frame.index == index else { throw ClientError.noFrames(id) }
    return try frame.frame()
  }

  private func playReopening(
    _ request: FrameRequest, _ body: @escaping @Sendable (any PlaybackControls, ServerEvents) async throws -> Void
  ) async throws {
    let frameRate = (try? await client.describe(id))?.frameRate ?? 0
    let reopening = WatchReopening(request: request, frameRate: frameRate)
    let frames = FrameHandoff<ControlledFrame>()
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { await reopening.run(client: client, id: id, into: frames) }
      defer { group.cancelAll() }
      try await body(reopening, ServerEvents(reopened: frames))
    }
  }
}

/// The player's commands as `Play` commands.
public struct ServerControls: PlaybackControls {
  let controller: PlayController

  public func send(_ command: PlaybackCommand) -> UInt64 {
    switch command {
    case .pause: controller.send(.pause)
    case .resume: controller.send(.resume)
    case .seek(let seconds): controller.send(.seek(seconds: seconds))
    case .seekTo(let frame): controller.send(.seekTo(frame: frame))
    case .speed(let speed): controller.send(.speed(speed))
    case .resize(let width, let height): controller.send(.resize(maxWidth: width, maxHeight: height))
    }
  }
}

/// A `Play` stream's events as the player takes them.
public struct ServerEvents: AsyncSequence, Sendable {
  private var events: PlayEvents?
  private var reopened: FrameHandoff<ControlledFrame>?

  init(events: PlayEvents) { self.events = events }
  init(reopened: FrameHandoff<ControlledFrame>) { self.reopened = reopened }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(events: events?.makeAsyncIterator(), reopened: reopened)
  }

  public struct AsyncIterator: AsyncIteratorProtocol {
    var events: PlayEvents.AsyncIterator?
    let reopened: FrameHandoff<ControlledFrame>?
    var told = false
    /// Decodes JPEG and PNG frames, one decompressor for the whole stream.
    let decoder = FrameDecoder()

    public mutating func next() async throws -> ControlledFrame? {
      if let reopened {
        guard told else {
          told = true
          return .note("this server has no Play: seeking reopens the stream, slower")
        }
        return try await reopened.next()
      }
      guard var events else { return nil }
      defer { self.events = events }
      switch try await events.next() {
      case .frame(let frame, let command)?:
        // The player keeps the frame on screen while it drops the stale ones after a seek.
        return .frame(try frame.ownFrame(decoder: decoder), command: command)
      case .refused(let command, _, let message)?: return .refused(command: command, message: message)
      case nil: return nil
      }
    }
  }
}
