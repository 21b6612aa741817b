import Testing
import VideoFrames

@Suite struct ByteCountTests {
  @Test(arguments: [
    ("512MiB", 512 << 20), ("2GiB", 2 << 30), ("1.5GiB", 3 << 29), ("1.5 GiB", 3 << 29), ("4096", 4096),
    ("800MB", 800_000_000), ("2g", 2 << 30), ("64k", 65536), ("0", 0), ("10 B", 10),
  ])
  func parsesSizesAsPeopleWriteThem(text: String, bytes: Int) {
    #expect(ByteCount.parse(text) == bytes)
  }

  @Test(arguments: ["", "MiB", "-1GiB", "two", "1..5G", "nanMiB", "infGiB", "1e30TiB", "5 XB"])
  func refusesWhatIsNotASize(text: String) {
    #expect(ByteCount.parse(text) == nil)
  }

  @Test func writesBinaryUnitsWithAtMostOneDecimal() {
    #expect(ByteCount.text(512 << 20) == "512 MiB")
    #expect(ByteCount.text(5 << 29) == "2.5 GiB")
    #expect(ByteCount.text(1000) == "1000 B")
    #expect(ByteCount.text(1_055_760_384) == "1007 MiB")
    #expect(ByteCount.text(0) == "0 B")
  }
}
