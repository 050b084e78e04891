#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The `make demo` script as a test: it checks its own outcome
# (rr with enable=0, sr with enable=1, a processes line and a rewrite line).
rc=0
sh /tests/demo.sh > /tmp/demo.out 2>&1 || rc=$?
sed 's/^/# /' /tmp/demo.out
exit $rc
