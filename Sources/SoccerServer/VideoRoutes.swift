import GRPCCore
import GRPCProtobuf
import SoccerProtocol
import SoccerWire

/// Watch and Play registered again with `VideoSerializer` for their frames in place of the
/// generated code's SwiftProtobuf serializer: listed after the service, whose registrations of
/// the two methods these replace. Watch sends the bytes a shared decode made for a frame as
/// they are (`OutgoingVideoSerializer`).
struct VideoRoutes: RegistrableRPCService {
  let service: SoccerService

  func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    router.registerHandler(
      forMethod: Stream_Soccer.Method.Watch.descriptor, deserializer: ProtobufDeserializer<Stream_Match>(),
      serializer: OutgoingVideoSerializer()
    ) { [service] request, context in
      try await service.watchOutgoing(request: ServerRequest(stream: request), context: context)
    }
    router.registerHandler(
      forMethod: Stream_Soccer.Method.Play.descriptor, deserializer: ProtobufDeserializer<Stream_PlayControl>(),
      serializer: VideoSerializer()
    ) { [service] request, context in
      try await service.play(request: request, context: context)
    }
  }
}
