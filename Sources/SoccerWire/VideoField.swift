/// The `Video` message's fields as `protos/stream.proto` numbers them, with their wire types:
/// the one place `VideoSerializer` and `VideoDeserializer` take them from.
public enum VideoField: UInt64, CaseIterable, Sendable {
  case data = 1
  case dataType = 2
  case dataShape = 3
  case frameIndex = 4
  case ptsSeconds = 5
  case pixelFormat = 6
  case command = 7
  case refusal = 8
  case slot = 9
  case encoding = 10

  /// The protobuf wire type: 0 a varint, 1 eight fixed bytes, 2 length-delimited.
  public var wireType: UInt64 {
    switch self {
    case .frameIndex, .pixelFormat, .command, .encoding: 0
    case .ptsSeconds: 1
    case .data, .dataType, .dataShape, .refusal, .slot: 2
    }
  }

  /// The field's key as written before its value: one byte, for field numbers up to 15.
  public var key: UInt8 { UInt8(rawValue << 3 | wireType) }
}
