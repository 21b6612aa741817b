import CFFmpeg
import Testing

@testable import VideoDecoding

@Suite struct MediaLocationTests {
  @Test func urlsAreRemoteAndNamedByTheirOrigin() {
    let location = MediaLocation(path: "http://store.local:8080/media/final.mp4")
    #expect(location.isRemote)
    #expect(location.origin == "http://store.local:8080")
    #expect(MediaLocation(path: "https://s/x.mp4").isRemote)
    #expect(!MediaLocation(path: "/srv/media/final.mp4").isRemote)
    #expect(!MediaLocation(path: "file:///etc/passwd").isRemote)
  }

  @Test func aFailedOpenSaysWhetherTheOriginLacksTheFileOrCannotBeReached() {
    let location = MediaLocation(path: "http://o:1/m/x.mp4")
    #expect(location.openError(soccer_averror_http_not_found()) == .originNotFound("http://o:1/m/x.mp4"))
    guard case .originUnavailable(let origin, _) = location.openError(soccer_averror_http_server_error()) else {
      Issue.record("a 5xx is not UNAVAILABLE")
      return
    }
    #expect(origin == "http://o:1")
    guard case .notMedia = MediaLocation(path: "/x.mp4").openError(soccer_averror_http_not_found()) else {
      Issue.record("a local file's open error is not notMedia")
      return
    }
  }
}
