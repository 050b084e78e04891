// SPDX-License-Identifier: GPL-2.0
/*
 * sm_scan: fault in a known pattern, then advise a fresh mapping and report
 * what the kernel made of the advice (VmFlags from /proc/self/smaps).
 *
 *   sm_scan -m anon    [-n PAGES]          write-touch PAGES anonymous pages in order
 *   sm_scan -m file -f FILE                read one byte per page of FILE through mmap
 *   sm_scan -m random  [-n TOUCHES]        touch distinct pages in random order over
 *                                          a large (>= 256 MiB) anonymous mapping
 *   sm_scan -m threads [-T N] [-n PAGES]   N threads each scan their own region
 *   sm_scan -m none                        no workload
 *
 *   -a random|sequential|normal|none  advice for the fresh mapping (default:
 *                                     random, sequential after -m random)
 *   -c madvise|process_madvise|io_uring
 *                                     how the fresh mapping is advised (default
 *                                     madvise, by the syscall instruction, with
 *                                     a register check): process_madvise(2) on a
 *                                     pidfd of this process, or one
 *                                     IORING_OP_MADVISE through an io_uring
 *   -P                                print READY and sleep until killed, so the
 *                                     shell can read debugfs while we live
 *   -t                                advise through a tagged pointer (arm64:
 *                                     top byte 0x2a); exits 4 where there is
 *                                     none (x86_64)
 *
 * The fresh mapping is created before the workload and advised right after
 * it, so no other fault separates the two. Output is KEY=VALUE lines.
 */
#include "smtest.h"
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/uio.h>

#define FRESH_PAGES 16

static unsigned long nr_pages;
static int nr_threads = 4;
static char **regions;
static pthread_barrier_t barrier, done;

static void touch_seq(char *p, unsigned long pages)
{
	unsigned long i;

	for (i = 0; i < pages; i++)
		p[i * PAGE] = 1;
}

static void *thread_scan(void *arg)
{
	char *p = arg;

	pthread_barrier_wait(&barrier);
	touch_seq(p, nr_pages);
	/* stay alive (and listed in /proc/PID/task) until the process ends */
	pthread_barrier_wait(&done);
	for (;;)
		pause();
	return NULL;
}

static unsigned long scan_file(const char *path, char **fresh)
{
	volatile unsigned long sum = 0;
	unsigned long i, pages;
	struct stat st;
	char *p;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("open %s", path);
	pages = st.st_size / PAGE;
	if (pages < 2 * FRESH_PAGES)
		die("%s is too small", path);
	p = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	*fresh = mmap(NULL, FRESH_PAGES * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || *fresh == MAP_FAILED)
		die("mmap %s", path);
	close(fd);
	for (i = 0; i < pages; i++)
		sum += p[i * PAGE];
	(void)sum;
	return pages;
}

static unsigned long scan_random(unsigned long touches)
{
	unsigned long span = 65536, i, done = 0;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned char *seen;
	char *p;

	if (touches * 16 > span)
		span = touches * 16;
	seen = calloc(span / 8 + 1, 1);
	if (!seen)
		die("calloc");
	memset(seen, 0, span / 8 + 1);	/* fault the bitmap in now */
	p = map_anon(span);
	while (done < touches) {
		i = xorshift64(&seed) % span;
		if (seen[i / 8] & (1 << (i % 8)))
			continue;
		seen[i / 8] |= 1 << (i % 8);
		p[i * PAGE] = 1;
		done++;
	}
	return done;
}

/* One io_uring of one entry, set up (and its rings faulted in) before the
 * workload, so that advising through it adds no fault after the scan. */
struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static long ring_setup(struct ring *r)
{
	struct io_uring_params p;
	size_t sqsz, cqsz;
	char *sq, *cq;

	memset(&p, 0, sizeof(p));
	r->fd = syscall(__NR_io_uring_setup, 1, &p);
	if (r->fd < 0)
		return -errno;
	sqsz = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sqsz = cqsz = sqsz > cqsz ? sqsz : cqsz;
	sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_SQ_RING);
	cq = (p.features & IORING_FEAT_SINGLE_MMAP) ? sq :
	     mmap(NULL, cqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (void *)(sq + p.sq_off.tail);
	r->sq_mask = (void *)(sq + p.sq_off.ring_mask);
	r->sq_array = (void *)(sq + p.sq_off.array);
	r->cq_head = (void *)(cq + p.cq_off.head);
	r->cq_mask = (void *)(cq + p.cq_off.ring_mask);
	r->cqes = (void *)(cq + p.cq_off.cqes);
	/* MAP_POPULATE faulted the rings in; this is the page we write */
	memset(r->sqes, 0, sizeof(*r->sqes));
	return 0;
}

/* IORING_OP_MADVISE: the completion's result (0 or -errno). */
static long ring_madvise(struct ring *r, void *addr, size_t len, int advice)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	long ret;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_MADVISE;
	sqe->addr = (unsigned long)addr;
	sqe->len = len;
	sqe->fadvise_advice = advice;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	ret = syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS,
		      NULL, 0);
	if (ret != 1)
		return ret < 0 ? -errno : -EIO;
	head = __atomic_load_n(r->cq_head, __ATOMIC_ACQUIRE);
	ret = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return ret;
}

