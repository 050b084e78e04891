/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMART_MADVISE_STATS_H
#define SMART_MADVISE_STATS_H

#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/types.h>

/*
 * Counters are per-CPU structs of u64, so the fault path never bounces a
 * shared cache line; a reader sums them field by field into @dst.
 */
static inline void sm_stats_sum(void *dst, const void __percpu *src,
				size_t size)
{
	u64 *out = dst;
	size_t i;
	int cpu;

	memset(dst, 0, size);
	for_each_possible_cpu(cpu) {
		const u64 *in = per_cpu_ptr(src, cpu);

		for (i = 0; i < size / sizeof(u64); i++)
			out[i] += in[i];
	}
}

#endif
