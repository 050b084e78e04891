// SPDX-License-Identifier: GPL-2.0
/*
 * Semantics the module must not change. Run once with the module enabled
 * and once without (or dry_run=1); the outputs must match except where
 * the rewrite table applies.
 *
 *   stress_sem advice seq|rand [check]
 *	Makes this process's verdict sequential (or random), then for every
 *	advice value 0..30 and some invalid ones, on a fresh populated
 *	private anonymous and shared tmpfs mapping, calls madvise() and
 *	prints "ADV KIND ADVICE RET ERRNO VMFLAGS BYTE0 BYTE1". With
 *	"check" it reads its own verdict from debugfs before each call and
 *	prints "VERDICT_BAD ..." when it is not the one wanted.
 *   stress_sem pmadv [check]
 *	A sequential process aims process_madvise() (pidfd_open 434,
 *	process_madvise 440) at a child's memory and at its own, for every
 *	advice value: prints "PM WHO ADVICE RET ERRNO VMFLAGS".
 *   stress_sem regs
 *	A sequential process calls madvise by inline syscall with sentinel
 *	values in every register the ABI preserves (raw_syscall.h); prints "REGS ADVICE OK
 *	VMFLAGS" or "REGS_BAD ..." when a register changed or the return
 *	differs from libc's madvise() with the same advice on a twin mapping.
 *
 * Never used: MADV_HWPOISON (100), MADV_SOFT_OFFLINE (101), which take
 * pages offline for root, and 102.. (MADV_GUARD_*, 6.13+).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "raw_syscall.h"

#define NPAGES 16
static long psz;
static int check;
static const char *want_verdict;
static int verdict_bad;

static unsigned long long rng = 88172645463325252ULL;
static unsigned int rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)rng;
}

/* 256 faults in the wanted pattern: a full window of evidence. */
static void establish(int seq)
{
	long pages = seq ? 256 : 4096, i;
	char *p = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(2);
	madvise(p, pages * psz, MADV_NOHUGEPAGE);
	for (i = 0; i < 256; i++)
		p[(seq ? i : (long)(rnd() % pages)) * psz] = 1;
	munmap(p, pages * psz);
}

static char procbuf[1 << 16];

static void verdict_check(const char *what, int adv)
{
	char *line, *save = NULL, needle[32];
	int fd, n, found = 0;

	if (!check)
		return;
	fd = open("/sys/kernel/debug/smart_madvise/processes", O_RDONLY);
	if (fd < 0) {
		printf("VERDICT_BAD %s %d cannot open processes: %s\n", what, adv, strerror(errno));
		verdict_bad++;
		return;
	}
	n = read(fd, procbuf, sizeof(procbuf) - 1);
	close(fd);
	procbuf[n > 0 ? n : 0] = 0;
	snprintf(needle, sizeof(needle), "%d ", getpid());
	for (line = strtok_r(procbuf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char verdict[32];

		if (strncmp(line, needle, strlen(needle)))
			continue;
		found = 1;
		if (sscanf(line, "%*d %*s %*u %*u %*u %31s", verdict) != 1 ||
		    strcmp(verdict, want_verdict)) {
			printf("VERDICT_BAD %s %d: %s\n", what, adv, line);
			verdict_bad++;
		}
	}
	if (!found) {
		printf("VERDICT_BAD %s %d: pid %d not tracked\n", what, adv, getpid());
		verdict_bad++;
	}
}

/* VmFlags of the mapping that contains @addr in /proc/PID/smaps. */
static void vmflags(pid_t pid, unsigned long addr, char *out, size_t outlen)
{
	char path[64], line[512];
	int in = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	snprintf(out, outlen, "-");
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = addr >= lo && addr < hi;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			char *s = line + 8, *o = out;

			while (*s && o + 2 < out + outlen) {
				if (*s == ' ' || *s == '\n') {
					if (o > out && o[-1] != ',')
						*o++ = ',';
				} else {
					*o++ = *s;
				}
				s++;
			}
			if (o > out && o[-1] == ',')
				o--;
			*o = 0;
			break;
		}
	}
	fclose(f);
}

static const int extra_advice[] = { -1, 31, 64, 99, 1000, 0x7fffffff };
#define NADV (31 + (int)(sizeof(extra_advice) / sizeof(int)))
static int advice_at(int i) { return i < 31 ? i : extra_advice[i - 31]; }

static char *map_kind(const char *kind)
{
	char *p;
	int i;

	if (!strcmp(kind, "anon")) {
		p = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED)
			exit(2);
		for (i = 0; i < NPAGES; i++)
			p[i * psz] = 0x50 + i;
	} else {
		char path[64], buf[4096];
		int fd;

		snprintf(path, sizeof(path), "/tmp/stress_sem.%d", getpid());
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			exit(2);
		for (i = 0; i < NPAGES; i++) {
			memset(buf, 0x50 + i, sizeof(buf));
			if (pwrite(fd, buf, sizeof(buf), i * psz) != (ssize_t)sizeof(buf))
				exit(2);
		}
		p = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, fd, 0);
		close(fd);
		unlink(path);
		if (p == MAP_FAILED)
			exit(2);
	}
	return p;
}

