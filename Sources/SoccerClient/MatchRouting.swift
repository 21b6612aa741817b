import GRPCNIOTransportHTTP2

/// Which of several servers takes the calls about a match (`--route-by-match`): all of them, in
/// the order the match's id gives them, the first that answers taking every call. The order is
/// rendezvous hashing (each server weighed by FNV-1a 64 of "ID@ADDRESS:PORT" then MurmurHash3's
/// finaliser, heaviest first), the Python package's `by_match` order too: every client puts a
/// match's calls on the same server, where its streams share a decode and its frames are
/// cached, and when a server goes only its matches move.
public enum MatchRouting {
  /// `addresses` in the order match `id` tries them.
  public static func order(_ addresses: [SocketAddress], forMatch id: String) -> [SocketAddress] {
    addresses.map { (weight(id, $0), $0) }.sorted { $0.0 > $1.0 }.map(\.1)
  }

  static func weight(_ id: String, _ address: SocketAddress) -> UInt64 {
    let text: String
    if let ipv4 = address.ipv4 {
      text = "\(id)@\(ipv4.host):\(ipv4.port)"
    } else if let ipv6 = address.ipv6 {
      text = "\(id)@\(ipv6.host):\(ipv6.port)"
    } else {
      text = "\(id)@\(address)"
    }
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
    // MurmurHash3's finaliser: names that differ in their last bytes get unrelated weights.
    value ^= value >> 33
    value = value &* 0xff51_afd7_ed55_8ccd
    value ^= value >> 33
    value = value &* 0xc4ce_b9fe_1a85_ec53
    return value ^ (value >> 33)
  }
}
