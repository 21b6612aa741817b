import Foundation
import FrameCodecs
import GRPCCore
import GRPCInProcessTransport
import SoccerProtocol
import TestSupport
import Testing
import VideoFrames

@testable import SoccerServer

/// The service's RPCs over an in-process transport: no sockets, the real decoder and library.
@Suite struct SoccerServiceTests {
  private func withService<T: Sendable>(
    maxStreams: Int = 4, _ body: @Sendable (Stream_Soccer.Client<InProcessTransport.Client>) async throws -> T
  ) async throws -> T {
    let service = SoccerService(library: try MatchLibrary(root: Repository.mediaFolder), maxStreams: maxStreams)
    let inProcess = InProcessTransport()
    return try await withGRPCServer(transport: inProcess.server, services: [service]) { _ in
      try await withGRPCClient(transport: inProcess.client) { client in
        try await body(Stream_Soccer.Client(wrapping: client))
      }
    }
  }

  /// Every message of a Watch of the sample with `options` set.
  private func watch(_ options: @escaping @Sendable (inout Stream_Match) -> Void) async throws -> [Stream_Video] {
    var match = Stream_Match.with { $0.id = "sample" }
    options(&match)
    return try await withService { [match] soccer in
      try await soccer.watch(match) { response in
        var all: [Stream_Video] = []
        for try await video in response.messages { all.append(video) }
        return all
      }
    }
  }

  @Test func watchStreamsTheFramesAskedFor() async throws {
    let videos = try await watch {
      $0.maxFrames = 3
      $0.stride = 2
      $0.pixelFormat = .gray8
      $0.maxWidth = 64
    }
    #expect(videos.map(\.frameIndex) == [0, 2, 4])
    #expect(videos.allSatisfy { $0.dataType == "uint8" && $0.dataShape == "(36, 64)" && $0.data.count == 64 * 36 })
    #expect(videos.allSatisfy { $0.pixelFormat == .gray8 })
    #expect(videos.map(\.ptsSeconds) == [0, 0.08, 0.16])
  }

  @Test func describeAndListAnswerFromTheLibrary() async throws {
    let (info, list) = try await withService { soccer in
      (try await soccer.describe(.with { $0.id = "sample" }), try await soccer.list(Stream_ListRequest()))
    }
    #expect(info.id == "sample" && info.width == 640 && info.height == 360 && info.frameCount == 100)
    #expect(list.ids.contains("sample"))
  }

  @Test(arguments: [
    ("missing", RPCError.Code.notFound), ("../etc/passwd", .invalidArgument),
  ])
  func badIDsGetTheirStatus(id: String, code: RPCError.Code) async throws {
    let error = try await withService { soccer in
      do {
        _ = try await soccer.describe(.with { $0.id = id })
        return nil as RPCError?
      } catch let error as RPCError {
        return error
      }
    }
    #expect(error?.code == code)
  }

  @Test func aStartFrameIsTheFirstFrameSent() async throws {
    let indices = try await watch {
      $0.startFrame = 42
      $0.maxFrames = 2
      $0.maxWidth = 32
    }.map(\.frameIndex)
    #expect(indices == [42, 43])
  }

  @Test(arguments: [
    (
      Stream_Match.with {
        $0.id = "sample"
        $0.startFrame = 5
        $0.startSeconds = 1
      }, RPCError.Code.invalidArgument
    ),
    (
      Stream_Match.with {
        $0.id = "sample"
        $0.startFrame = 100
      }, .outOfRange
    ),
  ])
  func badStartFramesGetTheirStatus(match: Stream_Match, code: RPCError.Code) async throws {
    let status = try await withService { soccer in
      do {
        try await soccer.watch(match) { response in for try await _ in response.messages {} }
        return nil as RPCError.Code?
      } catch let error as RPCError {
        return error.code
      }
    }
    #expect(status == code)
  }

  @Test func anUnknownPixelFormatIsInvalid() async throws {
    let code = try await withService { soccer in
      do {
        try await soccer.watch(
          .with {
            $0.id = "sample"
            $0.pixelFormat = .UNRECOGNIZED(9)
          }
        ) { response in for try await _ in response.messages {} }
        return nil as RPCError.Code?
      } catch let error as RPCError {
        return error.code
      }
    }
    #expect(code == .invalidArgument)
  }

  @Test func aStreamAloneGetsEveryCoreAndAThreadMore() {
    #expect(SoccerService.decoderThreads(openDecoders: 0, cores: 2) == 3)
    #expect(SoccerService.decoderThreads(openDecoders: 0, cores: 8) == 9)
    #expect(SoccerService.decoderThreads(openDecoders: 0, cores: 1) == 1)
  }

  @Test func coresAreSharedAmongStreams() {
    #expect(SoccerService.decoderThreads(openDecoders: 3, cores: 8) == 2)
    #expect(SoccerService.decoderThreads(openDecoders: 1, cores: 2) == 1)
    #expect(SoccerService.decoderThreads(openDecoders: 31, cores: 2) == 1)
  }

  @Test func pngFramesAreTheRawFramesAndSayTheirEncoding() async throws {
    let raw = try await watch {
      $0.maxFrames = 2
      $0.maxWidth = 160
      $0.pixelFormat = .rgb24
    }
    let png = try await watch {
      $0.maxFrames = 2
      $0.maxWidth = 160
      $0.pixelFormat = .rgb24
      $0.encoding = .png
    }
    #expect(raw.allSatisfy { $0.encoding == .raw } && png.allSatisfy { $0.encoding == .png })
    #expect(png.map(\.dataShape) == raw.map(\.dataShape) && png.map(\.frameIndex) == [0, 1])
    let decoder = FrameDecoder()
    for (encoded, plain) in zip(png, raw) {
      var frame = Frame(pixels: encoded.data, width: 160, height: 90, format: .rgb24, index: 0, ptsSeconds: 0)
      frame.encoding = .png
      #expect(try decoder.decode(frame).pixels == plain.data)
    }
  }

  @Test func aJPEGsQualityChangesItsBytes() async throws {
    let sizes = try await [40, 95].asyncMap { quality in
      try await watch {
        $0.maxFrames = 1
        $0.encoding = .jpeg
        $0.jpegQuality = UInt32(quality)
      }[0].data.count
    }
    #expect(sizes[0] < sizes[1] && sizes[1] < 640 * 360 * 3 / 4)
  }

  @Test(arguments: [
    (Stream_FrameEncoding.jpeg, UInt32(101), "jpeg_quality must be 1 to 100"),
    (.png, 50, "jpeg_quality goes only with the JPEG encoding"),
    (.raw, 50, "jpeg_quality goes only with the JPEG encoding"),
    (.UNRECOGNIZED(7), 0, "unknown encoding 7"),
  ])
  func badEncodingsAreInvalidArguments(encoding: Stream_FrameEncoding, quality: UInt32, words: String) async throws {
    await #expect {
      _ = try await watch {
        $0.encoding = encoding
        $0.jpegQuality = quality
      }
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .invalidArgument && error.message.contains(words)
    }
  }
}

extension Array {
  fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
    var results: [T] = []
    for element in self { results.append(try await transform(element)) }
    return results
  }
}
