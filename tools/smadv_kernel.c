// SPDX-License-Identifier: GPL-2.0
/*
 * smadv_kernel.c - read and parse the smart_madvise module's files.
 *
 * This file is the only one that knows paths, file names and line formats
 * of /sys/kernel/smart_madvise and /sys/kernel/debug/smart_madvise.  A
 * format change in the module breaks one function here, nothing else.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "smadv_kernel.h"

#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC	0x64626720
#endif

char smk_err[SMK_ERR_LEN];
int smk_exit;

const struct smk_tunable smk_tunables[] = {
	{ "enable", 0, 1, 0, 0, 0,
	  "1 arms the probes: tracking and rewriting run; 0 disarms them" },
	{ "dry_run", 0, 1, 0, 0, 0,
	  "1: decide and log rewrites but never change any advice" },
	{ "window_size", 8, 512, 64, 0, 0,
	  "pages of recent fault evidence a verdict needs (older evidence ages)" },
	{ "threshold", 51, 100, 75, 0, 0,
	  "percent of the window that must be sequential (or random) for a verdict" },
	{ "max_gap_pages", 1, 1024, 32, 0, 0,
	  "a fault 1..N pages after a recent stream counts as sequential" },
	{ "max_processes", 1, 65536, 4096, 0, 0,
	  "cap on tracked processes; beyond it they are counted as untracked" },
	{ "sample_interval_ms", 10, 10000, 50, 0, 1,
	  "profiler sampling period in milliseconds" },
	{ "late", 0, 1, 1, 0, 0,
	  "1: correct the advice of an advised mapping whose own faults contradict it" },
	{ "version", 0, 0, 0, 1, 0, "module version (read-only)" },
	{ "fault_hook", 0, 0, 0, 1, 1,
	  "how faults are observed: tracepoint, ftrace or kprobe (read-only)" },
	{ "madvise_hook", 0, 0, 0, 1, 1,
	  "how madvise calls are rewritten: do_madvise or syscall (read-only)" },
	{ "late_support", 0, 0, 0, 1, 0,
	  "whether late correction works here: yes, or no: REASON (read-only)" },
};
const size_t smk_ntunables = ARRAY_SIZE(smk_tunables);

const char *const smk_verdict_names[SMK_V_NR] = {
	[SMK_V_UNKNOWN]		= "unknown",
	[SMK_V_SEQUENTIAL]	= "sequential",
	[SMK_V_RANDOM]		= "random",
	[SMK_V_MIXED]		= "mixed",
};

static int seterr(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int seterr(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(smk_err, sizeof(smk_err), fmt, ap);
	va_end(ap);
	smk_exit = code;
	return -1;
}

const struct smk_tunable *smk_tunable_find(const char *name)
{
	size_t i;

	for (i = 0; i < smk_ntunables; i++)
		if (!strcmp(smk_tunables[i].name, name))
			return &smk_tunables[i];
	return NULL;
}

static const char *env_dir(const char *var, const char *def)
{
	const char *s = getenv(var);

	return (s && *s) ? s : def;
}

const char *smk_sysfs_dir(void)
{
	return env_dir("SMADVCTL_SYSFS_DIR", SMK_SYSFS_DIR);
}

const char *smk_debugfs_dir(void)
{
	return env_dir("SMADVCTL_DEBUGFS_DIR", SMK_DEBUGFS_DIR);
}

/* ---- low level file access ------------------------------------------ */

static int read_whole(const char *path, char **out, size_t *outlen)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	int fd, saved;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		free(buf);
		return -saved;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				saved = ENOMEM;
				goto fail;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	if (outlen)
		*outlen = len;
	return 0;
fail:
	close(fd);
	free(buf);
	return -saved;
}

static int dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int not_loaded(void)
{
	return seterr(SMK_EXIT_NOT_LOADED,
		      "the smart_madvise module is not loaded (%s does not exist).\n"
		      "Fix: load it with 'modprobe smart_madvise' (or 'insmod smart_madvise.ko'), as root.",
		      smk_sysfs_dir());
}

