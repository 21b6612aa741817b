import ArgumentParser
import Foundation
import Logging
import SoccerClient
import SoccerServer
import VideoDecoding
import VideoFrames

// `soccer serve`'s options, one group per concern; `--help` shows them under these titles.

/// Where the matches come from.
struct MediaOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp("Folder of <id>.mp4 files, or the http(s):// URL of a store of them.", valueName: "dir|url"),
    completion: .directory)
  var media: String = "media"

  @Option(
    help: ArgumentHelp(
      "PEM CA certificates an https:// store's certificate must chain to (default: the system's).",
      valueName: "file"),
    completion: .file())
  var mediaCA: String?

  func validate() throws {
    guard mediaCA == nil || media.hasPrefix("https://") else {
      throw ValidationError("--media-ca goes with an https:// --media store")
    }
  }
}

/// Where the server listens, and what a Unix socket allows.
struct ListenOptions: ParsableArguments {
  @Option(help: "Address to listen on (IPv4 or IPv6). Default 127.0.0.1.")
  var host: String?

  @Option(
    help: "TCP port to listen on; 0 picks a free one. Default 50051, unless --unix is given without --host or --port."
  )
  var port: Int?

  @Option(
    help: ArgumentHelp(
      "Also listen on a Unix domain socket at this path (alone, unless --host or --port is given too). A stale socket left by a killed server is replaced; any other file there is refused.",
      valueName: "path"),
    completion: .file())
  var unix: String?

  @Option(
    help: ArgumentHelp("Permission bits of the --unix socket file, in octal: who may connect.", valueName: "mode"))
  var unixMode: String = "660"

  @Flag(
    help: ArgumentHelp(
      "Let clients on the --unix socket take frames through a shared-memory ring they make (no copy through "
        + "the socket); the server maps only objects owned by the connecting process's user."))
  var allowSharedMemory = false

  @Option(
    help: ArgumentHelp(
      "Also serve the web viewer and API on HTTP at HOST:PORT (a bare PORT listens on 127.0.0.1): the matches "
        + "in a browser at / and /watch/ID?frame=N, as JSON, any frame as a .png, .jpg or .ppm file at "
        + "/v1/matches/ID/frames/N.png and frames as an MJPEG stream, with the same TLS certificate, token and "
        + "limits as gRPC. Off by default.",
      valueName: "host:port"))
  var http: ListenAddress?

  func validate() throws {
    guard (0...65535).contains(port ?? 0) else { throw ValidationError("--port must be 0 to 65535") }
    guard let mode = mode_t(unixMode, radix: 8), mode <= 0o777 else {
      throw ValidationError("--unix-mode must be octal permission bits, like 660")
    }
    guard unix != nil || unixMode == "660" else { throw ValidationError("--unix-mode goes with --unix") }
    guard unix != nil || !allowSharedMemory else {
      throw ValidationError("--allow-shared-memory goes with --unix: shared memory works only over a Unix socket")
    }
  }

  /// Sets where the server listens: TCP, a Unix socket, or both.
  func apply(to configuration: inout ServerConfiguration) {
    configuration.host = host ?? "127.0.0.1"
    configuration.port = port ?? 50051
    if let unix {
      configuration.unixSocket = UnixSocketConfiguration(path: unix, mode: mode_t(unixMode, radix: 8) ?? 0o660)
      // A Unix socket alone, unless TCP was asked for too.
      configuration.listensOnTCP = port != nil || host != nil
      configuration.allowsSharedMemory = allowSharedMemory
    }
  }
}

