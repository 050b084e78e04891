// SPDX-License-Identifier: GPL-2.0
/*
 * sm_bench: the one static workload program of the benchmark suite. The
 * same binary runs every configuration; only the module state differs.
 *
 *   sm_bench anon     PAGES ROUNDS THREADS   first touch of PAGES fresh
 *                                            anonymous 4 KiB pages (THP off),
 *                                            ROUNDS times (mmap, touch, munmap)
 *   sm_bench file     PATH PASSES            re-fault a cached file: mmap,
 *                                            read one byte per page, munmap
 *   sm_bench mkfile   PATH MIB               write a MIB MiB file (tmpfs)
 *   sm_bench madvise  CALLS PRE              CALLS madvise() on a 64-page
 *                                            mapping, alternating RANDOM and
 *                                            NORMAL; PRE = none|seq (a
 *                                            sequential history first, so
 *                                            each RANDOM gets rewritten)
 *   sm_bench scan     PATH ADVICE PRE ACCESS [READS SEED]
 *                     ADVICE = random|sequential|normal|none, or two of them
 *                     as A,B: A at the start, B before a randseq scan
 *                     (a program that re-advises), PRE = seq|rand|none,
 *                     ACCESS = seq (every page in order), rand (READS
 *                     random 4 KiB pages, xorshift with SEED) or randseq
 *                     (READS random pages, then every page in order: a
 *                     phase change; scan_ns times the second phase)
 *   sm_bench cmd      SHELLCMD               run /bin/sh -c SHELLCMD, time it
 *                                            (fork + exec + wait), count the
 *                                            children's faults
 *   sm_bench mktree   DIR FILES KIB          FILES files of KIB KiB of fixed
 *                                            content under DIR (32 per subdir)
 *   sm_bench sleepers N                      fork N children that each fault
 *                                            4 pages and pause; print READY;
 *                                            on SIGTERM kill them all and exit
 *
 * Every mode prints key=value lines and, last, "status=ok" only when the
 * run did what it was asked (a guest script refuses a run without it).
 * Times are CLOCK_MONOTONIC nanoseconds around the measured part only.
 */
