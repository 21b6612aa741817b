import Foundation
import SoccerProtocol
import Testing

@testable import SoccerServer

@Suite struct WebRouteTests {
  @Test func theAPIsPathsNameItsRoutes() throws {
    #expect(try WebRoute(method: "GET", uri: "/v1/matches") == .list)
    #expect(try WebRoute(method: "GET", uri: "/v1/health") == .health)
    #expect(try WebRoute(method: "HEAD", uri: "/v1/matches/sample") == .describe(id: "sample"))
    #expect(try WebRoute(method: "GET", uri: "/v1/matches/a%2Db") == .describe(id: "a-b"))
    guard
      case .frame(let id, let frame) = try WebRoute(method: "GET", uri: "/v1/matches/m1/frames/48213.jpg?quality=70")
    else {
      Issue.record("not a frame")
      return
    }
    #expect(id == "m1")
    #expect(frame.index == 48213 && frame.file == .jpg && frame.quality == 70)
  }

  @Test func theViewersPathsNameItsPages() throws {
    #expect(try WebRoute(method: "GET", uri: "/") == .page(.list))
    #expect(try WebRoute(method: "GET", uri: "/watch/sample?frame=12") == .page(.watch))
    #expect(try WebRoute(method: "HEAD", uri: "/static/viewer.js") == .page(.script))
    #expect(try WebRoute(method: "GET", uri: "/static/viewer.css") == .page(.style))
    for page in WebPage.allCases { #expect(!page.bytes.isEmpty) }
  }

  @Test func aFrameStreamsOptionsBecomeItsWatchRequest() throws {
    guard
      case .frames(let id, let frames) = try WebRoute(
        method: "GET", uri: "/v1/matches/m1/frames.mjpeg?start=250&count=10&stride=2&width=640&quality=70&pace=1.5")
    else {
      Issue.record("not a frame stream")
      return
    }
    let match = frames.match(id: id)
    #expect(match.id == "m1" && match.startFrame == 250 && match.maxFrames == 10 && match.stride == 2)
    #expect(match.maxWidth == 640 && match.jpegQuality == 70 && match.encoding == .jpeg)
    #expect(frames.pace == 1.5 && !match.realTime)
    // Without options: every frame from the first, as fast as the client reads.
    let plain = try FrameStreamRequest(query: []).match(id: "m")
    #expect(plain.startFrame == 0 && plain.maxFrames == 0 && plain.stride == 1)
    #expect(try FrameStreamRequest(query: []).pace == nil)
  }

  @Test func aFrameStreamsPartsCarryTheFramesPositionAndTime() {
    let part = String(
      decoding: FrameStreamRequest.part(jpeg: Data([1, 2, 3]), frame: 48213, seconds: 1928.52), as: UTF8.self)
    #expect(part.hasPrefix("--soccerframe\r\nContent-Type: image/jpeg\r\nContent-Length: 3\r\n"))
    #expect(part.contains("Soccer-Frame: 48213\r\nSoccer-Time: 1928.520000\r\n\r\n"))
    #expect(part.hasSuffix("\r\n"))
  }

  @Test func aFramesOptionsBecomeItsWatchRequest() throws {
    let frame = try FrameRequest(file: "7.png", query: [("width", "320"), ("height", "200"), ("format", "gray")])
    let match = frame.match(id: "m")
    #expect(match.frameIndices == [7])
    #expect(match.maxWidth == 320 && match.maxHeight == 200)
    #expect(match.pixelFormat == .gray8 && match.encoding == .png)
    let ppm = try FrameRequest(file: "0.ppm", query: [])
    #expect(ppm.match(id: "m").encoding == .raw && ppm.match(id: "m").pixelFormat == .rgb24)
    // The same options in another order make the same file.
    let swapped = try FrameRequest(file: "7.png", query: [("format", "gray"), ("height", "200"), ("width", "320")])
    #expect(swapped.variant == frame.variant)
    #expect(try FrameRequest(file: "7.png", query: []).variant != frame.variant)
  }

  @Test(arguments: [
    ("/v1/matches/m/frames/-1.png", 400), ("/v1/matches/m/frames/1x.png", 400), ("/v1/matches/m/frames/1.gif", 404),
    ("/v1/matches/m/frames/1", 404), ("/v1/matches/m/frames/1.png?width=0", 400),
    ("/v1/matches/m/frames/1.png?width=99999", 400), ("/v1/matches/m/frames/1.png?quality=50", 400),
    ("/v1/matches/m/frames/1.jpg?quality=101", 400), ("/v1/matches/m/frames/1.png?format=yuv", 400),
    ("/v1/matches/m/frames/1.ppm?format=bgr", 400), ("/v1/matches/m/frames/1.png?colour=red", 400),
    ("/v1/matches/m/frames/1.png?width=1&width=2", 400), ("/v1/matches?limit=1", 400), ("/v2/matches", 404),
    ("/index.html", 404), ("/watch/", 404), ("/static/other.js", 404), ("/v1/matches/m/extra", 404),
    ("/v1/matches/m/frames.mjpeg?start=-1", 400), ("/v1/matches/m/frames.mjpeg?count=0", 400),
    ("/v1/matches/m/frames.mjpeg?format=bgr", 400), ("/v1/matches/m/frames.mjpeg?pace=0", 400),
    ("/v1/matches/m/frames.mjpeg?pace=nan", 400), ("/v1/matches/m/frames.mjpeg?pace=17", 400),
    ("/v1/matches/m/frames.mjpeg?stride=0", 400), ("/v1/matches/m/frames.mjpeg?start=1&start=2", 400),
    ("/v1/matches/m/frames.mjpeg?speed=2", 400), ("/v1/matches/m/frames.mjpg", 404),
    ("/v1/matches/m/frames/99999999999999999999.png", 400),
  ])
  func badURLsAreRefusedWithTheirStatus(uri: String, status: Int) {
    #expect(throws: WebError.self) { try WebRoute(method: "GET", uri: uri) }
    do {
      _ = try WebRoute(method: "GET", uri: uri)
    } catch {
      #expect(error.status == status, "\(uri): \(error.message)")
      #expect(!error.message.isEmpty)
    }
  }

  @Test func onlyGETAndHEADAreServed() {
    do {
      _ = try WebRoute(method: "POST", uri: "/v1/matches")
      Issue.record("POST was served")
    } catch {
      #expect(error.status == 405)
    }
  }

  @Test func ifNoneMatchNamesAnETagInAListOrAll() {
    #expect(WebAPI.matches("\"a\"", "\"a\""))
    #expect(WebAPI.matches("\"a\"", "\"b\", W/\"a\""))
    #expect(WebAPI.matches("\"a\"", "*"))
    #expect(!WebAPI.matches("\"a\"", "\"b\""))
  }
}
