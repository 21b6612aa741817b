#include "cmalloc.h"

// Included before the test below: it defines __GLIBC__ on glibc systems.
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>

int soccer_malloc_thresholds(int mmap_threshold, int trim_threshold) {
  return mallopt(M_MMAP_THRESHOLD, mmap_threshold) && mallopt(M_TRIM_THRESHOLD, trim_threshold);
}
#else
int soccer_malloc_thresholds(int mmap_threshold, int trim_threshold) {
  (void)mmap_threshold;
  (void)trim_threshold;
  return 0;
}
#endif
