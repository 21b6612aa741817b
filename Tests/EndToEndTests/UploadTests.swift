import ContentDigest
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SoccerClient
import SoccerProtocol
import SoccerServer
import Synchronization
import TestSupport
import Testing
import VideoFrames

/// Upload against a real loopback server writing to a folder of its own.
@Suite struct UploadTests {
  @Test func anUploadedMatchStreamsTheFilesFrames() async throws {
    let folder = try uploadFolder()
    try await withUploadServer(folder) { server, client in
      let info = try await upload(Repository.sample, as: "fresh", client)
      #expect(info.width == 640 && info.height == 360 && info.frameCount == 100 && info.codec == "h264")
      #expect(try folderContents(folder) == ["fresh.mp4", "sample.mp4"])
      #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/fresh.mp4")) == sampleBytes)
      let listed = try await SoccerClient.with(client) { try await $0.list() }
      #expect(listed == ["fresh", "sample"])
      // Every frame of the upload is the frame of the file it came from.
      let uploaded = try await frames(WatchRequest(id: "fresh"), client)
      let original = try await frames(WatchRequest(id: "sample"), client)
      #expect(uploaded.count == 100)
      #expect(uploaded.map(\.pixels) == original.map(\.pixels))
      #expect(server.activeStreams == 0)
      #expect(series(server)["soccer_streams_total{method=\"Upload\",code=\"OK\"}"] == 1)
    }
  }

  @Test func everyFailureGetsItsStatusAndLeavesTheFolderAsItWas() async throws {
    let folder = try uploadFolder()
    let random = try TestMedia.file("upload-random", contents: randomBytes(40_000))
    let audio = try TestMedia.audioOnly(in: try makeTemporaryFolder("soccer-audio"))
    try await withUploadServer(folder, configure: { $0.uploads?.maxBytes = 1_000_000 }) { server, client in
      let before = try folderContents(folder)
      let digest = SHA256.digest(sampleBytes)
      let cases: [(String, RPCError.Code, [Stream_UploadChunk])] = [
        ("bad id", .invalidArgument, start(id: "../x", digest: digest) + chunks(sampleBytes)),
        ("empty id", .invalidArgument, start(id: "", digest: digest) + chunks(sampleBytes)),
        ("exists", .alreadyExists, start(id: "sample", digest: digest) + chunks(sampleBytes)),
        ("too large", .resourceExhausted, start(id: "big", size: 2_000_000, digest: digest)),
        ("no start", .invalidArgument, chunks(sampleBytes)),
        ("nothing", .invalidArgument, []),
        ("two starts", .invalidArgument, start(id: "two", digest: digest) + start(id: "two", digest: digest)),
        ("no size", .invalidArgument, start(id: "nosize", size: 0, digest: digest)),
        ("short digest", .invalidArgument, start(id: "short", digest: Array(digest.prefix(16))) + chunks(sampleBytes)),
        ("fewer bytes", .dataLoss, start(id: "fewer", digest: digest) + chunks(sampleBytes.dropLast(1000))),
        ("more bytes", .dataLoss, start(id: "more", digest: digest) + chunks(sampleBytes + Data([1, 2, 3]))),
        ("checksum", .dataLoss, start(id: "sum", digest: SHA256.digest(Data("x".utf8))) + chunks(sampleBytes)),
        ("flipped byte", .dataLoss, start(id: "flip", digest: digest) + chunks(flipped(sampleBytes, at: 200_000))),
        ("random bytes", .failedPrecondition, whole(try bytes(of: random), id: "random")),
        ("audio only", .failedPrecondition, whole(try bytes(of: audio), id: "audio")),
        ("cut short", .failedPrecondition, whole(sampleBytes.prefix(150_000), id: "cut")),
        (
          "chunk over 1 MiB", .resourceExhausted,
          start(id: "huge", size: 900_000, digest: digest) + [chunk(Data(count: UploadPolicy.maxChunkBytes + 1))]
        ),
      ]
      for (name, code, messages) in cases {
        let error = await rawUploadError(messages, client)
        #expect(error?.code == code, "\(name): \(String(describing: error))")
        let restored = try await waitUntil { (try? folderContents(folder)) == before }
        #expect(restored, "\(name) left \((try? folderContents(folder)) ?? [])")
      }
      #expect(try await waitUntil { server.activeStreams == 0 })
      #expect(series(server)["soccer_streams_total{method=\"Upload\",code=\"DATA_LOSS\"}"] == 4)
    }
  }

