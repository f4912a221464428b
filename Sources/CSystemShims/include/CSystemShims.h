// The few system calls the runner needs that Swift's Glibc module does not export (they are
// _GNU_SOURCE or Linux-only). Each is wrapped at once in Swift (CompatRunner's SystemShims.swift).
#ifndef CSYSTEMSHIMS_H
#define CSYSTEMSHIMS_H

#include <spawn.h>

/// pipe2(2): a pipe whose ends get `flags` (O_CLOEXEC, O_NONBLOCK) atomically. 0, or -1 and errno.
int CSystemShims_pipe2(int fds[2], int flags);

/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor from `lowest` on.
/// 0, or an errno (ENOSYS when the C library has no such action).
int CSystemShims_addCloseFrom(posix_spawn_file_actions_t *actions, int lowest);

/// posix_spawn_file_actions_addchdir_np: the child changes its working directory to `path`.
/// 0, or an errno (ENOSYS when the C library has no such action).
int CSystemShims_addChdir(posix_spawn_file_actions_t *actions, const char *path);

/// prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are reparented to this process
/// instead of init. 0, or -1 and errno (ENOSYS off Linux).
int CSystemShims_becomeChildSubreaper(void);

/// renameat2(first, second, RENAME_EXCHANGE) (Linux): both paths must exist; each then names
/// what the other did, in one step. 0, or -1 and errno (ENOSYS where the system has no such call,
/// EINVAL where the filesystem cannot).
int CSystemShims_exchangePaths(const char *first, const char *second);

/// openat(directory, name, O_PATH | O_NOFOLLOW | O_CLOEXEC [| O_DIRECTORY]) (Linux): a descriptor
/// that names the file `name` is now, never through a symbolic link; `directory` AT_FDCWD for a
/// path. The descriptor, or -1 and errno (ENOSYS off Linux).
int CSystemShims_openPath(int directory, const char *name, int mustBeDirectory);

/// pidfd_open(pid, 0) (Linux 5.3): a close-on-exec descriptor that becomes readable when the
/// process exits. The descriptor, or -1 and errno (ENOSYS where the system has no such call).
int CSystemShims_pidfdOpen(int pid);

/// The SHA-256 of what `fd` reads from its offset to its end, into `digest` (32 bytes), by
/// OpenSSL's libcrypto. 0, or -1 and errno.
int CSystemShims_sha256OfFile(int fd, unsigned char digest[32]);

/// How many CPUs the calling thread may run on (sched_getaffinity, Linux): its cpuset, not
/// the machine's count. The count, or -1 and errno (ENOSYS off Linux).
int CSystemShims_allowedCPUCount(void);

/// Confines the calling thread (and the processes it starts after) to the `index`-th CPU of
/// those it may run on (sched_setaffinity, Linux). 0, or -1 and errno (EINVAL: fewer CPUs).
int CSystemShims_pinToAllowedCPU(int index);

/// Schedules the calling thread (and the processes it starts after) as batch work (SCHED_BATCH,
/// Linux): a thread it wakes does not preempt it. 0, or -1 and errno (ENOSYS off Linux).
int CSystemShims_scheduleAsBatch(void);

/// Lets the calling thread run on the CPUs of the process's main thread (the pid's own
/// sched_getaffinity), undoing a pin it inherited. 0, or -1 and errno (ENOSYS off Linux).
int CSystemShims_adoptProcessCPUs(void);

#endif
