// SPDX-License-Identifier: GPL-2.0
/*
 * smadvctl - inspect and control the smart_madvise kernel module.
 *
 * See smadvctl(8).  All knowledge of the module's file formats lives in
 * smadv_kernel.c; this file only dispatches commands and formats output.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smadvctl.h"
#include "smadv_fmt.h"

int smadvctl_monitor(int argc, char **argv);

static const char usage_text[] =
"Usage: smadvctl [--json] COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  status [--json]              module version, tunables and global counters\n"
"  top [-n N] [-d SECS] [--json]\n"
"                               tracked processes sorted by faults\n"
"  events [-f] [-d SECS] [-n N] [--json]\n"
"                               the rewrite log (rewrites and late corrections);\n"
"                               -f follows new entries\n"
"  mappings [--json]            advised mappings with their own evidence\n"
"  get NAME                     print one tunable\n"
"  set NAME VALUE               change one tunable (root)\n"
"  enable | disable             shorthand for set enable 1 / set enable 0\n"
"  metrics [-o FILE]            counters in the Prometheus text format\n"
"  monitor [ARGS]               profiler monitor (see smadvctl-monitor)\n"
"  help                         this text\n"
"\n"
"Tunables: enable dry_run window_size threshold max_gap_pages max_processes\n"
"          sample_interval_ms late; read-only: version fault_hook madvise_hook\n"
"          late_support\n"
"See smadvctl(8).\n";

int report(void)
{
	fprintf(stderr, "smadvctl: %s\n", smk_err);
	return smk_exit ? smk_exit : SMK_EXIT_FAIL;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("smadvctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'smadvctl help'.\n", stderr);
	return SMK_EXIT_USAGE;
}

int need_module(char *version, size_t len)
{
	if (smk_check_module(version, len) < 0)
		return report();
	return 0;
}

int parse_delay(const char *s, long *ms)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !(d > 0) || d > 86400)
		return -1;
	*ms = (long)(d * 1000 + 0.5);
	if (*ms < 1)
		*ms = 1;
	return 0;
}

/* ---- status ------------------------------------------------------------ */

static int cmd_status(int argc, char **argv, int json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char version[SMK_VERSION_LEN] = "", val[256];
	struct smk_stats st;
	int c, first;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_error("status: bad option");
		}
	}
	if (optind != argc)
		return usage_error("status takes no arguments");

	if (smk_check_module(version, sizeof(version)) < 0) {
		if (json) {
			printf("{\"loaded\":%s,\"error\":",
			       smk_exit == SMK_EXIT_NOT_LOADED ? "false" : "true");
			fmt_json_str(stdout, smk_err);
			printf("}\n");
		}
		return report();
	}
	if (smk_stats_read(&st) < 0)
		return report();

	if (json) {
		printf("{\"loaded\":true,\"version\":");
		fmt_json_str(stdout, version);
		printf(",\"tool_version\":");
		fmt_json_str(stdout, SMADVCTL_VERSION);
		printf(",\"tunables\":{");
		first = 1;
	} else {
		printf("smart_madvise %s loaded", version);
		if (smk_tunable_read("fault_hook", val, sizeof(val)) == 0) {
			printf(" (fault hook: %s", val);
			if (smk_tunable_read("madvise_hook", val, sizeof(val)) == 0)
				printf(", madvise hook: %s", val);
			printf(")");
		}
		if (smk_tunable_read("late_support", val, sizeof(val)) == 0)
			printf("\nlate correction supported: %s", val);
		printf("\n\ntunables:\n");
	}
	for (i = 0; i < smk_ntunables; i++) {
		const struct smk_tunable *t = &smk_tunables[i];
		unsigned long v;

		if (!strcmp(t->name, "version"))
			continue;
		if (t->readonly) {
			if (smk_tunable_read(t->name, val, sizeof(val)) < 0)
				continue;
			if (json) {
				printf("%s\"%s\":", first ? "" : ",", t->name);
				fmt_json_str(stdout, val);
				first = 0;
			}
			continue;
		}
		if (smk_tunable_read_ulong(t->name, &v) < 0) {
			if (t->optional && smk_exit == SMK_EXIT_VERSION)
				continue;	/* absent in this module */
			smk_stats_free(&st);
			return report();
		}
		if (json) {
			printf("%s\"%s\":%lu", first ? "" : ",", t->name, v);
			first = 0;
		} else {
			printf("  %-20s %8lu   (%lu..%lu, default %lu)\n",
			       t->name, v, t->min, t->max, t->def);
		}
	}
	if (json) {
		printf("},\"stats\":{");
		for (i = 0; i < st.n; i++) {
			fputs(i ? "," : "", stdout);
			fmt_json_str(stdout, st.v[i].name);
			printf(":%lld", (long long)st.v[i].value);
		}
		printf("}}\n");
	} else {
		printf("\nstats:\n");
		for (i = 0; i < st.n; i++)
			printf("  %-20s %12lld\n", st.v[i].name,
			       (long long)st.v[i].value);
	}
	smk_stats_free(&st);
	return 0;
}

