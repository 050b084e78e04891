// SPDX-License-Identifier: GPL-2.0
/*
 * sm_write: write exact bytes to a file with one write(2) and print the
 * outcome: "OK <bytes>" or the errno name (EINVAL, ERANGE, ...).
 *
 *   sm_write FILE DATA [REPEAT]
 *
 * DATA understands C escapes: \n \t \r \\ \0 and \xHH, so empty strings,
 * embedded NULs and trailing garbage can be written from a shell. With
 * REPEAT, DATA is repeated that many times (e.g. for writes > PAGE_SIZE).
 * Exit status: 0 when the outcome was printed, 2 when FILE cannot be opened.
 */
#include "smtest.h"
#include <fcntl.h>

static size_t unescape(const char *in, char *out)
{
	size_t n = 0;
	unsigned int v;

	while (*in) {
		if (*in != '\\' || !in[1]) {
			out[n++] = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'n':
			out[n++] = '\n';
			in++;
			break;
		case 't':
			out[n++] = '\t';
			in++;
			break;
		case 'r':
			out[n++] = '\r';
			in++;
			break;
		case '0':
			out[n++] = '\0';
			in++;
			break;
		case '\\':
			out[n++] = '\\';
			in++;
			break;
		case 'x':
			if (sscanf(in + 1, "%2x", &v) == 1) {
				out[n++] = (char)v;
				in += 3;
				break;
			}
			/* fall through */
		default:
			out[n++] = '\\';
			break;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	size_t len, total, i;
	long repeat = 1;
	char *one, *buf;
	ssize_t ret;
	int fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: sm_write FILE DATA [REPEAT]\n");
		return 2;
	}
	if (argc == 4)
		repeat = strtol(argv[3], NULL, 0);
	if (repeat < 1 || repeat > 1 << 20)
		die("bad REPEAT");
	one = malloc(strlen(argv[2]) + 1);
	if (!one)
		die("malloc");
	len = unescape(argv[2], one);
	total = len * repeat;
	buf = malloc(total + 1);
	if (!buf)
		die("malloc");
	for (i = 0; i < (size_t)repeat; i++)
		memcpy(buf + i * len, one, len);
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		printf("open: %s\n", errno_name(errno));
		return 2;
	}
	ret = write(fd, buf, total);
	if (ret < 0)
		printf("%s\n", errno_name(errno));
	else
		printf("OK %zd\n", ret);
	close(fd);
	return 0;
}
