"""Figures of a running process from /proc: memory, open files, CPU time."""

import os


def proc_status(pid, field):
    """A number from /proc/PID/status, e.g. VmRSS (kB) or Threads."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def rss_mb(pid):
    return proc_status(pid, "VmRSS") / 1024


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def cpu_seconds(pid):
    """User and system CPU time the process has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def threads_named(pid, name):
    """Threads of process `pid` whose name (comm) is `name`. A thread that ends while they are
    counted is not counted: its files vanish (ENOENT) or refuse to be read (ESRCH)."""
    count = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                count += f.read().strip() == name
        except (FileNotFoundError, ProcessLookupError):
            pass
    return count