/// What the server takes on at once: streams, connections, frame memory and size.
struct LimitOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Streams served at once; more get RESOURCE_EXHAUSTED.", valueName: "n"))
  var maxStreams: Int = 64

  @Option(help: ArgumentHelp("Streams one connection may have open at once.", valueName: "n"))
  var maxStreamsPerConnection: Int = 16

  @Option(
    help: ArgumentHelp(
      "Connections open at once; more are closed when accepted (at most the open-file limit less 64).",
      valueName: "n"))
  var maxConnections: Int = 1000

  @Option(
    help: ArgumentHelp(
      "Frames each stream decodes ahead of the network; each costs a frame of memory (2.8 MB at 720p).",
      valueName: "n"))
  var queueDepth: Int = SoccerService.defaultQueueDepth

  @Option(
    help: ArgumentHelp(
      "Bytes all streams' frames may hold at once (512MiB, 2GiB, 1.5GiB); a stream that does not fit gets "
        + "RESOURCE_EXHAUSTED at once. (default: half the machine's memory, "
        + "\(ByteCount.text(FrameMemoryBudget.defaultLimit())) here)",
      valueName: "size"))
  var frameMemory: String?

  @Option(
    help: ArgumentHelp(
      "Bytes of decoded frames kept for the requests that ask for them again (frame_indices, a start frame, "
        + "a Play seek): each is decoded once, then sent from memory. Part of --frame-memory, and let go of "
        + "before a stream is refused; 0 turns it off. (default: a quarter of --frame-memory, at most 1GiB)",
      valueName: "size"))
  var frameCache: String?

  @Flag(
    inversion: .prefixedNo,
    help: ArgumentHelp(
      "Streams of the same match and output (size, pixel format, encoding) that start at about the same frame "
        + "share one decoder; one that falls behind goes on with its own."))
  var sharedDecodes = true

  @Option(
    help: ArgumentHelp(
      "Most pixels a frame sent may have, as a count or WxH; a larger video is served only scaled below it "
        + "(max_width, max_height).",
      valueName: "n|WxH"))
  var maxFramePixels: String = "7680x4320"

  func validate() throws {
    guard (1...64).contains(queueDepth) else { throw ValidationError("--queue-depth must be 1 to 64") }
    guard maxStreams >= 1 else { throw ValidationError("--max-streams must be 1 or more") }
    guard frameMemory.map({ (ByteCount.parse($0) ?? 0) > 0 }) ?? true else {
      throw ValidationError("--frame-memory must be a size of more than 0 bytes, like 512MiB or 2GiB")
    }
    guard frameCache.map({ ByteCount.parse($0) != nil }) ?? true else {
      throw ValidationError("--frame-cache must be a size, like 256MiB or 1GiB, or 0 to turn the cache off")
    }
    guard Self.pixels(maxFramePixels) != nil else {
      throw ValidationError("--max-frame-pixels must be a number of pixels or WxH, like 7680x4320")
    }
    guard maxStreamsPerConnection >= 1 else {
      throw ValidationError("--max-streams-per-connection must be 1 or more")
    }
    guard maxConnections >= 1 else { throw ValidationError("--max-connections must be 1 or more") }
  }

  /// Pixels in "33177600" or "7680x4320"; nil unless it is 1 or more.
  static func pixels(_ text: String) -> Int? {
    let sides = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
    switch sides.count {
    case 1: return Int(sides[0]).flatMap { $0 >= 1 ? $0 : nil }
    case 2:
      guard let w = Int(sides[0]), let h = Int(sides[1]), w >= 1, h >= 1 else { return nil }
      let (product, overflow) = w.multipliedReportingOverflow(by: h)
      return overflow ? nil : product
    default: return nil
    }
  }

  /// Sets the server's limits; connections stay within the open-file limit `openFiles` (0: unknown) less 64.
  func apply(to configuration: inout ServerConfiguration, openFiles: Int) {
    configuration.queueDepth = queueDepth
    configuration.maxStreams = maxStreams
    configuration.maxStreamsPerConnection = maxStreamsPerConnection
    configuration.frameMemory = frameMemory.flatMap(ByteCount.parse) ?? FrameMemoryBudget.defaultLimit()
    configuration.frameCache =
      frameCache.flatMap(ByteCount.parse) ?? FrameCache.defaultCapacity(frameMemory: configuration.frameMemory)
    configuration.sharesDecodes = sharedDecodes
    configuration.maxFramePixels = Self.pixels(maxFramePixels) ?? SoccerService.defaultMaxFramePixels
    // Every connection is a file descriptor, and so is every stream's media file: keep room for
    // the files, so a flood of connections meets the connection limit and never EMFILE.
    configuration.maxConnections = openFiles > 0 ? max(1, min(maxConnections, openFiles - 64)) : maxConnections
  }
}

