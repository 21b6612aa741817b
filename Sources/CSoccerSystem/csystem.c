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

// MARK: - The fault guard

#if defined(__linux__)
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

// One place per mapped client ring. A server has at most --max-streams rings mapped at once
// (64 by default), and a ring's place is given back when it is unmapped.
#define SOCCER_GUARD_PLACES 1024

typedef struct {
  atomic_int taken;
  atomic_int hit;
  // Written before `base` is published, and read only after `base` is seen non-zero.
  _Atomic size_t length;
  _Atomic uintptr_t base;
} soccer_guarded_range;

static soccer_guarded_range soccer_guarded[SOCCER_GUARD_PLACES];
static struct sigaction soccer_guard_previous;
static pthread_mutex_t soccer_guard_lock = PTHREAD_MUTEX_INITIALIZER;
static int soccer_guard_installed = 0;

// Runs on the faulting thread. Only atomics, mmap and sigaction: all async-signal-safe here.
static void soccer_guard_on_bus_error(int signal, siginfo_t *info, void *context) {
  if (info != NULL && info->si_code > 0) {
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int i = 0; i < SOCCER_GUARD_PLACES; i++) {
      uintptr_t base = atomic_load_explicit(&soccer_guarded[i].base, memory_order_acquire);
      if (base == 0) continue;
      size_t length = atomic_load_explicit(&soccer_guarded[i].length, memory_order_relaxed);
      if (address < base || address - base >= length) continue;
      // Private zeroes over the whole range: the store that faulted is retried there, and no
      // later store into the range can fault. The range's owner sees `hit` and ends its stream.
      void *replaced = mmap((void *)base, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
      if (replaced != MAP_FAILED) {
        atomic_store_explicit(&soccer_guarded[i].hit, 1, memory_order_release);
        return;
      }
      break;
    }
  }
  // Not a fault of a guarded range: whoever handled bus errors before does, or the default.
  if ((soccer_guard_previous.sa_flags & SA_SIGINFO) && soccer_guard_previous.sa_sigaction != NULL) {
    soccer_guard_previous.sa_sigaction(signal, info, context);
  } else if (soccer_guard_previous.sa_handler != SIG_DFL && soccer_guard_previous.sa_handler != SIG_IGN) {
    soccer_guard_previous.sa_handler(signal);
  } else {
    // The default action, when the faulting instruction runs again (or at once for a sent signal).
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigaction(SIGBUS, &fallback, NULL);
    if (info == NULL || info->si_code <= 0) raise(SIGBUS);
  }
}

int soccer_fault_guard_install(void) {
  pthread_mutex_lock(&soccer_guard_lock);
  int result = 0;
  if (!soccer_guard_installed) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = soccer_guard_on_bus_error;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGBUS, &action, &soccer_guard_previous) == 0) {
      soccer_guard_installed = 1;
    } else {
      result = errno;
    }
  }
  pthread_mutex_unlock(&soccer_guard_lock);
  return result;
}

int soccer_fault_guard_add(void *base, size_t length) {
  for (int i = 0; i < SOCCER_GUARD_PLACES; i++) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&soccer_guarded[i].taken, &expected, 1)) continue;
    atomic_store_explicit(&soccer_guarded[i].hit, 0, memory_order_relaxed);
    atomic_store_explicit(&soccer_guarded[i].length, length, memory_order_relaxed);
    atomic_store_explicit(&soccer_guarded[i].base, (uintptr_t)base, memory_order_release);
    return i;
  }
  return -1;
}

int soccer_fault_guard_hit(int handle) {
  if (handle < 0 || handle >= SOCCER_GUARD_PLACES) return 0;
  return atomic_load_explicit(&soccer_guarded[handle].hit, memory_order_acquire);
}

void soccer_fault_guard_remove(int handle) {
  if (handle < 0 || handle >= SOCCER_GUARD_PLACES) return;
  atomic_store_explicit(&soccer_guarded[handle].base, 0, memory_order_release);
  atomic_store_explicit(&soccer_guarded[handle].length, 0, memory_order_relaxed);
  atomic_store_explicit(&soccer_guarded[handle].taken, 0, memory_order_release);
}

int soccer_replace_with_private_copy(void *address, size_t length) {
  void *copy = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (copy == MAP_FAILED) return errno;
  // Huge pages where the kernel allows them: far fewer page faults for a frame-sized copy.
  (void)madvise(copy, length, MADV_HUGEPAGE);
  memcpy(copy, address, length);
  if (mremap(copy, length, length, MREMAP_MAYMOVE | MREMAP_FIXED, address) == MAP_FAILED) {
    int error = errno;
    munmap(copy, length);
    return error;
  }
  return 0;
}
#else
int soccer_fault_guard_install(void) { return ENOSYS; }
int soccer_fault_guard_add(void *base, size_t length) {
  (void)base;
  (void)length;
  return -1;
}
int soccer_fault_guard_hit(int handle) {
  (void)handle;
  return 0;
}
void soccer_fault_guard_remove(int handle) { (void)handle; }
int soccer_replace_with_private_copy(void *address, size_t length) {
  (void)address;
  (void)length;
  return ENOSYS;
}
#endif
