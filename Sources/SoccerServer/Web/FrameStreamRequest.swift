import Foundation
import SoccerProtocol

/// Frames from one on as a stream of JPEG files (`GET /v1/matches/{id}/frames.mjpeg`): the
/// viewer plays from it, and so can any player that reads MJPEG over HTTP (ffplay, VLC, an
/// `<img>` with `pace=1`).
struct FrameStreamRequest: Equatable {
  /// Position of the first frame, from 0.
  var start = 0
  /// Frames to send at most; 0 sends to the end.
  var count = 0
  /// Every `stride`-th frame.
  var stride = 1
  /// Largest width and height; 0 keeps the match's.
  var width = 0
  var height = 0
  var gray = false
  /// JPEG quality, 1 to 100; 0 for the server's default.
  var quality = 0
  /// Sends at this many times the match's rate, at most `lead` ahead of it, rather than as fast
  /// as the client reads: a player then holds at most that much it may never show.
  var pace: Double?

  /// How far ahead of its pace a paced stream may run: what a player may keep to ride out a slow
  /// frame or a slow link.
  static let lead = Duration.seconds(1)

  /// The multipart boundary between frames.
  static let boundary = "soccerframe"
  static let contentType = "multipart/x-mixed-replace; boundary=\(boundary)"

  init(query: [(String, String)]) throws(WebError) {
    var seen = Set<String>()
    for (name, value) in query {
      guard seen.insert(name).inserted else { throw .badRequest("\(name.prefix(100)) is given twice") }
      switch name {
      case "start": start = try FrameRequest.number(value, name, in: 0...Int(UInt32.max))
      case "count": count = try FrameRequest.number(value, name, in: 1...Int(UInt32.max))
      case "stride": stride = try FrameRequest.number(value, name, in: 1...100_000)
      case "width": width = try FrameRequest.number(value, name, in: 1...8192)
      case "height": height = try FrameRequest.number(value, name, in: 1...8192)
      case "quality": quality = try FrameRequest.number(value, name, in: 1...100)
      case "format":
        switch value {
        case "rgb": gray = false
        case "gray": gray = true
        default: throw .badRequest("format is rgb or gray for a JPEG stream, not \(value.prefix(40))")
        }
      case "pace":
        guard let value = Double(value), value >= 1.0 / 16, value <= 16 else {
          throw .badRequest("pace is a speed from 0.0625 to 16 (1: the match's rate), not \(value.prefix(40))")
        }
        pace = value
      default:
        throw .badRequest(
          "\(name.prefix(100)) is not an option: start, count, stride, width, height, format, quality and "
            + "pace are")
      }
    }
  }

  /// The Watch request that gives the frames.
  func match(id: String) -> Stream_Match {
    Stream_Match.with {
      $0.id = id
      $0.startFrame = UInt64(start)
      $0.maxFrames = UInt32(count)
      $0.stride = UInt32(stride)
      $0.maxWidth = UInt32(width)
      $0.maxHeight = UInt32(height)
      $0.pixelFormat = gray ? .gray8 : .rgb24
      $0.encoding = .jpeg
      $0.jpegQuality = UInt32(quality)
    }
  }

  /// The headers that say which frame an answer or a part is: `Soccer-Frame`, its position, and
  /// `Soccer-Time`, its time in seconds.
  static func headers(frame: UInt64, seconds: Double) -> [(String, String)] {
    [("Soccer-Frame", "\(frame)"), ("Soccer-Time", String(format: "%.6f", seconds))]
  }

  /// One frame's part of the stream: the boundary, its headers and the JPEG file.
  static func part(jpeg: Data, frame: UInt64, seconds: Double) -> Data {
    let named = headers(frame: frame, seconds: seconds).map { "\($0.0): \($0.1)\r\n" }.joined()
    var part = Data(
      ("--\(boundary)\r\nContent-Type: image/jpeg\r\nContent-Length: \(jpeg.count)\r\n\(named)\r\n").utf8)
    part.append(jpeg)
    part.append(contentsOf: Array("\r\n".utf8))
    return part
  }

  /// The part that ends a stream cut short: the error as JSON, as an error answer's body.
  static func part(error: WebError) -> Data {
    let body = error.body
    var part = Data(
      ("--\(boundary)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        + "Soccer-Status: \(error.status)\r\n\r\n").utf8)
    part.append(body)
    part.append(contentsOf: Array("\r\n".utf8))
    return part
  }

  /// What closes the stream.
  static let end = Data("--\(boundary)--\r\n".utf8)
}