int main(int argc, char **argv)
{
	const char *mode = "anon", *file = NULL, *advice_name = NULL;
	const char *call = "madvise";
	struct ring ring = { .fd = -1 };
	int pidfd = -1;
	long before, workload, advice;
	struct raw_madvise r = { 0, 1 };
	unsigned long touched = 0;
	char *fresh = NULL, flags[256] = "";
	pthread_t *tids;
	int opt, pause_at_end = 0, tagged = 0, i;

	nr_pages = 0;
	while ((opt = getopt(argc, argv, "m:n:f:T:a:c:Pt")) != -1) {
		switch (opt) {
		case 'm':
			mode = optarg;
			break;
		case 'n':
			nr_pages = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			file = optarg;
			break;
		case 'T':
			nr_threads = atoi(optarg);
			break;
		case 'a':
			advice_name = optarg;
			break;
		case 'c':
			call = optarg;
			break;
		case 'P':
			pause_at_end = 1;
			break;
		case 't':
			tagged = 1;
			break;
		default:
			fprintf(stderr, "usage: see the comment in sm_scan.c\n");
			return 2;
		}
	}
	if (!advice_name)
		advice_name = strcmp(mode, "random") ? "random" : "sequential";
	advice = parse_advice(advice_name);
	if (nr_threads < 1 || nr_threads > 64)
		die("bad thread count");
	if (tagged && !RAW_TAGGED(&tagged)) {
		printf("tagged=unsupported\n");
		return 4;
	}

	/* stdout's buffer and the stack exist before the measured part */
	printf("pid=%d\nmode=%s\n", getpid(), mode);
	fflush(stdout);

	if (!strcmp(call, "process_madvise")) {
		pidfd = syscall(SYS_pidfd_open, getpid(), 0);
		if (pidfd < 0)
			die("pidfd_open: %s", strerror(errno));
	} else if (!strcmp(call, "io_uring")) {
		long ret = ring_setup(&ring);

		if (ret)
			die("io_uring_setup: %s", strerror((int)-ret));
	} else if (strcmp(call, "madvise")) {
		die("unknown call %s", call);
	}
	if (strcmp(mode, "file"))
		fresh = map_anon(FRESH_PAGES);
	before = faults_now();
	if (!strcmp(mode, "anon")) {
		char *p;

		if (!nr_pages)
			nr_pages = 1024;
		p = map_anon(nr_pages);
		touch_seq(p, nr_pages);
		touched = nr_pages;
	} else if (!strcmp(mode, "file")) {
		if (!file)
			die("-m file needs -f FILE");
		touched = scan_file(file, &fresh);
	} else if (!strcmp(mode, "random")) {
		touched = scan_random(nr_pages ? nr_pages : 1024);
	} else if (!strcmp(mode, "threads")) {
		if (!nr_pages)
			nr_pages = 256;
		regions = calloc(nr_threads, sizeof(*regions));
		tids = calloc(nr_threads, sizeof(*tids));
		if (!regions || !tids)
			die("calloc");
		/* separate mappings, far apart: one stream per thread */
		for (i = 0; i < nr_threads; i++)
			regions[i] = map_anon(nr_pages);
		pthread_barrier_init(&barrier, NULL, nr_threads);
		pthread_barrier_init(&done, NULL, nr_threads + 1);
		for (i = 0; i < nr_threads; i++)
			if (pthread_create(&tids[i], NULL, thread_scan, regions[i]))
				die("pthread_create");
		pthread_barrier_wait(&done);
		touched = nr_pages * nr_threads;
	} else if (strcmp(mode, "none")) {
		die("unknown mode %s", mode);
	}
	if (advice >= 0 && pidfd >= 0) {
		struct iovec iov = { fresh, FRESH_PAGES * PAGE };

		r.ret = syscall(SYS_process_madvise, pidfd, &iov, 1, advice, 0);
		if (r.ret < 0)
			r.ret = -errno;
		else if (r.ret == (long)iov.iov_len)
			r.ret = 0;	/* it returns the bytes advised */
	} else if (advice >= 0 && ring.fd >= 0) {
		r.ret = ring_madvise(&ring, fresh, FRESH_PAGES * PAGE, advice);
	} else if (advice >= 0) {
		r = raw_madvise(tagged ? RAW_TAGGED(fresh) : fresh,
				FRESH_PAGES * PAGE, advice);
	}
	workload = faults_now() - before;

	if (vmflags_of(fresh, flags, sizeof(flags)))
		die("fresh mapping not in smaps");
	printf("touched_pages=%lu\n", touched);
	printf("workload_faults=%ld\n", workload);
	printf("advice=%s\n", advice_name);
	printf("call=%s\n", call);
	printf("region=%p\n", (void *)fresh);
	printf("advised=%p\n", tagged ? RAW_TAGGED(fresh) : (void *)fresh);
	printf("length=0x%lx\n", FRESH_PAGES * PAGE);
	printf("madvise_ret=%ld\n", r.ret);
	printf("regs_ok=%d\n", r.regs_ok);
	printf("vmflags=%s\n", flags);
	printf("flag=%s\n", pattern_flag(flags));
	printf("total_faults=%ld\n", faults_now());
	fflush(stdout);
	if (pause_at_end)
		ready_and_pause();
	return 0;
}
