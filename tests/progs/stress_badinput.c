// SPDX-License-Identifier: GPL-2.0
/*
 * Bad-input campaign against one writable file of the module, with exact
 * byte counts (write(2), embedded NULs, pieces, more than a page).
 *
 *   stress_badinput sysfs FILE MIN MAX COUNT SEED
 *	sysfs tunable: decimal MIN..MAX. Every write is malformed or out of
 *	range: EINVAL (malformed, or longer than 32 bytes: kernfs truncates a
 *	write larger than a page to a page, so the module refuses anything
 *	longer than a value can be), ERANGE (numeric, out of range or
 *	overflow). An empty write returns 0 (kernfs never calls the module).
 *	The value must never change.
 *   stress_badinput dev DEVICE COUNT SEED
 *	the profiler's control protocol ("R <pid>\n" / "U <pid>\n"): every
 *	malformed line is refused with EINVAL, a pid that does not exist
 *	with ESRCH (R) / ENOENT (U), a duplicate with EEXIST; the registered
 *	set is unchanged (a child registered before is still registered,
 *	once). All on one open file: registrations belong to it and end
 *	with it.
 *
 * Prints "writes=N failures=M" and one "FAIL: ..." line per failure;
 * exits 0 when M == 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG (3 * 4096 + 17)

static const char *path;
static int held_fd = -1;	/* dev: the one open file, else -1 */
static unsigned long vmin, vmax;
static int writes, failures;
static unsigned long long rng;

static unsigned int rnd(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned int)(rng >> 33);
}

static void show(char *out, size_t outlen, const char *b, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < outlen; i++) {
		unsigned char c = b[i];

		if (c >= 0x21 && c < 0x7f && c != '\\')
			out[o++] = c;
		else
			o += snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	if (i < n && o + 4 < outlen)
		o += snprintf(out + o, outlen - o, "...");
	out[o] = 0;
}

