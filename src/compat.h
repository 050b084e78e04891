/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for architecture and kernel-version differences.
 * Feature tests where the kernel offers them, architecture otherwise.
 */
#ifndef SMART_MADVISE_COMPAT_H
#define SMART_MADVISE_COMPAT_H

#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/uio.h>

/*
 * Sets and clears VMA flags; the caller holds the mmap write lock.
 * vm_flags became read-only behind vm_flags_*() in 6.3, which also take
 * the per-VMA write lock; Kbuild looks for them in the headers.
 */
static inline void sm_vm_flags_mod(struct vm_area_struct *vma,
				   unsigned long set, unsigned long clear)
{
#ifdef SM_HAVE_VM_FLAGS_CLEAR
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags & ~clear) | set;
#endif
}

static inline void sm_vm_flags_clear(struct vm_area_struct *vma,
				     unsigned long flags)
{
	sm_vm_flags_mod(vma, 0, flags);
}

/*
 * sm_iter_first_range(iter, &start, &len): the first range of a
 * process_madvise() vector, for the rewrite log. Only vector_madvise()
 * (6.15+) hands one over; iter_iov_addr() exists from 6.4.
 */
#ifdef iter_iov_addr
static inline void sm_iter_first_range(const struct iov_iter *iter,
				       unsigned long *start, size_t *len)
{
	*start = iov_iter_count(iter) ? (unsigned long)iter_iov_addr(iter) : 0;
	*len = iov_iter_count(iter) ? iter_iov_len(iter) : 0;
}
#else
static inline void sm_iter_first_range(const struct iov_iter *iter,
				       unsigned long *start, size_t *len)
{
	*start = 0;
	*len = iov_iter_count(iter);
}
#endif

#if defined(CONFIG_X86_64)
#define SM_SYS_MADVISE "__x64_sys_madvise"
/* 32-bit programs (IA32_EMULATION) enter here, with their own registers. */
#define SM_SYS_MADVISE_IA32 "__ia32_sys_madvise"

/*
 * Start (n = 0) and length (n = 1) of an ia32 madvise(): ebx and ecx. Its
 * advice is edx, which is also the native syscall's slot 2.
 */
static inline unsigned long sm_ia32_arg(struct pt_regs *regs, unsigned int n)
{
	return n ? regs->cx : regs->bx;
}

/* Slot of the n-th (n < 4) argument of a C call, or of a syscall n < 3. */
static inline unsigned long *sm_arg_slot(struct pt_regs *regs, unsigned int n)
{
	switch (n) {
	case 0:
		return &regs->di;
	case 1:
		return &regs->si;
	case 2:
		return &regs->dx;
	default:
		return &regs->cx;
	}
}
#elif defined(CONFIG_ARM64)
/*
 * The syscall wrapper, as on x86_64, takes the user pt_regs; the AArch64
 * and AArch32 (compat) tables both point madvise at it.
 */
#define SM_SYS_MADVISE "__arm64_sys_madvise"
#define SM_SYS_MADVISE_IA32 NULL

static inline unsigned long sm_ia32_arg(struct pt_regs *regs, unsigned int n)
{
	return 0;
}

/*
 * x0..x3: the same slots for a C call and for a syscall. A u64, not an
 * unsigned long: the same width, but another type to the compiler.
 */
static inline u64 *sm_arg_slot(struct pt_regs *regs, unsigned int n)
{
	return &regs->regs[n];
}
#else
#error "smart_madvise supports x86_64 and arm64"
#endif

/* Read and write a slot whatever its type (both archs are 64-bit). */
static inline unsigned long sm_arg_get(struct pt_regs *regs, unsigned int n)
{
	return *sm_arg_slot(regs, n);
}

static inline void sm_arg_set(struct pt_regs *regs, unsigned int n,
			      unsigned long val)
{
	*sm_arg_slot(regs, n) = val;
}

#endif
