// SPDX-License-Identifier: GPL-2.0
/*
 * smadv_fmtcheck - strict validators for smadvctl's machine output.
 *
 *   smadv_fmtcheck prom [-c] [-d] [FILE]
 *	Parse the Prometheus text exposition format 0.0.4 the way the
 *	Prometheus server does: HELP/TYPE syntax and order, metric and label
 *	name grammar, label value escapes (only \\ \" \n), valid UTF-8,
 *	float values, optional integer timestamps, one TYPE and HELP per
 *	family before its samples, families not interleaved, no duplicate
 *	series.  -c also enforces naming conventions: every family has HELP
 *	and TYPE, counters end in _total, gauges do not.  -d dumps every
 *	sample as a JSON line {"name","labels","value"} (for comparing with
 *	other parsers).
 *
 *   smadv_fmtcheck json [-l] [FILE]
 *	Validate RFC 8259 JSON (one value; -l: one value per non-empty line).
 *
 * Exit 0 valid, 1 invalid (with "line N: reason" on stderr), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int lineno;

static int bad(const char *why, const char *ctx)
{
	fprintf(stderr, "line %d: %s%s%s\n", lineno, why, ctx ? ": " : "",
		ctx ? ctx : "");
	return -1;
}

static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0, r;
	char *buf = malloc(cap + 1);

	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
	}
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

/* Length of one valid UTF-8 character at s, 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned int cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int valid_utf8(const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		n = utf8_len((const unsigned char *)s + i);
		if (!n || i + n > len)
			return 0;
		i += n;
	}
	return 1;
}

/* ===================== Prometheus text format ======================== */

#define MAXFAM		4096
#define MAXSER		65536
#define MAXLABELS	32

struct family {
	char name[256];
	char type[16];		/* "" = not declared (untyped) */
	int help, typed, samples, closed;
};

static struct family fams[MAXFAM];
static int nfams, cur_fam = -1, conventions, dump;
static char *series[MAXSER];
static int nseries;

static int is_name_start(int c, int colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (colon && c == ':');
}

static int is_name_char(int c, int colon)
{
	return is_name_start(c, colon) || (c >= '0' && c <= '9');
}

/* Read a metric (colon=1) or label name at *p; returns its length. */
static size_t read_name(const char **p, char *out, size_t outlen, int colon)
{
	const char *s = *p;
	size_t n = 0;

	if (!is_name_start((unsigned char)*s, colon))
		return 0;
	while (is_name_char((unsigned char)s[n], colon))
		n++;
	if (n >= outlen)
		return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + n;
	return n;
}

