#define _GNU_SOURCE
#include "jobq_system.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

int jobq_wait_exited(pid_t pid) {
    for (;;) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        /* WNOWAIT leaves the child a zombie, so its pid cannot be reused until jobq_reap. */
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == 0) {
            return 0;
        }
        if (errno != EINTR) {
            return errno;
        }
    }
}

static long long microseconds(struct timeval time) {
    return (long long)time.tv_sec * 1000000LL + (long long)time.tv_usec;
}

int jobq_reap(pid_t pid, struct jobq_exit *out) {
    memset(out, 0, sizeof *out);
    int status = 0;
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            return errno;
        }
    }
    if (WIFEXITED(status)) {
        out->exited = 1;
        out->code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        out->signal = WTERMSIG(status);
        out->core_dumped = WCOREDUMP(status) ? 1 : 0;
    }
    out->user_usec = microseconds(usage.ru_utime);
    out->system_usec = microseconds(usage.ru_stime);
    return 0;
}
