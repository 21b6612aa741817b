import GRPCCore
import SoccerMetrics

/// Counts every `stream.Soccer` call by method and final status code, and the calls turned away
/// for their credentials; the outermost interceptor, so it sees what the client is sent.
struct MetricsInterceptor: ServerInterceptor {
  let metrics: ServerMetrics

  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    guard context.descriptor.service.fullyQualifiedService == "stream.Soccer" else {
      return try await next(request, context)
    }
    let method = context.descriptor.method
    let response: StreamingServerResponse<Output>
    do {
      response = try await next(request, context)
    } catch {
      count(method, failure: error)
      throw error
    }
    switch response.accepted {
    case .failure(let error):
      count(method, failure: error)
      return response
    case .success(var contents):
      let produce = contents.producer
      contents.producer = { [metrics] writer in
        do {
          let trailers = try await produce(writer)
          metrics.ended(method: method, code: "OK")
          return trailers
        } catch {
          metrics.ended(method: method, code: StreamEnd.name(of: StatusMapping.rpcError(for: error).code))
          throw error
        }
      }
      return StreamingServerResponse(accepted: .success(contents))
    }
  }

  private func count(_ method: String, failure error: any Error) {
    let code = StatusMapping.rpcError(for: error).code
    if code == .unauthenticated { metrics.rejected(.auth) }
    metrics.ended(method: method, code: StreamEnd.name(of: code))
  }
}
