import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SoccerClient
import SoccerProtocol
import SoccerServer
import Synchronization
import Testing

/// Runs `body` with a generated health client connected to `configuration`'s server.
func withHealth<T: Sendable>(
  _ configuration: ClientConfiguration,
  _ body: @Sendable (Grpc_Health_V1_Health.Client<HTTP2ClientTransport.Posix>) async throws -> T
) async throws -> T {
  let transport = try HTTP2ClientTransport.Posix(
    target: .ipv4(address: configuration.server.addresses[0].host, port: configuration.server.addresses[0].port),
    transportSecurity: .plaintext)
  return try await withGRPCClient(transport: transport) { grpc in
    try await body(Grpc_Health_V1_Health.Client(wrapping: grpc))
  }
}

@Suite struct HealthTests {
  @Test func checkAnswersForTheServerAndItsService() async throws {
    try await withServer { _, client in
      try await withHealth(client) { health in
        for service in ["", "stream.Soccer"] {
          let answer = try await health.check(.with { $0.service = service })
          #expect(answer.status == .serving)
        }
        do {
          _ = try await health.check(.with { $0.service = "no.Such" })
          Issue.record("an unknown service was reported healthy")
        } catch let error as RPCError {
          #expect(error.code == .notFound)
        }
      }
    }
  }

  @Test func watchSeesNotServingWhenShutdownBegins() async throws {
    try await withServer { server, client in
      let statuses = try await withHealth(client) { health in
        try await health.watch(.with { $0.service = "stream.Soccer" }) { response in
          var seen: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
          for try await message in response.messages {
            seen.append(message.status)
            if seen.count == 1 { server.beginGracefulShutdown() }
          }
          return seen
        }
      }
      #expect(statuses == [.serving, .notServing])
    }
  }
}