#include "smtest.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static void fail(const char *what)
{
	printf("status=fail what=%s errno=%d (%s)\n", what, errno,
	       strerror(errno));
	fflush(stdout);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static long majflt_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

/* read_bytes of /proc/self/io: bytes this process made the block layer
 * read (readahead it triggered included); -1 without task I/O accounting. */
static long long io_read_bytes(void)
{
	char line[128];
	long long v = -1;
	FILE *f = fopen("/proc/self/io", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "read_bytes: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* A fault history the module can judge: 512 pages in order, or at random. */
static void pre_pattern(const char *pre)
{
	unsigned long n = 512, i, span = 16384;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	char *p;

	if (!strcmp(pre, "none"))
		return;
	if (!strcmp(pre, "seq")) {
		p = map_anon(n);
		for (i = 0; i < n; i++)
			p[i * PAGE] = 1;
		munmap(p, n * PAGE);
		return;
	}
	if (strcmp(pre, "rand"))
		fail("pre-pattern-name");
	p = map_anon(span);
	for (i = 0; i < n; i++)
		p[(xorshift64(&seed) % span) * PAGE] = 1;
	munmap(p, span * PAGE);
}

/* --- anonymous first-touch storm --------------------------------------- */

struct anon_arg {
	char *base;
	unsigned long first, count;
};

static void *anon_touch(void *a)
{
	struct anon_arg *arg = a;
	unsigned long i;

	for (i = 0; i < arg->count; i++)
		arg->base[(arg->first + i) * PAGE] = 1;
	return NULL;
}

static int mode_anon(int argc, char **argv)
{
	unsigned long pages, rounds, threads, r, t, per;
	pthread_t tid[64];
	struct anon_arg args[64];
	uint64_t total = 0, t0;
	long f0, f1, expect;

	if (argc < 5)
		fail("usage-anon");
	pages = strtoul(argv[2], NULL, 0);
	rounds = strtoul(argv[3], NULL, 0);
	threads = strtoul(argv[4], NULL, 0);
	if (!pages || !rounds || !threads || threads > 64)
		fail("args-anon");
	per = pages / threads;
	f0 = faults_now();
	for (r = 0; r < rounds; r++) {
		char *p = map_anon(pages);

		t0 = now_ns();
		for (t = 0; t < threads; t++) {
			args[t].base = p;
			args[t].first = t * per;
			args[t].count = t == threads - 1 ? pages - t * per : per;
			if (threads > 1 &&
			    pthread_create(&tid[t], NULL, anon_touch, &args[t]))
				fail("pthread_create");
		}
		if (threads == 1)
			anon_touch(&args[0]);
		else
			for (t = 0; t < threads; t++)
				pthread_join(tid[t], NULL);
		total += now_ns() - t0;
		if (munmap(p, pages * PAGE))
			fail("munmap");
	}
	f1 = faults_now();
	expect = (long)(pages * rounds);
	printf("ns=%llu\nfaults=%ld\nexpected=%ld\n",
	       (unsigned long long)total, f1 - f0, expect);
	/* Every page must have been a fault of its own (THP would not). */
	if (f1 - f0 < expect)
		fail("too-few-faults-thp?");
	printf("status=ok\n");
	return 0;
}

/* --- cached file re-fault storm ---------------------------------------- */

static int mode_mkfile(int argc, char **argv)
{
	unsigned long mib, i;
	static char buf[1 << 20];
	int fd;

	if (argc < 4)
		fail("usage-mkfile");
	mib = strtoul(argv[3], NULL, 0);
	fd = open(argv[2], O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		fail("open");
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 131 + 7);
	for (i = 0; i < mib; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			fail("write");
	close(fd);
	printf("status=ok\n");
	return 0;
}

static int mode_file(int argc, char **argv)
{
	unsigned long passes, pages, r, i;
	volatile unsigned long sum = 0;
	struct stat st;
	uint64_t total = 0, t0;
	long f0, f1;
	int fd;

	if (argc < 4)
		fail("usage-file");
	passes = strtoul(argv[3], NULL, 0);
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		fail("open");
	pages = st.st_size / PAGE;
	if (!pages || !passes)
		fail("args-file");
	f0 = faults_now();
	for (r = 0; r < passes; r++) {
		const char *p = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED,
				     fd, 0);

		if (p == MAP_FAILED)
			fail("mmap-file");
		t0 = now_ns();
		for (i = 0; i < pages; i++)
			sum += p[i * PAGE];
		total += now_ns() - t0;
		munmap((void *)p, pages * PAGE);
	}
	f1 = faults_now();
	printf("ns=%llu\nfaults=%ld\npages=%lu\n", (unsigned long long)total,
	       f1 - f0, pages * passes);
	if (f1 - f0 < (long)passes)
		fail("no-faults");
	printf("status=ok\n");
	return 0;
}

/* --- madvise call rate ------------------------------------------------- */

static int mode_madvise(int argc, char **argv)
{
	unsigned long calls, i, n = 64;
	uint64_t t0, t;
	char *p;

	if (argc < 4)
		fail("usage-madvise");
	calls = strtoul(argv[2], NULL, 0);
	pre_pattern(argv[3]);
	p = map_anon(n);
	for (i = 0; i < n; i++)
		p[i * PAGE] = 1;
	t0 = now_ns();
	for (i = 0; i < calls; i++)
		if (madvise(p, n * PAGE, i & 1 ? MADV_NORMAL : MADV_RANDOM))
			fail("madvise");
	t = now_ns() - t0;
	printf("ns=%llu\ncalls=%lu\n", (unsigned long long)t, calls);
	printf("status=ok\n");
	return 0;
}

/* --- file scans on the throttled disk ---------------------------------- */

/* The pattern flag (rr, sr, none) in force: proof of the advice. */
static void print_vmflags(const void *addr, const char *key)
{
	char flags[512];

	if (!vmflags_of(addr, flags, sizeof(flags)))
		printf("%s=%s\n", key, pattern_flag(flags));
}

static int mode_scan(int argc, char **argv)
{
	unsigned long pages, i, reads = 0, touched = 0;
	volatile unsigned long sum = 0;
	uint64_t seed = 42, t0, t1 = 0, t;
	int advice, then = -1, fd, scan = 1;
	char adv[32], *comma;
	const char *access;
	long long io0, io1;
	struct stat st;
	long f0, m0;
	char *p;

	if (argc < 6)
		fail("usage-scan");
	snprintf(adv, sizeof(adv), "%s", argv[3]);
	access = argv[5];
	comma = strchr(adv, ',');
	if (comma) {
		*comma = '\0';
		then = parse_advice(comma + 1);
	}
	advice = parse_advice(adv);
	if (!strcmp(access, "rand") || !strcmp(access, "randseq")) {
		if (argc < 8)
			fail("usage-scan-rand");
		reads = strtoul(argv[6], NULL, 0);
		seed = strtoull(argv[7], NULL, 0) | 1;
		scan = !strcmp(access, "randseq");
	} else if (strcmp(access, "seq")) {
		fail("access-name");
	}
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		fail("open");
	pages = st.st_size / PAGE;
	pre_pattern(argv[4]);
	p = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		fail("mmap-file");
	f0 = faults_now();
	m0 = majflt_now();
	io0 = io_read_bytes();
	t0 = now_ns();
	if (advice >= 0 && madvise(p, pages * PAGE, advice))
		fail("madvise");
	for (i = 0; i < reads; i++)
		sum += p[(xorshift64(&seed) % pages) * PAGE];
	touched = reads;
	if (reads && scan)	/* the advice in force after phase one */
		print_vmflags(p, "vmflags_mid");
	if (scan) {
		t1 = reads ? now_ns() : t0;
		if (then >= 0 && reads && madvise(p, pages * PAGE, then))
			fail("madvise-then");
		for (i = 0; i < pages; i++)
			sum += p[i * PAGE];
		touched += pages;
	}
	t = now_ns();
	io1 = io_read_bytes();
	print_vmflags(p, "vmflags");
	printf("ns=%llu\nfaults=%ld\nmajflt=%ld\ntouched=%lu\n",
	       (unsigned long long)(t - t0), faults_now() - f0,
	       majflt_now() - m0, touched);
	if (scan)
		printf("scan_ns=%llu\n", (unsigned long long)(t - t1));
	if (io0 >= 0 && io1 >= 0)
		printf("io_read_bytes=%lld\n", io1 - io0);
	munmap(p, pages * PAGE);
	close(fd);
	printf("status=ok\n");
	return 0;
}

/* --- a real multi-process workload, and its input tree ------------------ */

static int mode_cmd(int argc, char **argv)
{
	struct rusage ru;
	uint64_t t0, t;
	int status;
	pid_t pid;

	if (argc < 3)
		fail("usage-cmd");
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", argv[2], (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		fail("waitpid");
	t = now_ns() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		errno = 0;
		fail("command-exit-status");
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("ns=%llu\nfaults=%ld\n", (unsigned long long)t,
	       ru.ru_minflt + ru.ru_majflt);
	printf("status=ok\n");
	return 0;
}

static int mode_mktree(int argc, char **argv)
{
	unsigned long files, kib, i, j;
	uint64_t seed = 7;
	char path[4096], *buf;
	int fd;

	if (argc < 5)
		fail("usage-mktree");
	files = strtoul(argv[3], NULL, 0);
	kib = strtoul(argv[4], NULL, 0);
	buf = malloc(kib * 1024 + 1);
	if (!buf || !files)
		fail("args-mktree");
	if (mkdir(argv[2], 0755) && errno != EEXIST)
		fail("mkdir");
	for (i = 0; i < files; i++) {
		snprintf(path, sizeof(path), "%s/d%02lu", argv[2], i / 32);
		if (mkdir(path, 0755) && errno != EEXIST)
			fail("mkdir");
		snprintf(path, sizeof(path), "%s/d%02lu/f%04lu.txt", argv[2],
			 i / 32, i);
		/* text-like content, so a compressor has work to do */
		for (j = 0; j < kib * 1024; j++)
			buf[j] = "abcdefghijklmnop \n"[xorshift64(&seed) % 18];
		fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
		if (fd < 0 || write(fd, buf, kib * 1024) != (ssize_t)(kib * 1024))
			fail("write");
		close(fd);
	}
	free(buf);
	printf("status=ok\n");
	return 0;
}

/* --- tracked sleepers -------------------------------------------------- */

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int mode_sleepers(int argc, char **argv)
{
	unsigned long n, i, j;
	struct sigaction sa = { .sa_handler = on_term };
	sigset_t block, old;
	pid_t *pids;
	int fds[2];
	char *p, c;

	if (argc < 3)
		fail("usage-sleepers");
	n = strtoul(argv[2], NULL, 0);
	pids = calloc(n ? n : 1, sizeof(*pids));
	if (!pids)
		fail("calloc");
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	p = map_anon(4);
	if (pipe(fds))
		fail("pipe");
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			fail("fork");
		if (pids[i] == 0) {
			signal(SIGTERM, SIG_DFL);
			sigprocmask(SIG_SETMASK, &old, NULL);
			for (j = 0; j < 4; j++)	/* faults: now tracked */
				p[j * PAGE] = 2;
			if (write(fds[1], "x", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
	}
	/* READY only once every child has faulted. */
	for (i = 0; i < n; i++)
		if (read(fds[0], &c, 1) != 1)
			fail("read");
	printf("READY %lu\n", n);
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		fail("usage");
	if (!strcmp(argv[1], "anon"))
		return mode_anon(argc, argv);
	if (!strcmp(argv[1], "file"))
		return mode_file(argc, argv);
	if (!strcmp(argv[1], "mkfile"))
		return mode_mkfile(argc, argv);
	if (!strcmp(argv[1], "madvise"))
		return mode_madvise(argc, argv);
	if (!strcmp(argv[1], "scan"))
		return mode_scan(argc, argv);
	if (!strcmp(argv[1], "cmd"))
		return mode_cmd(argc, argv);
	if (!strcmp(argv[1], "mktree"))
		return mode_mktree(argc, argv);
	if (!strcmp(argv[1], "sleepers"))
		return mode_sleepers(argc, argv);
	fail("mode");
	return 1;
}
