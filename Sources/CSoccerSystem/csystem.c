#define _GNU_SOURCE
#include "csystem.h"

// Included before the test below: it defines __GLIBC__ on glibc systems.
#include <stdlib.h>
#include <pthread.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#endif

int soccer_so_peercred(void) {
#if defined(__linux__)
  return SO_PEERCRED;
#else
  return -1;
#endif
}

int soccer_futex_wait_shared(uint32_t *word, uint32_t expected, long long timeout_ns) {
#if defined(__linux__)
  struct timespec timeout = {(time_t)(timeout_ns / 1000000000LL), (long)(timeout_ns % 1000000000LL)};
  if (syscall(SYS_futex, word, FUTEX_WAIT, expected, &timeout, NULL, 0) == 0) return 0;
  return errno == EAGAIN ? 0 : errno;
#else
  (void)word;
  (void)expected;
  (void)timeout_ns;
  return ENOSYS;
#endif
}

void soccer_futex_wake_shared(uint32_t *word) {
#if defined(__linux__)
  (void)syscall(SYS_futex, word, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
#else
  (void)word;
#endif
}

uint32_t soccer_load_acquire_u32(const uint32_t *word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }

void soccer_store_release_u32(uint32_t *word, uint32_t value) { __atomic_store_n(word, value, __ATOMIC_RELEASE); }

int soccer_is_on_tmpfs(int fd) {
#if defined(__linux__)
  struct statfs fs;
  if (fstatfs(fd, &fs) != 0) return -1;
  return fs.f_type == TMPFS_MAGIC ? 1 : 0;
#else
  (void)fd;
  return 0;
#endif
}

void soccer_start_writeback(int fd, long long offset, long long length) {
#if defined(__linux__)
  (void)sync_file_range(fd, (off_t)offset, (off_t)length, SYNC_FILE_RANGE_WRITE);
#endif
}

int soccer_reserve_file_space(int fd, long long length) {
#if defined(__linux__)
  while (fallocate(fd, 0, 0, (off_t)length) != 0) {
    if (errno == EINTR) continue;
    if (errno == EOPNOTSUPP || errno == ENOSYS) return 0;
    return errno;
  }
#endif
  return 0;
}

long soccer_raise_open_files_limit(void) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0 && getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  }
  return limit.rlim_cur == RLIM_INFINITY ? -1 : (long)limit.rlim_cur;
}

#if defined(__GLIBC__)
#include <malloc.h>

int soccer_malloc_thresholds(int mmap_threshold, int trim_threshold) {
  return mallopt(M_MMAP_THRESHOLD, mmap_threshold) && mallopt(M_TRIM_THRESHOLD, trim_threshold);
}

int soccer_malloc_arena_max(int arenas) { return mallopt(M_ARENA_MAX, arenas); }

int soccer_malloc_trim(void) { return malloc_trim(0); }

unsigned long soccer_malloc_free_bytes(void) { return (unsigned long)mallinfo2().fordblks; }

void soccer_name_current_thread(const char *name) { pthread_setname_np(pthread_self(), name); }
#else
int soccer_malloc_arena_max(int arenas) {
  (void)arenas;
  return 0;
}

int soccer_malloc_trim(void) { return 0; }

unsigned long soccer_malloc_free_bytes(void) { return 0; }

int soccer_malloc_thresholds(int mmap_threshold, int trim_threshold) {
  (void)mmap_threshold;
  (void)trim_threshold;
  return 0;
}

void soccer_name_current_thread(const char *name) { (void)name; }
#endif
