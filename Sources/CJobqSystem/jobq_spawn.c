#define _GNU_SOURCE
#include "jobq_system.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Why fork() and not vfork()/clone(CLONE_VM): with a shared address space the
 * child's writes (errno, the stdio bookkeeping below) and any signal handler
 * that ran before the reset would land in the parent's memory, and doing it
 * safely needs a separate stack and hand-written syscalls. The supervisor is a
 * small process that starts at most one worker at a time, so the cost of
 * copying its page tables is negligible, and fork() gives the child a private
 * copy to work in. Between fork() and execve() the child only makes
 * async-signal-safe calls and never allocates: the parent may be multi-threaded.
 *
 * All signals are blocked around fork() so no handler of the parent can run in
 * the child before the child has put every disposition back to the default.
 */

/* Sends (stage, errno, index) to the parent through the report pipe and exits. */
__attribute__((noreturn))
static void child_fail(int report_fd, int stage, int index) {
    struct jobq_spawn_failure failure = { stage, errno, index };
    ssize_t written;
    do {
        written = write(report_fd, &failure, sizeof failure);
    } while (written < 0 && errno == EINTR);
    _exit(127);
}

/* Returns fd itself when it is at least `lowest`, else a close-on-exec copy that is. */
static int lift_to_at_least(int fd, int lowest) {
    if (fd >= lowest) {
        return fd;
    }
    return fcntl(fd, F_DUPFD_CLOEXEC, lowest);
}

static void join_cgroups(const struct jobq_spawn_request *request, int report_fd) {
    for (int i = 0; i < request->cgroup_procs_count; i++) {
        ssize_t written;
        do {
            written = write(request->cgroup_procs_fds[i], "0", 1);
        } while (written < 0 && errno == EINTR);
        if (written != 1) {
            child_fail(report_fd, JOBQ_STAGE_CGROUP, i);
        }
    }
}

/*
 * Uses the raw system call: the C library's sigaction refuses the signals it
 * reserves for itself (32 and 33 on glibc), yet those too can be inherited as
 * ignored and must not stay that way. A zeroed kernel sigaction is SIG_DFL with
 * no flags and an empty mask whatever the architecture's field order.
 */
static void reset_signal_dispositions(int report_fd) {
    unsigned long default_action[8];
    memset(default_action, 0, sizeof default_action);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) {
            continue;
        }
        if (syscall(SYS_rt_sigaction, sig, default_action, NULL, (size_t)(NSIG - 1) / 8) < 0 && errno != EINVAL) {
            child_fail(report_fd, JOBQ_STAGE_SIGNALS, sig);
        }
    }
}

/* The descriptors the child gets: 0, 1, 2 and then one per extra fd. */
static int installed_count(const struct jobq_spawn_request *request) {
    return 3 + request->extra_count;
}

/* Installs the standard streams (-1: /dev/null) as 0, 1, 2 and the extra fds as 3, 4, ... */
static void install_descriptors(const struct jobq_spawn_request *request, int report_fd) {
    int count = installed_count(request);
    int sources[3 + JOBQ_MAX_EXTRA_FDS] = { request->stdin_fd, request->stdout_fd, request->stderr_fd };
    for (int i = 0; i < request->extra_count; i++) {
        sources[3 + i] = request->extra_fds[i];
    }
    int dev_null = -1;
    for (int target = 0; target < 3; target++) {
        if (sources[target] < 0) {
            if (dev_null < 0) {
                dev_null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (dev_null < 0) {
                    child_fail(report_fd, JOBQ_STAGE_STDIO, target);
                }
            }
            sources[target] = dev_null;
        }
    }
    /* Move every source above the targets first, so installing one cannot clobber another's source. */
    for (int target = 0; target < count; target++) {
        sources[target] = lift_to_at_least(sources[target], count);
        if (sources[target] < 0) {
            child_fail(report_fd, JOBQ_STAGE_STDIO, target);
        }
    }
    for (int target = 0; target < count; target++) {
        /* The source is never the target here, so dup2 also clears close-on-exec on it. */
        if (dup2(sources[target], target) < 0) {
            child_fail(report_fd, JOBQ_STAGE_STDIO, target);
        }
    }
}

/* For kernels before 5.9: close one by one up to the open-file limit (the kernel's default cap if unlimited). */
static void close_range_fallback(unsigned int first, unsigned int last) {
    struct rlimit open_files;
    rlim_t end = 1U << 20;
    if (getrlimit(RLIMIT_NOFILE, &open_files) == 0 && open_files.rlim_cur != RLIM_INFINITY) {
        end = open_files.rlim_cur;
    }
    if ((rlim_t)last < end) {
        end = (rlim_t)last + 1;
    }
    for (rlim_t fd = first; fd < end; fd++) {
        close((int)fd);
    }
}

static void close_fds_in_range(unsigned int first, unsigned int last) {
    if (first > last) {
        return;
    }
    if (close_range(first, last, 0) < 0) {
        close_range_fallback(first, last);
    }
}

