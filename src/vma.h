/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMART_MADVISE_VMA_H
#define SMART_MADVISE_VMA_H

struct mm_struct;

/* What sm_vma_set_advice() did to the VMAs of a range. */
struct sm_vma_result {
	unsigned int changed;
	unsigned int skipped;	/* no longer carrying the advice, or not whole */
};

int sm_vma_set_advice(struct mm_struct *mm, unsigned long start,
		      unsigned long end, int from, int to,
		      struct sm_vma_result *res);
const char *sm_vma_late_unsupported(void);

#endif
