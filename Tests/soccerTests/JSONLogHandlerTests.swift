import Foundation
import Logging
import Testing

@testable import soccer

@Suite struct JSONLogHandlerTests {
  @Test func aStreamLineIsOneJSONObjectWithNumbersAsNumbers() throws {
    let event = LogEvent(
      level: .info, message: "stream", metadata: nil, source: "soccer", file: "", function: "", line: 0)
    let line = JSONLogHandler.line(
      event: event, label: "soccer.serve",
      fields: [
        "frames": "100", "bytes": "69120000", "status": "OK", "id": "0042", "replica": "r1",
        "peer": "ipv4:127.0.0.1:5000", "options": "a \"quoted\"\nline\u{1}",
      ], now: Date(timeIntervalSince1970: 0))
    #expect(!line.contains("\n"))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["time"] as? String == "1970-01-01T00:00:00.000Z")
    #expect(object["level"] as? String == "info" && object["message"] as? String == "stream")
    #expect(object["frames"] as? Int == 100 && object["bytes"] as? Int == 69_120_000)
    // Leading zeros are not numbers: an id stays text.
    #expect(object["id"] as? String == "0042")
    #expect(object["options"] as? String == "a \"quoted\"\nline\u{1}")
    #expect(object["replica"] as? String == "r1" && object["status"] as? String == "OK")
  }
}
