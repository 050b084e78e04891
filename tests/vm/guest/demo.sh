#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make demo`: a program scans a file sequentially through mmap, then
# mis-advises a fresh mapping of it with MADV_RANDOM. Without the module
# (enable=0) the kernel marks it rr (no readahead); with enable=1 the module
# has seen the sequential faults and rewrites the advice: sr. Prints to
# stdout; exits 0 when both outcomes are as expected.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

say() { printf '%s\n' "$*"; }
hr() { say "------------------------------------------------------------------------"; }
ok=1

hr
say "smart-madvise demo on Linux $(uname -r)"
hr
insmod "$SM_KO" || { say "insmod failed"; exit 1; }
say "module loaded: version $(sm_get version), fault hook $(sm_get fault_hook)"
say "tunables: window_size=$(sm_get window_size) threshold=$(sm_get threshold)% max_gap_pages=$(sm_get max_gap_pages)"
dd if=/dev/zero of=/tmp/demo.dat bs=1M count=32 2>/dev/null
say ""
say "The workload: sm_scan reads /tmp/demo.dat (32 MiB, tmpfs) page by page"
say "through mmap - a plain sequential scan - then calls"
say "madvise(MADV_RANDOM) on a fresh mapping of the same file."
say ""

say "1) enable=0: the module is loaded but disarmed"
sm_set enable 0
sm_scan -m file -f /tmp/demo.dat > /tmp/demo.0
say "   madvise(MADV_RANDOM) -> VmFlags: $(kv /tmp/demo.0 vmflags)"
say "   access-pattern flag: $(kv /tmp/demo.0 flag)   (rr = random read: readahead off)"
[ "$(kv /tmp/demo.0 flag)" = rr ] || ok=0
say ""

say "2) enable=1: the module watches the faults and corrects the advice"
sm_set enable 1
bg_ready /tmp/demo.1 sm_scan -P -m file -f /tmp/demo.dat || { say "sm_scan did not start"; exit 1; }
pid=$BG_PID
say "   madvise(MADV_RANDOM) -> VmFlags: $(kv /tmp/demo.1 vmflags)"
say "   access-pattern flag: $(kv /tmp/demo.1 flag)   (sr = sequential read: readahead on)"
[ "$(kv /tmp/demo.1 flag)" = sr ] || ok=0
say ""
say "   /sys/kernel/debug/smart_madvise/processes (this process):"
say "     $(head -n1 "$SM_DBG/processes")"
say "     $(sm_proc "$pid")"
[ "$(sm_proc_field "$pid" 6)" = sequential ] || ok=0
say ""
say "   /sys/kernel/debug/smart_madvise/rewrites (this process):"
say "     $(head -n1 "$SM_DBG/rewrites")"
line=$(sm_rewrites_for "$pid")
say "     $line"
[ -n "$line" ] || ok=0
bg_stop
say ""
say "   stats: $(grep -E '^(faults|faults_sequential|processes_tracked|rewrites) ' "$SM_DBG/stats" | tr '\n' ' ')"
sm_set enable 0
rmmod smart_madvise || ok=0
hr
if [ $ok = 1 ]; then
	say "SMART_MADVISE_DEMO OK: MADV_RANDOM on a sequential scan became MADV_SEQUENTIAL"
	exit 0
fi
say "SMART_MADVISE_DEMO FAILED"
exit 1
