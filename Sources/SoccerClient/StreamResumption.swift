import GRPCCore
import Synchronization

/// How a broken stream goes on: how many times to re-issue it, and who hears of each break.
public struct Resumption: Sendable {
  /// Re-issues allowed per stream; 0 gives up at the first break.
  public var retries: Int
  /// Told of each break just before the stream is re-issued.
  public var onBreak: @Sendable (StreamBreak) -> Void

  public init(retries: Int, onBreak: @escaping @Sendable (StreamBreak) -> Void = { _ in }) {
    self.retries = retries
    self.onBreak = onBreak
  }

  /// A moment for a balancer to see a server gone before retry `retry` (from 1): 0.1 s, 0.2 s,
  /// 0.4 s, … at most 2 s.
  static func delay(beforeRetry retry: Int) -> Duration {
    .milliseconds(min(2000, 100 << min(max(0, retry - 1), 5)))
  }
}

/// A stream that broke after frames, and the frame it goes on from.
public struct StreamBreak: Sendable, CustomStringConvertible {
  public var id: String
  /// The index (from 0) of the last frame received before the break.
  public var lastFrame: Int
  /// The index the re-issued stream starts at.
  public var resumeFrame: Int
  /// Which retry this is, from 1, and how many are allowed.
  public var retry: Int
  public var retries: Int
  public var error: ClientError

  public var description: String {
    "the stream of \"\(id)\" broke after frame \(lastFrame) (\(error.reason)); resuming at frame \(resumeFrame), "
      + "retry \(retry) of \(retries)"
  }
}

/// The frames a resuming watch has handed out so far, across its streams.
final class WatchProgress: Sendable {
  private let state = Mutex<(count: Int, last: Int?)>((0, nil))

  func handedOut(_ index: Int) {
    state.withLock {
      $0.count += 1
      $0.last = index
    }
  }

  var snapshot: (count: Int, last: Int?) { state.withLock { $0 } }
}

/// How one stream of a resuming watch ended.
private enum Attempt<State: Sendable>: Sendable {
  case finished(State)
  case broken(State, ClientError)
}

extension SoccerClient {
  /// Streams a match like `watch`, and when the stream breaks after frames (the server died or
  /// drained, the connection was lost, a proxy reset the stream) re-issues it from the frame
  /// after the last one received, up to `resumption.retries` times: `body` sees every frame
  /// exactly once, over as many streams as it took.
  ///
  /// `body` runs once per stream, with `state` as the last stream left it, even when it broke.
  /// Chosen frames past what one request carries (`WatchRequest.maxFrameIndices`) come in
  /// consecutive streams, as if resumed.
  public func watch<State: Sendable>(
    _ request: WatchRequest, resuming resumption: Resumption, state initial: State,
    _ body: @escaping @Sendable (inout State, WatchFrames) async throws -> Void
  ) async throws(ClientError) -> State {
    let progress = WatchProgress()
    var state = initial
    var request = request
    let wanted = request.maxFrames
    let chosen = request.frameIndices
    // More chosen frames than one request may carry go in consecutive requests.
    request.frameIndices = Array(chosen.prefix(WatchRequest.maxFrameIndices))
    var chosenEnd = request.frameIndices.count
    var floor: Int?
    var retry = 0
    var startFailures: [ClientError] = []
    /// How many frames had been handed out at the last break reported.
    var reported: Int?
    var breakage: (cause: ClientError, resuming: ClientError?)?
    while true {
      let before = state
      let attempt: Attempt<State>
      do {
        attempt = try await watch(request, after: floor, progress: progress) { frames in
          var state = before
          do {
            try await body(&state, frames)
            return Attempt.finished(state)
          } catch {
            return Attempt.broken(state, ClientError.from(error, server: configuration.server))
          }
        }
      } catch {
        attempt = .broken(state, ClientError.from(error, server: configuration.server))
      }
      let error: ClientError
      switch attempt {
      case .finished(let last):
        let count = progress.snapshot.count
        guard count == chosenEnd, count < chosen.count else { return last }
        state = last
        request.frameIndices = Array(chosen.dropFirst(count).prefix(WatchRequest.maxFrameIndices))
        chosenEnd = count + request.frameIndices.count
        continue
      case .broken(let last, let failure):
        state = last
        error = failure
      }
      let (count, lastFrame) = progress.snapshot
      // A server that takes no shared memory: the same stream again, through the socket.
      if count == 0, error.refusesSharedMemory, !configuration.sharedMemoryRefused.isSet {
        configuration.sharedMemoryRefused.set()
        continue
      }
      // After a break just past the last frame, the re-issued stream starts past the end.
      if floor != nil && error.code == .outOfRange { return state }
      guard let lastFrame, error.breaksStream else {
        // No frame yet: a server that just died or drained, where another may answer. Tried
        // again quietly; when every try fails, the first failure says what went wrong.
        if error.breaksStream, startFailures.count < resumption.retries, !Task.isCancelled {
          startFailures.append(error)
          try? await Task.sleep(for: .milliseconds(100 << min(startFailures.count - 1, 4)))
          continue
        }
        throw startFailures.first ?? error
      }
      // What broke the stream where it last broke, and why resuming it then failed.
      if reported != count {
        breakage = (error, nil)
      } else if breakage?.resuming == nil {
        breakage?.resuming = error
      }
      guard retry < resumption.retries, !Task.isCancelled else {
        let cause = breakage?.cause ?? error
        let then = breakage?.resuming.map { "; resuming it failed: \($0.reason)" } ?? ""
        throw .streamBroke(id: request.id, afterFrame: lastFrame, reason: cause.reason + then)
      }
      retry += 1
      // Chosen frames go on with the ones not yet received, in the order asked; a range from
      // the frame after the last one received.
      let rest = Array(chosen.dropFirst(count))
      let next = chosen.isEmpty ? lastFrame + max(1, request.stride) : rest.first
      guard let next else { return state }
      if wanted > 0 {
        guard wanted > count else { return state }
        request.maxFrames = wanted - count
      }
      // One line per place it broke: a re-issued stream that fails before its first frame is not news.
      if reported != count {
        reported = count
        resumption.onBreak(
          StreamBreak(
            id: request.id, lastFrame: lastFrame, resumeFrame: next, retry: retry, retries: resumption.retries,
            error: error))
      }
      if chosen.isEmpty {
        request.startSeconds = 0
        request.startFrame = next
        floor = next
      } else {
        request.frameIndices = Array(rest.prefix(WatchRequest.maxFrameIndices))
        chosenEnd = count + request.frameIndices.count
      }
      try? await Task.sleep(for: Resumption.delay(beforeRetry: retry))
    }
  }
}