static void skip_blank(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static struct family *find_fam(const char *name)
{
	int i;

	for (i = 0; i < nfams; i++)
		if (!strcmp(fams[i].name, name))
			return &fams[i];
	return NULL;
}

static struct family *get_fam(const char *name)
{
	struct family *f = find_fam(name);

	if (f)
		return f;
	if (nfams == MAXFAM)
		return NULL;
	f = &fams[nfams++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

/* The family a sample name belongs to (histogram/summary suffixes). */
static struct family *family_of(const char *name)
{
	static const char *const sufs[] = { "_bucket", "_sum", "_count" };
	char base[256];
	struct family *f;
	size_t i, n;

	for (i = 0; i < 3; i++) {
		if (!ends_with(name, sufs[i]))
			continue;
		n = strlen(name) - strlen(sufs[i]);
		memcpy(base, name, n);
		base[n] = '\0';
		f = find_fam(base);
		if (f && (!strcmp(f->type, "histogram") ||
			  (!strcmp(f->type, "summary") && i > 0)))
			return f;
	}
	return get_fam(name);
}

/* Switch to family f for a HELP/TYPE/sample line; refuse interleaving. */
static int enter_fam(struct family *f)
{
	int idx = f - fams;

	if (cur_fam == idx)
		return 0;
	if (f->closed)
		return bad("family appears again after another family (interleaved)",
			   f->name);
	if (cur_fam >= 0)
		fams[cur_fam].closed = 1;
	cur_fam = idx;
	return 0;
}

/* HELP text: escapes \\ and \n only. */
static int check_help(const char *s, size_t len)
{
	size_t i;

	if (!valid_utf8(s, len))
		return bad("HELP text is not valid UTF-8", NULL);
	for (i = 0; i < len; i++)
		if (s[i] == '\\') {
			if (i + 1 >= len || (s[i + 1] != '\\' && s[i + 1] != 'n'))
				return bad("invalid escape in HELP text", NULL);
			i++;
		}
	return 0;
}

static int comment_line(const char *p, const char *end)
{
	char name[256], kw[8];
	struct family *f;
	size_t n;

	p++;			/* '#' */
	skip_blank(&p);
	n = 0;
	while (p + n < end && p[n] != ' ' && p[n] != '\t' && n < 7)
		n++;
	memcpy(kw, p, n);
	kw[n] = '\0';
	if (strcmp(kw, "HELP") && strcmp(kw, "TYPE"))
		return 0;	/* plain comment */
	p += n;
	skip_blank(&p);
	if (p == end)
		return 0;	/* "# HELP" alone is a plain comment */
	if (!read_name(&p, name, sizeof(name), 1))
		return bad("invalid metric name after", kw);
	if (p != end && *p != ' ' && *p != '\t')
		return bad("invalid character in metric name", name);
	f = get_fam(name);
	if (!f)
		return bad("too many families", NULL);
	if (enter_fam(f) < 0)
		return -1;
	if (!strcmp(kw, "HELP")) {
		if (f->help)
			return bad("second HELP for", name);
		f->help = 1;
		skip_blank(&p);
		return check_help(p, end - p);
	}
	skip_blank(&p);
	if (f->typed)
		return bad("second TYPE for", name);
	if (f->samples)
		return bad("TYPE after samples of", name);
	n = end - p;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= sizeof(f->type))
		return bad("unknown metric type", NULL);
	memcpy(f->type, p, n);
	f->type[n] = '\0';
	if (strcmp(f->type, "counter") && strcmp(f->type, "gauge") &&
	    strcmp(f->type, "histogram") && strcmp(f->type, "summary") &&
	    strcmp(f->type, "untyped"))
		return bad("unknown metric type", f->type);
	f->typed = 1;
	return 0;
}

/* Go strconv.ParseFloat-compatible subset used by Prometheus. */
static int check_float(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	if (n == 3 && !strncmp(s, "NaN", 3))
		return 0;
	if ((n == 4 && (!strncmp(s, "+Inf", 4) || !strncmp(s, "-Inf", 4))) ||
	    (n == 3 && !strncmp(s, "Inf", 3)))
		return 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, d++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, d++;
	}
	if (!d)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		d = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, d++;
		if (!d)
			return -1;
	}
	return i == n ? 0 : -1;
}

static int check_int(const char *s, size_t n)
{
	size_t i = 0;

	if (n && s[0] == '-')
		i++;
	if (i == n || n - i > 19)
		return -1;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	return 0;
}

static void json_out(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	putchar('"');
	for (; *u; u++) {
		if (*u == '"' || *u == '\\')
			printf("\\%c", *u);
		else if (*u < 0x20)
			printf("\\u%04x", *u);
		else
			putchar(*u);
	}
	putchar('"');
}

