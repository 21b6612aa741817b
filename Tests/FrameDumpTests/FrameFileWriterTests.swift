import Foundation
import FrameDump
import TestSupport
import Testing

@Suite struct FrameFileWriterTests {
  @Test func anUnwritableFolderIsRefusedUpFront() throws {
    let folder = try makeTemporaryFolder("soccer-dump")
    let file = folder + "/a-file"
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    #expect(throws: WriteError.self) { try FrameFileWriter(directory: file + "/frames") }
  }

  @Test func atomicWritesLeaveNoPartialFiles() throws {
    let folder = try makeTemporaryFolder("soccer-dump")
    let writer = try FrameFileWriter(directory: folder)
    try writer.write(Data([1, 2, 3]), name: "x.ppm")
    try writer.write(Data([4, 5]), name: "x.ppm")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["x.ppm"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/x.ppm")) == Data([4, 5]))
  }
}
