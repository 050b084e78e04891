// SPDX-License-Identifier: GPL-2.0
/*
 * sm_passthru: advice outside the rewrite table must pass bit for bit.
 *
 *   sm_passthru [-w seq|random|none]
 *
 * First a warm-up gives the process a conclusive verdict (sequential scan
 * by default, or random touches), so an enabled module would be allowed to
 * rewrite. Then every step advises a fresh region by the raw syscall and
 * prints one deterministic line: step, return value, whether the argument
 * registers came back unchanged, and the resulting VmFlags of interest.
 * The shell runs it with enable=0 and enable=1 and diffs the outputs; the
 * program also checks the semantics it knows and exits 1 on a violation.
 */
#include "smtest.h"

#define REGION 16

static int failures;

/* Flags worth comparing: access pattern, THP, fork and dump advice. */
static void interesting_flags(const void *addr, char *out, size_t size)
{
	static const char * const names[] = { "sr", "rr", "hg", "nh", "dc", "dd" };
	char flags[256];
	unsigned int i;

	out[0] = 0;
	if (vmflags_of(addr, flags, sizeof(flags))) {
		snprintf(out, size, "unmapped");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (has_flag(flags, names[i])) {
			strncat(out, names[i], size - strlen(out) - 1);
			strncat(out, ",", size - strlen(out) - 1);
		}
	}
	if (!out[0])
		snprintf(out, size, "-");
}

/*
 * step NAME ADDR LEN ADVICE WANT_RET MUST_HAVE MUST_NOT: advise, print,
 * and check ret and flags (MUST_HAVE / MUST_NOT: two-letter flags or NULL).
 */
static void step(const char *name, void *addr, size_t len, long advice,
		 long want_ret, const char *must, const char *must_not)
{
	struct raw_madvise r = raw_madvise(addr, len, advice);
	char flags[64];
	int ok = 1;

	interesting_flags(addr, flags, sizeof(flags));
	if (r.ret != want_ret || !r.regs_ok)
		ok = 0;
	if (must && !strstr(flags, must))
		ok = 0;
	if (must_not && strstr(flags, must_not))
		ok = 0;
	printf("%-22s ret=%-4ld (%s) regs=%s flags=%s%s\n", name, r.ret,
	       errno_name((int)-r.ret), r.regs_ok ? "kept" : "CHANGED", flags,
	       ok ? "" : "   <-- FAIL");
	if (!ok)
		failures++;
}

static void warm_up(const char *how)
{
	uint64_t seed = 12345;
	unsigned long i, span = 65536;
	char *p;

	if (!strcmp(how, "seq")) {
		p = map_anon(1024);
		for (i = 0; i < 1024; i++)
			p[i * PAGE] = 1;
	} else if (!strcmp(how, "random")) {
		p = map_anon(span);
		for (i = 0; i < 1024; i++)
			p[(xorshift64(&seed) % span) * PAGE] = 1;
	}
}

