/// Why a frame could not be encoded or decoded, in the codec's words.
public enum CodecError: Error, Sendable, Equatable, CustomStringConvertible {
  case encode(String)
  case decode(String)

  public var description: String {
    switch self {
    case .encode(let reason): return "cannot encode the frame: \(reason)"
    case .decode(let reason): return "cannot decode the frame: \(reason)"
    }
  }
}
