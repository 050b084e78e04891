/* SPDX-License-Identifier: GPL-2.0 */
/* smadv_fmt.h - escaping for JSON strings and Prometheus label values. */
#ifndef SMADV_FMT_H
#define SMADV_FMT_H

#include <stdio.h>

/* Write s as a JSON string literal, quotes included. Invalid UTF-8 -> U+FFFD. */
void fmt_json_str(FILE *f, const char *s);
/* Write s as a Prometheus label value, quotes included (\\, \", \n escaped). */
void fmt_prom_label(FILE *f, const char *s);
/* Write s as Prometheus HELP text (\\ and \n escaped). */
void fmt_prom_help(FILE *f, const char *s);

/* Copy s into buf with control characters replaced by '?', for terminals. */
const char *fmt_term(const char *s, char *buf, size_t len);

#endif
