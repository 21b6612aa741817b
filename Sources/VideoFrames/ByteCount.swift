/// Sizes in bytes as people write them: "512MiB", "2GiB", "1.5 GiB", "800MB", "4096".
public enum ByteCount {
  private static let units: [(suffix: String, factor: Double)] = [
    ("kib", 1024), ("mib", 1024 * 1024), ("gib", 1024 * 1024 * 1024), ("tib", 1024 * 1024 * 1024 * 1024),
    ("kb", 1e3), ("mb", 1e6), ("gb", 1e9), ("tb", 1e12), ("k", 1024), ("m", 1024 * 1024),
    ("g", 1024 * 1024 * 1024), ("b", 1),
  ]

  /// Bytes in `text`: a number with an optional unit (binary KiB/MiB/GiB/TiB, or K/M/G for them;
  /// decimal kB/MB/GB/TB); nil when it is not one, or is negative or not finite.
  public static func parse(_ text: String) -> Int? {
    let lowered = text.trimmingSpaces.lowercased()
    var number = Substring(lowered)
    var factor = 1.0
    for unit in units where lowered.hasSuffix(unit.suffix) {
      number = lowered.dropLast(unit.suffix.count)
      factor = unit.factor
      break
    }
    guard let value = Double(String(number).trimmingSpaces), value.isFinite, value >= 0 else { return nil }
    let bytes = (value * factor).rounded(.down)
    guard bytes < Double(Int.max) else { return nil }
    return Int(bytes)
  }

  /// "512 MiB", "2.5 GiB", "700 KiB", "12 B": binary units, at most one decimal.
  public static func text(_ bytes: Int) -> String {
    let names = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while abs(value) >= 1024, unit < names.count - 1 {
      value /= 1024
      unit += 1
    }
    if unit == 0 || value >= 100 || value == value.rounded() { return "\(Int(value.rounded())) \(names[unit])" }
    return "\((value * 10).rounded() / 10) \(names[unit])"
  }
}

extension String {
  fileprivate var trimmingSpaces: String {
    String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
  }
}