/* Explain why the debugfs file at path could not be opened (err > 0). */
static int debugfs_error(const char *path, int err)
{
	const char *dir = smk_debugfs_dir();
	char parent[512];
	struct statfs sfs;
	char *slash;

	if (err == EACCES || (err == EPERM && geteuid() != 0))
		return seterr(SMK_EXIT_PERM,
			      "permission denied reading %s: the module's debugfs counters are root-only.\n"
			      "Fix: run as root, e.g. 'sudo smadvctl ...'.", path);
	if (err == EPERM)
		return seterr(SMK_EXIT_PERM,
			      "the kernel refused access to %s although running as root: kernel lockdown "
			      "(confidentiality mode) blocks debugfs.\n"
			      "Fix: boot with lockdown=integrity or without lockdown to read the counters; "
			      "tunables in %s still work.", path, smk_sysfs_dir());
	if (err != ENOENT)
		return seterr(SMK_EXIT_FAIL, "cannot read %s: %s", path,
			      strerror(err));
	if (!dir_exists(smk_sysfs_dir()))
		return not_loaded();

	/* Is debugfs mounted on the parent of our directory? */
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (!getenv("SMADVCTL_DEBUGFS_DIR") &&
	    (statfs(parent, &sfs) != 0 || sfs.f_type != DEBUGFS_MAGIC))
		return seterr(SMK_EXIT_NO_DEBUGFS,
			      "debugfs is not mounted on %s, so the module's counters are not visible.\n"
			      "Fix: mount it with 'mount -t debugfs none %s' (as root).",
			      parent, parent);
	if (!dir_exists(dir))
		return seterr(SMK_EXIT_NO_DEBUGFS,
			      "%s does not exist although the module is loaded and debugfs is mounted "
			      "(the module could not create its debugfs files; see dmesg).", dir);
	return seterr(SMK_EXIT_VERSION,
		      "%s is missing: the loaded module does not provide this file.\n"
		      "Fix: use the smadvctl shipped with the same smart-madvise release as the module.",
		      path);
}

static int read_debugfs(const char *file, char **text)
{
	char path[512];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", smk_debugfs_dir(), file);
	ret = read_whole(path, text, NULL);
	if (ret < 0)
		return debugfs_error(path, -ret);
	return 0;
}

/* ---- module and version ---------------------------------------------- */

