import Foundation
import GRPCNIOTransportHTTP2

/// TLS and token settings of a server.
public struct ServerSecurity: Sendable {
  /// PEM certificate chain and private key; nil serves plaintext.
  public var certificate: String?
  public var privateKey: String?
  /// PEM certificates of the CAs that sign client certificates; set, it requires them (mutual TLS).
  public var clientCA: String?
  /// The bearer token `stream.Soccer` calls must carry; nil lets every call in.
  public var token: String?

  public init(certificate: String? = nil, privateKey: String? = nil, clientCA: String? = nil, token: String? = nil) {
    self.certificate = certificate
    self.privateKey = privateKey
    self.clientCA = clientCA
    self.token = token
  }
}

/// Why the security settings cannot be used.
public enum SecurityError: Error, Equatable, CustomStringConvertible {
  case unreadable(what: String, path: String)
  case incomplete(String)

  public var description: String {
    switch self {
    case .unreadable(let what, let path): return "cannot read the \(what) \(path)"
    case .incomplete(let why): return why
    }
  }
}

extension ServerSecurity {
  /// The transport security these settings ask for, after checking that every file can be read.
  func transportSecurity() throws(SecurityError) -> HTTP2ServerTransport.Posix.TransportSecurity {
    switch (certificate, privateKey) {
    case (nil, nil):
      guard clientCA == nil else { throw .incomplete("a client CA needs TLS: give a certificate and key too") }
      return .plaintext
    case (let certificate?, let privateKey?):
      try Self.checkReadable(certificate, "certificate")
      try Self.checkReadable(privateKey, "private key")
      let chain: [TLSConfig.CertificateSource] = [.file(path: certificate, format: .pem)]
      let key = TLSConfig.PrivateKeySource.file(path: privateKey, format: .pem)
      guard let clientCA else { return .tls(certificateChain: chain, privateKey: key) }
      try Self.checkReadable(clientCA, "client CA")
      return .mTLS(certificateChain: chain, privateKey: key) {
        $0.trustRoots = .certificates([.file(path: clientCA, format: .pem)])
        // Clients are known by the CA that signed them, not by a host name.
        $0.clientCertificateVerification = .noHostnameVerification
      }
    default:
      throw .incomplete("TLS needs both a certificate and its private key")
    }
  }

  private static func checkReadable(_ path: String, _ what: String) throws(SecurityError) {
    guard FileManager.default.isReadableFile(atPath: path) else { throw .unreadable(what: what, path: path) }
  }
}
