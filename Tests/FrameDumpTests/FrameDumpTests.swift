import Foundation
import FrameDump
import Testing

@Suite struct FrameDumpTests {
  @Test(arguments: [
    (0, false, "m_000001.ppm"), (4, false, "m_000005.ppm"), (999_999, true, "m_1000000.pgm"),
  ])
  func filesAreNumberedFromOneAndSortInPlayOrder(index: Int, gray: Bool, name: String) {
    #expect(FrameDump.fileName(id: "m", frameIndex: index, gray: gray) == name)
  }
}

@Suite struct FramesOnDiskTests {
  @Test func onlyThisDumpsKindOfFileCountsAndOddNamesAreSkipped() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frames-on-disk-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    for name in [
      "a.b_000001.jpg", "a.b_000003.jpg", "a.b_000002.ppm", "a.b_000004.png", "a.b_ppm", "a.b_.jpg", "a.b_x1.jpg",
      "a.b_000000.jpg", "other_000005.jpg",
    ] {
      try Data().write(to: folder.appendingPathComponent(name))
    }
    let jpegs = FrameDump.framesOnDisk(id: "a.b", directory: folder.path, extensions: ["jpg"])
    #expect(jpegs == [0, 2])
    #expect(FrameDump.framesOnDisk(id: "a.b", directory: folder.path) == [1])
    #expect(FrameDump.framesOnDisk(id: "a.b", directory: folder.path, extensions: ["png"]) == [3])
    #expect(FrameDump.fileExtensions(for: .jpeg(quality: 75)) == ["jpg"])
    #expect(FrameDump.fileName(id: "m", frameIndex: 0, extension: "png") == "m_000001.png")
  }
}
