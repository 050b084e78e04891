/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMART_MADVISE_PROFILER_H
#define SMART_MADVISE_PROFILER_H

/* The page-fault profiler and its device /dev/smart_madvise (profiler.c). */
int sm_profiler_init(void);
void sm_profiler_exit(void);

#endif
