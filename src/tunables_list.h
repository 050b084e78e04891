/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one definition of every file in /sys/kernel/smart_madvise/. The
 * module generates its sysfs attributes, module parameters and their
 * descriptions from it; tests/tunables.sh compiles it in user space and
 * checks every other copy (tools, docs, packaging, completion, test
 * cases) against it. Kernel-free, like decide.h.
 */
#ifndef SMART_MADVISE_TUNABLES_LIST_H
#define SMART_MADVISE_TUNABLES_LIST_H

#include "decide.h"

/* X(name, min, max, default, description): a writable decimal tunable. */
#define SM_TUNABLES(X)							\
	X(enable, 0, 1, 0, "Track faults and rewrite advice")		\
	X(dry_run, 0, 1, 0, "Decide and log, never change advice")	\
	X(late, 0, 1, 1,						\
	  "Correct a mapping's advice later, from its own faults")	\
	X(window_size, SM_WINDOW_MIN, SM_WINDOW_MAX, 64,		\
	  "Pages of recent evidence a verdict rests on")		\
	X(threshold, SM_THRESHOLD_MIN, SM_THRESHOLD_MAX, 75,		\
	  "Percent of the evidence for a verdict")			\
	X(max_gap_pages, SM_GAP_MIN, SM_GAP_MAX, 32,			\
	  "Largest forward jump still sequential")			\
	X(max_processes, 1, 65536, 4096, "Most processes tracked at once") \
	X(sample_interval_ms, 10, 10000, 50, "Profiler sampling interval")

/* X(name): a read-only file of text. */
#define SM_INFO_FILES(X)						\
	X(version)							\
	X(fault_hook)							\
	X(madvise_hook)							\
	X(late_support)

#endif
