/* SPDX-License-Identifier: GPL-2.0 */
/*
 * madvise(2) by the raw syscall instruction, with a sentinel in every
 * register the syscall ABI preserves: the one place for the test
 * programs' architecture differences. The module may rewrite the advice
 * register in the kernel; user space must get every register back.
 *
 *  x86_64:  syscall; rax number and return, rdi rsi rdx the arguments
 *           (rdx the advice); the kernel may clobber rcx and r11 only.
 *  aarch64: svc #0; x8 number, x0 first argument and return, x1 x2 the
 *           others (x2 the advice); the kernel clobbers x0 only. A sample
 *           of the rest (an asm takes 30 operands at most): x3..x9, x15,
 *           and callee-saved x19, x20, x28.
 */
#ifndef RAW_SYSCALL_H
#define RAW_SYSCALL_H

#include <stddef.h>
#include <sys/syscall.h>

#define RAW_MAX_REGS 24

struct raw_reg {
	const char *name;
	unsigned long before, after;
};

struct raw_call {
	long ret;		/* raw return: 0 or -errno */
	unsigned int nregs;
	struct raw_reg reg[RAW_MAX_REGS];
};

/* Sentinel i: 0x1010..10, 0x1111..11, ...: no valid address or length. */
#define RAW_S(i) (0x0101010101010101UL * (0x10 + (i)))
#define RAW_REG(c, n, b, a) \
	((c)->reg[(c)->nregs++] = (struct raw_reg){ (n), (b), (a) })
/*
 * Each architecture lists its sentinel registers as X(reg, i) in
 * RAW_SENTINELS; these declare them (set only right before the asm, with
 * no call in between, so that they hold), name them as asm operands and
 * check them afterwards.
 */
#define RAW_DECL(r, i) register unsigned long r __asm__(#r) = RAW_S(i);
#define RAW_OPERAND(r, i) , "+r"(r)
#define RAW_CHECK(r, i) RAW_REG(c, #r, RAW_S(i), r);

#if defined(__x86_64__)
#define RAW_RET_NAME "rax(return)"
/* A tagged alias of p that madvise() accepts: none here (LAM is opt-in). */
#define RAW_TAGGED(p) ((void *)0)
/* rbx too: "+b" needs no register variable, but is one here for the list. */
#define RAW_SENTINELS(X) X(r10, 0) X(r8, 8) X(r9, 9) X(rbx, 0xb) \
	X(r12, 2) X(r13, 3) X(r14, 4) X(r15, 5)

static inline void raw_madvise_call(void *addr, size_t len, unsigned long adv,
				    struct raw_call *c)
{
	unsigned long rax = SYS_madvise, rdi = (unsigned long)addr, rsi = len;
	unsigned long rdx = adv;
	RAW_SENTINELS(RAW_DECL)

	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx)
			   RAW_SENTINELS(RAW_OPERAND)
			 :
			 : "rcx", "r11", "memory", "cc");
	c->ret = (long)rax;
	c->nregs = 0;
	RAW_REG(c, "rdi", (unsigned long)addr, rdi);
	RAW_REG(c, "rsi", len, rsi);
	RAW_REG(c, "rdx", adv, rdx);
	RAW_SENTINELS(RAW_CHECK)
}
#elif defined(__aarch64__)
#define RAW_RET_NAME "x0(return)"
/* The top byte is ignored (TBI) and madvise() strips it: tag 0x2a. */
#define RAW_TAGGED(p) ((void *)((unsigned long)(p) | 0x2aUL << 56))
#define RAW_SENTINELS(X) X(x3, 3) X(x4, 4) X(x5, 5) X(x6, 6) X(x7, 7) \
	X(x9, 9) X(x15, 15) X(x19, 19) X(x20, 20) X(x28, 28)

static inline void raw_madvise_call(void *addr, size_t len, unsigned long adv,
				    struct raw_call *c)
{
	register unsigned long x0 __asm__("x0") = (unsigned long)addr;
	register unsigned long x1 __asm__("x1") = len;
	register unsigned long x2 __asm__("x2") = adv;
	register unsigned long x8 __asm__("x8") = SYS_madvise;
	RAW_SENTINELS(RAW_DECL)

	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x8)
			   RAW_SENTINELS(RAW_OPERAND)
			 :
			 : "memory", "cc");
	c->ret = (long)x0;
	c->nregs = 0;
	RAW_REG(c, "x1", len, x1);
	RAW_REG(c, "x2", adv, x2);
	RAW_REG(c, "x8", SYS_madvise, x8);
	RAW_SENTINELS(RAW_CHECK)
}
#else
#error "raw_syscall.h knows x86_64 and aarch64"
#endif

/* Registers that came back changed (0: the ABI held). */
static inline unsigned int raw_regs_changed(const struct raw_call *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nregs; i++)
		n += c->reg[i].before != c->reg[i].after;
	return n;
}

#endif
