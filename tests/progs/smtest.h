/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the static guest test programs. Header-only so
 * each program is one gcc call.
 */
#ifndef SMTEST_H
#define SMTEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "raw_syscall.h"

#define PAGE 4096UL
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "error: ");
	vfprintf(stderr, fmt, ap);
	if (errno)
		fprintf(stderr, ": %s", strerror(errno));
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* Page faults this process took so far (minor + major), from rusage. */
static inline long faults_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

/* Whether the kernel has transparent huge pages (PREEMPT_RT has none). */
static inline int have_thp(void)
{
	return access("/sys/kernel/mm/transparent_hugepage", F_OK) == 0;
}

/*
 * Anonymous private mapping of @pages pages, never backed by huge pages
 * (Debian's THP=always would fault 512 pages at once).
 */
static inline char *map_anon(unsigned long pages)
{
	char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap %lu pages", pages);
	/* A kernel without THP (PREEMPT_RT) has no huge pages to refuse. */
	if (madvise(p, pages * PAGE, MADV_NOHUGEPAGE) && (errno != EINVAL || have_thp()))
		die("madvise(MADV_NOHUGEPAGE)");
	return p;
}

/*
 * The value of the field @field ("VmFlags:", "AnonHugePages:", ...) of the
 * VMA that contains @addr in /proc/self/smaps, copied to @buf without the
 * field name, leading and trailing blanks or newline. Returns 0, or -1
 * when no VMA contains @addr or it has no such field.
 */
static inline int smaps_field_of(const void *addr, const char *field,
				 char *buf, size_t size)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	size_t n = strlen(field);
	char line[512];
	int in = 0, ret = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		die("open /proc/self/smaps");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && !strncmp(line, field, n)) {
			char *s = line + n;

			while (*s == ' ')
				s++;
			s[strcspn(s, "\n")] = 0;
			/* drop the trailing blank the kernel prints */
			while (*s && s[strlen(s) - 1] == ' ')
				s[strlen(s) - 1] = 0;
			snprintf(buf, size, "%s", s);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* The VmFlags of the VMA that contains @addr (0), or -1 without one. */
static inline int vmflags_of(const void *addr, char *buf, size_t size)
{
	return smaps_field_of(addr, "VmFlags:", buf, size);
}

/*
 * A "Name:   N kB" field (e.g. "AnonHugePages:") of the VMA that contains
 * @addr in /proc/self/smaps, in kB; -1 when there is no such VMA or field.
 */
static inline long smaps_kb_of(const void *addr, const char *field)
{
	char value[64];

	if (smaps_field_of(addr, field, value, sizeof(value)))
		return -1;
	return strtol(value, NULL, 10);
}

/* The advice an option names; -1 for "none" (no madvise at all). */
static inline int parse_advice(const char *s)
{
	if (!strcmp(s, "random"))
		return MADV_RANDOM;
	if (!strcmp(s, "sequential"))
		return MADV_SEQUENTIAL;
	if (!strcmp(s, "normal"))
		return MADV_NORMAL;
	if (!strcmp(s, "none"))
		return -1;
	die("unknown advice '%s'", s);
	return -1;
}

/* Whether the two-letter flag @fl is in a VmFlags string. */
static inline int has_flag(const char *flags, const char *fl)
{
	const char *s = flags;

	while ((s = strstr(s, fl))) {
		if ((s == flags || s[-1] == ' ') && (s[2] == ' ' || !s[2]))
			return 1;
		s += 2;
	}
	return 0;
}

/* "sr", "rr", "both" or "none": the access-pattern flags of a VMA. */
static inline const char *pattern_flag(const char *flags)
{
	int sr = has_flag(flags, "sr"), rr = has_flag(flags, "rr");

	return sr && rr ? "both" : sr ? "sr" : rr ? "rr" : "none";
}

struct raw_madvise {
	long ret;		/* raw return: 0 or -errno */
	int regs_ok;		/* argument registers preserved */
};

/*
 * madvise(2) by the raw syscall instruction (raw_syscall.h), checking that
 * every register the ABI preserves still holds what we passed, in
 * particular the advice register the module may rewrite in the kernel.
 */
static inline struct raw_madvise raw_madvise(void *addr, size_t len, long adv)
{
	struct raw_madvise r;
	struct raw_call c;

	raw_madvise_call(addr, len, (unsigned long)adv, &c);
	r.ret = c.ret;
	r.regs_ok = raw_regs_changed(&c) == 0;
	return r;
}

static inline const char *errno_name(int e)
{
	switch (e) {
	case 0: return "OK";
	case EINVAL: return "EINVAL";
	case ERANGE: return "ERANGE";
	case ENOMEM: return "ENOMEM";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EBADF: return "EBADF";
	case EFAULT: return "EFAULT";
	case EAGAIN: return "EAGAIN";
	case EBUSY: return "EBUSY";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case ENOSPC: return "ENOSPC";
	default: return "E?";
	}
}

/* Tell the shell we are ready and sleep until a signal ends us. */
static inline void ready_and_pause(void)
{
	printf("READY\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* xorshift64: deterministic, allocation-free pseudo random numbers. */
static inline uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

#endif
