#ifndef SOCCER_CSYSTEM_H
#define SOCCER_CSYSTEM_H

// glibc facilities that Swift's Glibc module does not export.

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

#endif
