// SPDX-License-Identifier: GPL-2.0
/*
 * Change the access-pattern advice of mappings later, as madvise() would,
 * by the kernel's rules: in process context that may sleep, under the
 * mmap write lock, through vm_flags_mod() where it exists (6.3+: it also
 * takes the per-VMA write lock, vma_start_write()). Only whole VMAs that
 * still carry the advice being corrected are changed: after madvise()
 * the advised range is whole VMAs, and split_vma() is not for modules,
 * so a VMA that has since grown past the range is left alone.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmap_lock.h>
#include "compat.h"
#include "vma.h"

static unsigned long sm_advice_flag(int advice)
{
	return advice == MADV_SEQUENTIAL ? VM_SEQ_READ : VM_RAND_READ;
}

/* Caller holds a reference on @mm's users and may sleep. */
int sm_vma_set_advice(struct mm_struct *mm, unsigned long start,
		      unsigned long end, int from, int to,
		      struct sm_vma_result *res)
{
	unsigned long clear = sm_advice_flag(from), set = sm_advice_flag(to);
	struct vm_area_struct *vma;
	unsigned long addr = start;

	*res = (struct sm_vma_result){ 0 };
	if (mmap_write_lock_killable(mm))
		return -EINTR;
	while (addr < end && (vma = find_vma(mm, addr)) && vma->vm_start < end) {
		addr = vma->vm_end;
		if (vma->vm_start < start || vma->vm_end > end ||
		    (vma->vm_flags & (VM_SEQ_READ | VM_RAND_READ)) != clear) {
			res->skipped++;
			continue;
		}
		sm_vm_flags_mod(vma, set, clear);
		res->changed++;
	}
	mmap_write_unlock(mm);
	return 0;
}

/* NULL where late correction works; otherwise why it can't. */
const char *sm_vma_late_unsupported(void)
{
	return NULL;
}
