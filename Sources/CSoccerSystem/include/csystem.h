#ifndef SOCCER_CSYSTEM_H
#define SOCCER_CSYSTEM_H

// glibc facilities that Swift's Glibc module does not export.

#include <stddef.h>
#include <stdint.h>

/// Sets glibc's mmap and trim thresholds (bytes); returns 0 when glibc refused a value.
int soccer_malloc_thresholds(int mmap_threshold, int trim_threshold);

/// Caps the number of glibc malloc arenas; returns 0 when glibc refused.
int soccer_malloc_arena_max(int arenas);

/// Gives free heap memory back to the system: inside every arena, and at the top of the main
/// arena's heap (glibc never trims the top of another arena here); returns 1 if any was.
int soccer_malloc_trim(void);

/// Bytes free in malloc's arenas (mallinfo2's fordblks): what a trim could give back, and more.
unsigned long soccer_malloc_free_bytes(void);

/// Raises the soft limit on open files to the hard limit; returns the soft limit now in force, or -1.
long soccer_raise_open_files_limit(void);

/// Names the calling thread for the OS (top -H, perf, /proc/PID/task/TID/comm); at most 15 bytes show.
void soccer_name_current_thread(const char *name);

/// Reserves `length` bytes of disk for the open file `fd` (Linux fallocate, which never falls back
/// to writing zeros); returns 0, or the errno (ENOSPC: no room). A filesystem that cannot
/// reserve space returns 0: its writes report a full disk instead.
int soccer_reserve_file_space(int fd, long long length);

/// Starts writing `length` bytes of `fd` from `offset` back to disk without waiting for them
/// (Linux sync_file_range), so a later fsync has less left to do; a no-op elsewhere.
void soccer_start_writeback(int fd, long long offset, long long length);

/// A Unix socket peer's process, user and group, laid out as Linux's struct ucred (SO_PEERCRED).
typedef struct {
  int32_t pid;
  uint32_t uid;
  uint32_t gid;
} soccer_peer_credentials;

/// The SO_PEERCRED socket option's name (Linux), or -1 where there is none.
int soccer_so_peercred(void);

/// Waits while `*word` holds `expected`, for at most `timeout_ns`, where processes that map the
/// same memory can wake it (a futex that is not private); returns 0 when woken or changed, else
/// the errno (ETIMEDOUT, EINTR). Returns ENOSYS where there are no futexes.
int soccer_futex_wait_shared(uint32_t *word, uint32_t expected, long long timeout_ns);

/// Wakes every waiter on `*word`, in every process that maps it.
void soccer_futex_wake_shared(uint32_t *word);

/// `*word`, read with acquire ordering: what was written before it was released is visible.
uint32_t soccer_load_acquire_u32(const uint32_t *word);

/// Stores `value` into `*word` with release ordering: what was written before is visible first.
void soccer_store_release_u32(uint32_t *word, uint32_t value);

/// 1 when `fd` is a file of a tmpfs (the filesystem of /dev/shm), 0 when not, -1 on error.
int soccer_is_on_tmpfs(int fd);

/// Starts catching bus errors (SIGBUS) inside ranges registered with soccer_fault_guard_add: a
/// fault there (a client shrank the shared memory behind the range, or its filesystem had no page
/// to give) maps private zeroed memory over the whole range and marks it hit, so the faulting
/// store completes harmlessly and only the range's owner fails. Faults anywhere else go to the
/// handler installed before. Idempotent; returns 0, or the errno of sigaction.
int soccer_fault_guard_install(void);

/// Registers `length` bytes at `base` with the guard (before the first store into them); returns
/// a handle of 0 or more, or -1 when every place in the guard's table is taken.
int soccer_fault_guard_add(void *base, size_t length);

/// 1 once a fault hit the range of `handle` (its memory is private zeroes from then on), else 0.
int soccer_fault_guard_hit(int handle);

/// Unregisters `handle`; called before its range is unmapped.
void soccer_fault_guard_remove(int handle);

/// Replaces the `length` bytes mapped at `address` (whole pages) with a private copy of what they
/// hold now, in one step (mremap), so views of them keep their bytes while what was mapped there
/// goes back to its owner; returns 0 or the errno. The copy is unmapped with munmap like the range.
int soccer_replace_with_private_copy(void *address, size_t length);

#endif
