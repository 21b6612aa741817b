#define _GNU_SOURCE
#include "csystem.h"

// Included before the test below: it defines __GLIBC__ on glibc systems.
#include <stdlib.h>
#include <pthread.h>

#if defined(__GLIBC__)
#include <malloc.h>

int soccer_malloc_thresholds(int mmap_threshold, int trim_threshold) {
  return mallopt(M_MMAP_THRESHOLD, mmap_threshold) && mallopt(M_TRIM_THRESHOLD, trim_threshold);
}

void soccer_name_current_thread(const char *name) { pthread_setname_np(pthread_self(), name); }
#else
int soccer_malloc_thresholds(int mmap_threshold, int trim_threshold) {
  (void)mmap_threshold;
  (void)trim_threshold;
  return 0;
}

void soccer_name_current_thread(const char *name) { (void)name; }
#endif
