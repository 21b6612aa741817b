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
