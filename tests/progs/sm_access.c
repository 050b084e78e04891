// SPDX-License-Identifier: GPL-2.0
/*
 * sm_access: map files or anonymous memory, advise each mapping before any
 * fault in it, then access the mappings in a chosen pattern, phase by
 * phase, and report what became of each mapping's advice (VmFlags from
 * /proc/self/smaps) at checkpoints. For the late-correction cases: the
 * module may change the advice of a mapping while it is in use.
 *
 *   sm_access [-P] [-c EVERY] [-T THREADS] [-I STEP] -m MAPPING [-m MAPPING ...]
 *
 *   -m MAPPING  one mapping (up to 16), in the order given; MAPPING is a comma
 *               separated list of:
 *               file=PATH  map PATH shared, read-only (default: anonymous
 *                          private read-write memory, no huge pages)
 *               size=N     bytes (suffix k, M or G): the anonymous size, or
 *                          how much of the file (default: all of it)
 *               advice=random|sequential|normal|none
 *                          madvise() on the whole mapping right after mmap,
 *                          before any fault in it (default none)
 *               thp        anonymous: 2 MiB aligned and MADV_HUGEPAGE
 *                          (exits 4 where the kernel has no THP)
 *               touch=N    fault N pages of it (in order) right after the
 *                          advice, before the next mapping is made
 *               pattern=P[/P...]  what each phase does to this mapping:
 *                 seq      read (file) or write (anonymous) every page in order
 *                 rand:N   N distinct pages in random order
 *                 idle     nothing
 *               seed=N     random seed (default: derived from the index)
 *   -c EVERY  check each mapping's VmFlags every EVERY accesses to it
 *             (default 64; 0: only at the middle and end of phases)
 *   -T N      N threads (1..64); each mapping is cut into N regions and
 *             thread i works on region i (a random pattern's N is shared)
 *   -I STEP   interleave: the threads take turns, STEP accesses each
 *             (e.g. 16: one fault-around window, so one fault a turn);
 *             mappings are always interleaved, one access each in turn
 *   -P        pause after each phase but the last: print "PAUSED phase=N"
 *             and wait for SIGUSR1; after the last, print READY and sleep
 *             until killed (the shell reads debugfs meanwhile)
 *
 * Output is KEY=VALUE lines: pid, phases, faults_pN (this process's page
 * faults during phase N) and per mapping I (0-based) mI.region,
 * mI.length, mI.flag_start (VmFlags' access-pattern flag after the advice:
 * sr, rr, none or both), mI.flag_mid_pN (half way through phase N),
 * mI.flag_pN (at its end), mI.accesses_pN, mI.changed_at (at which of its
 * accesses, counted from 1 over all phases by thread 0, a checkpoint
 * first saw a flag other than flag_start; 0: never), mI.changed_phase,
 * mI.changed_to, mI.vmflags (at the end) and, for thp, mI.anon_huge_kb.
 */
#include "smtest.h"
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/stat.h>

#define MAX_MAPS	24
#define MAX_PHASES	8
#define MAX_THREADS	64
#define HUGE_SIZE	(2UL << 20)

enum pat { PAT_IDLE, PAT_SEQ, PAT_RAND };

struct mapping {
	const char *file;
	char *p;
	unsigned long pages;
	int advice;		/* -1: none */
	const char *advice_name;
	int thp;
	unsigned long touch;
	int nr_phases;
	enum pat pat[MAX_PHASES];
	unsigned long count[MAX_PHASES];	/* rand:N */
	uint64_t seed;
	char flag_start[8];
	char flag_mid[MAX_PHASES][8];
	char flag_end[MAX_PHASES][8];
	unsigned long accesses[MAX_PHASES];	/* all threads */
	unsigned long done0;	/* thread 0's accesses, all phases */
	unsigned long changed_at;
	int changed_phase;
	char changed_to[8];
};

static struct mapping maps[MAX_MAPS];
static int nr_maps, nr_phases = 1, nr_threads = 1;
static unsigned long interleave;	/* -I: accesses per turn, 0: off */
static unsigned long check_every = 64;
static int cur_phase;

/*
 * -I: go[t] is 1 while it is thread t's turn; the thread whose turn ends
 * hands it to the next one that has not finished the phase, waking only
 * that one (a futex each: one switch a turn, not a round of yields).
 */