/// How long peers and streams may wait, and shutdown's grace.
struct TimeoutOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Seconds in-flight streams may go on once shutdown begins.", valueName: "seconds"))
  var grace: Double = 10

  @Option(
    help: ArgumentHelp("Seconds between pings on a quiet connection, to find dead peers.", valueName: "seconds"))
  var keepalive: Double = 60

  @Option(
    help: ArgumentHelp("Seconds a PING may go unanswered before the connection is closed.", valueName: "seconds"))
  var keepaliveTimeout: Double = 20

  @Option(
    help: ArgumentHelp(
      "Seconds a stream's next frame may wait on a client that reads nothing before the stream is ended.",
      valueName: "seconds"))
  var stallTimeout: Double = 30

  @Option(
    help: ArgumentHelp(
      "Seconds a Play stream may stay paused (holding its stream slot and decoder, decoding nothing) before it is ended.",
      valueName: "seconds"))
  var pauseTimeout: Double = 300

  @Option(help: ArgumentHelp("Seconds a connection may have no stream before it is closed.", valueName: "seconds"))
  var idleTimeout: Double = 300

  @Option(
    help: ArgumentHelp(
      "Seconds a new connection has to finish its TLS handshake and HTTP/2 preface.", valueName: "seconds"))
  var handshakeTimeout: Double = 10

  func validate() throws {
    guard grace >= 0, grace.isFinite else { throw ValidationError("--grace must be 0 or more seconds") }
    guard keepalive >= 1, keepalive.isFinite else { throw ValidationError("--keepalive must be 1 second or more") }
    guard keepaliveTimeout >= 1, keepaliveTimeout.isFinite else {
      throw ValidationError("--keepalive-timeout must be 1 second or more")
    }
    guard stallTimeout >= 1, stallTimeout.isFinite else {
      throw ValidationError("--stall-timeout must be 1 second or more")
    }
    guard pauseTimeout >= 1, pauseTimeout.isFinite else {
      throw ValidationError("--pause-timeout must be 1 second or more")
    }
    guard idleTimeout >= 1, idleTimeout.isFinite else {
      throw ValidationError("--idle-timeout must be 1 second or more")
    }
    guard handshakeTimeout > 0, handshakeTimeout.isFinite else {
      throw ValidationError("--handshake-timeout must be more than 0 seconds")
    }
  }

  /// Sets the server's timeouts.
  func apply(to configuration: inout ServerConfiguration) {
    configuration.grace = .seconds(grace)
    configuration.keepalive = .seconds(keepalive)
    configuration.keepaliveTimeout = .seconds(keepaliveTimeout)
    configuration.stallTimeout = .seconds(stallTimeout)
    configuration.pauseTimeout = .seconds(pauseTimeout)
    configuration.idleTimeout = .seconds(idleTimeout)
    configuration.handshakeTimeout = .seconds(handshakeTimeout)
  }
}

/// TLS and the bearer token calls must carry.
struct SecurityOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp("PEM certificate chain to serve TLS with (needs --tls-key).", valueName: "file"),
    completion: .file())
  var tlsCert: String?

  @Option(help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "file"), completion: .file())
  var tlsKey: String?

  @Option(
    help: ArgumentHelp("PEM CA certificates; clients must present a certificate they signed.", valueName: "file"),
    completion: .file())
  var clientCA: String?

  @Option(
    help: ArgumentHelp(
      "File holding the bearer token stream.Soccer calls must carry (default: SOCCER_TOKEN; never a command-line value, which ps shows).",
      valueName: "file"), completion: .file())
  var tokenFile: String?

  func validate() throws {
    guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
    guard clientCA == nil || tlsCert != nil else {
      throw ValidationError("--client-ca needs --tls-cert and --tls-key")
    }
  }
}

/// Whether clients may upload matches, and within what.
struct UploadOptions: ParsableArguments {
  @Flag(help: "Let clients upload matches into the media folder (not with an HTTP store).")
  var allowUpload = false

  @Option(
    help: ArgumentHelp(
      "File holding the bearer token uploads need instead of --token-file's, so viewers cannot write (default: SOCCER_UPLOAD_TOKEN).",
      valueName: "file"), completion: .file())
  var uploadTokenFile: String?

  @Option(help: ArgumentHelp("Largest file an upload may be, in bytes.", valueName: "bytes"))
  var maxUploadBytes: Int = 4 << 30

  func validate() throws {
    guard maxUploadBytes >= 1 else { throw ValidationError("--max-upload-bytes must be 1 or more") }
    guard allowUpload || uploadTokenFile == nil else {
      throw ValidationError("--upload-token-file goes with --allow-upload")
    }
  }
}

/// Logs, metrics and this replica's name.
struct LogOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
  var logLevel: String = "info"

  @Option(help: ArgumentHelp("Log lines as text, or one JSON object per line (json).", valueName: "text|json"))
  var logFormat: LogFormat = .text

  @Flag(help: "Let FFmpeg print its own warnings about damaged files.")
  var ffmpegLogs = false

  @Option(
    help: ArgumentHelp(
      "This replica's name among many: sent to clients as soccer-replica metadata and in every log line (default: host name and port).",
      valueName: "name"))
  var replica: String?

  @Option(
    help: ArgumentHelp(
      "Serve Prometheus metrics at http://HOST:PORT/metrics (a bare PORT listens on 127.0.0.1). Off by default.",
      valueName: "host:port"))
  var metrics: ListenAddress?

  func validate() throws {
    guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
  }
}
