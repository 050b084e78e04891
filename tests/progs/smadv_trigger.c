// SPDX-License-Identifier: GPL-2.0
/*
 * smadv_trigger - make the smart_madvise trace events fire, so a case can
 * check what each event records.
 *
 *   smadv_trigger seq [PAGES]   fault PAGES (default 512) anonymous pages in
 *                               order, then madvise(MADV_RANDOM) a new mapping
 *   smadv_trigger rand [PAGES]  fault PAGES pages of a large mapping in random
 *                               order, then madvise(MADV_SEQUENTIAL) a new one
 *   ... [PAGES] hold            then print READY and wait for a signal
 *
 * Prints key=value lines: pid, start, len (the advised range, hex), asked,
 * ret (madvise return value), vmflags (of the advised range, from smaps).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void smaps_flags(unsigned long start, char *out, size_t len)
{
	char line[512];
	unsigned long lo, hi;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	snprintf(out, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = start >= lo && start < hi;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, len, "%s", line + 9);
			break;
		}
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long pages = 512, i, span, x = 12345;
	char flags[512];
	int seq, advice, ret;
	char *p, *q;

	if (argc < 2 || (strcmp(argv[1], "seq") && strcmp(argv[1], "rand"))) {
		fprintf(stderr, "usage: %s seq|rand [PAGES]\n", argv[0]);
		return 2;
	}
	seq = !strcmp(argv[1], "seq");
	if (argc > 2)
		pages = strtoul(argv[2], NULL, 0);
	span = seq ? pages : pages * 64;

	p = mmap(NULL, span * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* one fault per page: no transparent huge pages */
	madvise(p, span * page, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i++) {
		unsigned long pg = i;

		if (!seq) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			pg = (x >> 33) % span;
		}
		p[pg * page] = 1;
	}

	q = mmap(NULL, 64 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	advice = seq ? MADV_RANDOM : MADV_SEQUENTIAL;
	ret = madvise(q, 64 * page, advice);
	smaps_flags((unsigned long)q, flags, sizeof(flags));
	printf("pid=%d\nstart=0x%lx\nlen=0x%lx\nasked=%s\nret=%d\nvmflags=%s\n",
	       getpid(), (unsigned long)q, 64 * page,
	       seq ? "random" : "sequential", ret, flags);
	if (argc > 3 && !strcmp(argv[3], "hold")) {
		printf("READY\n");
		fflush(stdout);
		pause();
	}
	return ret ? 1 : 0;
}
