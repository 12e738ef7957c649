/* Preloaded (LD_PRELOAD) into jobq or ingest-worker by scripts/idle-order.sh: records which code the
 * process runs. It takes every permission from the executable's own code, so the first instruction
 * run on each page of it faults; the handler appends the exact address (relative to the load
 * address, as in the symbol table) to PAGE_TRACE_DIR/pages.<pid> and gives the page back. Only for
 * that script: a process traced this way runs normally, slowed by one fault per page of code. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static unsigned long code_start, code_end, load_address;
static int trace_file = -1;
static struct sigaction previous_handler;

static void on_fault(int signal, siginfo_t *info, void *context) {
    (void)signal; (void)context;
    unsigned long address = (unsigned long)info->si_addr, page = address & ~4095UL;
    if (page >= code_start && page < code_end) {
        unsigned long offset = address - load_address;
        if (write(trace_file, &offset, sizeof offset) != sizeof offset) _exit(70);
        mprotect((void *)page, 4096, PROT_READ | PROT_EXEC);
        return;
    }
    sigaction(SIGSEGV, &previous_handler, NULL);  /* a real crash: the fault repeats and is handled as it would be */
}

__attribute__((constructor)) static void start_tracing(void) {
    const char *directory = getenv("PAGE_TRACE_DIR");
    char executable[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    if (directory == NULL || length <= 0) return;
    executable[length] = 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL) return;
    char line[PATH_MAX + 256];
    while (fgets(line, sizeof line, maps)) {
        unsigned long start, end, offset;
        char permissions[8], path[PATH_MAX] = "";
        if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095s", &start, &end, permissions, &offset, path) != 5) continue;
        if (strcmp(path, executable) != 0) continue;
        if (load_address == 0 || start - offset < load_address) load_address = start - offset;
        if (permissions[2] == 'x') { code_start = start; code_end = end; }
    }
    fclose(maps);
    if (code_start == 0) return;
    char name[PATH_MAX];
    snprintf(name, sizeof name, "%s/pages.%d", directory, (int)getpid());
    trace_file = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (trace_file < 0) return;
    struct sigaction handler;
    memset(&handler, 0, sizeof handler);
    handler.sa_sigaction = on_fault;
    handler.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &handler, &previous_handler);
    mprotect((void *)code_start, code_end - code_start, PROT_NONE);
}
