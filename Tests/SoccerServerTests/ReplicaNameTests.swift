import Logging
import Testing

@testable import SoccerServer

@Suite struct ReplicaNameTests {
  @Test func aGivenNameIsKeptAndAnUnnamedReplicaTakesTheFallback() {
    let named = ReplicaName("east-1")
    named.nameIfUnnamed("host:50051")
    #expect(named.value == "east-1")
    let unnamed = ReplicaName()
    #expect(unnamed.metadataProvider.get().isEmpty)
    unnamed.nameIfUnnamed("host:50051")
    #expect(unnamed.value == "host:50051")
    #expect(unnamed.metadataProvider.get()["replica"] == "host:50051")
  }
}
