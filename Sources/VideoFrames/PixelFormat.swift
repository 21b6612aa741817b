/// The packed pixel layouts a frame can have.
public enum PixelFormat: String, Sendable, CaseIterable, Hashable {
  /// Blue, green, red, one byte each: OpenCV's native order.
  case bgr24 = "bgr"
  /// Red, green, blue, one byte each.
  case rgb24 = "rgb"
  /// One byte of luma.
  case gray8 = "gray"

  /// Channels per pixel.
  public var channels: Int {
    switch self {
    case .bgr24, .rgb24: return 3
    case .gray8: return 1
    }
  }
}
