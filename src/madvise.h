/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMART_MADVISE_MADVISE_H
#define SMART_MADVISE_MADVISE_H

/* The madvise() hooks: call-time rewrites. */
int sm_madvise_init(void);
void sm_madvise_exit(void);
int sm_madvise_start(void);
void sm_madvise_stop(void);
const char *sm_madvise_hook_name(void);
unsigned long sm_madvise_missed(void);

#endif
