#ifndef JOBQ_CHIREDIS_SHIM_H
#define JOBQ_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