int smk_parse_version_major(const char *version, unsigned long *major)
{
	char *end;

	if (!isdigit((unsigned char)version[0]))
		return -EINVAL;
	errno = 0;
	*major = strtoul(version, &end, 10);
	if (errno || (*end != '.' && *end != '\0' && *end != '\n'))
		return -EINVAL;
	return 0;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

int smk_check_module(char *version, size_t len)
{
	unsigned long major;
	char path[512];
	char *text;
	int ret;

	if (!dir_exists(smk_sysfs_dir()))
		return not_loaded();
	snprintf(path, sizeof(path), "%s/version", smk_sysfs_dir());
	ret = read_whole(path, &text, NULL);
	if (ret < 0) {
		if (ret == -ENOENT)
			return seterr(SMK_EXIT_VERSION,
				      "%s is missing: the loaded smart_madvise module is too old for this smadvctl "
				      "(interface %d.x).\n"
				      "Fix: install matching versions of the module and smart-madvise-tools.",
				      path, SMK_IFACE_MAJOR);
		return seterr(SMK_EXIT_FAIL, "cannot read %s: %s", path,
			      strerror(-ret));
	}
	chomp(text);
	snprintf(version, len, "%s", text);
	ret = smk_parse_version_major(text, &major);
	free(text);
	if (ret < 0 || major != SMK_IFACE_MAJOR)
		return seterr(SMK_EXIT_VERSION,
			      "interface version mismatch: the loaded module is version '%s', "
			      "this smadvctl understands interface %d.x only.\n"
			      "Fix: install the smadvctl from the same smart-madvise release as the module "
			      "(or load the matching module).", version, SMK_IFACE_MAJOR);
	return 0;
}

int smk_check_debugfs(void)
{
	char *text;

	/* stats is the smallest file; reading it proves access. */
	if (read_debugfs("stats", &text) < 0)
		return -1;
	free(text);
	return 0;
}

/* ---- tunables --------------------------------------------------------- */

int smk_tunable_read(const char *name, char *buf, size_t len)
{
	char path[512];
	char *text;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", smk_sysfs_dir(), name);
	ret = read_whole(path, &text, NULL);
	if (ret < 0) {
		if (ret == -ENOENT && !dir_exists(smk_sysfs_dir()))
			return not_loaded();
		if (ret == -ENOENT)
			return seterr(SMK_EXIT_VERSION,
				      "%s is missing: the loaded module has no tunable '%s' "
				      "(older module?).", path, name);
		if (ret == -EACCES || ret == -EPERM)
			return seterr(SMK_EXIT_PERM,
				      "permission denied reading %s.\nFix: run as root.",
				      path);
		return seterr(SMK_EXIT_FAIL, "cannot read %s: %s", path,
			      strerror(-ret));
	}
	chomp(text);
	snprintf(buf, len, "%s", text);
	free(text);
	return 0;
}

static int parse_u64(const char *s, uint64_t *v, int base)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, base);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static int parse_s64(const char *s, int64_t *v)
{
	uint64_t u;

	if (*s == '-') {
		if (parse_u64(s + 1, &u, 10) < 0 || u > (uint64_t)INT64_MAX + 1)
			return -EINVAL;
		*v = (int64_t)(0 - u);
		return 0;
	}
	if (parse_u64(s, &u, 10) < 0 || u > INT64_MAX)
		return -EINVAL;
	*v = u;
	return 0;
}

int smk_tunable_read_ulong(const char *name, unsigned long *val)
{
	char buf[64];
	uint64_t v;

	if (smk_tunable_read(name, buf, sizeof(buf)) < 0)
		return -1;
	if (parse_u64(buf, &v, 10) < 0)
		return seterr(SMK_EXIT_VERSION,
			      "%s/%s holds '%s', not a decimal number: format mismatch "
			      "between module and smadvctl.", smk_sysfs_dir(), name, buf);
	*val = v;
	return 0;
}

/*
 * Write value (plus a newline, as echo does) and explain the kernel's errno.
 * The module is the authority on validity: the value is passed verbatim.
 */
