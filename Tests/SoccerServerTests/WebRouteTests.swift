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
    ("/", 404), ("/v1/matches/m/extra", 404), ("/v1/matches/m/frames/99999999999999999999.png", 400),
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
