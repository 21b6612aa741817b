import CSoccerSystem
import Foundation

/// Process-wide allocator settings for streaming multi-megabyte frames.
enum MemoryTuning {
  /// Keeps frame-sized buffers on the heap instead of mapping and unmapping them for every frame,
  /// in as many malloc arenas as there are cores.
  ///
  /// glibc serves allocations over its mmap threshold with a fresh mapping each time, so every
  /// frame buffer cost page faults on first touch and an munmap when freed: a third of the
  /// client's CPU at 720p. Raising the threshold to glibc's maximum (32 MiB, a 4K BGR frame)
  /// and the trim threshold lets freed frames be reused; what the heap keeps is bounded by the
  /// frames in flight, which the decode queue and HTTP/2 flow control already bound.
  ///
  /// glibc also gives each thread that allocates its own arena, up to eight per core, and frees
  /// into an arena never reach another: with a decoding thread per stream, the freed frames of
  /// streams that have ended stayed in arenas nobody used again (6.7 GB after 64 streams ended).
  /// An operator's own `MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_` or `MALLOC_TRIM_THRESHOLD_`,
  /// which glibc reads at start, is left in force.
  static func forLargeFrames() {
    let environment = ProcessInfo.processInfo.environment
    if environment["MALLOC_MMAP_THRESHOLD_"] == nil && environment["MALLOC_TRIM_THRESHOLD_"] == nil {
      _ = soccer_malloc_thresholds(32 << 20, 256 << 20)
    }
    if environment["MALLOC_ARENA_MAX"] == nil {
      _ = soccer_malloc_arena_max(Int32(max(2, ProcessInfo.processInfo.activeProcessorCount)))
    }
  }
}
