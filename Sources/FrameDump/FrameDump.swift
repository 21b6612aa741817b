import Foundation
import SoccerClient
import VideoFrames

/// What a dump wrote.
public struct DumpSummary: Sendable {
  public var frames: Int
  public var bytes: Int
  public var seconds: Double
  /// The servers that sent the frames, as they name themselves, in order: more than one when
  /// the stream broke and was resumed elsewhere.
  public var replicas: [String] = []
  /// Whether the frames came through a shared-memory ring.
  public var sharedMemory = false
  public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
}

/// Streams a match into PPM (RGB) or PGM (gray) files named `<id>_<frame number>.ppm`, or, when
/// the request asks for JPEG or PNG, into the server's encoded files as they came (`.jpg`, `.png`).
public struct FrameDump: Sendable {
  public var request: WatchRequest
  public var writer: FrameFileWriter

  public init(request: WatchRequest, writer: FrameFileWriter) {
    self.request = request
    self.writer = writer
  }

  /// The file name of a frame: its number in the match counts from 1, so names sort in play order.
  public static func fileName(id: String, frameIndex: Int, gray: Bool) -> String {
    fileName(id: id, frameIndex: frameIndex, extension: gray ? "pgm" : "ppm")
  }

  /// The file name of a frame with the extension given.
  public static func fileName(id: String, frameIndex: Int, extension: String) -> String {
    let number = String(frameIndex + 1)
    let padded = String(repeating: "0", count: max(0, 6 - number.count)) + number
    return "\(id)_\(padded).\(`extension`)"
  }

  /// The extensions of the files a dump of `encoding` writes.
  public static func fileExtensions(for encoding: FrameEncoding) -> [String] {
    encoding.fileExtension.map { [$0] } ?? ["ppm", "pgm"]
  }

  /// Runs the dump, resuming a broken stream as `resumption` allows; `progress` hears of each
  /// frame written.
  public func run(
    client: SoccerClient, resumption: Resumption = Resumption(retries: 0),
    progress: @escaping @Sendable (_ frames: Int, _ bytes: Int) -> Void = { _, _ in }
  ) async throws(ClientError) -> DumpSummary {
    let started = ContinuousClock.now
    let writer = self.writer
    let id = request.id
    let encoding = request.encoding
    var summary = try await client.watch(
      request, resuming: resumption, state: DumpSummary(frames: 0, bytes: 0, seconds: 0)
    ) { summary, frames in
      // Named again only when a stream came from another replica than the one before.
      if let replica = frames.replica, replica != summary.replicas.last { summary.replicas.append(replica) }
      for try await frame in frames {
        // Said once a frame came that way: a refused ring is retried through the socket.
        summary.sharedMemory = summary.sharedMemory || frames.sharedMemory
        let data: Data
        let name: String
        if let fileExtension = encoding.fileExtension {
          // Written as the server encoded it; a server that sent raw pixels does not encode.
          guard frame.encoding.fileExtension == fileExtension else {
            throw ClientError.badFrame(
              "the server sent frame \(frame.index) as \(frame.encoding), not \(encoding): it does not encode frames")
          }
          (data, name) = (frame.pixels, Self.fileName(id: id, frameIndex: frame.index, extension: fileExtension))
        } else {
          data = try frame.netPBM()
          name = Self.fileName(id: id, frameIndex: frame.index, gray: frame.header.channels == 1)
        }
        try writer.write(data, name: name)
        summary.frames += 1
        summary.bytes += data.count
        progress(summary.frames, summary.bytes)
      }
    }
    summary.seconds = started.duration(to: .now).seconds
    return summary
  }

  /// The frame numbers (from 0) of `id`'s complete frame files with one of `extensions` already
  /// in `directory`, in order.
  ///
  /// Every file the writer leaves under its own name is whole, so these are frames a dump can
  /// skip when it goes on.
  public static func framesOnDisk(id: String, directory: String, extensions: [String] = ["ppm", "pgm"]) -> [Int] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    let prefix = id + "_"
    return names.compactMap { name -> Int? in
      guard name.hasPrefix(prefix), let dot = name.lastIndex(of: "."),
        extensions.contains(String(name[name.index(after: dot)...]))
      else { return nil }
      let digitsStart = name.index(name.startIndex, offsetBy: prefix.count)
      guard digitsStart <= dot else { return nil }
      let digits = name[digitsStart..<dot]
      guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let number = Int(digits),
        number >= 1
      else { return nil }
      return number - 1
    }.sorted()
  }
}
