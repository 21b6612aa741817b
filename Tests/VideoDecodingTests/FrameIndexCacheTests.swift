import Foundation
import TestSupport
import Testing

@testable import VideoDecoding

/// The cache scans a file once, scans it again when it is replaced, remembers a file it found
/// lying, and forgets the least recently used files past its bound.
@Suite struct FrameIndexCacheTests {
  private func copyOfSample(in folder: String, _ name: String) throws -> (path: String, size: Int64) {
    let path = folder + "/" + name + ".mp4"
    try FileManager.default.copyItem(atPath: Repository.sample, toPath: path)
    let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    return (path, Int64(size))
  }

  @Test func aFileIsScannedOnceAndAgainWhenReplaced() throws {
    let folder = try makeTemporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let cache = FrameIndexCache(maxFrames: 1_000)
    let (path, size) = try copyOfSample(in: folder, "a")
    let first = try #require(cache.index(path: path, streamIndex: 0, size: size))
    #expect(first.frameCount == 100)
    // Replaced by a shorter file under the same name: the size differs, so it is scanned again.
    try FileManager.default.removeItem(atPath: path)
    try TestMedia.ffmpeg(["-i", Repository.sample, "-frames:v", "40", "-c", "copy", "-y", path])
    let size2 = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    let second = try #require(cache.index(path: path, streamIndex: 0, size: Int64(size2)))
    #expect(second.frameCount == 40)
  }

  @Test func aDistrustedFileStaysWithoutAnIndex() throws {
    let folder = try makeTemporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let cache = FrameIndexCache(maxFrames: 1_000)
    let (path, size) = try copyOfSample(in: folder, "a")
    #expect(cache.index(path: path, streamIndex: 0, size: size) != nil)
    cache.distrust(path: path, streamIndex: 0, size: size)
    #expect(cache.index(path: path, streamIndex: 0, size: size) == nil)
    #expect(cache.known(path: path, streamIndex: 0) == .some(nil))
  }

  @Test func theLeastRecentlyUsedAreForgottenPastTheBound() throws {
    let folder = try makeTemporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // Room for two 100-frame indexes.
    let cache = FrameIndexCache(maxFrames: 250)
    let files = try ["a", "b", "c"].map { try copyOfSample(in: folder, $0) }
    _ = cache.index(path: files[0].path, streamIndex: 0, size: files[0].size)
    _ = cache.index(path: files[1].path, streamIndex: 0, size: files[1].size)
    _ = cache.index(path: files[0].path, streamIndex: 0, size: files[0].size)
    _ = cache.index(path: files[2].path, streamIndex: 0, size: files[2].size)
    #expect(cache.count == 2)
    #expect(cache.known(path: files[1].path, streamIndex: 0) == nil)
    #expect(cache.known(path: files[0].path, streamIndex: 0) != nil)
  }
}