static int go[MAX_THREADS];
static volatile int finished[MAX_THREADS];

static void turn_wait(int t)
{
	while (!__atomic_load_n(&go[t], __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &go[t], FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

static void turn_pass(int from, int to)
{
	if (to == from)
		return;
	__atomic_store_n(&go[from], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&go[to], 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &go[to], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static unsigned long parse_size(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end || !v)
		die("bad size '%s'", s);
	return v;
}

static void parse_pattern(struct mapping *m, char *s)
{
	char *tok, *save = NULL;

	m->nr_phases = 0;
	for (tok = strtok_r(s, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		int i = m->nr_phases;

		if (i == MAX_PHASES)
			die("more than %d phases", MAX_PHASES);
		if (!strcmp(tok, "seq")) {
			m->pat[i] = PAT_SEQ;
		} else if (!strcmp(tok, "idle")) {
			m->pat[i] = PAT_IDLE;
		} else if (!strncmp(tok, "rand:", 5)) {
			m->pat[i] = PAT_RAND;
			m->count[i] = strtoul(tok + 5, NULL, 0);
			if (!m->count[i])
				die("bad pattern '%s'", tok);
		} else {
			die("unknown pattern '%s'", tok);
		}
		m->nr_phases++;
	}
	if (!m->nr_phases)
		die("empty pattern");
}

static void parse_spec(struct mapping *m, char *spec, int idx)
{
	char *tok, *save = NULL, *val;
	unsigned long size = 0;

	m->advice = -1;
	m->advice_name = "none";
	m->seed = 0x9e3779b97f4a7c15ULL * (idx + 1);
	m->nr_phases = 1;
	m->pat[0] = PAT_SEQ;
	for (tok = strtok_r(spec, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		val = strchr(tok, '=');
		if (val)
			*val++ = 0;
		if (!strcmp(tok, "file") && val) {
			m->file = val;
		} else if (!strcmp(tok, "size") && val) {
			size = parse_size(val);
		} else if (!strcmp(tok, "advice") && val) {
			m->advice = parse_advice(val);
			m->advice_name = val;
		} else if (!strcmp(tok, "thp") && !val) {
			m->thp = 1;
		} else if (!strcmp(tok, "touch") && val) {
			m->touch = strtoul(val, NULL, 0);
		} else if (!strcmp(tok, "pattern") && val) {
			parse_pattern(m, val);
		} else if (!strcmp(tok, "seed") && val) {
			m->seed = strtoull(val, NULL, 0) | 1;
		} else {
			die("bad mapping option '%s'", tok);
		}
	}
	m->pages = (size + PAGE - 1) / PAGE;
	if (m->thp && m->file)
		die("thp is for anonymous mappings");
	if (!m->file && !m->pages)
		die("an anonymous mapping needs size=");
}

/*
 * A region of PROT_NONE pages around each mapping, so that no mapping
 * merges with a neighbour into one VMA: each advised range stays a VMA
 * of its own, as an application's separate mappings usually are.
 */
static char *reserve(unsigned long bytes, unsigned long align)
{
	unsigned long total = bytes + align + 2 * PAGE, a;
	char *r = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (r == MAP_FAILED)
		die("mmap reserve %lu", total);
	a = ((unsigned long)r + PAGE + align - 1) & ~(align - 1);
	return (char *)a;
}

static void map_one(struct mapping *m)
{
	unsigned long len;
	char *at;

	if (m->file) {
		struct stat st;
		int fd = open(m->file, O_RDONLY);

		if (fd < 0 || fstat(fd, &st))
			die("open %s", m->file);
		if (!m->pages)
			m->pages = st.st_size / PAGE;
		if (!m->pages || m->pages * PAGE > (unsigned long)st.st_size)
			die("%s: %ld bytes, not %lu pages", m->file, (long)st.st_size, m->pages);
		len = m->pages * PAGE;
		at = reserve(len, PAGE);
		m->p = mmap(at, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
		close(fd);
	} else {
		len = m->pages * PAGE;
		if (m->thp && !have_thp()) {
			printf("thp=unsupported\n");
			exit(4);
		}
		at = reserve(len, m->thp ? HUGE_SIZE : PAGE);
		m->p = mmap(at, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	}
	if (m->p == MAP_FAILED)
		die("mmap %lu pages", m->pages);
	if (!m->file) {
		int adv = m->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;

		/* A kernel without THP (PREEMPT_RT) has no huge pages to refuse. */
		if (madvise(m->p, len, adv) && (m->thp || errno != EINVAL || have_thp()))
			die("madvise(%s)", m->thp ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE");
	}
	if (m->advice >= 0 && madvise(m->p, len, m->advice))
		die("madvise(%s)", m->advice_name);
}

static void access_page(struct mapping *m, unsigned long page)
{
	if (m->file)
		(void)*(volatile char *)(m->p + page * PAGE);
	else
		*(volatile char *)(m->p + page * PAGE) = 1;
}

static void flag_of(struct mapping *m, char *out)
{
	char flags[256];

	if (vmflags_of(m->p, flags, sizeof(flags)))
		die("mapping %p not in smaps", (void *)m->p);
	snprintf(out, 8, "%s", pattern_flag(flags));
}

/* One thread's share of one mapping in the current phase. */
struct work {
	unsigned long first, pages;	/* its region */
	unsigned long todo, done;
	unsigned long *order;		/* rand: the pages, in order */
	unsigned long mid;		/* thread 0: check at this access */
};

static void work_init(struct work *w, struct mapping *m, int t)
{
	int ph = cur_phase;
	unsigned long i, j, tmp, per = m->pages / nr_threads;
	uint64_t seed;

	memset(w, 0, sizeof(*w));
	w->first = per * t;
	w->pages = t == nr_threads - 1 ? m->pages - w->first : per;
	if (ph >= m->nr_phases || m->pat[ph] == PAT_IDLE)
		return;
	if (m->pat[ph] == PAT_SEQ) {
		w->todo = w->pages;
	} else {
		w->todo = m->count[ph] / nr_threads +
			  ((unsigned long)t < m->count[ph] % nr_threads);
		if (w->todo > w->pages)
			w->todo = w->pages;
		/* a random permutation of the region, its first todo used */
		w->order = malloc(w->pages * sizeof(*w->order));
		if (!w->order)
			die("malloc");
		for (i = 0; i < w->pages; i++)
			w->order[i] = w->first + i;
		seed = m->seed ^ ((uint64_t)(ph + 1) << 40) ^ ((uint64_t)(t + 1) << 20);
		for (i = 0; i < w->todo; i++) {
			j = i + xorshift64(&seed) % (w->pages - i);
			tmp = w->order[i];
			w->order[i] = w->order[j];
			w->order[j] = tmp;
		}
	}
	w->mid = (w->todo + 1) / 2;
}

static void checkpoint(struct mapping *m, struct work *w)
{
	char now[8];

	if (w->done == w->mid)
		flag_of(m, m->flag_mid[cur_phase]);
	if (m->changed_at || !check_every || m->done0 % check_every)
		return;
	flag_of(m, now);
	if (strcmp(now, m->flag_start)) {
		m->changed_at = m->done0;
		m->changed_phase = cur_phase + 1;
		snprintf(m->changed_to, sizeof(m->changed_to), "%s", now);
	}
}

static int next_turn(int t)
{
	int i, n;

	for (i = 1; i <= nr_threads; i++) {
		n = (t + i) % nr_threads;
		if (!finished[n])
			return n;
	}
	return -1;
}

static void *worker(void *arg)
{
	int t = (int)(long)arg, i, left;
	struct work w[MAX_MAPS];
	unsigned long page, step = 0;

	for (i = 0; i < nr_maps; i++)
		work_init(&w[i], &maps[i], t);
	do {
		if (interleave && !step)
			turn_wait(t);
		left = 0;
		for (i = 0; i < nr_maps; i++) {
			struct mapping *m = &maps[i];

			if (w[i].done == w[i].todo)
				continue;
			page = w[i].order ? w[i].order[w[i].done] : w[i].first + w[i].done;
			access_page(m, page);
			w[i].done++;
			__atomic_fetch_add(&m->accesses[cur_phase], 1, __ATOMIC_RELAXED);
			if (t == 0) {
				m->done0++;
				checkpoint(m, &w[i]);
			}
			left |= w[i].done < w[i].todo;
		}
		if (!left)
			finished[t] = 1;
		if (interleave && (++step == interleave || !left)) {
			int n = next_turn(t);

			step = 0;
			turn_pass(t, n < 0 ? t : n);
		}
	} while (left);
	for (i = 0; i < nr_maps; i++)
		free(w[i].order);
	return NULL;
}

static void run_phase(void)
{
	pthread_t tids[MAX_THREADS];
	long t;

	memset((void *)finished, 0, sizeof(finished));
	memset(go, 0, sizeof(go));
	go[0] = 1;
	if (nr_threads == 1) {
		worker(NULL);
		return;
	}
	for (t = 0; t < nr_threads; t++)
		if (pthread_create(&tids[t], NULL, worker, (void *)t))
			die("pthread_create");
	for (t = 0; t < nr_threads; t++)
		pthread_join(tids[t], NULL);
}

static void wait_usr1(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigwait(&set, &sig);
}

int main(int argc, char **argv)
{
	int opt, i, ph, pause_phases = 0;
	char flags[256];
	sigset_t set;
	long f0;

	while ((opt = getopt(argc, argv, "m:c:T:I:P")) != -1) {
		switch (opt) {
		case 'm':
			if (nr_maps == MAX_MAPS)
				die("more than %d mappings", MAX_MAPS);
			parse_spec(&maps[nr_maps], optarg, nr_maps);
			nr_maps++;
			break;
		case 'c':
			check_every = strtoul(optarg, NULL, 0);
			break;
		case 'T':
			nr_threads = atoi(optarg);
			break;
		case 'I':
			interleave = strtoul(optarg, NULL, 0);
			break;
		case 'P':
			pause_phases = 1;
			break;
		default:
			fprintf(stderr, "usage: see the comment in sm_access.c\n");
			return 2;
		}
	}
	if (!nr_maps)
		die("no mapping (-m)");
	if (nr_threads < 1 || nr_threads > MAX_THREADS)
		die("bad thread count");
	for (i = 0; i < nr_maps; i++)
		if (maps[i].nr_phases > nr_phases)
			nr_phases = maps[i].nr_phases;
	/* SIGUSR1 continues a pause: blocked here, so in every thread too */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);

	printf("pid=%d\nphases=%d\n", getpid(), nr_phases);
	fflush(stdout);
	for (i = 0; i < nr_maps; i++) {
		struct mapping *m = &maps[i];
		unsigned long k;

		map_one(m);
		flag_of(m, m->flag_start);
		for (k = 0; k < m->touch && k < m->pages; k++)
			access_page(m, k);
		printf("m%d.region=%p\nm%d.length=0x%lx\nm%d.advice=%s\nm%d.flag_start=%s\n",
		       i, (void *)m->p, i, m->pages * PAGE, i, m->advice_name,
		       i, m->flag_start);
	}
	fflush(stdout);

	for (ph = 0; ph < nr_phases; ph++) {
		cur_phase = ph;
		f0 = faults_now();
		run_phase();
		printf("faults_p%d=%ld\n", ph + 1, faults_now() - f0);
		for (i = 0; i < nr_maps; i++) {
			struct mapping *m = &maps[i];

			flag_of(m, m->flag_end[ph]);
			printf("m%d.accesses_p%d=%lu\nm%d.flag_mid_p%d=%s\nm%d.flag_p%d=%s\n",
			       i, ph + 1, m->accesses[ph],
			       i, ph + 1, m->flag_mid[ph][0] ? m->flag_mid[ph] : "-",
			       i, ph + 1, m->flag_end[ph]);
		}
		if (pause_phases && ph < nr_phases - 1) {
			printf("PAUSED phase=%d\n", ph + 1);
			fflush(stdout);
			wait_usr1();
		}
	}
	for (i = 0; i < nr_maps; i++) {
		struct mapping *m = &maps[i];

		if (vmflags_of(m->p, flags, sizeof(flags)))
			die("mapping %d not in smaps", i);
		printf("m%d.changed_at=%lu\nm%d.changed_phase=%d\nm%d.changed_to=%s\nm%d.vmflags=%s\n",
		       i, m->changed_at, i, m->changed_phase,
		       i, m->changed_at ? m->changed_to : "-", i, flags);
		if (m->thp)
			printf("m%d.anon_huge_kb=%ld\n", i, smaps_kb_of(m->p, "AnonHugePages:"));
	}
	printf("total_faults=%ld\n", faults_now());
	fflush(stdout);
	if (pause_phases)
		ready_and_pause();
	return 0;
}