int main(int argc, char **argv)
{
	const char *warm = "seq";
	char *a, *b, *hole;
	int opt;

	while ((opt = getopt(argc, argv, "w:")) != -1) {
		if (opt == 'w')
			warm = optarg;
		else
			return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("warm-up: %s\n", warm);
	a = map_anon(REGION);
	b = map_anon(REGION);
	/*
	 * Never mapped: below where a static non-PIE binary is loaded, and
	 * mmap(NULL) allocates top-down. A munmap()ed hole would be reused.
	 */
	hole = (char *)0x100000;
	if (vmflags_of(hole, b, PAGE) == 0)
		die("the hole at %p is mapped", hole);
	warm_up(warm);

	/*
	 * errors first, right after the warm-up while the verdict is
	 * conclusive: the same errno whether or not the module rewrote the hint
	 */
	step("RANDOM unaligned", a + 1, PAGE, MADV_RANDOM, -EINVAL, NULL, NULL);
	step("SEQUENTIAL unaligned", a + 1, PAGE, MADV_SEQUENTIAL, -EINVAL, NULL, NULL);
	step("RANDOM unmapped", hole, REGION * PAGE, MADV_RANDOM, -ENOMEM, NULL, NULL);
	step("SEQUENTIAL unmapped", hole, REGION * PAGE, MADV_SEQUENTIAL, -ENOMEM, NULL, NULL);
	step("WILLNEED unmapped", hole, REGION * PAGE, MADV_WILLNEED, -ENOMEM, NULL, NULL);
	step("bogus advice 12345", a, PAGE, 12345, -EINVAL, NULL, NULL);
	step("RANDOM len overflow", a, (size_t)-PAGE, MADV_RANDOM, -EINVAL, NULL, NULL);
	step("SEQUENTIAL len overflow", a, (size_t)-PAGE, MADV_SEQUENTIAL, -EINVAL, NULL, NULL);
	step("RANDOM len 0", a, 0, MADV_RANDOM, 0, NULL, NULL);

	/* the access-pattern hint the table keeps for this verdict */
	if (!strcmp(warm, "random"))
		step("RANDOM (kept)", a, REGION * PAGE, MADV_RANDOM, 0, "rr", "sr");
	else
		step("SEQUENTIAL (kept)", a, REGION * PAGE, MADV_SEQUENTIAL, 0, "sr", "rr");
	/* Anonymous WILLNEED is swap-in readahead: EBADF without CONFIG_SWAP. */
	step("WILLNEED", a, REGION * PAGE, MADV_WILLNEED,
	     access("/proc/swaps", F_OK) ? -EBADF : 0,
	     strcmp(warm, "random") ? "sr" : "rr", NULL);
	step("NORMAL", a, REGION * PAGE, MADV_NORMAL, 0, NULL, NULL);
	/* NORMAL clears both pattern flags */
	{
		char f[64];

		interesting_flags(a, f, sizeof(f));
		if (strstr(f, "sr") || strstr(f, "rr")) {
			printf("NORMAL left %s\n", f);
			failures++;
		}
	}
	/* without THP (PREEMPT_RT), both are EINVAL and set nothing */
	step("HUGEPAGE", a, REGION * PAGE, MADV_HUGEPAGE, have_thp() ? 0 : -EINVAL,
	     have_thp() ? "hg" : NULL, "nh");
	step("NOHUGEPAGE", a, REGION * PAGE, MADV_NOHUGEPAGE, have_thp() ? 0 : -EINVAL,
	     have_thp() ? "nh" : NULL, "hg");
	step("DONTFORK", a, REGION * PAGE, MADV_DONTFORK, 0, "dc", NULL);
	step("DOFORK", a, REGION * PAGE, MADV_DOFORK, 0, NULL, "dc");
	step("DONTDUMP", a, REGION * PAGE, MADV_DONTDUMP, 0, "dd", NULL);
	step("DODUMP", a, REGION * PAGE, MADV_DODUMP, 0, NULL, "dd");

	/* DONTNEED still zeroes a private anonymous page */
	memset(b, 0x5a, REGION * PAGE);
	step("DONTNEED", b, REGION * PAGE, MADV_DONTNEED, 0, NULL, NULL);
	printf("%-22s %s\n", "DONTNEED zeroes",
	       b[0] == 0 && b[PAGE + 7] == 0 ? "yes" : "NO   <-- FAIL");
	if (b[0] != 0 || b[PAGE + 7] != 0)
		failures++;
	memset(b, 0x5a, REGION * PAGE);
	step("FREE", b, REGION * PAGE, MADV_FREE, 0, NULL, NULL);
	step("COLD", b, REGION * PAGE, MADV_COLD, 0, NULL, NULL);
	step("PAGEOUT", b, REGION * PAGE, MADV_PAGEOUT, 0, NULL, NULL);
	step("REMOVE (anon private)", b, REGION * PAGE, MADV_REMOVE, -EINVAL, NULL, NULL);

	printf("failures=%d\n", failures);
	return failures ? 1 : 0;
}
