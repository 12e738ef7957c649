#define _GNU_SOURCE
#include "jobq_system.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

int jobq_write_all(int fd, const void *buffer, size_t len) {
    sigset_t sigpipe_only, previous_mask;
    sigemptyset(&sigpipe_only);
    sigaddset(&sigpipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigpipe_only, &previous_mask);

    int result = 0;
    const char *next = buffer;
    while (len > 0) {
        ssize_t written = write(fd, next, len);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            result = errno;
            break;
        }
        next += written;
        len -= (size_t)written;
    }
    if (result == EPIPE && !sigismember(&previous_mask, SIGPIPE)) {
        /* The failed write left a SIGPIPE pending on this thread; take it before unblocking. */
        const struct timespec no_wait = { 0, 0 };
        while (sigtimedwait(&sigpipe_only, NULL, &no_wait) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &previous_mask, NULL);
    return result;
}

int jobq_pipe(int fds[2]) {
    return pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno;
}
