import ContentDigest
import Foundation

/// The web viewer's files: the list of matches (`/`), the player (`/watch/{id}`), and their
/// script and style sheet. They are built into the binary, so a page needs nothing from
/// elsewhere and works offline.
enum WebPage: String, Equatable, CaseIterable {
  case list, watch, script, style

  /// The page at a path's segments (after the first "/"), or nil.
  init?(path parts: [String]) {
    switch parts {
    case [""]: self = .list
    case let parts where parts.count == 2 && parts[0] == "watch" && !parts[1].isEmpty: self = .watch
    case ["static", "viewer.js"]: self = .script
    case ["static", "viewer.css"]: self = .style
    default: return nil
    }
  }

  var contentType: String {
    switch self {
    case .list, .watch: return "text/html; charset=utf-8"
    case .script: return "text/javascript; charset=utf-8"
    case .style: return "text/css; charset=utf-8"
    }
  }

  var bytes: [UInt8] {
    switch self {
    case .list: return PackageResources.list_html
    case .watch: return PackageResources.watch_html
    case .script: return PackageResources.viewer_js
    case .style: return PackageResources.viewer_css
    }
  }
}

extension WebAPI {
  /// A viewer file. Its ETag is its content's, so a browser asks again each time (`no-cache`)
  /// and gets 304 until the server is upgraded. The content security policy keeps the page to
  /// its own server: nothing is loaded from elsewhere.
  static func answer(_ page: WebPage, request: WebRequest) -> WebResponse {
    let etag = "\"\(SHA256.digest(page.bytes).prefix(16).hexText)\""
    var headers = [
      ("Content-Type", page.contentType), ("Cache-Control", "no-cache"), ("ETag", etag),
      ("X-Content-Type-Options", "nosniff"),
      (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; frame-ancestors 'none'"
      ),
    ]
    if request.ifNoneMatch.map({ matches(etag, $0) }) == true {
      headers.removeAll { $0.0 == "Content-Type" }
      return WebResponse(status: 304, headers: headers)
    }
    return WebResponse(status: 200, headers: headers, body: Data(page.bytes))
  }
}