static int run_advice(int seq)
{
	static const char *const kinds[] = { "anon", "shm" };
	char flags[256];
	unsigned int k;
	int i;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < NADV; i++) {
			int adv = advice_at(i), ret, err;
			char *p;

			establish(seq);
			p = map_kind(kinds[k]);
			verdict_check(kinds[k], adv);
			errno = 0;
			ret = madvise(p, NPAGES * psz, adv);
			err = ret ? errno : 0;
			vmflags(getpid(), (unsigned long)p, flags, sizeof(flags));
			printf("ADV %s %d %d %d %s %d %d\n", kinds[k], adv, ret, err,
			       flags, p[0], p[psz]);
			munmap(p, NPAGES * psz);
		}
	}
	return verdict_bad ? 1 : 0;
}

static int run_pmadv(void)
{
	int up[2], down[2], pidfd, selffd, i;
	unsigned long addr;
	char flags[256], c;
	char *mine;
	pid_t child;

	if (pipe(up) || pipe(down))
		return 2;
	child = fork();
	if (child == 0) {
		char *p;

		establish(1);
		p = map_kind("anon");
		addr = (unsigned long)p;
		if (write(up[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(2);
		close(down[1]);
		if (read(down[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	if (read(up[0], &addr, sizeof(addr)) != sizeof(addr))
		return 2;
	pidfd = syscall(434, child, 0);
	selffd = syscall(434, getpid(), 0);
	if (pidfd < 0 || selffd < 0) {
		printf("PM pidfd_open unsupported %d\n", errno);
		return 4;
	}
	mine = map_kind("anon");
	for (i = 0; i < NADV; i++) {
		int adv = advice_at(i), ret, err;
		struct iovec iov;

		establish(1);
		verdict_check("pmadv", adv);
		iov.iov_base = (void *)addr;
		iov.iov_len = NPAGES * psz;
		errno = 0;
		ret = syscall(440, pidfd, &iov, 1, adv, 0);
		err = ret ? errno : 0;
		vmflags(child, addr, flags, sizeof(flags));
		printf("PM child %d %d %d %s\n", adv, ret, err, flags);
		iov.iov_base = mine;
		errno = 0;
		ret = syscall(440, selffd, &iov, 1, adv, 0);
		err = ret ? errno : 0;
		vmflags(getpid(), (unsigned long)mine, flags, sizeof(flags));
		printf("PM self %d %d %d %s\n", adv, ret, err, flags);
	}
	close(down[1]);
	waitpid(child, NULL, 0);
	return verdict_bad ? 1 : 0;
}

static int regs_one(unsigned long advreg)
{
	char *twin = map_kind("anon");
	/* the kernel's own answer, through libc, on a twin mapping */
	long want_ret = madvise(twin, NPAGES * psz, (int)advreg) ? -errno : 0;
	char *p = map_kind("anon"), flags[256];
	unsigned long len = NPAGES * psz, a0 = (unsigned long)p;
	struct raw_call c;
	unsigned int i;
	int bad = 0;

	verdict_check("regs", (int)advreg);
	raw_madvise_call(p, len, advreg, &c);
	if (c.ret != want_ret) {
		printf("REGS_BAD %#lx %s before %#lx after %#lx\n", advreg,
		       RAW_RET_NAME, (unsigned long)want_ret, (unsigned long)c.ret);
		bad++;
	}
	for (i = 0; i < c.nregs; i++) {
		if (c.reg[i].after == c.reg[i].before)
			continue;
		printf("REGS_BAD %#lx %s before %#lx after %#lx\n", advreg,
		       c.reg[i].name, c.reg[i].before, c.reg[i].after);
		bad++;
	}
	vmflags(getpid(), a0, flags, sizeof(flags));
	if (!bad)
		printf("REGS %#lx OK %s\n", advreg, flags);
	munmap(p, len);
	munmap(twin, len);
	return bad;
}

static int run_regs(void)
{
	static const unsigned long cases[] = {
		MADV_RANDOM, MADV_SEQUENTIAL, MADV_NORMAL, MADV_WILLNEED,
		MADV_DONTNEED, 999,
		/* madvise takes an int: the upper half is not the kernel's */
		0xdead000000000000UL | MADV_RANDOM,
		0xffffffff00000000UL | MADV_SEQUENTIAL,
	};
	unsigned int i;
	int bad = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		establish(1);
		bad += regs_one(cases[i]);
	}
	return bad || verdict_bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	int ret;

	psz = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	check = argc > 2 && !strcmp(argv[argc - 1], "check");
	want_verdict = "sequential";
	if (argc >= 3 && !strcmp(argv[1], "advice")) {
		int seq = !strcmp(argv[2], "seq");

		want_verdict = seq ? "sequential" : "random";
		ret = run_advice(seq);
	} else if (argc >= 2 && !strcmp(argv[1], "pmadv")) {
		check = argc > 2 && !strcmp(argv[2], "check");
		ret = run_pmadv();
	} else if (argc >= 2 && !strcmp(argv[1], "regs")) {
		check = argc > 2 && !strcmp(argv[2], "check");
		ret = run_regs();
	} else {
		fprintf(stderr, "usage: %s advice seq|rand [check] | pmadv [check] | regs [check]\n",
			argv[0]);
		return 2;
	}
	printf("END %d\n", ret);
	return ret;
}