static int read_value(char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static const char *ename(int e)
{
	switch (e) {
	case 0: return "OK";
	case EINVAL: return "EINVAL";
	case ERANGE: return "ERANGE";
	case ESRCH: return "ESRCH";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOSPC: return "ENOSPC";
	case EFAULT: return "EFAULT";
	default: return strerror(e);
	}
}

/* What the documented parser must say about these bytes (sysfs). */
static int sysfs_expect(const char *b, size_t n)
{
	unsigned long long v = 0;
	size_t i, end = n;
	int overflow = 0;

	if (n == 0)
		return 0;
	if (n > 32)
		return EINVAL;
	if (b[n - 1] == '\n')
		end = n - 1;
	if (end == 0)
		return EINVAL;
	for (i = 0; i < end; i++) {
		if (b[i] < '0' || b[i] > '9')
			return EINVAL;
		v = v * 10 + (b[i] - '0');
		if (v > 0xffffffffULL)
			overflow = 1, v = 0xffffffffULL + 1;
	}
	if (overflow || v < vmin || v > vmax)
		return ERANGE;
	return -1;	/* valid: the generator never sends it */
}

/* Exactly @n bytes in @npieces write(2)s on one fd; returns the first errno. */
static int do_write(const char *b, size_t n, int npieces, ssize_t *lastret)
{
	int fd = held_fd >= 0 ? held_fd : open(path, O_WRONLY), e = 0;
	size_t off = 0;
	int p;

	if (fd < 0)
		return -errno;
	*lastret = 0;
	for (p = 0; p < npieces; p++) {
		size_t len = p == npieces - 1 ? n - off : (n - off) / (npieces - p);
		ssize_t r = write(fd, b + off, len);

		if (r < 0 && !e)
			e = errno;
		*lastret = r;
		off += len;
	}
	if (fd != held_fd)
		close(fd);
	return e;
}

static void sysfs_case(const char *b, size_t n, int want)
{
	char before[64], after[64], shown[160];
	ssize_t ret = 0;
	int e;

	if (want < 0)
		return;
	if (read_value(before, sizeof(before))) {
		printf("FAIL: cannot read %s\n", path);
		failures++;
		return;
	}
	e = do_write(b, n, 1, &ret);
	writes++;
	read_value(after, sizeof(after));
	show(shown, sizeof(shown), b, n);
	if (e != want || (want == 0 && ret != 0)) {
		printf("FAIL: %s: write '%s' (%zu bytes) gave %s (ret %zd), want %s\n",
		       path, shown, n, ename(e), ret, ename(want));
		failures++;
	} else if (strcmp(before, after)) {
		printf("FAIL: %s: write '%s' changed the value %s -> %s\n",
		       path, shown, before, after);
		failures++;
	}
}

/*
 * A write in pieces: sysfs parses every write(2) on its own (kernfs does
 * not assemble them), so each piece must be refused on its own.
 */
static void sysfs_pieces(const char *b, size_t n, int npieces)
{
	char before[64], after[64], shown[160];
	int fd = open(path, O_WRONLY), p;
	size_t off = 0;

	if (fd < 0) {
		printf("FAIL: open %s: %s\n", path, strerror(errno));
		failures++;
		return;
	}
	read_value(before, sizeof(before));
	for (p = 0; p < npieces; p++) {
		size_t len = p == npieces - 1 ? n - off : (n - off) / (npieces - p);
		int want = sysfs_expect(b + off, len);
		ssize_t r;
		int e;

		show(shown, sizeof(shown), b + off, len);
		if (want < 0) {
			printf("FAIL: generator: piece '%s' is valid\n", shown);
			failures++;
			off += len;
			continue;
		}
		r = write(fd, b + off, len);
		e = r < 0 ? errno : 0;
		writes++;
		if (e != want) {
			printf("FAIL: %s: piece %d '%s' gave %s, want %s\n",
			       path, p, shown, ename(e), ename(want));
			failures++;
		}
		off += len;
	}
	close(fd);
	read_value(after, sizeof(after));
	if (strcmp(before, after)) {
		printf("FAIL: %s: pieces changed the value %s -> %s\n", path, before, after);
		failures++;
	}
}

static const char *const fixed[] = {
	"", "\n", " ", "  \n", "\t", "\t\n", "\r\n", "\v", "\f", " \n\n",
	"abc", "abc\n", "1a", "a1", "0x10", "0X1F", "0b1", "0o7", "1e3", "1.0",
	"1,2", "1 1", "1_0", "-1", "-0", "+1", "+0", "--1", "- 1", " 1",
	"1 ", "1\n\n", "\n1", "\t1", "1\t", "1\r", "\x01", "\xff", "\xc3\xa9",
	"one", "true", "yes", "on", "y", "NaN", "inf", "null", "%d", "%s%s%n",
	"$(reboot)", "`id`", "'1'", "\"1\"", "[1]", "{1}", "1;2", "1|2", "1&", "~1",
	"99999999999999999999999999999999999999", "4294967296", "4294967295",
	"4294967297", "18446744073709551615", "18446744073709551616",
	"-4294967296", "-2147483648", "2147483648", "9223372036854775807",
	"9223372036854775808", "-9223372036854775808", "00000000000000000000000000000000004294967296",
	"0x", "x", ".", "-", "+", "\\n", "\\0",
};

static void sysfs_run(int count)
{
	char buf[BIG];
	size_t i, n;
	int k;
	char num[64];

	/* fixed corpus */
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		sysfs_case(fixed[i], strlen(fixed[i]), sysfs_expect(fixed[i], strlen(fixed[i])));
	/* out of range, both sides, with and without newline */
	if (vmin > 0) {
		n = snprintf(num, sizeof(num), "%lu", vmin - 1);
		sysfs_case(num, n, ERANGE);
		n = snprintf(num, sizeof(num), "%lu\n", vmin - 1);
		sysfs_case(num, n, ERANGE);
		sysfs_case("0", 1, vmin ? ERANGE : -1);
	}
	n = snprintf(num, sizeof(num), "%lu", vmax + 1);
	sysfs_case(num, n, ERANGE);
	n = snprintf(num, sizeof(num), "%lu\n", vmax + 1);
	sysfs_case(num, n, ERANGE);
	n = snprintf(num, sizeof(num), "%lu", vmax * 1000 + 7);
	sysfs_case(num, n, ERANGE);
	/* embedded NULs: a valid number with a NUL inside or after */
	n = snprintf(num, sizeof(num), "%lu", vmin);
	memcpy(buf, num, n);
	buf[n] = 0;
	sysfs_case(buf, n + 1, EINVAL);			/* "N\0" */
	buf[n] = '\n';
	buf[n + 1] = 0;
	sysfs_case(buf, n + 2, EINVAL);			/* "N\n\0" */
	buf[0] = 0;
	memcpy(buf + 1, num, n);
	sysfs_case(buf, n + 1, EINVAL);			/* "\0N" */
	memcpy(buf, num, n);
	if (n > 1) {
		buf[1] = 0;
		sysfs_case(buf, n, EINVAL);		/* "N\0NN" */
	}
	memset(buf, 0, 16);
	sysfs_case(buf, 16, EINVAL);			/* only NULs */
	sysfs_case(buf, 1, EINVAL);
	/* bigger than a page: EINVAL whatever the content */
	memset(buf, '1', BIG);
	sysfs_case(buf, 4097, EINVAL);
	sysfs_case(buf, BIG, EINVAL);
	n = snprintf(num, sizeof(num), "%lu\n", vmin);
	memset(buf, ' ', BIG);
	memcpy(buf, num, n);
	sysfs_case(buf, 8192, EINVAL);			/* valid number + padding */
	memset(buf, '0', BIG);
	memcpy(buf + 8192 - n, num, n);
	sysfs_case(buf, 8192, EINVAL);
	/* exactly a page: whatever the content */
	memset(buf, '0', 4096);
	buf[4095] = 'x';
	sysfs_case(buf, 4096, EINVAL);
	memset(buf, '9', 4096);
	sysfs_case(buf, 4096, EINVAL);
	/* just under a page: still too long */
	memset(buf, '0', 4095);
	buf[4094] = 'x';
	sysfs_case(buf, 4095, EINVAL);
	memset(buf, '9', 4095);
	sysfs_case(buf, 4095, EINVAL);
	/* 32 bytes is the longest parsed: zero-padded min is a value */
	memset(buf, '9', 33);
	sysfs_case(buf, 33, EINVAL);
	memset(buf, '9', 32);
	sysfs_case(buf, 32, ERANGE);			/* overflow */
	/* pieces */
	sysfs_pieces("ab\ncd\n", 6, 3);
	sysfs_pieces(" 7 \n", 4, 2);
	sysfs_pieces("a1\nb2\n", 6, 2);
	sysfs_pieces("-\n-\n", 4, 2);
	sysfs_pieces("x9999999999999", 14, 2);
	sysfs_pieces("\0\0\0\0", 4, 4);
	/* random bytes, random lengths, random mix of digits and junk */
	for (k = 0; writes < count; k++) {
		int kind = rnd() % 4, want;

		n = 1 + rnd() % (kind == 3 ? 200 : 24);
		for (i = 0; i < n; i++) {
			switch (kind) {
			case 0: buf[i] = rnd() & 0xff; break;	/* random bytes */
			case 1: buf[i] = "0123456789\n \t-+x\0"[rnd() % 17]; break;
			case 2: buf[i] = '0' + rnd() % 10; break;	/* digits */
			default: buf[i] = rnd() & 0xff; break;
			}
		}
		if (kind == 2 && n < 12)
			continue;		/* short digit strings may be valid */
		want = sysfs_expect(buf, n);
		if (want < 0 || n == 0)
			continue;
		sysfs_case(buf, n, want);
		if (k > 100000)
			break;
	}
}

/* ---- the device's control protocol ------------------------------------- */

static int dev_line(const char *b, size_t n, int npieces)
{
	ssize_t ret;
	int e = do_write(b, n, npieces, &ret);

	writes++;
	return e;
}

static void dev_expect(const char *what, const char *b, size_t n, int npieces, int want)
{
	char shown[160];
	int e = dev_line(b, n, npieces);

	if (e == want)
		return;
	show(shown, sizeof(shown), b, n);
	printf("FAIL: %s: %s '%s' gave %s, want %s\n", path, what, shown,
	       e < 0 ? strerror(-e) : ename(e), ename(want));
	failures++;
}

static void dev_run(int count)
{
	static const char *const bad[] = {
		"\n", " \n", "R\n", "U\n", "R \n", "U \n", "R  1\n", "R x\n", "R -1\n",
		"R +1\n", "R 0\n", "R 1x\n", "R 1 \n", "R 0x10\n", "r 1\n", "u 1\n",
		"X 1\n", "RR 1\n", "R\t1\n", "R 1 2\n", "R 99999999999999999999\n",
		"R 2147483648\n", "R -2147483648\n", "R 1\r\n", " R 1\n", "U x\n", "U -5\n", "register 1\n", "R\n\n",
	};
	char buf[BIG], line[64];
	pid_t child;
	size_t i, n;
	int k;

	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	n = snprintf(line, sizeof(line), "R %d\n", child);
	dev_expect("register a child", line, n, 1, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dev_expect("malformed", bad[i], strlen(bad[i]), 1, EINVAL);
	}
	dev_expect("malformed with NUL", "R 1\0\n", 5, 1, EINVAL);
	dev_expect("NUL line", "\0\n", 2, 1, EINVAL);
	dev_expect("NUL in the pid", "R \0" "1\n", 5, 1, EINVAL);
	dev_expect("nonexistent pid", "R 4000000\n", 10, 1, ESRCH);
	dev_expect("unregister nonexistent", "U 4000000\n", 10, 1, ENOENT);
	dev_expect("duplicate", line, n, 1, EEXIST);
	/* pieces: the line is assembled, then refused */
	dev_expect("malformed in pieces", "R 12x34\n", 8, 4, EINVAL);
	dev_expect("duplicate in pieces", line, n, 3, EEXIST);
	/* more than a page: an over-long line */
	memset(buf, '1', BIG);
	buf[0] = 'R';
	buf[1] = ' ';
	buf[BIG - 1] = '\n';
	dev_expect("over-long line", buf, BIG, 1, EINVAL);
	dev_expect("over-long line in pieces", buf, BIG, 5, EINVAL);
	/* random lines that can never be valid: first byte not R/U */
	for (k = 0; writes < count && k < 100000; k++) {
		n = 1 + rnd() % 40;
		for (i = 0; i < n; i++)
			buf[i] = rnd() & 0xff;
		if (buf[0] == 'R' || buf[0] == 'U' || buf[0] == '\n')
			buf[0] = 'Z';
		buf[n] = '\n';
		dev_expect("random", buf, n + 1, 1 + k % 3, EINVAL);
	}
	/* still registered exactly once */
	dev_expect("still registered", line, n = snprintf(line, sizeof(line), "R %d\n", child), 1, EEXIST);
	line[0] = 'U';
	dev_expect("unregister", line, n, 1, 0);
	dev_expect("unregister twice", line, n, 1, ENOENT);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

int main(int argc, char **argv)
{
	int count;

	if (argc == 7 && !strcmp(argv[1], "sysfs")) {
		path = argv[2];
		vmin = strtoul(argv[3], NULL, 10);
		vmax = strtoul(argv[4], NULL, 10);
		count = atoi(argv[5]);
		rng = strtoull(argv[6], NULL, 10) + 1;
		sysfs_run(count);
	} else if (argc == 5 && !strcmp(argv[1], "dev")) {
		path = argv[2];
		count = atoi(argv[3]);
		rng = strtoull(argv[4], NULL, 10) + 1;
		held_fd = open(path, O_WRONLY);
		if (held_fd < 0) {
			perror(path);
			return 1;
		}
		dev_run(count);
		close(held_fd);
	} else {
		fprintf(stderr, "usage: %s sysfs FILE MIN MAX COUNT SEED | dev DEVICE COUNT SEED\n",
			argv[0]);
		return 2;
	}
	printf("writes=%d failures=%d\n", writes, failures);
	return failures ? 1 : 0;
}
