import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// A server's "HOST:PORT", as given on the command line.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
  public var host: String
  public var port: Int

  public init(host: String, port: Int) {
    self.host = host
    self.port = port
  }

  /// Parses "HOST:PORT", "[IPv6]:PORT", a bare "HOST" (port 50051) or a bare "PORT" (on
  /// 127.0.0.1: no host is all digits).
  public init?(_ text: String) {
    var host = Substring(text)
    var port = 50051
    if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
      guard let p = Int(text), (1...65535).contains(p) else { return nil }
      self.host = "127.0.0.1"
      self.port = p
      return
    }
    if host.hasPrefix("[") {
      guard let close = host.firstIndex(of: "]") else { return nil }
      let rest = host[host.index(after: close)...]
      host = host[host.index(after: host.startIndex)..<close]
      if !rest.isEmpty {
        guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()) else { return nil }
        port = p
      }
    } else if let colon = host.lastIndex(of: ":") {
      guard let p = Int(host[host.index(after: colon)...]) else { return nil }
      port = p
      host = host[..<colon]
    }
    guard !host.isEmpty, (0...65535).contains(port) else { return nil }
    self.host = String(host)
    self.port = port
  }

  public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension ServerAddress {
  /// An IP literal as a target of its family; nil for a name.
  enum Literal {
    case ipv4(String, Int)
    case ipv6(String, Int)
  }

  var literal: Literal? {
    var v4 = in_addr()
    var v6 = in6_addr()
    if inet_pton(AF_INET, host, &v4) == 1 { return .ipv4(host, port) }
    if inet_pton(AF_INET6, host, &v6) == 1 { return .ipv6(host, port) }
    return nil
  }

  /// IP literals connect directly; only names go through the DNS resolver.
  var resolvableTarget: any ResolvableTarget {
    switch literal {
    case .ipv4(let host, let port): return .ipv4(address: host, port: port)
    case .ipv6(let host, let port): return .ipv6(address: host, port: port)
    case nil: return .dns(host: host, port: port)
    }
  }
}
