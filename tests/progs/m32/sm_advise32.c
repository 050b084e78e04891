// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit (ia32) program on a 64-bit kernel: faults sequentially through
 * 256 anonymous pages, then calls madvise(MADV_RANDOM) through its own
 * ABI (int $0x80) on a fresh mapping. Prints pid=, ret= (0 or -errno),
 * region= and flag= (sr, rr, both or none, from /proc/self/smaps).
 * Built with i686-linux-gnu-gcc -m32 -static; stands alone, as tests/progs/smtest.h is
 * for 64-bit programs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES	256
#define FRESH	16

static long madvise_int80(void *addr, unsigned long len, long advice)
{
	long ret = 219;		/* __NR_madvise on i386 */

	__asm__ volatile("int $0x80"
			 : "+a"(ret)
			 : "b"(addr), "c"(len), "d"(advice)
			 : "memory");
	return ret;
}

/* The sr/rr flags of the VMA that starts at @addr. */
static const char *pattern_flag(void *addr)
{
	char line[512], want[32];
	int in = 0, sr = 0, rr = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return "error";
	snprintf(want, sizeof(want), "%08lx-", (unsigned long)addr);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want)))
			in = 1;
		else if (in && !strncmp(line, "VmFlags:", 8)) {
			sr = strstr(line, " sr") != NULL;
			rr = strstr(line, " rr") != NULL;
			break;
		}
	}
	fclose(f);
	return sr && rr ? "both" : sr ? "sr" : rr ? "rr" : "none";
}

int main(void)
{
	long psz = sysconf(_SC_PAGESIZE), ret, i;
	char *scan, *fresh;

	scan = mmap(NULL, PAGES * psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fresh = mmap(NULL, FRESH * psz, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scan == MAP_FAILED || fresh == MAP_FAILED) {
		printf("error=mmap %s\n", strerror(errno));
		return 1;
	}
	madvise(scan, PAGES * psz, MADV_NOHUGEPAGE);
	for (i = 0; i < PAGES; i++)
		scan[i * psz] = 1;
	ret = madvise_int80(fresh, FRESH * psz, MADV_RANDOM);
	printf("pid=%d\nret=%ld\nregion=0x%lx\nflag=%s\n", getpid(), ret,
	       (unsigned long)fresh, pattern_flag(fresh));
	return 0;
}
