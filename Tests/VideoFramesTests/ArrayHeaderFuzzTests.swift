import Foundation
import TestSupport
import Testing

@testable import VideoFrames

/// Thousands of random and mutated dtype/shape strings: the parser answers or refuses, never crashes.
@Suite struct ArrayHeaderFuzzTests {
  static let seeds = ["(720, 1280, 3)", "(720,1280)", "(2, 3,)", "uint8", "uint16", "(0, 0)", "()"]
  static let alphabet = Array("()0123456789, -+.e_xuintfloa\u{0}\n\u{FF}é🙂[]{}'\"".unicodeScalars)

  @Test func randomAndMutatedInputsNeverCrash() {
    var random = SplitMix(seed: 0x5EED)
    var accepted = 0
    for round in 0..<20_000 {
      var scalars = Array(Self.seeds[round % Self.seeds.count].unicodeScalars)
      for _ in 0..<Int.random(in: 0...6, using: &random) {
        let scalar = Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &random)]
        switch Int.random(in: 0..<3, using: &random) {
        case 0: scalars.insert(scalar, at: Int.random(in: 0...scalars.count, using: &random))
        case 1 where !scalars.isEmpty: scalars[Int.random(in: 0..<scalars.count, using: &random)] = scalar
        default: if !scalars.isEmpty { scalars.remove(at: Int.random(in: 0..<scalars.count, using: &random)) }
        }
      }
      var text = ""
      text.unicodeScalars.append(contentsOf: scalars)
      let byteCount = Int.random(in: 0...3_000_000, using: &random)
      let type = round % 3 == 0 ? text : "uint8"
      let shape = round % 3 == 0 ? "(2, 2)" : text
      do {
        let header = try ArrayHeader(dataType: type, dataShape: shape, byteCount: byteCount)
        // Whatever is accepted is consistent with the bytes.
        #expect(header.byteCount == byteCount)
        accepted += 1
      } catch {
        #expect(!error.description.isEmpty)
      }
    }
    #expect(accepted < 20_000)
  }
}
