/// The metadata the service's calls carry beside their messages, by name.
public enum MetadataKey {
  /// The match a call is about: clients send it with every call about one, so that a balancer in
  /// front of replicas can send a match's calls to one replica.
  public static let match = "soccer-match"
  /// In a Watch stream's trailers: the frames the server decoded for it (0 when they all came
  /// from the frame cache or a decode it shared), against the frames it sent.
  public static let decoded = "soccer-decoded"
}
