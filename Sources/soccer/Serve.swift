import ArgumentParser
import CSoccerSystem
import Foundation
import Logging
import ServiceLifecycle
import SoccerClient
import SoccerMetrics
import SoccerServer
import VideoDecoding
import VideoFrames

extension Soccer {
  struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Serve the matches of a media folder or HTTP(S) store over gRPC.",
      discussion: """
        Each <id>.mp4 in the media folder can be streamed as match <id>. With --media \
        http://HOST[:PORT]/PATH/ (or https://) the matches are <URL><id>.mp4, read by FFmpeg \
        over HTTP with range requests, reconnects and a 10 s read timeout (an https:// store's \
        certificate is checked against the system's CAs, or --media-ca's); List reads nginx's JSON \
        listing of the URL (autoindex on; autoindex_format json;). The server prints \
        "listening on HOST:PORT" once it accepts connections. It also serves the standard health \
        service, grpc.health.v1.Health, for "" and "stream.Soccer".

        With --allow-upload, clients may add matches to the media folder (soccer upload, the \
        Upload RPC). Each file is written under a hidden name, checked (size, SHA-256, its first \
        and last frames decoded) and only then renamed to <id>.mp4; a failed upload leaves nothing, and \
        hidden files left by a killed server are removed when the next one starts.

        On SIGINT or SIGTERM health turns NOT_SERVING, new calls are refused, and streams in \
        flight get --grace seconds to finish before they are ended; then the server exits with \
        status 0.
        """
    )

    @OptionGroup(title: "Media") var source: MediaOptions
    @OptionGroup(title: "Listening") var listen: ListenOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions
    @OptionGroup(title: "Timeouts") var timeouts: TimeoutOptions
    @OptionGroup(title: "Security") var security: SecurityOptions
    @OptionGroup(title: "Uploads") var uploads: UploadOptions
    @OptionGroup(title: "Logs and metrics") var logs: LogOptions

    func run() async throws {
      if logs.ffmpegLogs { FFmpegLogging.verbose() } else { FFmpegLogging.quiet() }
      let replicaName = ReplicaName(logs.replica ?? "")
      let media = source.media
      var logger =
        logs.logFormat == .json
        ? Logger(label: "soccer.serve") { label in
          var handler = JSONLogHandler(label: label)
          handler.metadataProvider = replicaName.metadataProvider
          return handler
        }
        : Logger(label: "soccer.serve", metadataProvider: replicaName.metadataProvider)
      logger.logLevel = Logger.Level(rawValue: logs.logLevel) ?? .info
      var configuration = ServerConfiguration(
        mediaRoot: media, host: "127.0.0.1", port: 50051, queueDepth: limits.queueDepth, maxStreams: limits.maxStreams,
        maxStreamsPerConnection: limits.maxStreamsPerConnection, grace: .seconds(timeouts.grace))
      listen.apply(to: &configuration)
      configuration.security = ServerSecurity(
        certificate: security.tlsCert, privateKey: security.tlsKey, clientCA: security.clientCA,
        token: try readToken(file: security.tokenFile))
      configuration.logger = logger
      configuration.replica = replicaName
      // For A/B measurements: SOCCER_VIDEO_SERIALIZER=0 serializes frames as the generated code does.
      configuration.serializesFramesDirectly = ProcessInfo.processInfo.environment["SOCCER_VIDEO_SERIALIZER"] != "0"
      if uploads.allowUpload {
        if media.hasPrefix("http://") || media.hasPrefix("https://") {
          logger.warning("uploads need a media folder: with an HTTP store every upload is refused")
        }
        configuration.uploads = UploadPolicy(
          maxBytes: uploads.maxUploadBytes,
          token: try readToken(file: uploads.uploadTokenFile, environment: "SOCCER_UPLOAD_TOKEN"))
      }
      if let mediaCA = source.mediaCA {
        guard FileManager.default.isReadableFile(atPath: mediaCA) else { throw fail("serve", "cannot read \(mediaCA)") }
        configuration.mediaCA = mediaCA
      }
      limits.apply(to: &configuration, openFiles: Int(soccer_raise_open_files_limit()))
      timeouts.apply(to: &configuration)
      let server: SoccerServer
      do {
        server = try SoccerServer(configuration: configuration)
      } catch is LibraryError {
        throw fail("serve", "media folder \"\(media)\" does not exist or is not a folder")
      } catch let error as UnixSocketError {
        throw fail("serve", "cannot listen on \(listen.unix ?? ""): \(error)")
      } catch {
        throw fail("serve", "\(error)")
      }
      if !server.abandonedUploads.isEmpty {
        logger.notice(
          "removed uploads a stopped server left unfinished",
          metadata: ["files": "\(server.abandonedUploads.joined(separator: ","))"])
      }
      // The metrics endpoint listens before the gRPC server, so a port already taken fails the start.
      let endpoint: MetricsEndpoint?
      if let metrics = logs.metrics {
        do {
          endpoint = try await MetricsEndpoint(
            host: metrics.host, port: metrics.port, metrics: server.metrics, observe: server.observeMetrics)
        } catch {
          throw fail("serve", "cannot serve metrics on \(metrics.host):\(metrics.port): \(startupFailureReason(error))")
        }
      } else {
        endpoint = nil
      }
      defer { if let endpoint { Task { await endpoint.close() } } }
      // The web port too listens before the gRPC server.
      let web: WebServer?
      if let http = listen.http {
        do {
          web = try await WebServer(host: http.host, port: http.port, server: server)
        } catch {
          throw fail("serve", "cannot serve HTTP on \(http.host):\(http.port): \(startupFailureReason(error))")
        }
      } else {
        web = nil
      }
      let group = ServiceGroup(
        configuration: .init(
          services: [.init(service: server)],
          gracefulShutdownSignals: [.sigterm, .sigint],
          logger: logger))
      // The web port serves until the gRPC server has stopped, after its grace period; then its
      // connections, which a load balancer's health checks keep open, are ended.
      let webTask = web.map { web in Task { await web.run() } }
      defer { webTask?.cancel() }
      let listensOnTCP = configuration.listensOnTCP
      let listening = "\(configuration.host):\(configuration.port)"
      let limits =
        "frame memory \(ByteCount.text(configuration.frameMemory))\(limits.frameMemory == nil ? " (half the machine's)" : ""), "
        + "frame cache \(configuration.frameCache > 0 ? ByteCount.text(configuration.frameCache) : "off"), "
        + "frames of at most \(limits.maxFramePixels) pixels"
      try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        tasks.addTask {
          do {
            // Unbuffered, so a script reading the pipe sees the address at once.
            if listensOnTCP {
              let address = try await server.listeningAddress
              FileHandle.standardOutput.write(
                Data("listening on \(address.host):\(address.port), serving \(media)\n".utf8))
            }
            if let path = try await server.listeningSocketPath {
              FileHandle.standardOutput.write(Data("listening on unix:\(path), serving \(media)\n".utf8))
            }
            if let endpoint {
              let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
              FileHandle.standardOutput.write(Data("metrics on http://\(host):\(endpoint.port)/metrics\n".utf8))
            }
            if let web {
              let host = web.host.contains(":") ? "[\(web.host)]" : web.host
              FileHandle.standardOutput.write(
                Data("web on \(web.tls ? "https" : "http")://\(host):\(web.port)/\n".utf8))
            }
            FileHandle.standardOutput.write(Data("\(limits)\n".utf8))
          } catch {
            // run() fails too and reports why.
          }
        }
        let started = ContinuousClock.now
        do {
          try await tasks.waitForAll()
        } catch {
          let place = listensOnTCP ? listening : "unix:\(listen.unix ?? "")"
          throw fail("serve", "cannot serve on \(place): \(startupFailureReason(error))")
        }
        let seconds = started.duration(to: .now).seconds
        FileHandle.standardOutput.write(Data(String(format: "stopped after %.1f s\n", seconds).utf8))
      }
    }
  }
}

/// Where `--metrics` or `--http` listens: "HOST:PORT", "[IPv6]:PORT", or a bare "PORT" on loopback.
struct ListenAddress: ExpressibleByArgument {
  var host: String
  var port: Int

  init?(argument: String) {
    if let port = Int(argument) {
      host = "127.0.0.1"
      self.port = port
    } else if let address = ServerAddress(argument), argument.contains(":") {
      host = address.host
      port = address.port
    } else {
      return nil
    }
    guard (0...65535).contains(port) else { return nil }
  }
}

/// How log lines are written.
enum LogFormat: String, ExpressibleByArgument {
  case text, json
}
