import Foundation

/// Paths inside the repository, found from this file's location.
public enum Repository {
  public static let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// The bundled sample match.
  public static var sample: String { root + "/media/sample.mp4" }
  public static var mediaFolder: String { root + "/media" }
}

/// Errors from test helpers.
public struct TestSupportError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Runs a program to completion and returns its exit status and output.
@discardableResult
public func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A fresh temporary folder.
public func makeTemporaryFolder(_ label: String = "soccer-test") throws -> String {
  let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// Test matches made once per test run with tools/make-sample-media.
public enum TestMedia {
  private static let folder: String = {
    let path = NSTemporaryDirectory() + "soccer-test-media-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  /// The path of a match made with `arguments` (see tools/make-sample-media), made if missing.
  public static func make(_ name: String, _ arguments: [String] = []) throws -> String {
    let path = folder + "/" + name + ".mp4"
    if FileManager.default.fileExists(atPath: path) { return path }
    let result = try run(Repository.root + "/tools/make-sample-media", arguments + [path])
    guard result.status == 0 else { throw TestSupportError("make-sample-media \(arguments): \(result.output)") }
    return path
  }

  /// A file with these bytes, named `<name>.mp4`.
  public static func file(_ name: String, contents: Data) throws -> String {
    let path = folder + "/" + name + ".mp4"
    try contents.write(to: URL(fileURLWithPath: path), options: .atomic)
    return path
  }

  /// Runs the ffmpeg command with `arguments` (after -hide_banner -loglevel error); throws its output on failure.
  public static func ffmpeg(_ arguments: [String]) throws {
    let result = try run(ffmpegPath, ["-hide_banner", "-loglevel", "error"] + arguments)
    guard result.status == 0 else { throw TestSupportError("ffmpeg \(arguments): \(result.output)") }
  }

  /// The ffmpeg command, found on PATH.
  public static let ffmpegPath: String = {
    let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
    return directories.map { "\($0)/ffmpeg" }.first { FileManager.default.isExecutableFile(atPath: $0) }
      ?? "/usr/bin/ffmpeg"
  }()

  /// An MP4 file holding one second of AAC audio and no video.
  public static func audioOnly(in folder: String) throws -> String {
    let path = folder + "/audio.mp4"
    try ffmpeg(["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", "-y", path])
    return path
  }

  /// A copy of the MP4 file at `path` whose sync-sample table (`stss`) is renamed to a box
  /// demuxers skip, so every frame claims to be a keyframe: an index that lies.
  public static func withoutSyncSamples(_ path: String, name: String) throws -> String {
    var data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard let box = data.range(of: Data("stss".utf8)) else { throw TestSupportError("\(path) has no stss box") }
    data.replaceSubrange(box, with: Data("free".utf8))
    return try file(name, contents: data)
  }

  /// The first half of the sample remuxed with its index (moov) last, so the index is lost.
  public static func truncatedBeforeTheIndex(in folder: String) throws -> String {
    let whole = folder + "/moov-last.tmp"
    try ffmpeg(["-i", Repository.sample, "-c", "copy", "-f", "mp4", "-y", whole])
    defer { try? FileManager.default.removeItem(atPath: whole) }
    let data = try Data(contentsOf: URL(fileURLWithPath: whole))
    let path = folder + "/truncated.mp4"
    try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
    return path
  }
}

/// Whether each value is within `tolerance` of the one expected: for pixels after lossy coding.
public func near(_ actual: [Int], _ expected: [Int], within tolerance: Int = 12) -> Bool {
  actual.count == expected.count && zip(actual, expected).allSatisfy { abs($0 - $1) <= tolerance }
}

/// Reads what tools/make-sample-media draws into each frame.
public enum SamplePattern {
  /// The frame number shown by the counter patch: 8 stripes, bit k white in stripe k.
  /// `channels` is 3 for BGR/RGB, 1 for gray. For a downscaled frame, `source` is the size
  /// the match was made at, so stripe positions are found where the scaling moved them.
  public static func counter(
    pixels: Data, width: Int, height: Int, channels: Int, source: (width: Int, height: Int)? = nil
  ) -> Int {
    let (sw, sh) = source ?? (width, height)
    let patchLeft = 3 * (sw / 4)
    let stripe = max(1, (sw - patchLeft) / 8)
    let y = Int(Double((sh * 4 / 9) / 2) * Double(height) / Double(sh))
    var value = 0
    for bit in 0..<8 {
      let sourceX = Double(patchLeft + bit * stripe) + Double(stripe) / 2
      let x = min(width - 1, Int(sourceX * Double(width) / Double(sw)))
      let offset = (y * width + x) * channels
      if Int(pixels[pixels.startIndex + offset]) > 128 { value |= 1 << bit }
    }
    return value
  }

  /// The pixel at (x, y) as (first, second, third) channel values.
  public static func pixel(_ pixels: Data, width: Int, x: Int, y: Int, channels: Int) -> [Int] {
    let offset = pixels.startIndex + (y * width + x) * channels
    return (0..<channels).map { Int(pixels[offset + $0]) }
  }

  /// Centres of the red, green and blue patches.
  public static func patchCentres(width: Int, height: Int) -> (red: (Int, Int), green: (Int, Int), blue: (Int, Int)) {
    let pw = width / 4
    let y = (height * 4 / 9) / 2
    return ((pw / 2, y), (pw + pw / 2, y), (2 * pw + pw / 2, y))
  }
}

/// A small deterministic random number generator (SplitMix64), so randomised tests are the
/// same on every run.
public struct SplitMix: RandomNumberGenerator {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Polls `condition` every 10 ms for up to `seconds`; returns whether it came true.
@discardableResult
public func waitUntil(seconds: Double = 5, _ condition: () -> Bool) async throws -> Bool {
  let deadline = ContinuousClock.now + .seconds(seconds)
  while !condition() && ContinuousClock.now < deadline {
    try await Task.sleep(for: .milliseconds(10))
  }
  return condition()
}
