import Foundation
import Synchronization
import TerminalGraphics
import TerminalIO
import TerminalPlayback
import Testing
import VideoFrames

/// A match of `count` solid-colour frames at 25 frames a second, made in memory.
private final class MemorySource: FrameSource {
  let count: Int
  let width = 64
  let height = 36
  /// The requests the player made, in order.
  let requests = Mutex<[FrameRequest]>([])

  init(count: Int) {
    self.count = count
  }

  func describe() async throws -> MediaInfo {
    MediaInfo(width: width, height: height, frameRate: 25, durationSeconds: Double(count) / 25, frameCount: count)
  }

  func frames<Result: Sendable>(
    _ request: FrameRequest, _ body: @escaping @Sendable (AsyncThrowingStream<Frame, any Error>) async throws -> Result
  ) async throws -> Result {
    requests.withLock { $0.append(request) }
    let first = Int((request.startSeconds * 25).rounded(.up))
    guard first < count else { throw PastTheEnd() }
    let last = request.maxFrames > 0 ? min(count, first + request.maxFrames) : count
    let (width, height) = (width, height)
    let stream = AsyncThrowingStream<Frame, any Error> { continuation in
      for index in first..<last {
        let shade = UInt8(index * 255 / max(1, count - 1))
        continuation.yield(
          Frame(
            pixels: Data(repeating: shade, count: width * height * 3), width: width, height: height, format: .rgb24,
            index: index, ptsSeconds: Double(index) / 25))
      }
      continuation.finish()
    }
    return try await body(stream)
  }
}

/// A terminal session writing into a pipe that a thread drains, so writes never block.
private func pipeSession() throws -> (TerminalSession, drained: () -> Data) {
  var fds: [Int32] = [0, 0]
  guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
  let reader = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
  let collected = Mutex(Data())
  let done = DispatchSemaphore(value: 0)
  Thread.detachNewThread {
    while true {
      let chunk = reader.availableData
      if chunk.isEmpty { break }
      collected.withLock { $0.append(chunk) }
    }
    done.signal()
  }
  let session = TerminalSession(input: -1, output: fds[1])
  return (
    session,
    {
      close(fds[1])
      done.wait()
      return collected.withLock { $0 }
    }
  )
}

@Suite struct TerminalPlayerTests {
  private func settings(size: CellGrid = CellGrid(columns: 40, rows: 12)) -> WatchSettings {
    var settings = WatchSettings(id: "memory")
    settings.mode = .blocks
    settings.colors = .truecolor
    settings.size = size
    settings.speed = 100
    return settings
  }

  @Test func playsEveryFrameOfTheSourceAndDrawsIt() async throws {
    let source = MemorySource(count: 20)
    let (session, drained) = try pipeSession()
    let player = TerminalPlayer(settings: settings(), session: session, environment: [:])
    let summary = try await player.play(from: source, replies: TerminalReplies())
    let output = drained()
    #expect(summary.received == 20)
    #expect(summary.shown + summary.skipped == 20)
    #expect(summary.shown > 0)
    #expect(summary.bytes == 20 * 64 * 36 * 3)
    #expect(!summary.quit)
    // One stream from the start, no bigger than the 40×11 cells left under the status line can show.
    let requests = source.requests.withLock { $0 }
    #expect(requests.count == 1)
    #expect(requests.first?.startSeconds == 0)
    #expect((requests.first?.maxWidth ?? 0) > 0 && (requests.first?.maxWidth ?? 0) <= 40 * 2)
    // The status line counts against the source's frame total.
    #expect(String(decoding: output, as: UTF8.self).contains("/20"))
  }

  @Test func loopingPlaysTheSourceAgain() async throws {
    let source = MemorySource(count: 5)
    var settings = settings()
    settings.loop = true
    let (session, drained) = try pipeSession()
    let player = TerminalPlayer(settings: settings, session: session, environment: [:])
    // A looping player ends only when the person quits; the test stops it after three passes.
    let task = Task { try await player.play(from: source, replies: TerminalReplies()) }
    while source.requests.withLock({ $0.count }) < 3 { try await Task.sleep(for: .milliseconds(5)) }
    task.cancel()
    _ = try? await task.value
    _ = drained()
    #expect(source.requests.withLock { $0.allSatisfy { $0.startSeconds == 0 } })
  }

  @Test func oneFrameIsDrawnForOnce() async throws {
    let source = MemorySource(count: 10)
    let (session, drained) = try pipeSession()
    let player = TerminalPlayer(settings: settings(), session: session, environment: [:])
    let picture = try await player.renderOnce(from: source, replies: nil)
    _ = drained()
    #expect(source.requests.withLock { $0.map(\.maxFrames) } == [1])
    #expect(picture.last == 0x0A)
    #expect(picture.count > 40)
  }
}
