// SPDX-License-Identifier: GPL-2.0
/*
 * smadv_metrics.c - "smadvctl metrics": Prometheus text exposition format
 * (version 0.0.4), for node_exporter's textfile collector.
 *
 * Each family is written as one block: HELP, TYPE, then all its samples.
 * Counters end in _total; tunables and current sizes are gauges; durations
 * are in seconds.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smadvctl.h"
#include "smadv_fmt.h"

/* Global counters from debugfs stats -> metric families. */
static const struct {
	const char *stat, *metric, *type, *help;
} global_metrics[] = {
	{ "faults", "smart_madvise_all_faults_total", "counter",
	  "User page faults seen by the module, all processes." },
	{ "faults_sequential", "smart_madvise_all_sequential_faults_total", "counter",
	  "User page faults classified sequential, all processes." },
	{ "faults_random", "smart_madvise_all_random_faults_total", "counter",
	  "User page faults classified random, all processes." },
	{ "faults_untracked", "smart_madvise_untracked_faults_total", "counter",
	  "Faults of processes not tracked because the table was full (max_processes)." },
	{ "processes_tracked", "smart_madvise_tracked_processes", "gauge",
	  "Processes currently tracked." },
	{ "rewrites", "smart_madvise_all_rewrites_total", "counter",
	  "madvise calls whose advice was rewritten, all processes." },
	{ "rewrites_dry_run", "smart_madvise_dry_run_rewrites_total", "counter",
	  "Rewrites that were only logged because dry_run was 1." },
	{ "late_corrections", "smart_madvise_all_late_corrections_total", "counter",
	  "Advised mappings whose advice was corrected late, after their faults contradicted it." },
	{ "late_corrections_dry_run", "smart_madvise_dry_run_late_corrections_total", "counter",
	  "Late corrections that were only logged because dry_run was 1." },
	{ "late_skipped", "smart_madvise_late_skipped_total", "counter",
	  "Late corrections decided but not done: no mapping in the range was changed." },
	{ "mappings_tracked", "smart_madvise_tracked_mappings", "gauge",
	  "Advised mappings currently tracked, all processes." },
	{ "mappings_untracked", "smart_madvise_untracked_mappings_total", "counter",
	  "Advised mappings not followed because the reserve of mapping entries was empty." },
	{ "faults_repeat", "smart_madvise_repeat_faults_total", "counter",
	  "Faults on a stream head page again (retries, read-then-write): neither sequential nor random." },
	{ "faults_dropped", "smart_madvise_dropped_faults_total", "counter",
	  "Faults not counted because the process's state was busy on another CPU." },
	{ "madvise_calls", "smart_madvise_madvise_calls_total", "counter",
	  "madvise calls seen by the module." },
	{ "probe_misses", "smart_madvise_probe_misses_total", "counter",
	  "Probe hits the kernel could not deliver (kprobe nmissed)." },
	{ "allocations_live", "smart_madvise_allocations", "gauge",
	  "Tracking entries currently allocated." },
	{ "sweeps_dropped", "smart_madvise_sweep_dropped_total", "counter",
	  "Stale tracking entries dropped by the periodic sweep." },
};

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s ", name);
	fmt_prom_help(f, help);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

static void proc_labels(FILE *f, const struct smk_proc *e)
{
	fprintf(f, "{pid=\"%d\",comm=", e->pid);
	fmt_prom_label(f, e->comm);
}

enum proc_field { PF_FAULTS, PF_SEQ, PF_RAND, PF_REWRITES, PF_LATE };

static void proc_counter(FILE *f, const struct smk_procs *p, const char *name,
			 const char *help, enum proc_field which)
{
	size_t i;
	uint64_t v;

	family(f, name, "counter", help);
	for (i = 0; i < p->n; i++) {
		const struct smk_proc *e = &p->v[i];

		switch (which) {
		case PF_FAULTS:
			v = e->faults;
			break;
		case PF_SEQ:
			v = e->sequential;
			break;
		case PF_RAND:
			v = e->random;
			break;
		case PF_LATE:
			v = e->late;
			break;
		default:
			v = e->rewrites;
		}
		fputs(name, f);
		proc_labels(f, e);
		fprintf(f, "} %llu\n", (unsigned long long)v);
	}
}

