import Foundation
import SoccerProtocol

/// What an HTTP request asks for, read from its method, path and query: the one place the web
/// API's URLs are spelled.
enum WebRoute: Equatable {
  /// `GET /v1/health`: whether the server takes new calls, as the gRPC health service says;
  /// open without a token, for load balancers.
  case health
  /// `GET /v1/matches`: the ids, as List gives them.
  case list
  /// `GET /v1/matches/{id}`: what Describe says.
  case describe(id: String)
  /// `GET /v1/matches/{id}/frames/{n}.png|.jpg|.ppm`: exactly frame `n` as an image file.
  case frame(id: String, FrameRequest)
  /// `GET /v1/matches/{id}/frames.mjpeg`: the frames from one on, as a stream of JPEG files.
  case frames(id: String, FrameStreamRequest)
  /// `GET /`, `/watch/{id}` and `/static/…`: the web viewer's pages, open without a token (they
  /// ask for it themselves).
  case page(WebPage)

  /// Reads `uri` (path and query) of a GET or HEAD request; throws a 404 for a path that names
  /// nothing, 405 for another method, and 400 for options that make no sense.
  init(method: String, uri: String) throws(WebError) {
    let (path, query) = Self.split(uri)
    let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    if parts == ["v1", "health"], method == "GET" || method == "HEAD" {
      self = .health
      return
    }
    if parts.first != "v1" {
      guard let page = WebPage(path: parts) else {
        throw .notFound("nothing is at \(path.prefix(200)): the viewer is at / and the API under /v1/matches")
      }
      guard method == "GET" || method == "HEAD" else {
        throw WebError(status: 405, code: "METHOD_NOT_ALLOWED", message: "only GET and HEAD are served, not \(method)")
      }
      self = .page(page)
      return
    }
    guard parts.count >= 2, parts[0] == "v1", parts[1] == "matches" else {
      throw .notFound("nothing is at \(path.prefix(200)): the API is under /v1/matches")
    }
    guard method == "GET" || method == "HEAD" else {
      throw WebError(status: 405, code: "METHOD_NOT_ALLOWED", message: "only GET and HEAD are served, not \(method)")
    }
    switch parts.count {
    case 2:
      try Self.noOptions(query)
      self = .list
    case 3:
      try Self.noOptions(query)
      self = .describe(id: try Self.segment(parts[2]))
    case 4 where parts[3] == "frames.mjpeg":
      self = .frames(id: try Self.segment(parts[2]), try FrameStreamRequest(query: query))
    case 5 where parts[3] == "frames":
      self = .frame(id: try Self.segment(parts[2]), try FrameRequest(file: parts[4], query: query))
    default:
      throw .notFound("nothing is at \(path.prefix(200)): frames are at /v1/matches/{id}/frames/{n}.png")
    }
  }

  private static func split(_ uri: String) -> (path: String, query: [(String, String)]) {
    let halves = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    let path = halves.first.map(String.init) ?? uri
    guard halves.count == 2 else { return (path, []) }
    let query = halves[1].split(separator: "&").map { pair -> (String, String) in
      let sides = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = decoded(String(sides[0])) ?? String(sides[0])
      let value = sides.count > 1 ? (decoded(String(sides[1])) ?? String(sides[1])) : ""
      return (name, value)
    }
    return (path, query)
  }

  private static func decoded(_ text: String) -> String? {
    text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
  }

  /// A path segment, percent-decoded; the library checks it is a valid id.
  private static func segment(_ text: String) throws(WebError) -> String {
    guard let id = text.removingPercentEncoding, !id.isEmpty else {
      throw .badRequest("the match id \(text.prefix(200)) is not a valid URL path segment")
    }
    return id
  }

  private static func noOptions(_ query: [(String, String)]) throws(WebError) {
    if let (name, _) = query.first { throw .badRequest("\(name.prefix(100)) is not an option here") }
  }
}

/// One frame as an image file, and how to make it.
struct FrameRequest: Equatable {
  /// Image files a frame can be.
  enum File: String, Equatable {
    case png, jpg, ppm

    var contentType: String {
      switch self {
      case .png: return "image/png"
      case .jpg: return "image/jpeg"
      case .ppm: return "image/x-portable-anymap"
      }
    }
  }

  /// Position of the frame in the match, from 0.
  var index: Int
  var file: File
  /// Largest width and height; 0 keeps the match's. The frame keeps its shape within them.
  var width = 0
  var height = 0
  var format = Stream_PixelFormat.rgb24
  /// JPEG quality, 1 to 100; 0 for the server's default.
  var quality = 0

  /// `file` is the last path segment ("48213.png"); `query` its options.
  init(file name: String, query: [(String, String)]) throws(WebError) {
    guard let dot = name.lastIndex(of: ".") else {
      throw .notFound("a frame is a file: \(name.prefix(40)).png, .jpg or .ppm")
    }
    let number = name[..<dot]
    guard let file = File(rawValue: String(name[name.index(after: dot)...]).lowercased()) else {
      throw .notFound("frames are .png, .jpg or .ppm files, not \(name[dot...].prefix(20))")
    }
    guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber), let index = Int(number)
    else {
      throw .badRequest("the frame number must be a whole number from 0, not \(number.prefix(40))")
    }
    self.index = index
    self.file = file
    var seen = Set<String>()
    for (name, value) in query {
      guard seen.insert(name).inserted else { throw .badRequest("\(name.prefix(100)) is given twice") }
      switch name {
      case "width": width = try Self.number(value, name, in: 1...8192)
      case "height": height = try Self.number(value, name, in: 1...8192)
      case "quality":
        guard file == .jpg else { throw .badRequest("quality is for .jpg frames") }
        quality = try Self.number(value, name, in: 1...100)
      case "format":
        switch value {
        case "rgb": format = .rgb24
        case "bgr": format = .bgr24
        case "gray": format = .gray8
        default: throw .badRequest("format is rgb, bgr or gray, not \(value.prefix(40))")
        }
      default:
        throw .badRequest("\(name.prefix(100)) is not an option: width, height, format and quality (.jpg) are")
      }
    }
    if file == .ppm && format == .bgr24 {
      throw .badRequest("a .ppm frame is RGB or gray: ask for format=rgb or format=gray")
    }
  }

  static func number(_ text: String, _ name: String, in range: ClosedRange<Int>) throws(WebError) -> Int {
    guard text.allSatisfy(\.isASCII), let value = Int(text), range.contains(value) else {
      throw .badRequest(
        "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(text.prefix(40))")
    }
    return value
  }

  /// The Watch request that gives the frame: exactly one frame by position, at this size and
  /// format, encoded as the file needs.
  func match(id: String) -> Stream_Match {
    Stream_Match.with {
      $0.id = id
      $0.frameIndices = [UInt64(index)]
      $0.maxWidth = UInt32(width)
      $0.maxHeight = UInt32(height)
      $0.pixelFormat = format
      switch file {
      case .png: $0.encoding = .png
      case .jpg:
        $0.encoding = .jpeg
        $0.jpegQuality = UInt32(quality)
      case .ppm: $0.encoding = .raw
      }
    }
  }

  /// The options as they shape the file, for its ETag: the same frame asked for with the same
  /// options in another order is the same file.
  var variant: String { "\(index).\(file.rawValue) \(width)x\(height) \(format) q\(quality)" }
}
