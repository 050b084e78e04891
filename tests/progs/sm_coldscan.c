// SPDX-License-Identifier: GPL-2.0
/*
 * sm_coldscan: the cold start of `make demo`. A fresh process maps a file,
 * advises the whole mapping before touching it, then reads it one byte per
 * page in order; it reports how long the scan took and what the kernel
 * made of the advice meanwhile (VmFlags from /proc/self/smaps).
 *
 *   sm_coldscan [-a random|sequential|normal] [-P] FILE
 *
 *   -a  the advice (default random: the mis-advice of a sequential scan)
 *   -P  print READY and sleep until killed: the mapping stays, so the
 *       shell can read debugfs while we live
 *
 * Output is KEY=VALUE lines: pid, start and length of the mapping,
 * madvise_ret, t0_ns (CLOCK_MONOTONIC at the madvise call: the clock of the
 * time_ns column of debugfs rewrites), flag_advised (rr/sr/none right
 * after madvise, before the first fault), flag_mid (halfway through the
 * scan), flag_end (after it), scan_ns (madvise and the scan, without the
 * smaps reads), majflt and minflt of the scan.
 */
#include "smtest.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void flag_of(const char *key, const void *addr)
{
	char flags[256];

	if (vmflags_of(addr, flags, sizeof(flags)))
		die("mapping not in smaps");
	printf("%s=%s\n", key, pattern_flag(flags));
}

static void rusage_faults(long *maj, long *min)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*maj = ru.ru_majflt;
	*min = ru.ru_minflt;
}

int main(int argc, char **argv)
{
	const char *advice_name = "random";
	unsigned long pages, i;
	volatile unsigned long sum = 0;
	uint64_t t0, t1, t2, t3;
	long maj0, min0, maj1, min1, ret;
	int opt, advice, fd, pause_at_end = 0;
	struct stat st;
	char *p;

	while ((opt = getopt(argc, argv, "a:P")) != -1) {
		switch (opt) {
		case 'a':
			advice_name = optarg;
			break;
		case 'P':
			pause_at_end = 1;
			break;
		default:
			fprintf(stderr, "usage: sm_coldscan [-a ADVICE] [-P] FILE\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: sm_coldscan [-a ADVICE] [-P] FILE\n");
		return 2;
	}
	if (!strcmp(advice_name, "random"))
		advice = MADV_RANDOM;
	else if (!strcmp(advice_name, "sequential"))
		advice = MADV_SEQUENTIAL;
	else if (!strcmp(advice_name, "normal"))
		advice = MADV_NORMAL;
	else
		die("unknown advice %s", advice_name);

	fd = open(argv[optind], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("open %s", argv[optind]);
	pages = st.st_size / PAGE;
	if (pages < 2)
		die("%s is too small", argv[optind]);
	p = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap %s", argv[optind]);
	close(fd);
	printf("pid=%d\nstart=%p\nlength=0x%lx\nadvice=%s\n", getpid(),
	       (void *)p, pages * PAGE, advice_name);
	fflush(stdout);

	rusage_faults(&maj0, &min0);
	t0 = now_ns();
	ret = madvise(p, pages * PAGE, advice) ? -errno : 0;
	t1 = now_ns();
	/* smaps is read outside the timed parts; it faults nothing in @p */
	flag_of("flag_advised", p);
	t2 = now_ns();
	for (i = 0; i < pages / 2; i++)
		sum += p[i * PAGE];
	t3 = now_ns();
	flag_of("flag_mid", p);
	t1 = t1 - t0 + t3 - t2;
	t2 = now_ns();
	for (; i < pages; i++)
		sum += p[i * PAGE];
	t3 = now_ns();
	t1 += t3 - t2;
	rusage_faults(&maj1, &min1);
	(void)sum;
	flag_of("flag_end", p);
	printf("madvise_ret=%ld\n", ret);
	printf("t0_ns=%llu\n", (unsigned long long)t0);
	printf("scan_ns=%llu\n", (unsigned long long)t1);
	printf("pages=%lu\n", pages);
	printf("majflt=%ld\nminflt=%ld\n", maj1 - maj0, min1 - min0);
	fflush(stdout);
	if (pause_at_end)
		ready_and_pause();
	return 0;
}