  @Test func uploadsAreRefusedUnlessAllowedAndWithAnHTTPStore() async throws {
    let folder = try uploadFolder()
    try await withServer(media: folder) { _, client in
      let error = await rawUploadError(whole(sampleBytes, id: "fresh"), client)
      #expect(error?.code == .permissionDenied)
      #expect(error?.message.contains("--allow-upload") == true)
    }
    try await withServer(media: "http://127.0.0.1:9/media/", configure: { $0.uploads = UploadPolicy() }) { _, client in
      let error = await rawUploadError(whole(sampleBytes, id: "fresh"), client)
      #expect(error?.code == .failedPrecondition)
      #expect(error?.message.contains("HTTP media store") == true)
    }
    #expect(try folderContents(folder) == ["sample.mp4"])
  }

  @Test func aDiskTooSmallIsResourceExhaustedBeforeAnyByteIsWritten() async throws {
    let folder = try uploadFolder()
    try await withUploadServer(folder, configure: { $0.uploads?.maxBytes = Int.max }) { _, client in
      let error = await rawUploadError(start(id: "vast", size: 1 << 55, digest: SHA256.digest(Data())), client)
      #expect(error?.code == .resourceExhausted)
      #expect(error?.message.contains("has room for") == true, "\(String(describing: error))")
      let contents = try folderContents(folder)
      #expect(contents == ["sample.mp4"])
    }
  }

  @Test func theCheckOfAnUploadReservesFrameMemoryAndOneThatDoesNotFitLeavesNothing() async throws {
    let folder = try uploadFolder()
    // Less than the sample's decoded frames take, whatever the check's size.
    try await withUploadServer(folder, configure: { $0.frameMemory = 1 << 20 }) { server, client in
      let error = await clientError { _ = try await upload(Repository.sample, as: "heavy", client) }
      #expect(error?.code == .resourceExhausted)
      #expect(error?.description.contains("--frame-memory") == true, "\(String(describing: error))")
      let contents = try folderContents(folder)
      #expect(contents == ["sample.mp4"])
      #expect(server.frameMemoryReserved == 0)
    }
  }

