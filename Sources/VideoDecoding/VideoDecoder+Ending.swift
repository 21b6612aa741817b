import CFFmpeg
import Foundation
import VideoFrames

/// How a file ends: all its frames, or fewer than its index lists (a file cut short).
extension VideoDecoder {
  /// For a container that lists where each frame's bytes lie (MP4's sample table): how many of
  /// the frames it lists lie wholly within the file, when some do not (the file was cut short);
  /// nil when it lists none or all are there. Reads no frame.
  func framesPastTheData() -> (present: Int, listed: Int)? {
    guard let fmt = format, let pb = fmt.pointee.pb, let stream = fmt.pointee.streams[Int(streamIndex)] else {
      return nil
    }
    let size = avio_size(pb)
    let listed = Int(avformat_index_get_entries_count(stream))
    guard size > 0, listed > 0 else { return nil }
    var present = 0
    for i in 0..<listed {
      guard let entry = avformat_index_get_entry(stream, Int32(i)) else { break }
      if entry.pointee.pos >= 0, entry.pointee.pos + Int64(entry.pointee.size) <= size { present += 1 }
    }
    return present < listed ? (present, listed) : nil
  }

  /// Why the file ended early, if its index names video data past its end (a cut-off download, say).
  func truncation() -> String? {
    framesPastTheData().map {
      "the file is cut short: its data holds \($0.present) of the \($0.listed) frames its index lists"
    }
  }

  /// At the end: a file that gave nothing is an error, never an empty success.
  func checkEnd() throws(DecodeError) {
    if let pendingReadError {
      if decodedCount == 0 && location.isRemote {
        throw .originUnavailable(origin: location.origin, reason: pendingReadError)
      }
      if decodedCount == 0 { throw .noDecodableFrames(pendingReadError) }
      throw .dataLoss("it breaks after frame \(decodedCount - 1): \(pendingReadError)")
    }
    if decodedCount == 0 {
      throw .noDecodableFrames(
        skippedPackets > 0 ? "\(skippedPackets) packets were corrupt" : "the video stream is empty")
    }
    if producedCount == 0 && eligibleCount == 0 && options.startFrame > 0 {
      throw .startFramePastEnd(frame: options.startFrame, count: decodedCount)
    }
    if producedCount == 0 && eligibleCount == 0 && options.startSeconds > 0 {
      throw .startPastEnd(start: options.startSeconds, duration: info.durationSeconds)
    }
  }
}
