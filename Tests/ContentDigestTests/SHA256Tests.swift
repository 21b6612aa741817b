import ContentDigest
import Foundation
import Testing

@Suite struct SHA256Tests {
  @Test func knownDigests() {
    // FIPS 180-2's examples.
    #expect(SHA256.digest(Data()).hexText == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      SHA256.digest(Data("abc".utf8)).hexText == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }

  @Test func piecesAddUpToTheWhole() {
    var generator = SystemRandomNumberGenerator()
    let bytes = Data((0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
    let hasher = SHA256()
    var offset = 0
    for size in [1, 0, 63, 64, 65, 4096, 30_000] {
      hasher.update(bytes[offset..<offset + size])
      offset += size
    }
    hasher.update(bytes[offset...])
    #expect(hasher.finalize() == SHA256.digest(bytes))
    #expect(SHA256.digest(bytes) != SHA256.digest(bytes.dropLast()))
  }
}
