/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMART_MADVISE_DEBUGFS_H
#define SMART_MADVISE_DEBUGFS_H

/* Counters and logs in /sys/kernel/debug/smart_madvise/ (debugfs.c). */
void sm_debugfs_init(void);
void sm_debugfs_exit(void);

#endif
