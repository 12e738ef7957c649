#define _GNU_SOURCE
#include "jobq_system.h"

#include <string.h>

const char *jobq_signal_abbreviation(int signal) {
    return sigabbrev_np(signal);
}

const char *jobq_errno_name(int error_number) {
    return strerrorname_np(error_number);
}
