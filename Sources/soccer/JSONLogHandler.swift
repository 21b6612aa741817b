import Foundation
import Logging

/// One JSON object per log line, for log shippers: `time`, `level`, `message`, then the line's
/// fields (`replica`, `peer`, `id`, `status`, …); fields that are whole numbers are JSON numbers.
struct JSONLogHandler: LogHandler {
  var metadata: Logger.Metadata = [:]
  var metadataProvider: Logger.MetadataProvider?
  var logLevel: Logger.Level = .info
  let label: String

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var fields = metadata
    if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
    if let own = event.metadata { fields.merge(own) { _, new in new } }
    FileHandle.standardError.write(Data((Self.line(event: event, label: label, fields: fields) + "\n").utf8))
  }

  static func line(event: LogEvent, label: String, fields: Logger.Metadata, now: Date = Date()) -> String {
    var parts = [
      "\"time\":" + quoted(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(now)),
      "\"level\":" + quoted(event.level.rawValue), "\"logger\":" + quoted(label),
      "\"message\":" + quoted(event.message.description),
    ]
    for key in fields.keys.sorted() where !["time", "level", "logger", "message"].contains(key) {
      if let value = fields[key] { parts.append(quoted(key) + ":" + json(value)) }
    }
    return "{" + parts.joined(separator: ",") + "}"
  }

  private static func json(_ value: Logger.Metadata.Value) -> String {
    switch value {
    case .string(let text):
      return Int64(text) != nil && !text.hasPrefix("+") && !(text.hasPrefix("0") && text.count > 1)
        ? text : quoted(text)
    case .stringConvertible(let convertible): return json(.string(convertible.description))
    case .array(let values): return "[" + values.map(json).joined(separator: ",") + "]"
    case .dictionary(let entries):
      return "{"
        + entries.keys.sorted().map { quoted($0) + ":" + json(entries[$0] ?? .string("")) }
        .joined(separator: ",") + "}"
    }
  }

  /// `text` as a JSON string: quotes, backslashes and control characters escaped.
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
