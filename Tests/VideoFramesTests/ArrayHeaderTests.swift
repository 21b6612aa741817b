import Testing

@testable import VideoFrames

@Suite struct ArrayHeaderTests {
  @Test(arguments: [
    ("(720, 1280, 3)", 720, 1280, 3),
    ("(720,1280,3)", 720, 1280, 3),
    (" ( 2 , 3 , 4 ) ", 2, 3, 4),
    ("(2, 3,)", 2, 3, 1),
    ("(360, 640)", 360, 640, 1),
  ])
  func acceptsWhatPythonSends(shape: String, height: Int, width: Int, channels: Int) throws {
    let header = try ArrayHeader(dataType: "uint8", dataShape: shape, byteCount: height * width * channels)
    #expect(header.height == height)
    #expect(header.width == width)
    #expect(header.channels == channels)
  }

  @Test func sixteenBitFramesCountTwoBytesAnItem() throws {
    let header = try ArrayHeader(dataType: "uint16", dataShape: "(2, 3, 3)", byteCount: 36)
    #expect(header.elementType == .uint16)
    #expect(throws: ArrayHeaderError.sizeMismatch(expected: 36, actual: 18)) {
      try ArrayHeader(dataType: "uint16", dataShape: "(2, 3, 3)", byteCount: 18)
    }
  }

  @Test(arguments: ["float32", "int8", "uint32", "", "UINT8", "uint8 "])
  func refusesOtherTypes(type: String) {
    #expect(throws: ArrayHeaderError.unsupportedType(type)) {
      try ArrayHeader(dataType: type, dataShape: "(1, 1, 3)", byteCount: 3)
    }
  }

  @Test(arguments: [
    "", "()", "(", "720, 1280, 3", "(720, 1280", "(720 1280)", "(a, b)", "(-1, 5)", "(1.5, 2)",
    "[720, 1280]", "(720, 1280))", "(5)", "(0, 5)", "(99999999999999999999, 2)", "(4611686018427387904, 4)",
    "(720,, 1280)",
  ])
  func refusesMalformedShapes(shape: String) {
    #expect(throws: ArrayHeaderError.self) {
      try ArrayHeader(dataType: "uint8", dataShape: shape, byteCount: 0)
    }
  }

  @Test(arguments: ["(5,)", "(1, 2, 3, 4)"])
  func refusesOtherRanks(shape: String) {
    #expect(throws: ArrayHeaderError.self) {
      try ArrayHeader(dataType: "uint8", dataShape: shape, byteCount: 5)
    }
  }

  @Test func byteCountMustMatchShape() {
    #expect(throws: ArrayHeaderError.sizeMismatch(expected: 2_764_800, actual: 2_764_799)) {
      try ArrayHeader(dataType: "uint8", dataShape: "(720, 1280, 3)", byteCount: 2_764_799)
    }
  }

  @Test func writesPythonTupleText() {
    #expect(ArrayHeader(height: 720, width: 1280, channels: 3).dataShape == "(720, 1280, 3)")
    #expect(ArrayHeader(height: 720, width: 1280, channels: 1).dataShape == "(720, 1280)")
    #expect(ArrayHeader(height: 1, width: 1, channels: 3).dataType == "uint8")
  }

  @Test func errorMessagesQuoteHostileTextSafely() {
    let error = ArrayHeaderError.unsupportedType("a\nb" + String(repeating: "x", count: 100))
    #expect(!error.description.contains("\n"))
    #expect(error.description.count < 140)
  }
}
