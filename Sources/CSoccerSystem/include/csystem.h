#ifndef SOCCER_CSYSTEM_H
#define SOCCER_CSYSTEM_H

// glibc facilities that Swift's Glibc module does not export.

/// Sets glibc's mmap and trim thresholds (bytes); returns 0 when glibc refused a value.
int soccer_malloc_thresholds(int mmap_threshold, int trim_threshold);

/// Names the calling thread for the OS (top -H, perf, /proc/PID/task/TID/comm); at most 15 bytes show.
void soccer_name_current_thread(const char *name);

#endif
