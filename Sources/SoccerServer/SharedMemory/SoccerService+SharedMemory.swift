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

  /// Checks that frames of `geometry` fit `ring`'s slots, reserves the stream's frame memory with
  /// the ring in it, and only then maps the ring; on the decoding thread, before any frame.
  static func admit(_ geometry: FrameGeometry, into ring: SharedMemoryRing, admission: FrameAdmission) throws {
    try ring.checkFits(
      frameBytes: geometry.outputFrameBytes, frame: "\(geometry.outputSize) \(geometry.format)")
    try admission.admit(geometry, ringBytes: ring.size)
    try ring.map()
  }
}

extension Stream_Video {
  /// The message for one frame: its pixels in `data`, or, when they lie in `ring`, the slot.
  init(_ frame: Frame, ring: SharedMemoryRing?) {
    guard let ring, let slot = frame.slot else {
      self.init(frame)
      return
    }
    var pixelless = frame
    pixelless.pixels = Data()
    self.init(pixelless)
    self.slot = Stream_SharedMemorySlot.with {
      $0.index = UInt32(slot)
      $0.offset = UInt64(ring.offset(of: slot))
      $0.length = UInt64(frame.pixels.count)
    }
  }
}