int smk_tunable_write(const char *name, const char *value)
{
	const struct smk_tunable *t = smk_tunable_find(name);
	char path[512], range[96] = "";
	size_t len = strlen(value);
	char *buf;
	ssize_t n;
	int fd, err;

	if (t && !t->readonly)
		snprintf(range, sizeof(range), " (allowed: %lu..%lu, default %lu)",
			 t->min, t->max, t->def);
	snprintf(path, sizeof(path), "%s/%s", smk_sysfs_dir(), name);
	/*
	 * sysfs passes a store at most one page and drops the rest silently
	 * (kernfs truncates; the write looks short): refuse before writing.
	 */
	if (len + 1 > (size_t)sysconf(_SC_PAGESIZE))
		return seterr(SMK_EXIT_FAIL,
			      "the value for %s is too long (E2BIG): %zu bytes, but sysfs takes at "
			      "most one page (%ld bytes) and would cut the rest off%s.",
			      name, len, sysconf(_SC_PAGESIZE), range);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT && !dir_exists(smk_sysfs_dir()))
			return not_loaded();
		if (err == ENOENT)
			return seterr(SMK_EXIT_VERSION,
				      "%s is missing: the loaded module has no tunable '%s' (older module?).",
				      path, name);
		if (err == EACCES || err == EPERM)
			return seterr(SMK_EXIT_PERM,
				      "permission denied writing %s: changing tunables needs root.\n"
				      "Fix: run as root, e.g. 'sudo smadvctl set %s %s'.",
				      path, name, value);
		return seterr(SMK_EXIT_FAIL, "cannot open %s: %s", path,
			      strerror(err));
	}
	buf = malloc(len + 2);
	if (!buf) {
		close(fd);
		return seterr(SMK_EXIT_FAIL, "out of memory");
	}
	memcpy(buf, value, len);
	buf[len] = '\n';
	n = write(fd, buf, len + 1);
	err = errno;
	free(buf);
	if (close(fd) < 0 && n >= 0) {
		n = -1;
		err = errno;
	}
	if (n == (ssize_t)(len + 1))
		return 0;
	if (n >= 0)
		return seterr(SMK_EXIT_FAIL,
			      "the kernel took only %zd of %zu bytes written to %s; the value was "
			      "not stored as given.", n, len + 1, path);

	switch (err) {
	case EINVAL:
		return seterr(SMK_EXIT_FAIL,
			      "the module rejected '%s' for %s as malformed (EINVAL): "
			      "expected a plain decimal integer, without sign, spaces or "
			      "trailing characters%s.", value, name, range);
	case ERANGE:
		return seterr(SMK_EXIT_FAIL,
			      "the module rejected '%s' for %s as out of range (ERANGE)%s.",
			      value, name, range);
	case EACCES:
	case EPERM:
		return seterr(SMK_EXIT_PERM,
			      "permission denied writing %s (%s): changing tunables needs root.\n"
			      "Fix: run as root, e.g. 'sudo smadvctl set %s %s'.",
			      path, err == EACCES ? "EACCES" : "EPERM", name, value);
	case EBUSY:
		return seterr(SMK_EXIT_FAIL,
			      "the module refused to change %s right now (EBUSY): the change "
			      "would leave its state inconsistent; retry later.", name);
	case ENOENT:
	case ENODEV:
		return seterr(SMK_EXIT_NOT_LOADED,
			      "the module went away while writing %s (%s).", path,
			      strerror(err));
	default:
		return seterr(SMK_EXIT_FAIL, "the module rejected '%s' for %s: %s%s.",
			      value, name, strerror(err), range);
	}
}

/* ---- line splitting ---------------------------------------------------- */

/*
 * Split the line at *pos into at most max whitespace separated tokens
 * (modifies text).  Returns the token count, -1 at end of text.
 */
static int next_line(char **pos, char **tok, int max, char **line)
{
	char *s = *pos, *eol;
	int n = 0;

	if (!*s)
		return -1;
	eol = strchr(s, '\n');
	if (eol) {
		*eol = '\0';
		*pos = eol + 1;
	} else {
		*pos = s + strlen(s);
	}
	*line = s;
	while (*s) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		if (n < max)
			tok[n] = s;
		n++;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

static int format_error(const char *file, int lineno, const char *why)
{
	return seterr(SMK_EXIT_VERSION,
		      "unexpected format in %s/%s line %d (%s): the module and smadvctl "
		      "disagree on the file format.\n"
		      "Fix: install matching versions of the module and smart-madvise-tools.",
		      smk_debugfs_dir(), file, lineno, why);
}

static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 64;
	return realloc(v, *cap * size);
}

/* ---- stats: "name value" lines ----------------------------------------- */

int smk_parse_stats(const char *text, struct smk_stats *st)
{
	char *copy = strdup(text), *pos = copy, *tok[2], *line;
	size_t cap = 0;
	int n, lineno = 0;

	st->v = NULL;
	st->n = 0;
	if (!copy)
		return seterr(SMK_EXIT_FAIL, "out of memory");
	while ((n = next_line(&pos, tok, 2, &line)) >= 0) {
		struct smk_stat *s;
		void *nv;

		lineno++;
		if (n == 0)
			continue;
		if (n != 2 || strlen(tok[0]) >= SMK_NAME_LEN)
			goto bad;
		nv = grow(st->v, st->n, &cap, sizeof(*st->v));
		if (!nv)
			goto oom;
		st->v = nv;
		s = &st->v[st->n];
		if (parse_s64(tok[1], &s->value) < 0)
			goto bad;
		strcpy(s->name, tok[0]);
		st->n++;
	}
	free(copy);
	return 0;
bad:
	free(copy);
	smk_stats_free(st);
	return format_error("stats", lineno, "expected 'name value'");
oom:
	free(copy);
	smk_stats_free(st);
	return seterr(SMK_EXIT_FAIL, "out of memory");
}

