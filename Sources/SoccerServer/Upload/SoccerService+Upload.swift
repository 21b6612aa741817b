import Foundation
import GRPCCore
import SoccerProtocol
import SoccerWire
import Synchronization
import VideoDecoding
import VideoFrames

extension SoccerService {
  /// Upload with the request's metadata, whose `grpc-timeout` tells a passed deadline from a cancel.
  public func upload(
    request: StreamingServerRequest<Stream_UploadChunk>, context: ServerContext
  ) async throws -> ServerResponse<Stream_MatchInfo> {
    let facts = RequestFacts(request.metadata)
    return ServerResponse(message: try await upload(chunks: request.messages, context: context, facts: facts))
  }

  public func upload(
    request: RPCAsyncSequence<Stream_UploadChunk, any Error>, context: ServerContext
  ) async throws -> Stream_MatchInfo {
    try await upload(chunks: request, context: context, facts: RequestFacts())
  }

  private func upload(
    chunks: RPCAsyncSequence<Stream_UploadChunk, any Error>, context: ServerContext, facts: RequestFacts
  ) async throws -> Stream_MatchInfo {
    let activity = UploadActivity()
    var published = Stream_MatchInfo()
    try await logged(rpc: "Upload", subject: { activity.subject }, context: context, facts: facts) {
      progress in
      defer { progress.bytes = activity.bytes }
      guard let folder = library.folder else { throw UploadError.remoteStore(library.root) }
      guard let policy = uploads else { throw UploadError.notEnabled }
      published = try await withThrowingTaskGroup(of: Stream_MatchInfo?.self) { group in
        group.addTask {
          try await receive(chunks, into: folder, policy: policy, activity: activity)
        }
        // A client that goes quiet mid-upload would hold its slot and its reserved disk for ever.
        group.addTask { [stallTimeout] in
          while true {
            let quiet = activity.quietSince.duration(to: .now)
            if quiet >= stallTimeout { throw UploadError.stalled(stallTimeout) }
            try await Task.sleep(for: stallTimeout - quiet)
          }
        }
        defer { group.cancelAll() }
        while let result = try await group.next() {
          if let result { return result }
        }
        throw CancellationError()
      }
    }
    return published
  }

  /// Reads the start, stages the file chunk by chunk, checks it and publishes it.
  private func receive(
    _ chunks: RPCAsyncSequence<Stream_UploadChunk, any Error>, into folder: String, policy: UploadPolicy,
    activity: UploadActivity
  ) async throws -> Stream_MatchInfo {
    var iterator = chunks.makeAsyncIterator()
    guard let first = try await iterator.next() else { throw UploadError.invalid("the upload sent no start") }
    guard case .start(let start) = first.part else {
      throw UploadError.invalid("the first UploadChunk must be a start naming the match")
    }
    activity.started(start)
    try MatchLibrary.validate(start.id)
    guard start.size > 0 else { throw UploadError.invalid("the start must give the file's size, more than 0 bytes") }
    guard let size = Int(exactly: start.size), size <= policy.maxBytes else {
      throw UploadError.tooLarge(size: Int(clamping: start.size), limit: policy.maxBytes)
    }
    guard start.sha256.count == 32 else {
      throw UploadError.invalid("the start must give the file's SHA-256, 32 bytes (not \(start.sha256.count))")
    }
    try acquireStream()
    defer { releaseStream() }
    let staged = try await offCooperativePool {
      try StagedUpload.begin(folder: folder, id: start.id, size: size, replace: start.replace)
    }
    do {
      while let chunk = try await iterator.next() {
        activity.heard()
        switch chunk.part {
        case .data(let bytes):
          guard bytes.count <= UploadPolicy.maxChunkBytes else { throw UploadError.chunkTooLarge(bytes.count) }
          try await activity.working { try await offCooperativePool { try staged.append(bytes) } }
          activity.received(bytes.count)
        case .start: throw UploadError.invalid("an upload has one start, in its first message")
        case nil: continue
        }
      }
      // Flushing a large file and decoding its first frame take a while; the client waits meanwhile.
      let info = try await activity.working {
        let digest = Array(start.sha256)
        try await offCooperativePool { try staged.complete(sha256: digest) }
        let admission = frameAdmission()
        let info = try await offCooperativePool {
          do {
            return try VideoDecoder.checkPlayable(path: staged.stagingPath) { try admission.admit($0) }
          } catch let error as DecodeError {
            throw UploadError.unplayable(error.description)
          }
        }
        try await offCooperativePool { try staged.publish(id: start.id, replace: start.replace) }
        return info
      }
      return Stream_MatchInfo(id: start.id, info)
    } catch {
      _ = try? await offCooperativePool { staged.discard() }
      throw error
    }
  }
}

/// What one upload has done so far: its start, bytes, and when the client was last heard.
final class UploadActivity: Sendable {
  private struct State {
    var start: Stream_UploadStart?
    var bytes = 0
    var heard = ContinuousClock.now
    var working = false
  }
  private let state = Mutex(State())

  func started(_ start: Stream_UploadStart) {
    state.withLock {
      $0.start = start
      $0.heard = .now
    }
  }

  func heard() { state.withLock { $0.heard = .now } }

  /// Runs the server's own work on the upload, which no client silence during it can stall.
  func working<T>(_ work: () async throws -> T) async throws -> T {
    state.withLock { $0.working = true }
    defer {
      state.withLock {
        $0.working = false
        $0.heard = .now
      }
    }
    return try await work()
  }

  func received(_ count: Int) { state.withLock { $0.bytes += count } }

  var bytes: Int { state.withLock { $0.bytes } }

  /// Since when the client has sent nothing while the server waited on it.
  var quietSince: ContinuousClock.Instant { state.withLock { $0.working ? .now : $0.heard } }

  /// The id and options, for the log line: "replace,size:1048576", or "-" before the start.
  var subject: (id: String, options: String) {
    state.withLock { state in
      guard let start = state.start else { return ("", "-") }
      return (start.id, (start.replace ? "replace," : "") + "size:\(start.size)")
    }
  }
}
