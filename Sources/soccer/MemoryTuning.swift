import CSoccerSystem
import Foundation

/// Process-wide allocator settings for streaming multi-megabyte frames.
enum MemoryTuning {
  /// Keeps frame-sized buffers on the heap instead of mapping and unmapping them for every frame,
  /// in one malloc arena.
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
  /// One arena, not one per core: `malloc_trim` gives back the free top of the main arena's
  /// heap but never that of another arena, so a second arena kept up to the trim threshold
  /// resident after the last stream ended (30–45 MB after the soak, against 12 with one).
  /// Small allocations, the many, go through each thread's lock-free cache either way; eight
  /// 720p streams gave 1.03 and 0.95 of two arenas' frames/s in two runs, within the machine's
  /// spread, with a lower peak RSS (BENCHMARKS.md, "Allocator").
  ///
  /// An operator's own `MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_` or `MALLOC_TRIM_THRESHOLD_`,
  /// which glibc reads at start, is left in force.
  static func forLargeFrames() {
    let settings = Settings(environment: ProcessInfo.processInfo.environment)
    if settings.raisesThresholds {
      _ = soccer_malloc_thresholds(32 << 20, 256 << 20)
    }
    if let arenas = settings.arenaMax {
      _ = soccer_malloc_arena_max(arenas)
    }
  }

  /// What `forLargeFrames` sets, given the environment glibc read at start.
  struct Settings {
    /// Whether the mmap and trim thresholds are raised (not when the operator set either).
    var raisesThresholds: Bool
    /// The arena cap to set, or nil to leave the operator's `MALLOC_ARENA_MAX` in force.
    var arenaMax: Int32?

    init(environment: [String: String]) {
      raisesThresholds = environment["MALLOC_MMAP_THRESHOLD_"] == nil && environment["MALLOC_TRIM_THRESHOLD_"] == nil
      arenaMax = environment["MALLOC_ARENA_MAX"] == nil ? 1 : nil
    }
  }
}