int smk_stats_read(struct smk_stats *st)
{
	char *text;
	int ret;

	if (read_debugfs("stats", &text) < 0)
		return -1;
	ret = smk_parse_stats(text, st);
	free(text);
	return ret;
}

int smk_stats_get(const struct smk_stats *st, const char *name, int64_t *val)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->v[i].name, name)) {
			*val = st->v[i].value;
			return 0;
		}
	return -ENOENT;
}

void smk_stats_free(struct smk_stats *st)
{
	free(st->v);
	st->v = NULL;
	st->n = 0;
}

/* ---- processes --------------------------------------------------------- */

static int parse_verdict(const char *s, enum smk_verdict *v)
{
	int i;

	for (i = 0; i < SMK_V_NR; i++)
		if (!strcmp(s, smk_verdict_names[i])) {
			*v = i;
			return 0;
		}
	return -EINVAL;
}

/*
 * A header line that must be exactly want (the column names), so that a
 * module of another release is named as such instead of misread.
 */
static int check_header(char **tok, int n, const char *want)
{
	char copy[128], *w, *save = NULL;
	int i = 0;

	snprintf(copy, sizeof(copy), "%s", want);
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (i >= n || strcmp(tok[i], w))
			return -1;
		i++;
	}
	return i == n ? 0 : -1;
}

#define PROCS_HEADER	"pid comm faults sequential random verdict rewrites late"

/* PROCS_HEADER, then one line per process with those 8 columns. */
int smk_parse_procs(const char *text, struct smk_procs *p)
{
	char *copy = strdup(text), *pos = copy, *tok[9], *line;
	const char *why = "";
	size_t cap = 0;
	int n, lineno = 0;
	uint64_t pid;

	p->v = NULL;
	p->n = 0;
	if (!copy)
		return seterr(SMK_EXIT_FAIL, "out of memory");
	while ((n = next_line(&pos, tok, 9, &line)) >= 0) {
		struct smk_proc *e;
		void *nv;

		lineno++;
		if (n == 0 && lineno > 1)
			continue;
		if (lineno == 1) {
			why = "expected the header '" PROCS_HEADER "'";
			if (n == 7 && !strcmp(tok[0], "pid") && !strcmp(tok[6], "rewrites"))
				why = "the header has no 'late' column: the module predates "
				      "late correction";
			if (check_header(tok, n, PROCS_HEADER) < 0)
				goto bad;
			continue;
		}
		why = "expected 8 columns '" PROCS_HEADER "'";
		if (n == 7)
			why = "7 columns, no 'late' column: the module predates late correction";
		if (n != 8)
			goto bad;
		nv = grow(p->v, p->n, &cap, sizeof(*p->v));
		if (!nv)
			goto oom;
		p->v = nv;
		e = &p->v[p->n];
		memset(e, 0, sizeof(*e));
		why = "pid is not a number in 1..2147483647";
		if (parse_u64(tok[0], &pid, 10) < 0 || pid < 1 || pid > 0x7fffffff)
			goto bad;
		why = "comm is too long";
		if (strlen(tok[1]) >= SMK_COMM_LEN)
			goto bad;
		why = "faults, sequential, random, rewrites and late must be decimal counts";
		if (parse_u64(tok[2], &e->faults, 10) < 0 ||
		    parse_u64(tok[3], &e->sequential, 10) < 0 ||
		    parse_u64(tok[4], &e->random, 10) < 0 ||
		    parse_u64(tok[6], &e->rewrites, 10) < 0 ||
		    parse_u64(tok[7], &e->late, 10) < 0)
			goto bad;
		why = "verdict must be unknown, sequential, random or mixed";
		if (parse_verdict(tok[5], &e->verdict) < 0)
			goto bad;
		e->pid = pid;
		strcpy(e->comm, tok[1]);
		p->n++;
	}
	if (lineno == 0) {
		lineno = 1;
		why = "empty, expected the header '" PROCS_HEADER "'";
		goto bad;
	}
	free(copy);
	return 0;
bad:
	free(copy);
	smk_procs_free(p);
	return format_error("processes", lineno, why);
oom:
	free(copy);
	smk_procs_free(p);
	return seterr(SMK_EXIT_FAIL, "out of memory");
}