static int sample_line(const char *p, const char *end)
{
	char name[256], lname[MAXLABELS][128], key[8192];
	static char lval[MAXLABELS][1024];
	int nl = 0, i, j, order[MAXLABELS];
	struct family *f;
	const char *v;
	size_t n, k;

	if (!read_name(&p, name, sizeof(name), 1))
		return bad("invalid metric name", NULL);
	if (*p != ' ' && *p != '\t' && *p != '{')
		return bad("invalid character in metric name", name);
	skip_blank(&p);
	if (*p == '{') {
		p++;
		skip_blank(&p);
		while (*p != '}') {
			if (nl == MAXLABELS)
				return bad("too many labels", name);
			if (!read_name(&p, lname[nl], sizeof(lname[nl]), 0))
				return bad("invalid label name in", name);
			if (!strncmp(lname[nl], "__", 2))
				return bad("reserved label name", lname[nl]);
			for (i = 0; i < nl; i++)
				if (!strcmp(lname[i], lname[nl]))
					return bad("duplicate label", lname[nl]);
			skip_blank(&p);
			if (*p++ != '=')
				return bad("expected '=' after label", lname[nl]);
			skip_blank(&p);
			if (*p++ != '"')
				return bad("expected '\"' to open the value of", lname[nl]);
			for (k = 0; *p != '"'; p++) {
				if (p >= end)
					return bad("unterminated label value of", lname[nl]);
				if (*p == '\\') {
					p++;
					if (*p == 'n')
						lval[nl][k++] = '\n';
					else if (*p == '\\' || *p == '"')
						lval[nl][k++] = *p;
					else
						return bad("invalid escape in label value of",
							   lname[nl]);
				} else {
					lval[nl][k++] = *p;
				}
				if (k >= sizeof(lval[nl]) - 1)
					return bad("label value too long", lname[nl]);
			}
			lval[nl][k] = '\0';
			if (!valid_utf8(lval[nl], k))
				return bad("label value is not valid UTF-8", lname[nl]);
			p++;	/* closing quote */
			nl++;
			skip_blank(&p);
			if (*p == ',') {
				p++;
				skip_blank(&p);
			} else if (*p != '}') {
				return bad("expected ',' or '}' in labels of", name);
			}
		}
		p++;
		skip_blank(&p);
	}
	v = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	if (check_float(v, p - v) < 0)
		return bad("invalid sample value for", name);
	n = p - v;
	skip_blank(&p);
	if (p < end) {
		const char *ts = p;

		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (check_int(ts, p - ts) < 0)
			return bad("invalid timestamp for", name);
		skip_blank(&p);
		if (p != end)
			return bad("trailing garbage after sample", name);
	}

	f = family_of(name);
	if (!f)
		return bad("too many families", NULL);
	if (enter_fam(f) < 0)
		return -1;
	f->samples++;
	if (conventions) {
		if (!f->help || !f->typed)
			return bad("family without HELP and TYPE before its samples", name);
		if (!strcmp(f->type, "counter") && !ends_with(name, "_total"))
			return bad("counter name does not end in _total", name);
		if (!strcmp(f->type, "gauge") && ends_with(name, "_total"))
			return bad("gauge name ends in _total", name);
	}

	/* series identity: name + labels sorted by name, length-prefixed */
	for (i = 0; i < nl; i++)
		order[i] = i;
	for (i = 0; i < nl; i++)
		for (j = i + 1; j < nl; j++)
			if (strcmp(lname[order[j]], lname[order[i]]) < 0) {
				int t = order[i];

				order[i] = order[j];
				order[j] = t;
			}
	k = snprintf(key, sizeof(key), "%s", name);
	for (i = 0; i < nl && k < sizeof(key); i++)
		k += snprintf(key + k, sizeof(key) - k, "|%zu:%s=%zu:%s",
			      strlen(lname[order[i]]), lname[order[i]],
			      strlen(lval[order[i]]), lval[order[i]]);
	if (k >= sizeof(key))
		return bad("series key too long", name);
	for (i = 0; i < nseries; i++)
		if (!strcmp(series[i], key))
			return bad("duplicate series", name);
	if (nseries == MAXSER)
		return bad("too many series", NULL);
	series[nseries++] = strdup(key);

	if (dump) {
		printf("{\"name\":");
		json_out(name);
		printf(",\"labels\":{");
		for (i = 0; i < nl; i++) {
			printf("%s", i ? "," : "");
			json_out(lname[order[i]]);
			putchar(':');
			json_out(lval[order[i]]);
		}
		printf("},\"value\":\"%.*s\"}\n", (int)n, v);
	}
	return 0;
}

