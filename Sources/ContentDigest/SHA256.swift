import COpenSSLCrypto
import Foundation

/// SHA-256 of bytes fed in pieces, computed by OpenSSL (with the CPU's SHA extensions where
/// there are any, well over a gigabyte a second).
///
/// Not thread-safe: one hasher belongs to one task or thread at a time.
public final class SHA256 {
  /// Bytes in a digest.
  public static let byteCount = 32

  private let context: OpaquePointer

  /// A hasher that has seen no bytes yet.
  public init() {
    // Allocation failure is the only way these fail, and there is no going on without memory.
    guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
      fatalError("OpenSSL cannot set up SHA-256")
    }
    self.context = context
  }

  deinit { EVP_MD_CTX_free(context) }

  /// Adds `bytes` to what the digest covers.
  public func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    EVP_DigestUpdate(context, base, bytes.count)
  }

  /// Adds `bytes` to what the digest covers.
  public func update(_ bytes: some ContiguousBytes) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// The digest of every byte fed so far; the hasher cannot be fed after this.
  public func finalize() -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: Self.byteCount)
    var length: UInt32 = 0
    EVP_DigestFinal_ex(context, &digest, &length)
    return digest
  }

  /// The digest of `bytes`.
  public static func digest(_ bytes: some ContiguousBytes) -> [UInt8] {
    let hasher = SHA256()
    hasher.update(bytes)
    return hasher.finalize()
  }
}

extension Sequence<UInt8> {
  /// Lower-case hexadecimal, two digits a byte: how `sha256sum` prints a digest.
  public var hexText: String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    for byte in self {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}
