import Foundation

/// Whether standard error is a terminal, where progress lines belong.
var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

func formatBytes(_ bytes: Int) -> String {
  let mb = Double(bytes) / 1_000_000
  return mb >= 1000 ? String(format: "%.2f GB", mb / 1000) : String(format: "%.1f MB", mb)
}

/// "1 frame", "2 frames": a count with its noun, singular or plural.
func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

/// A progress line: "120 of 500 frames (24%), 3.1 MB, 4 s left", or "120 frames, 3.1 MB"
/// when the total is not known.
func progressLine(done: Int, total: Int?, bytes: Int, elapsed: Double) -> String {
  guard let total, total > 0 else { return "\(counted(done, "frame")), \(formatBytes(bytes))" }
  let percent = min(100, done * 100 / total)
  var line = "\(done) of \(counted(total, "frame")) (\(percent)%), \(formatBytes(bytes))"
  if done > 0, done < total, elapsed > 0.5 {
    let left = elapsed / Double(done) * Double(total - done)
    line += left < 90 ? ", \(Int(left.rounded(.up))) s left" : ", \(Int((left / 60).rounded(.up))) min left"
  }
  return line
}

/// The command line this process was started with, with `extra` added unless there, quoted for
/// a POSIX shell: what to run to go on.
func commandLine(adding extra: String) -> String {
  var arguments = Array(CommandLine.arguments.dropFirst())
  if !arguments.contains(extra) { arguments.append(extra) }
  let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@+%")
  let quoted = arguments.map { argument in
    argument.allSatisfy(safe.contains) && !argument.isEmpty
      ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
  return (["soccer"] + quoted).joined(separator: " ")
}
