import Testing

@testable import SoccerServer

@Suite struct MatchLibraryTests {
  @Test(arguments: ["KKNuUdn4wI4", "final-2022", "a", "x.y_z-1", String(repeating: "a", count: 128)])
  func acceptsSafeIDs(id: String) throws {
    try MatchLibrary.validate(id)
  }

  @Test(arguments: [
    "", ".hidden", "../x", "a/b", "a\\b", "a b", "a\nb", "a\0b", "é", "ａ", String(repeating: "a", count: 129), "%2e%2e",
  ])
  func refusesUnsafeIDs(id: String) {
    #expect(throws: LibraryError.self) { try MatchLibrary.validate(id) }
  }
}