  @Test func theViewersTokenCannotUploadWhenUploadsHaveTheirOwn() async throws {
    let folder = try uploadFolder()
    try await withUploadServer(
      folder,
      configure: {
        $0.security.token = "viewer"
        $0.uploads?.token = "writer"
      }
    ) { _, client in
      var viewer = client
      viewer.token = "viewer"
      var writer = client
      writer.token = "writer"
      #expect(await rawUploadError(whole(sampleBytes, id: "a"), client)?.code == .unauthenticated)
      #expect(await rawUploadError(whole(sampleBytes, id: "a"), viewer)?.code == .permissionDenied)
      // The upload token is for uploads only.
      #expect(
        await clientError { _ = try await SoccerClient.with(writer) { try await $0.list() } }?.code == .unauthenticated)
      _ = try await upload(Repository.sample, as: "a", writer)
      #expect(try await SoccerClient.with(viewer) { try await $0.list() } == ["a", "sample"])
    }
    // With one token for all, it uploads too.
    try await withUploadServer(try uploadFolder(), configure: { $0.security.token = "only" }) { _, client in
      var holder = client
      holder.token = "only"
      #expect(await rawUploadError(whole(sampleBytes, id: "a"), client)?.code == .unauthenticated)
      _ = try await upload(Repository.sample, as: "a", holder)
    }
  }

  @Test func ofTwoConcurrentUploadsOfOneIDExactlyOneWinsWhole() async throws {
    let folder = try uploadFolder()
    let other = try TestMedia.make("upload-other", ["--size", "320x240", "--seconds", "1"])
    let otherBytes = try bytes(of: other)
    try await withUploadServer(folder) { _, client in
      for round in 0..<20 {
        let outcomes = try await withThrowingTaskGroup(of: RPCError.Code?.self) { group in
          for path in [Repository.sample, other] {
            group.addTask {
              do {
                _ = try await upload(path, as: "race", client)
                return nil
              } catch let error as ClientError {
                return error.code
              }
            }
          }
          return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count == 1, "round \(round): \(outcomes)")
        #expect(
          outcomes.allSatisfy { $0 == nil || $0 == .alreadyExists || $0 == .aborted }, "round \(round): \(outcomes)")
        let published = try bytes(of: folder + "/race.mp4")
        #expect(published == sampleBytes || published == otherBytes)
        #expect(try folderContents(folder) == ["race.mp4", "sample.mp4"])
        try FileManager.default.removeItem(atPath: folder + "/race.mp4")
      }
    }
  }

  @Test func aReplacedMatchKeepsPlayingForStreamsAlreadyOnIt() async throws {
    let folder = try uploadFolder()
    let other = try TestMedia.make("upload-other", ["--size", "320x240", "--seconds", "1"])
    try await withUploadServer(folder) { _, client in
      let firstFrame = AsyncStream<Void>.makeStream()
      async let playing: [ReceivedFrame] = SoccerClient.with(client) { c in
        var request = WatchRequest(id: "sample")
        request.realTime = true
        return try await framesUntilEnd(request, c) { _ in firstFrame.continuation.yield() }.frames
      }
      for await _ in firstFrame.stream { break }
      let replaced = try await upload(other, as: "sample", client, replace: true)
      #expect(replaced.width == 320)
      let old = try await playing
      #expect(old.count == 100)
      #expect(old.allSatisfy { $0.header.width == 640 })
      #expect(try await frames(WatchRequest(id: "sample"), client).first?.header.width == 320)
      #expect(try folderContents(folder) == ["sample.mp4"])
    }
  }

  @Test func aCancelledUploadLeavesNothing() async throws {
    let folder = try uploadFolder()
    try await withUploadServer(folder) { server, client in
      // Part of the file, then the client gives up.
      let sent = Counter()
      let messages = start(id: "gone", digest: SHA256.digest(sampleBytes)) + chunks(sampleBytes.prefix(200_000))
      let task = Task { () async throws -> Void in
        _ = try await rawUpload(messages, client, thenWait: true, sent: sent)
      }
      _ = try await waitUntil { sent.value == messages.count }
      let staged = try await waitUntil { (try? folderContents(folder))?.contains(".upload-gone.part") == true }
      #expect(staged)
      task.cancel()
      _ = await task.result
      try await expectNothingLeft(in: folder, by: server)
    }
  }

  @Test func anUploadPastItsDeadlineLeavesNothing() async throws {
    let folder = try uploadFolder()
    try await withUploadServer(folder) { server, client in
      let messages = start(id: "late", digest: SHA256.digest(sampleBytes)) + chunks(sampleBytes.prefix(100_000))
      let error = await rawUploadError(messages, client, thenWait: true, timeout: .seconds(1))
      #expect(error?.code == .deadlineExceeded)
      try await expectNothingLeft(in: folder, by: server)
    }
  }

  @Test func aQuietUploadIsEndedAfterTheStallTimeout() async throws {
    let folder = try uploadFolder()
    try await withUploadServer(folder, configure: { $0.stallTimeout = .seconds(1) }) { _, client in
      let started = ContinuousClock.now
      let messages = start(id: "quiet", digest: SHA256.digest(sampleBytes)) + chunks(sampleBytes.prefix(100_000))
      // A deadline far past the stall timeout: only the server's stall check ends the call as cancelled.
      let error = await rawUploadError(messages, client, thenWait: true, timeout: .seconds(120))
      let elapsed = started.duration(to: .now)
      #expect(error?.code == .cancelled)
      #expect(error?.message.contains("sent nothing") == true)
      #expect(elapsed >= .seconds(1))
      let contents = try folderContents(folder)
      #expect(contents == ["sample.mp4"])
    }
  }

  @Test func uploadsLeftUnfinishedByAKilledServerAreRemovedAtStart() async throws {
    let folder = try uploadFolder()
    try Data("half".utf8).write(to: URL(fileURLWithPath: folder + "/.upload-lost.part"))
    // One still being written by another server sharing the folder: locked, so kept.
    let live = open(folder + "/.upload-live.part", O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
    #expect(flock(live, LOCK_EX) == 0)
    defer { close(live) }
    try await withUploadServer(folder) { server, client in
      #expect(server.abandonedUploads == [".upload-lost.part"])
      let contents = try folderContents(folder)
      #expect(contents == [".upload-live.part", "sample.mp4"])
      // Its id is busy while that upload lives.
      let error = await rawUploadError(whole(sampleBytes, id: "live"), client)
      #expect(error?.code == .aborted)
    }
  }
}
