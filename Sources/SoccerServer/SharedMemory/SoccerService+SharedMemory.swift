import Foundation
import GRPCCore
import SoccerProtocol
import VideoDecoding
import VideoFrames

extension SoccerService {
  /// The ring a Watch request asks its frames to go through, opened and checked; throws when
  /// this server, or this client's connection, may not use one.
  func sharedMemoryRing(_ request: Stream_SharedMemoryRing, peerUID: UInt32?) throws(SharedMemoryError)
    -> SharedMemoryRing
  {
    guard allowsSharedMemory else { throw .notAllowed }
    guard let peerUID else { throw .notOverUnixSocket }
    return try SharedMemoryRing(request, peerUID: peerUID, stallTimeout: stallTimeout)
  }

  /// What a decoder calls with its frames' geometry before the first: reserves the stream's frame
  /// memory, and with a ring checks and maps it too.
  static func admitting(into ring: SharedMemoryRing?, admission: FrameAdmission)
    -> @Sendable (FrameGeometry) throws -> Void
  {
    { geometry in
      guard let ring else { return try admission.admit(geometry) }
      try admit(geometry, into: ring, admission: admission)
    }
  }

  /// Checks that frames of `geometry` fit `ring`'s slots, reserves the stream's frame memory with
  /// the ring in it, and only then maps the ring; on the decoding thread, before any frame.
  static func admit(_ geometry: FrameGeometry, into ring: SharedMemoryRing, admission: FrameAdmission) throws {
    try ring.checkFits(
      frameBytes: geometry.outputFrameBytes, frame: "\(geometry.outputSize) \(geometry.format)")
    try admission.admit(geometry, ringBytes: ring.size)
    try ring.map()
  }
}