static int write_metrics(FILE *f, const char *version)
{
	char hook[SMK_VERSION_LEN] = "", late[256] = "";
	int64_t hs, hns;
	struct smk_stats st;
	struct smk_procs p;
	struct smk_mappings m = { 0 };
	size_t i, j, nmap;
	int k;

	if (smk_stats_read(&st) < 0)
		return -1;
	if (smk_procs_read(&p) < 0) {
		smk_stats_free(&st);
		return -1;
	}
	if (smk_mappings_read(&m) < 0)
		goto fail;
	smk_tunable_read("fault_hook", hook, sizeof(hook));
	if (smk_tunable_read("late_support", late, sizeof(late)) < 0)
		goto fail;

	family(f, "smart_madvise_info", "gauge",
	       "Always 1; labels carry the module version and fault hook.");
	fputs("smart_madvise_info{version=", f);
	fmt_prom_label(f, version);
	fputs(",fault_hook=", f);
	fmt_prom_label(f, hook[0] ? hook : "unknown");
	fputs("} 1\n", f);

	for (i = 0; i < smk_ntunables; i++) {
		const struct smk_tunable *t = &smk_tunables[i];
		char name[96], help[256];
		unsigned long v;
		int ms;

		if (t->readonly)
			continue;
		if (smk_tunable_read_ulong(t->name, &v) < 0) {
			if (t->optional && smk_exit == SMK_EXIT_VERSION)
				continue;
			goto fail;
		}
		/* Prometheus wants base units: milliseconds become seconds. */
		ms = strlen(t->name) > 3 &&
		     !strcmp(t->name + strlen(t->name) - 3, "_ms");
		if (ms)
			snprintf(name, sizeof(name), "smart_madvise_%.*s_seconds",
				 (int)strlen(t->name) - 3, t->name);
		else
			snprintf(name, sizeof(name), "smart_madvise_%s", t->name);
		snprintf(help, sizeof(help), "Tunable %s: %s.", t->name, t->help);
		family(f, name, "gauge", help);
		if (ms)
			fprintf(f, "%s %lu.%03lu\n", name, v / 1000, v % 1000);
		else
			fprintf(f, "%s %lu\n", name, v);
	}

	/* "yes" or "no: reason"; the reason is for humans (status), not a label */
	family(f, "smart_madvise_late_supported", "gauge",
	       "1 if this kernel lets the module correct advice late, 0 if not "
	       "(late_support says why).");
	fprintf(f, "smart_madvise_late_supported %d\n", !strcmp(late, "yes"));

	for (i = 0; i < ARRAY_SIZE(global_metrics); i++) {
		int64_t v;

		if (smk_stats_get(&st, global_metrics[i].stat, &v) < 0)
			continue;
		family(f, global_metrics[i].metric, global_metrics[i].type,
		       global_metrics[i].help);
		fprintf(f, "%s %lld\n", global_metrics[i].metric, (long long)v);
	}

	/* The probe's own cost, timed on a sample of calls: a summary. */
	if (smk_stats_get(&st, "handler_samples", &hs) == 0 &&
	    smk_stats_get(&st, "handler_ns", &hns) == 0 && hs >= 0 && hns >= 0) {
		family(f, "smart_madvise_fault_handler_seconds", "summary",
		       "Time spent in the module's fault handler, for the sampled calls (one in 64).");
		fprintf(f, "smart_madvise_fault_handler_seconds_sum %lld.%09lld\n",
			(long long)(hns / 1000000000), (long long)(hns % 1000000000));
		fprintf(f, "smart_madvise_fault_handler_seconds_count %lld\n",
			(long long)hs);
	}

	proc_counter(f, &p, "smart_madvise_faults_total",
		     "User page faults of a tracked process.", PF_FAULTS);
	proc_counter(f, &p, "smart_madvise_sequential_faults_total",
		     "Faults of a tracked process classified sequential.", PF_SEQ);
	proc_counter(f, &p, "smart_madvise_random_faults_total",
		     "Faults of a tracked process classified random.", PF_RAND);
	proc_counter(f, &p, "smart_madvise_rewrites_total",
		     "madvise calls of a tracked process whose advice was rewritten.",
		     PF_REWRITES);
	proc_counter(f, &p, "smart_madvise_late_corrections_total",
		     "Advised mappings of a tracked process whose advice was corrected late.",
		     PF_LATE);

	family(f, "smart_madvise_mappings", "gauge",
	       "Advised mappings of a tracked process that the module tracks.");
	for (i = 0; i < p.n; i++) {
		for (j = 0, nmap = 0; j < m.n; j++)
			nmap += m.v[j].pid == p.v[i].pid;
		fputs("smart_madvise_mappings", f);
		proc_labels(f, &p.v[i]);
		fprintf(f, "} %zu\n", nmap);
	}

	/* State set: one sample per possible verdict, 1 for the current one. */
	family(f, "smart_madvise_verdict", "gauge",
	       "Current verdict of a tracked process: 1 for the verdict it has, 0 otherwise.");
	for (i = 0; i < p.n; i++)
		for (k = 0; k < SMK_V_NR; k++) {
			fputs("smart_madvise_verdict", f);
			proc_labels(f, &p.v[i]);
			fprintf(f, ",verdict=\"%s\"} %d\n", smk_verdict_names[k],
				p.v[i].verdict == (enum smk_verdict)k);
		}

	smk_stats_free(&st);
	smk_procs_free(&p);
	smk_mappings_free(&m);
	return 0;
fail:
	smk_stats_free(&st);
	smk_procs_free(&p);
	smk_mappings_free(&m);
	return -1;
}