static int check_prom(char *buf, size_t len)
{
	char *p = buf, *eol, *end;
	int i;

	if (len && buf[len - 1] != '\n') {
		lineno = 0;
		return bad("input does not end with a newline", NULL);
	}
	if (strlen(buf) != len)
		return bad("NUL byte in input", NULL);
	while (*p) {
		lineno++;
		eol = strchr(p, '\n');
		end = eol;
		if (!valid_utf8(p, end - p))
			return bad("line is not valid UTF-8", NULL);
		skip_blank((const char **)&p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (p == end) {
			/* blank line */
		} else if (*p == '#') {
			if (comment_line(p, end) < 0)
				return -1;
		} else if (sample_line(p, end) < 0) {
			return -1;
		}
		p = eol + 1;
	}
	if (conventions)
		for (i = 0; i < nfams; i++)
			if (!fams[i].help || !fams[i].typed) {
				lineno = 0;
				return bad("family without HELP or TYPE", fams[i].name);
			}
	fprintf(stderr, "valid: %d families, %d series\n", nfams, nseries);
	return 0;
}

/* ============================ JSON ==================================== */

static const char *js;
static int depth;

static int jvalue(void);

static void jws(void)
{
	while (*js == ' ' || *js == '\t' || *js == '\n' || *js == '\r') {
		if (*js == '\n')
			lineno++;
		js++;
	}
}

static int jstring(void)
{
	size_t n;
	int i;

	js++;
	while (*js != '"') {
		unsigned char c = *js;

		if (!c)
			return bad("unterminated string", NULL);
		if (c < 0x20)
			return bad("raw control character in string", NULL);
		if (c == '\\') {
			js++;
			if (*js == 'u') {
				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", js[i]) || !js[i])
						return bad("bad \\u escape", NULL);
				js += 5;
				continue;
			}
			if (!*js || !strchr("\"\\/bfnrt", *js))
				return bad("invalid escape in string", NULL);
			js++;
			continue;
		}
		n = utf8_len((const unsigned char *)js);
		if (!n)
			return bad("invalid UTF-8 in string", NULL);
		js += n;
	}
	js++;
	return 0;
}

static int jnumber(void)
{
	if (*js == '-')
		js++;
	if (*js == '0')
		js++;
	else if (*js >= '1' && *js <= '9')
		while (*js >= '0' && *js <= '9')
			js++;
	else
		return bad("invalid number", NULL);
	if (*js == '.') {
		js++;
		if (!(*js >= '0' && *js <= '9'))
			return bad("invalid number fraction", NULL);
		while (*js >= '0' && *js <= '9')
			js++;
	}
	if (*js == 'e' || *js == 'E') {
		js++;
		if (*js == '+' || *js == '-')
			js++;
		if (!(*js >= '0' && *js <= '9'))
			return bad("invalid number exponent", NULL);
		while (*js >= '0' && *js <= '9')
			js++;
	}
	return 0;
}

static int jcontainer(char close)
{
	int first = 1;

	if (++depth > 64)
		return bad("nesting too deep", NULL);
	js++;
	jws();
	if (*js == close) {
		js++;
		depth--;
		return 0;
	}
	for (;;) {
		if (!first) {
			if (*js != ',')
				return bad("expected ',' or closing bracket", NULL);
			js++;
			jws();
		}
		first = 0;
		if (close == '}') {
			if (*js != '"')
				return bad("expected a string key", NULL);
			if (jstring() < 0)
				return -1;
			jws();
			if (*js++ != ':')
				return bad("expected ':'", NULL);
			jws();
		}
		if (jvalue() < 0)
			return -1;
		jws();
		if (*js == close) {
			js++;
			depth--;
			return 0;
		}
	}
}

static int jvalue(void)
{
	jws();
	switch (*js) {
	case '{':
		return jcontainer('}');
	case '[':
		return jcontainer(']');
	case '"':
		return jstring();
	case 't':
		if (strncmp(js, "true", 4))
			break;
		js += 4;
		return 0;
	case 'f':
		if (strncmp(js, "false", 5))
			break;
		js += 5;
		return 0;
	case 'n':
		if (strncmp(js, "null", 4))
			break;
		js += 4;
		return 0;
	default:
		return jnumber();
	}
	return bad("invalid literal", NULL);
}

static int check_json(char *buf, size_t len, int lines)
{
	int n = 0;

	if (strlen(buf) != len)
		return bad("NUL byte in input", NULL);
	lineno = 1;
	js = buf;
	if (!lines) {
		if (jvalue() < 0)
			return -1;
		jws();
		if (*js)
			return bad("trailing data after the JSON value", NULL);
		fprintf(stderr, "valid JSON\n");
		return 0;
	}
	while (*js) {
		char *eol = strchr(js, '\n');

		if (eol)
			*eol = '\0';
		while (*js == ' ' || *js == '\t')
			js++;
		if (*js) {
			if (jvalue() < 0)
				return -1;
			while (*js == ' ' || *js == '\t' || *js == '\r')
				js++;
			if (*js)
				return bad("trailing data after the JSON value", NULL);
			n++;
		}
		if (!eol)
			break;
		js = eol + 1;
		lineno++;
	}
	if (!n)
		return bad("no JSON value", NULL);
	fprintf(stderr, "valid JSON lines: %d\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	int i, lines = 0, prom;
	const char *file = NULL;
	FILE *f = stdin;
	size_t len;
	char *buf;

	if (argc < 2 || (strcmp(argv[1], "prom") && strcmp(argv[1], "json"))) {
		fprintf(stderr, "usage: %s prom [-c] [-d] [FILE] | json [-l] [FILE]\n",
			argv[0]);
		return 2;
	}
	prom = !strcmp(argv[1], "prom");
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && prom) {
			conventions = 1;
		} else if (!strcmp(argv[i], "-d") && prom) {
			dump = 1;
		} else if (!strcmp(argv[i], "-l") && !prom) {
			lines = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return 2;
		} else {
			file = argv[i];
		}
	}
	if (file && strcmp(file, "-")) {
		f = fopen(file, "r");
		if (!f) {
			perror(file);
			return 2;
		}
	}
	buf = slurp(f, &len);
	if (!buf)
		return 2;
	if (prom)
		return check_prom(buf, len) < 0 ? 1 : 0;
	return check_json(buf, len, lines) < 0 ? 1 : 0;
}