/* Closes every descriptor above the installed ones except the report pipe (close-on-exec closes that one). */
static void close_other_fds(const struct jobq_spawn_request *request, int report_fd) {
    close_fds_in_range((unsigned int)installed_count(request), (unsigned int)report_fd - 1);
    close_fds_in_range((unsigned int)report_fd + 1, ~0U);
}

static void apply_rlimits(const struct jobq_spawn_request *request, int report_fd) {
    for (int i = 0; i < request->rlimit_count; i++) {
        struct rlimit limit = {
            .rlim_cur = (rlim_t)request->rlimits[i].soft,
            .rlim_max = (rlim_t)request->rlimits[i].hard,
        };
        if (setrlimit(request->rlimits[i].resource, &limit) < 0) {
            child_fail(report_fd, JOBQ_STAGE_RLIMIT, i);
        }
    }
}

/*
 * Asks for the parent-death signal, then checks the parent is still the one
 * that forked: had it died before prctl, the child was already reparented and
 * would never get the signal. ESRCH reports a parent that is gone.
 */
static void set_parent_death_signal(const struct jobq_spawn_request *request, pid_t parent, int report_fd) {
    if (request->parent_death_signal == 0) {
        return;
    }
    if (prctl(PR_SET_PDEATHSIG, (unsigned long)request->parent_death_signal, 0, 0, 0) < 0) {
        child_fail(report_fd, JOBQ_STAGE_PARENT_DEATH, 0);
    }
    if (getppid() != parent) {
        errno = ESRCH;
        child_fail(report_fd, JOBQ_STAGE_PARENT_DEATH, 0);
    }
}

__attribute__((noreturn))
static void run_child(const struct jobq_spawn_request *request, pid_t parent, int report_fd) {
    set_parent_death_signal(request, parent, report_fd);
    join_cgroups(request, report_fd);
    reset_signal_dispositions(report_fd);
    if (request->new_process_group && setpgid(0, 0) < 0) {
        child_fail(report_fd, JOBQ_STAGE_PROCESS_GROUP, 0);
    }
    install_descriptors(request, report_fd);
    close_other_fds(request, report_fd);
    apply_rlimits(request, report_fd);
    if (request->working_directory != NULL && chdir(request->working_directory) < 0) {
        child_fail(report_fd, JOBQ_STAGE_CHDIR, 0);
    }
    sigset_t empty;
    sigemptyset(&empty);
    if (sigprocmask(SIG_SETMASK, &empty, NULL) < 0) {
        child_fail(report_fd, JOBQ_STAGE_SIGNALS, 0);
    }
    execve(request->path, request->argv, request->envp);
    child_fail(report_fd, JOBQ_STAGE_EXEC, 0);
}

/* Reads the child's failure report; returns the bytes read (0 when execve closed the pipe). */
static size_t read_report(int report_fd, struct jobq_spawn_failure *report) {
    size_t received = 0;
    while (received < sizeof *report) {
        ssize_t n = read(report_fd, (char *)report + received, sizeof *report - received);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        received += (size_t)n;
    }
    return received;
}

pid_t jobq_spawn(const struct jobq_spawn_request *request, struct jobq_spawn_failure *failure) {
    memset(failure, 0, sizeof *failure);
    int report_pipe[2];
    if (pipe2(report_pipe, O_CLOEXEC) < 0) {
        failure->stage = JOBQ_STAGE_PIPE;
        failure->error_number = errno;
        return -1;
    }
    if (request->extra_count < 0 || request->extra_count > JOBQ_MAX_EXTRA_FDS) {
        failure->stage = JOBQ_STAGE_STDIO;
        failure->error_number = EINVAL;
        close(report_pipe[0]);
        close(report_pipe[1]);
        return -1;
    }
    /* Keep the child's end above the descriptors it installs, so installing them can never overwrite it. */
    int lifted = lift_to_at_least(report_pipe[1], installed_count(request));
    if (lifted < 0) {
        failure->stage = JOBQ_STAGE_PIPE;
        failure->error_number = errno;
        close(report_pipe[0]);
        close(report_pipe[1]);
        return -1;
    }
    if (lifted != report_pipe[1]) {
        close(report_pipe[1]);
        report_pipe[1] = lifted;
    }

    sigset_t all_signals, previous_mask;
    sigfillset(&all_signals);
    pthread_sigmask(SIG_SETMASK, &all_signals, &previous_mask);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(report_pipe[0]);
        run_child(request, parent, report_pipe[1]);
    }
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &previous_mask, NULL);
    close(report_pipe[1]);
    if (pid < 0) {
        close(report_pipe[0]);
        failure->stage = JOBQ_STAGE_FORK;
        failure->error_number = fork_errno;
        return -1;
    }

    struct jobq_spawn_failure report;
    size_t received = read_report(report_pipe[0], &report);
    close(report_pipe[0]);
    if (received == 0) {
        return pid;
    }
    if (received == sizeof report) {
        *failure = report;
    } else {
        /* A torn report cannot come from a live child; make sure none is left running. */
        kill(pid, SIGKILL);
        failure->stage = JOBQ_STAGE_EXEC;
        failure->error_number = EIO;
    }
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    return -1;
}
