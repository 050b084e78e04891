/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMADVCTL_H
#define SMADVCTL_H

#include "smadv_kernel.h"

#ifndef SMADVCTL_VERSION
#define SMADVCTL_VERSION "unknown"
#endif

/* Print smk_err as "smadvctl: ..." on stderr, return smk_exit. */
int report(void);
/* Print a usage error, return SMK_EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Module present and of a supported interface version; fills version. */
int need_module(char *version, size_t len);
/* Parse "SECONDS" (may be fractional, > 0) into milliseconds. */
int parse_delay(const char *s, long *ms);

int cmd_top(int argc, char **argv, int json);
int cmd_events(int argc, char **argv, int json);
int cmd_mappings(int argc, char **argv, int json);
int cmd_metrics(int argc, char **argv);

#endif
