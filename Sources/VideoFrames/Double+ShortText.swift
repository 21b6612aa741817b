extension Double {
  /// The number with at most three decimals and no trailing zeros: "4", "2.5", "29.97".
  public var shortText: String {
    let rounded = (self * 1000).rounded() / 1000
    return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : String(rounded)
  }
}
