#define _GNU_SOURCE
#include "CSystemShims.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

int CSystemShims_pipe2(int fds[2], int flags) {
    return pipe2(fds, flags);
}

int CSystemShims_addCloseFrom(posix_spawn_file_actions_t *actions, int lowest) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
#else
    (void)actions; (void)lowest;
    return ENOSYS;
#endif
}

int CSystemShims_addChdir(posix_spawn_file_actions_t *actions, const char *path) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 29))
    return posix_spawn_file_actions_addchdir_np(actions, path);
#else
    (void)actions; (void)path;
    return ENOSYS;
#endif
}

int CSystemShims_exchangePaths(const char *first, const char *second) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 28))
    return renameat2(AT_FDCWD, first, AT_FDCWD, second, RENAME_EXCHANGE);
#elif defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, first, AT_FDCWD, second, 2 /* RENAME_EXCHANGE */);
#else
    (void)first; (void)second;
    errno = ENOSYS;
    return -1;
#endif
}

int CSystemShims_becomeChildSubreaper(void) {
#ifdef __linux__
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int CSystemShims_openPath(int directory, const char *name, int mustBeDirectory) {
#ifdef __linux__
    return openat(directory, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | (mustBeDirectory ? O_DIRECTORY : 0));
#else
    (void)directory; (void)name; (void)mustBeDirectory;
    errno = ENOSYS;
    return -1;
#endif
}

int CSystemShims_pidfdOpen(int pid) {
#if defined(__linux__) && defined(SYS_pidfd_open)
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

int CSystemShims_allowedCPUCount(void) {
#ifdef __linux__
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -1;
    return CPU_COUNT(&allowed);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int CSystemShims_pinToAllowedCPU(int index) {
#ifdef __linux__
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -1;
    int seen = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        if (seen++ == index) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            return sched_setaffinity(0, sizeof one, &one);
        }
    }
    errno = EINVAL;
    return -1;
#else
    errno = ENOSYS;
    return -1;
#endif
}

int CSystemShims_scheduleAsBatch(void) {
#ifdef __linux__
    struct sched_param param = {.sched_priority = 0};
    return sched_setscheduler(0, SCHED_BATCH, &param);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int CSystemShims_adoptProcessCPUs(void) {
#ifdef __linux__
    cpu_set_t process;
    if (sched_getaffinity(getpid(), sizeof process, &process) != 0) return -1;
    return sched_setaffinity(0, sizeof process, &process);
#else
    errno = ENOSYS;
    return -1;
#endif
}