int cmd_metrics(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char version[SMK_VERSION_LEN], *tmp = NULL;
	const char *out = NULL;
	FILE *f = stdout;
	int c, ret, fd;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			printf("usage: smadvctl metrics [-o FILE]\n");
			return 0;
		default:
			return usage_error("metrics: bad option");
		}
	}
	if (optind != argc)
		return usage_error("metrics takes no arguments");
	ret = need_module(version, sizeof(version));
	if (ret)
		return ret;
	if (smk_check_debugfs() < 0)
		return report();

	if (out) {
		/* write beside the target and rename: readers never see half */
		if (asprintf(&tmp, "%s.XXXXXX", out) < 0)
			return SMK_EXIT_FAIL;
		fd = mkstemp(tmp);
		f = fd < 0 ? NULL : fdopen(fd, "w");
		if (!f) {
			fprintf(stderr, "smadvctl: cannot create %s: %s\n", tmp,
				strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			free(tmp);
			return SMK_EXIT_FAIL;
		}
		fchmod(fd, 0644);
	}
	ret = write_metrics(f, version);
	if (out) {
		if (fclose(f) != 0 && ret == 0) {
			fprintf(stderr, "smadvctl: writing %s: %s\n", tmp, strerror(errno));
			ret = -2;
		}
		if (ret == 0 && rename(tmp, out) < 0) {
			fprintf(stderr, "smadvctl: rename %s to %s: %s\n", tmp, out,
				strerror(errno));
			ret = -2;
		}
		if (ret)
			unlink(tmp);
		free(tmp);
	} else if (fflush(stdout) != 0) {
		fprintf(stderr, "smadvctl: writing metrics: %s\n", strerror(errno));
		return SMK_EXIT_FAIL;
	}
	if (ret == -1)
		return report();
	return ret ? SMK_EXIT_FAIL : 0;
}
