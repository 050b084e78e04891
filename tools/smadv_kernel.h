/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smadv_kernel.h - the one place that knows the smart_madvise module's
 * sysfs and debugfs file formats (documented in sysfs-doc/).
 *
 * Every reader returns 0 or a negative errno and leaves a human readable
 * reason in smk_err (cause and fix) so that callers only print it.
 */
#ifndef SMADV_KERNEL_H
#define SMADV_KERNEL_H

#include <stdint.h>
#include <stddef.h>

/* Interface major version this tool understands (module "version" file). */
#define SMK_IFACE_MAJOR		0

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

#define SMK_SYSFS_DIR		"/sys/kernel/smart_madvise"
#define SMK_DEBUGFS_DIR		"/sys/kernel/debug/smart_madvise"

#define SMK_COMM_LEN		64	/* kernel comm is 16, leave room */
#define SMK_NAME_LEN		32
#define SMK_VERSION_LEN		64
#define SMK_ERR_LEN		1024

/* Exit codes, documented in smadvctl(8). */
enum smk_exit {
	SMK_EXIT_OK		= 0,
	SMK_EXIT_FAIL		= 1,	/* generic failure, bad value refused */
	SMK_EXIT_USAGE		= 2,	/* bad command line, unknown name */
	SMK_EXIT_NOT_LOADED	= 3,
	SMK_EXIT_NO_DEBUGFS	= 4,
	SMK_EXIT_PERM		= 5,
	SMK_EXIT_VERSION	= 6,
};

struct smk_tunable {
	const char *name;
	unsigned long min, max, def;
	int readonly;		/* 1: text, read-only (version, fault_hook) */
	int optional;		/* 1: may be absent (added by a later issue) */
	const char *help;
};

extern const struct smk_tunable smk_tunables[];
extern const size_t smk_ntunables;

const struct smk_tunable *smk_tunable_find(const char *name);

struct smk_stat {
	char name[SMK_NAME_LEN];
	int64_t value;		/* counters, but allocations_live is signed */
};

struct smk_stats {
	struct smk_stat *v;
	size_t n;
};

enum smk_verdict {
	SMK_V_UNKNOWN,
	SMK_V_SEQUENTIAL,
	SMK_V_RANDOM,
	SMK_V_MIXED,
	SMK_V_NR,
};

extern const char *const smk_verdict_names[SMK_V_NR];

struct smk_proc {
	int pid;
	char comm[SMK_COMM_LEN];
	uint64_t faults, sequential, random, rewrites;
	uint64_t late;		/* late corrections applied */
	enum smk_verdict verdict;
};

struct smk_procs {
	struct smk_proc *v;
	size_t n;
};

struct smk_rewrite {
	uint64_t time_ns;
	int pid;
	char comm[SMK_COMM_LEN];
	uint64_t start, length;
	char asked[SMK_NAME_LEN], applied[SMK_NAME_LEN];
	unsigned int seq_permille;
	int dry_run;
	int late;		/* a late correction of a mapping, not a call */
};

/* The rewrites file's mode column: applied, dry_run, late, late_dry_run. */
const char *smk_rewrite_mode(const struct smk_rewrite *e);

struct smk_rewrites {
	struct smk_rewrite *v;
	size_t n;
};

/* One advised range of a process, with its own evidence (debugfs mappings). */
struct smk_mapping {
	int pid;
	uint64_t start, length;
	char advice[SMK_NAME_LEN];	/* current advice, after corrections */
	uint64_t faults;
	unsigned int seq_permille;
	enum smk_verdict verdict;
	uint64_t corrections;
};

struct smk_mappings {
	struct smk_mapping *v;
	size_t n;
};

extern char smk_err[SMK_ERR_LEN];
extern int smk_exit;		/* exit code matching smk_err */

/* Paths, overridable for tests by SMADVCTL_SYSFS_DIR / SMADVCTL_DEBUGFS_DIR. */
const char *smk_sysfs_dir(void);
const char *smk_debugfs_dir(void);

/* Module loaded and interface version supported? Fills version. */
int smk_check_module(char *version, size_t len);
/* Can the debugfs directory be read (mounted, root, no lockdown)? */
int smk_check_debugfs(void);

int smk_tunable_read(const char *name, char *buf, size_t len);
int smk_tunable_read_ulong(const char *name, unsigned long *val);
int smk_tunable_write(const char *name, const char *value);

int smk_stats_read(struct smk_stats *st);
int smk_stats_get(const struct smk_stats *st, const char *name, int64_t *val);
void smk_stats_free(struct smk_stats *st);

int smk_procs_read(struct smk_procs *p);
void smk_procs_free(struct smk_procs *p);

int smk_rewrites_read(struct smk_rewrites *r);
void smk_rewrites_free(struct smk_rewrites *r);

int smk_mappings_read(struct smk_mappings *m);
void smk_mappings_free(struct smk_mappings *m);

/* Parsers, exposed for tests: take a whole file's text. */
int smk_parse_stats(const char *text, struct smk_stats *st);
int smk_parse_procs(const char *text, struct smk_procs *p);
int smk_parse_rewrites(const char *text, struct smk_rewrites *r);
int smk_parse_mappings(const char *text, struct smk_mappings *m);
int smk_parse_version_major(const char *version, unsigned long *major);

#endif