int smk_procs_read(struct smk_procs *p)
{
	char *text;
	int ret;

	if (read_debugfs("processes", &text) < 0)
		return -1;
	ret = smk_parse_procs(text, p);
	free(text);
	return ret;
}

void smk_procs_free(struct smk_procs *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* ---- rewrites ---------------------------------------------------------- */

const char *smk_rewrite_mode(const struct smk_rewrite *e)
{
	if (e->late)
		return e->dry_run ? "late_dry_run" : "late";
	return e->dry_run ? "dry_run" : "applied";
}

/* "time_ns pid comm start length asked applied seq_permille mode" */
int smk_parse_rewrites(const char *text, struct smk_rewrites *r)
{
	char *copy = strdup(text), *pos = copy, *tok[10], *line;
	const char *why = "";
	size_t cap = 0;
	int n, lineno = 0;
	uint64_t pid, permille;

	r->v = NULL;
	r->n = 0;
	if (!copy)
		return seterr(SMK_EXIT_FAIL, "out of memory");
	while ((n = next_line(&pos, tok, 10, &line)) >= 0) {
		struct smk_rewrite *e;
		void *nv;

		lineno++;
		if (n == 0)
			continue;
		if (lineno == 1) {
			why = "expected a header starting with 'time_ns'";
			if (strcasecmp(tok[0], "time_ns"))
				goto bad;
			continue;
		}
		why = "expected 'time_ns pid comm start length asked applied seq_permille mode'";
		if (n < 9)
			goto bad;
		nv = grow(r->v, r->n, &cap, sizeof(*r->v));
		if (!nv)
			goto oom;
		r->v = nv;
		e = &r->v[r->n];
		memset(e, 0, sizeof(*e));
		if (parse_u64(tok[0], &e->time_ns, 10) < 0 ||
		    parse_u64(tok[1], &pid, 10) < 0 || pid > 0x7fffffff ||
		    strlen(tok[2]) >= SMK_COMM_LEN ||
		    strncmp(tok[3], "0x", 2) || strncmp(tok[4], "0x", 2) ||
		    parse_u64(tok[3] + 2, &e->start, 16) < 0 ||
		    parse_u64(tok[4] + 2, &e->length, 16) < 0 ||
		    strlen(tok[5]) >= SMK_NAME_LEN ||
		    strlen(tok[6]) >= SMK_NAME_LEN ||
		    parse_u64(tok[7], &permille, 10) < 0 || permille > 1000)
			goto bad;
		why = "mode must be applied, dry_run, late or late_dry_run";
		if (!strcmp(tok[8], "dry_run")) {
			e->dry_run = 1;
		} else if (!strcmp(tok[8], "late")) {
			e->late = 1;
		} else if (!strcmp(tok[8], "late_dry_run")) {
			e->late = 1;
			e->dry_run = 1;
		} else if (strcmp(tok[8], "applied")) {
			goto bad;
		}
		e->pid = pid;
		e->seq_permille = permille;
		strcpy(e->comm, tok[2]);
		strcpy(e->asked, tok[5]);
		strcpy(e->applied, tok[6]);
		r->n++;
	}
	free(copy);
	return 0;
bad:
	free(copy);
	smk_rewrites_free(r);
	return format_error("rewrites", lineno, why);
oom:
	free(copy);
	smk_rewrites_free(r);
	return seterr(SMK_EXIT_FAIL, "out of memory");
}

int smk_rewrites_read(struct smk_rewrites *r)
{
	char *text;
	int ret;

	if (read_debugfs("rewrites", &text) < 0)
		return -1;
	ret = smk_parse_rewrites(text, r);
	free(text);
	return ret;
}

void smk_rewrites_free(struct smk_rewrites *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

/* ---- mappings ---------------------------------------------------------- */

#define MAPPINGS_HEADER \
	"pid start length advice faults seq_permille verdict corrections"

/* An advice name as the module prints it: lower case letters and '_'. */
static int advice_word(const char *s)
{
	if (!*s || strlen(s) >= SMK_NAME_LEN)
		return -EINVAL;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && *s != '_')
			return -EINVAL;
	return 0;
}

static int parse_hex(const char *s, uint64_t *v)
{
	if (strncmp(s, "0x", 2))
		return -EINVAL;
	return parse_u64(s + 2, v, 16);
}

/* MAPPINGS_HEADER, then one line per advised range with those 8 columns. */
int smk_parse_mappings(const char *text, struct smk_mappings *m)
{
	char *copy = strdup(text), *pos = copy, *tok[9], *line;
	const char *why = "";
	size_t cap = 0;
	int n, lineno = 0;
	uint64_t pid, permille;

	m->v = NULL;
	m->n = 0;
	if (!copy)
		return seterr(SMK_EXIT_FAIL, "out of memory");
	while ((n = next_line(&pos, tok, 9, &line)) >= 0) {
		struct smk_mapping *e;
		void *nv;

		lineno++;
		if (n == 0 && lineno > 1)
			continue;
		if (lineno == 1) {
			why = "expected the header '" MAPPINGS_HEADER "'";
			if (check_header(tok, n, MAPPINGS_HEADER) < 0)
				goto bad;
			continue;
		}
		why = "expected 8 columns '" MAPPINGS_HEADER "'";
		if (n != 8)
			goto bad;
		nv = grow(m->v, m->n, &cap, sizeof(*m->v));
		if (!nv)
			goto oom;
		m->v = nv;
		e = &m->v[m->n];
		memset(e, 0, sizeof(*e));
		why = "pid is not a number in 1..2147483647";
		if (parse_u64(tok[0], &pid, 10) < 0 || pid < 1 || pid > 0x7fffffff)
			goto bad;
		why = "start and length must be hexadecimal with 0x, length not 0";
		if (parse_hex(tok[1], &e->start) < 0 ||
		    parse_hex(tok[2], &e->length) < 0 || !e->length ||
		    e->start + e->length < e->start)
			goto bad;
		why = "advice must be a lower case advice name such as random or sequential";
		if (advice_word(tok[3]) < 0)
			goto bad;
		why = "faults and corrections must be decimal counts";
		if (parse_u64(tok[4], &e->faults, 10) < 0 ||
		    parse_u64(tok[7], &e->corrections, 10) < 0)
			goto bad;
		why = "seq_permille must be a number in 0..1000";
		if (parse_u64(tok[5], &permille, 10) < 0 || permille > 1000)
			goto bad;
		why = "verdict must be unknown, sequential, random or mixed";
		if (parse_verdict(tok[6], &e->verdict) < 0)
			goto bad;
		e->pid = pid;
		e->seq_permille = permille;
		strcpy(e->advice, tok[3]);
		m->n++;
	}
	if (lineno == 0) {
		lineno = 1;
		why = "empty, expected the header '" MAPPINGS_HEADER "'";
		goto bad;
	}
	free(copy);
	return 0;
bad:
	free(copy);
	smk_mappings_free(m);
	return format_error("mappings", lineno, why);
oom:
	free(copy);
	smk_mappings_free(m);
	return seterr(SMK_EXIT_FAIL, "out of memory");
}

int smk_mappings_read(struct smk_mappings *m)
{
	char *text;
	int ret;

	if (read_debugfs("mappings", &text) < 0)
		return -1;
	ret = smk_parse_mappings(text, m);
	free(text);
	return ret;
}

void smk_mappings_free(struct smk_mappings *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}
