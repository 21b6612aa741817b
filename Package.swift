// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
  name: "SoccerStream",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "soccer", targets: ["soccer"])
  ],
  dependencies: [
    .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
  ],
  targets: [
    // FFmpeg's libavformat, libavcodec, libswscale and libavutil.
    .systemLibrary(
      name: "CFFmpeg",
      pkgConfig: "libavformat",
      providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
    ),
    // libjpeg-turbo's TurboJPEG API and libpng: frames as JPEG and PNG files.
    .systemLibrary(
      name: "CImageCodecs", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev", "libpng-dev"])]),
    // Frames to JPEG or PNG files and back (on the server's decoding threads, in the clients).
    .target(name: "FrameCodecs", dependencies: ["CImageCodecs", "VideoFrames"], swiftSettings: strict),
    // libchafa: pictures as terminal text and graphics.
    .systemLibrary(name: "CChafa", pkgConfig: "chafa", providers: [.apt(["libchafa-dev", "libglib2.0-dev"])]),
    // Frames drawn as terminal output (chafa): render modes, colour depths, fitting.
    .target(name: "TerminalGraphics", dependencies: ["CChafa", "VideoFrames"], swiftSettings: strict),
    // The terminal itself: raw input, size, capability queries, keys, signals, restoring.
    .target(name: "TerminalIO", swiftSettings: strict),
    // The terminal player: frames from any FrameSource, paced, laid out and drawn, with keys and a status line.
    .target(
      name: "TerminalPlayback", dependencies: ["TerminalGraphics", "TerminalIO", "VideoFrames"], swiftSettings: strict),
    // OpenSSL's libcrypto: message digests.
    .systemLibrary(name: "COpenSSLCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
    // SHA-256 of files and streams, for uploads and their checks on both sides.
    .target(name: "ContentDigest", dependencies: ["COpenSSLCrypto"], swiftSettings: strict),
    // glibc facilities Swift's Glibc module does not export: allocator settings, thread names.
    .target(name: "CSoccerSystem"),
    // Generated from protos/ by tools/generate-protos; never edited by hand.
    .target(
      name: "SoccerProtocol",
      dependencies: [
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    // The values every side shares: frames, pixel formats, numpy headers, media info, PPM.
    .target(name: "VideoFrames", swiftSettings: strict),
    // Between the wire's messages and the frame values, one mapping for client and server, and
    // how both read the wire.
    .target(
      name: "SoccerWire",
      dependencies: [
        "SoccerProtocol", "VideoFrames", .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: strict),
    .target(
      name: "VideoDecoding", dependencies: ["CFFmpeg", "CSoccerSystem", "VideoFrames", "FrameCodecs"],
      swiftSettings: strict),
    // What a server counts (swift-metrics, exported by swift-prometheus) and its /metrics endpoint (NIO's HTTP/1).
    .target(
      name: "SoccerMetrics",
      dependencies: [
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "SoccerServer",
      dependencies: [
        "SoccerProtocol", "SoccerWire", "VideoDecoding", "VideoFrames", "CSoccerSystem", "SoccerMetrics",
        "ContentDigest",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOHPACK", package: "swift-nio-http2"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      // The web viewer's files are built into the binary: a server serves them with nothing beside it.
      resources: [
        .embedInCode("Web/Viewer/list.html"), .embedInCode("Web/Viewer/watch.html"),
        .embedInCode("Web/Viewer/viewer.js"), .embedInCode("Web/Viewer/viewer.css"),
      ],
      swiftSettings: strict
    ),
    // The connection to a server and its typed calls: watch, play, describe, list, upload.
    .target(
      name: "SoccerClient",
      dependencies: [
        "SoccerProtocol", "SoccerWire", "VideoFrames", "ContentDigest", "CSoccerSystem", "FrameCodecs",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      ],
      swiftSettings: strict
    ),
    // The terminal player's frames from a server: Play when it has it, Watch reopened at the frame when not.
    .target(
      name: "ServerPlayback", dependencies: ["SoccerClient", "TerminalPlayback", "FrameCodecs", "VideoFrames"],
      swiftSettings: strict),
    // `soccer dump`'s engine: a stream's frames into PPM/PGM files, each written whole.
    .target(name: "FrameDump", dependencies: ["SoccerClient", "VideoFrames"], swiftSettings: strict),
    // `soccer bench`'s engine: frames per second, gaps and CPU, over the network or decoded locally.
    .target(
      name: "ThroughputBench",
      dependencies: [
        "SoccerClient", "VideoDecoding", "VideoFrames", "FrameCodecs",
        .product(name: "Histogram", package: "hdrhistogram-swift"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "soccer",
      dependencies: [
        "SoccerServer", "SoccerClient", "FrameDump", "ThroughputBench", "VideoFrames", "VideoDecoding", "CSoccerSystem",
        "FrameCodecs",
        "SoccerMetrics",
        "TerminalPlayback", "TerminalGraphics", "TerminalIO", "ServerPlayback",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: strict
    ),
    .testTarget(name: "VideoFramesTests", dependencies: ["VideoFrames", "TestSupport"], swiftSettings: strict),
    .testTarget(
      name: "FrameCodecsTests", dependencies: ["FrameCodecs", "VideoFrames", "TestSupport"], swiftSettings: strict),
    .testTarget(
      name: "TerminalGraphicsTests", dependencies: ["TerminalGraphics", "VideoFrames", "TestSupport"],
      swiftSettings: strict),
    .testTarget(name: "TerminalIOTests", dependencies: ["TerminalIO"], swiftSettings: strict),
    .testTarget(
      name: "TerminalPlaybackTests",
      dependencies: ["TerminalPlayback", "TerminalGraphics", "TerminalIO", "VideoFrames", "TestSupport"],
      swiftSettings: strict),
    .testTarget(
      name: "SoccerServerTests",
      dependencies: [
        "SoccerServer", "SoccerProtocol", "SoccerWire", "VideoDecoding", "TestSupport", "FrameCodecs", "VideoFrames",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOHPACK", package: "swift-nio-http2"),
      ],
      swiftSettings: strict
    ),
    .testTarget(name: "FrameDumpTests", dependencies: ["FrameDump", "TestSupport"], swiftSettings: strict),
    .testTarget(name: "ThroughputBenchTests", dependencies: ["ThroughputBench"], swiftSettings: strict),
    .testTarget(
      name: "soccerTests",
      dependencies: [
        "soccer", "SoccerClient", .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "SoccerWireTests",
      dependencies: [
        "SoccerWire", "SoccerProtocol", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"), .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: strict),
    .testTarget(name: "CSoccerSystemTests", dependencies: ["CSoccerSystem"], swiftSettings: strict),
    .testTarget(
      name: "ServerPlaybackTests", dependencies: ["ServerPlayback", "TerminalPlayback"], swiftSettings: strict),
    .testTarget(name: "SoccerMetricsTests", dependencies: ["SoccerMetrics"], swiftSettings: strict),
    .testTarget(name: "ContentDigestTests", dependencies: ["ContentDigest"], swiftSettings: strict),
    .testTarget(
      name: "SoccerClientTests",
      dependencies: [
        "SoccerClient", "SoccerProtocol", "TestSupport",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "VideoDecodingTests",
      dependencies: ["VideoDecoding", "VideoFrames", "CFFmpeg", "TestSupport"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "EndToEndTests",
      dependencies: [
        "SoccerServer", "SoccerClient", "FrameDump", "SoccerProtocol", "VideoDecoding", "VideoFrames", "TestSupport",
        "ContentDigest",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      ],
      swiftSettings: strict
    ),
    // Locates the repository and makes test media with the ffmpeg command.
    .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
  ]
)
