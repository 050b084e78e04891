#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# needs: disk
# The stress suite's run of 30-rewrite-late-rmmod: 100 load/unload cycles
# with 8 workers at full scale (make stress), 5 at check scale (make check
# runs 30 in its check suite already).
CYCLES=5 WORKERS=8
# shellcheck disable=SC1091 # harness.conf: SM_SCALE
[ -f /etc/harness.conf ] && . /etc/harness.conf
[ "${SM_SCALE:-check}" = full ] && CYCLES=100
export CYCLES WORKERS
exec sh /tests/cases/30-rewrite-late-rmmod.sh