/* ---- get / set / enable / disable -------------------------------------- */

static int known_name(const char *name, int for_write)
{
	const struct smk_tunable *t = smk_tunable_find(name);
	size_t i;

	if (!t) {
		fprintf(stderr, "smadvctl: unknown tunable '%s'.\nKnown names:", name);
		for (i = 0; i < smk_ntunables; i++)
			fprintf(stderr, " %s", smk_tunables[i].name);
		fputc('\n', stderr);
		return SMK_EXIT_USAGE;
	}
	if (for_write && t->readonly) {
		fprintf(stderr, "smadvctl: '%s' is read-only and cannot be set.\n",
			name);
		return SMK_EXIT_USAGE;
	}
	return 0;
}

static int cmd_get(int argc, char **argv)
{
	char version[SMK_VERSION_LEN], val[256];
	int ret;

	if (argc != 2)
		return usage_error("usage: smadvctl get NAME");
	ret = known_name(argv[1], 0);
	if (ret)
		return ret;
	ret = need_module(version, sizeof(version));
	if (ret)
		return ret;
	if (smk_tunable_read(argv[1], val, sizeof(val)) < 0)
		return report();
	printf("%s\n", val);
	return 0;
}

static int do_set(const char *name, const char *value)
{
	char version[SMK_VERSION_LEN], old[64];
	int ret;

	ret = known_name(name, 1);
	if (ret)
		return ret;
	ret = need_module(version, sizeof(version));
	if (ret)
		return ret;
	if (smk_tunable_write(name, value) < 0) {
		ret = report();
		if (smk_tunable_read(name, old, sizeof(old)) == 0)
			fprintf(stderr, "smadvctl: %s is unchanged: %s\n", name, old);
		return ret;
	}
	return 0;
}

static int cmd_set(int argc, char **argv)
{
	/* No option parsing: "-5" is a value the kernel must judge. */
	if (argc != 3)
		return usage_error("usage: smadvctl set NAME VALUE");
	return do_set(argv[1], argv[2]);
}

static int cmd_monitor(int argc, char **argv)
{
	return smadvctl_monitor(argc, argv);
}

int main(int argc, char **argv)
{
	const char *cmd;
	int json = 0, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("smadvctl %s (module interface %d.x)\n",
			       SMADVCTL_VERSION, SMK_IFACE_MAJOR);
			return 0;
		} else {
			return usage_error("unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc) {
		fputs(usage_text, stderr);
		return SMK_EXIT_USAGE;
	}
	cmd = argv[i];
	argc -= i;
	argv += i;

	if (!strcmp(cmd, "status"))
		return cmd_status(argc, argv, json);
	if (!strcmp(cmd, "top"))
		return cmd_top(argc, argv, json);
	if (!strcmp(cmd, "events"))
		return cmd_events(argc, argv, json);
	if (!strcmp(cmd, "mappings"))
		return cmd_mappings(argc, argv, json);
	if (!strcmp(cmd, "get"))
		return cmd_get(argc, argv);
	if (!strcmp(cmd, "set"))
		return cmd_set(argc, argv);
	if (!strcmp(cmd, "enable") || !strcmp(cmd, "disable")) {
		if (argc != 1)
			return usage_error("%s takes no arguments", cmd);
		return do_set("enable", cmd[0] == 'e' ? "1" : "0");
	}
	if (!strcmp(cmd, "metrics"))
		return cmd_metrics(argc, argv);
	if (!strcmp(cmd, "monitor"))
		return cmd_monitor(argc, argv);
	if (!strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	return usage_error("unknown command '%s'", cmd);
}
