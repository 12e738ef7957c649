#ifndef JOBQ_SYSTEM_H
#define JOBQ_SYSTEM_H
/* Placeholder: the process-launch shim is written in its own change. */
int jobq_system_placeholder(void);
#endif
