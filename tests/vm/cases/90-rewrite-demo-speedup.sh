#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The `make demo` script as a test: it checks its own outcome (a cold
# mis-advised scan on the throttled test disk: rr and slow with enable=0,
# corrected late to sr and at least 3x faster with enable=1, a `late`
# rewrite line; then a call-time rewrite: sr and an `applied` line).
# needs: disk
rc=0
sh /tests/demo.sh > /tmp/demo.out 2>&1 || rc=$?
sed 's/^/# /' /tmp/demo.out
exit $rc
