#ifndef JOBQ_SYSTEM_H
#define JOBQ_SYSTEM_H

/*
 * System calls that Swift cannot make safely: starting a child process that
 * joins its cgroups, process group, stdio and limits before it runs any code
 * of its own, and waiting for it without losing its resource usage.
 */

#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* The step of child setup that failed; reported to the parent with errno. */
enum jobq_spawn_stage {
    JOBQ_STAGE_PIPE = 1,          /* parent: creating the report pipe */
    JOBQ_STAGE_FORK = 2,          /* parent: fork() itself */
    JOBQ_STAGE_CGROUP = 3,        /* child: writing "0" to a cgroup.procs fd */
    JOBQ_STAGE_PROCESS_GROUP = 4, /* child: setpgid(0, 0) */
    JOBQ_STAGE_STDIO = 5,         /* child: opening /dev/null or dup2 */
    JOBQ_STAGE_SIGNALS = 6,       /* child: resetting dispositions or mask */
    JOBQ_STAGE_RLIMIT = 7,        /* child: setrlimit */
    JOBQ_STAGE_CHDIR = 8,         /* child: chdir */
    JOBQ_STAGE_EXEC = 9,          /* child: execve */
    JOBQ_STAGE_PARENT_DEATH = 10, /* child: prctl(PR_SET_PDEATHSIG), or the parent already gone */
};

/* The limits a launch can set (some are hidden from Swift by feature macros). */
enum jobq_rlimit_resource {
    JOBQ_RLIMIT_ADDRESS_SPACE = RLIMIT_AS,
    JOBQ_RLIMIT_PROCESSES = RLIMIT_NPROC,
    JOBQ_RLIMIT_CPU_SECONDS = RLIMIT_CPU,
};

/* One resource limit to apply in the child (RLIMIT_AS, RLIMIT_NPROC, ...). */
struct jobq_rlimit {
    int resource;
    unsigned long long soft;
    unsigned long long hard;
};

/* Everything the child needs; every pointer is owned by the caller. */
/* The most descriptors a child gets beyond its standard streams. */
#define JOBQ_MAX_EXTRA_FDS 8

struct jobq_spawn_request {
    const char *path;              /* contains a '/'; PATH search is the caller's job */
    char *const *argv;             /* NULL-terminated */
    char *const *envp;             /* NULL-terminated */
    const char *working_directory; /* NULL: keep the parent's */
    int stdin_fd;                  /* -1: /dev/null */
    int stdout_fd;                 /* -1: /dev/null */
    int stderr_fd;                 /* -1: /dev/null */
    const int *extra_fds;          /* installed as the child's 3, 4, ... in order */
    int extra_count;               /* at most JOBQ_MAX_EXTRA_FDS */
    const int *cgroup_procs_fds;   /* open for writing; the child writes "0" to each */
    int cgroup_procs_count;
    int new_process_group;         /* non-zero: setpgid(0, 0) */
    const struct jobq_rlimit *rlimits;
    int rlimit_count;
    /*
     * Non-zero: the signal the child gets when the thread that called jobq_spawn
     * ends (prctl(PR_SET_PDEATHSIG)); Linux ties it to that thread, not to the
     * process, so call jobq_spawn from a thread that outlives the child.
     */
    int parent_death_signal;
};

/* Why a spawn failed: the stage, its errno, and which cgroup fd or rlimit (else 0). */
struct jobq_spawn_failure {
    int stage;
    int error_number;
    int index;
};

/*
 * Starts the child described by request. Returns its pid once execve has
 * succeeded, or -1 with *failure filled in (the failed child is already reaped).
 */
pid_t jobq_spawn(const struct jobq_spawn_request *request, struct jobq_spawn_failure *failure);

/* Blocks until the child pid has exited, without reaping it. Returns 0 or an errno. */
int jobq_wait_exited(pid_t pid);

/* How a reaped child ended and the CPU time it and its waited-for descendants used. */
struct jobq_exit {
    int exited;         /* 1: exited with code; 0: killed by signal */
    int code;
    int signal;
    int core_dumped;
    long long user_usec;
    long long system_usec;
};

/* Reaps pid (blocking) with wait4 and decodes its status and rusage. Returns 0 or an errno. */
int jobq_reap(pid_t pid, struct jobq_exit *out);

/*
 * Writes all len bytes to fd from the calling thread with SIGPIPE blocked, so a
 * reader that went away yields EPIPE instead of killing the process. Returns 0 or an errno.
 */
int jobq_write_all(int fd, const void *buffer, size_t len);

/* Creates a pipe with both ends close-on-exec. Returns 0 or an errno. */
int jobq_pipe(int fds[2]);

/* The symbolic name of an errno value ("ENOENT"), or NULL if it has none. */
const char *jobq_errno_name(int error_number);

/* The abbreviated name of a signal ("KILL", "TERM"), or NULL if it has none. */
const char *jobq_signal_abbreviation(int signal);

#endif
