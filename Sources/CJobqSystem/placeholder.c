#include "jobq_system.h"
int jobq_system_placeholder(void) { return 0; }
