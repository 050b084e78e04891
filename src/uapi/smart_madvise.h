/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * smart_madvise profiler: layout of the sample ring that /dev/smart_madvise
 * maps read-only into user space. Shared by the module and the tools.
 *
 * The mapping starts with one page holding struct sm_ring_header; record i
 * (counting from 0 since the module was loaded) lives at byte offset
 * header_size + (i % capacity) * record_size.
 *
 * Reader protocol (one writer, any number of readers):
 *   1. s1 = seq (acquire); if s1 is odd the writer is busy: retry.
 *   2. w = write_index; records max(next, w - capacity) .. w - 1 are valid;
 *      if next < w - capacity the ring wrapped and records were lost.
 *   3. copy them, then (acquire fence) s2 = seq; if s2 != s1 retry.
 *   Each record also carries its own index as a cross-check.
 */
#ifndef _UAPI_SMART_MADVISE_H
#define _UAPI_SMART_MADVISE_H

#include <linux/types.h>

#define SM_RING_MAGIC		0x534d50524f46ULL	/* "SMPROF" */
#define SM_RING_VERSION		1

/* Maximum number of processes registered at once (ENOSPC beyond). */
#define SM_PROF_MAX_PIDS	64

/* sm_ring_record.type */
#define SM_REC_PROCESS		1	/* one registered process */
#define SM_REC_TOTAL		2	/* sum over all processes of one tick */

struct sm_ring_header {
	__u64 magic;		/* SM_RING_MAGIC */
	__u32 version;		/* SM_RING_VERSION */
	__u32 header_size;	/* byte offset of the first record slot */
	__u32 record_size;	/* sizeof(struct sm_ring_record) */
	__u32 capacity;		/* number of record slots */
	__u64 seq;		/* odd while the writer updates the ring */
	__u64 write_index;	/* records written so far (monotonic) */
	__u64 ticks;		/* sampling ticks so far */
	__u32 nr_registered;	/* processes registered now */
	__u32 interval_ms;	/* sample interval of the last tick */
};

struct sm_ring_record {
	__u64 index;		/* this record's position in the stream */
	__u64 time_ns;		/* CLOCK_MONOTONIC, shared by one tick */
	__u64 cpu_ns;		/* user+system time of the thread group */
	__u64 min_flt;		/* minor faults of the thread group */
	__u64 maj_flt;		/* major faults of the thread group */
	__u64 seq_faults;	/* sequential faults seen by the tracker */
	__u64 rand_faults;	/* random faults seen by the tracker */
	__u32 pid;		/* tgid in the init pid namespace, 0 = total */
	__u16 type;		/* SM_REC_* */
	__u16 nr;		/* SM_REC_TOTAL: processes summed, else 0 */
};

#endif /* _UAPI_SMART_MADVISE_H */
