import Foundation
import Testing

@testable import VideoFrames

@Suite struct NetPBMTests {
  @Test func rgbRoundTrip() throws {
    let pixels = Data((0..<(4 * 3 * 3)).map { UInt8($0 * 7 % 256) })
    let file = try NetPBM.encode(pixels: pixels, width: 4, height: 3, channels: 3)
    #expect(file.starts(with: Data("P6\n4 3\n255\n".utf8)))
    let image = try NetPBM.decode(file)
    #expect(image == NetPBMImage(width: 4, height: 3, channels: 3, pixels: [UInt8](pixels)))
  }

  @Test func grayRoundTrip() throws {
    let pixels = Data([0, 50, 100, 150, 200, 255])
    let file = try NetPBM.encode(pixels: pixels, width: 3, height: 2, channels: 1)
    #expect(file.starts(with: Data("P5\n3 2\n255\n".utf8)))
    #expect(try NetPBM.decode(file).pixels == [UInt8](pixels))
  }

  @Test func bgrIsSwappedToRGB() throws {
    let bgr = Data([1, 2, 3, 10, 20, 30])
    let image = try NetPBM.decode(try NetPBM.encode(pixels: bgr, width: 2, height: 1, channels: 3, bgr: true))
    #expect(image.pixels == [3, 2, 1, 30, 20, 10])
  }

  @Test func readsHeaderComments() throws {
    let file = Data("P6\n# made by hand\n2 1\n# max\n255\n".utf8) + Data([9, 8, 7, 6, 5, 4])
    #expect(try NetPBM.decode(file).pixels == [9, 8, 7, 6, 5, 4])
  }

  @Test func refusesBrokenFiles() {
    #expect(throws: NetPBMError.notNetPBM) { try NetPBM.decode(Data("P3\n1 1\n255\n".utf8)) }
    #expect(throws: NetPBMError.truncated(expected: 6, actual: 5)) {
      try NetPBM.decode(Data("P6\n2 1\n255\n".utf8) + Data([1, 2, 3, 4, 5]))
    }
    #expect(throws: NetPBMError.malformedHeader) { try NetPBM.decode(Data("P6\n2 x\n255\n".utf8)) }
    #expect(throws: NetPBMError.unsupportedChannels(4)) {
      try NetPBM.encode(pixels: Data(count: 4), width: 1, height: 1, channels: 4)
    }
    #expect(throws: NetPBMError.truncated(expected: 6, actual: 3)) {
      try NetPBM.encode(pixels: Data(count: 3), width: 2, height: 1, channels: 3)
    }
  }
}
