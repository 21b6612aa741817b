import Foundation

/// Whether standard error is a terminal, where progress lines belong.
var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

func formatBytes(_ bytes: Int) -> String {
  let mb = Double(bytes) / 1_000_000
  return mb >= 1000 ? String(format: "%.2f GB", mb / 1000) : String(format: "%.1f MB", mb)
}
