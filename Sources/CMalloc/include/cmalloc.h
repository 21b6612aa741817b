#ifndef SOCCER_CMALLOC_H
#define SOCCER_CMALLOC_H

/// Sets glibc's mmap and trim thresholds (bytes); returns 0 when glibc refused a value.
int soccer_malloc_thresholds(int mmap_threshold, int trim_threshold);

#endif
