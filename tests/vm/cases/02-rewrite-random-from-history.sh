#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A mis-advised MADV_SEQUENTIAL is rewritten from the process's fault
# history, the reverse of 01. A process touches distinct pages in
# random order over a 256 MiB anonymous mapping, then calls
# madvise(MADV_SEQUENTIAL) on a fresh mapping:
#   enable=0 -> sr (control), dry_run=1 -> sr + logged, enable=1 -> rr + logged.
. /tests/lib.sh

sm_load_or_die

run() { # LABEL ENABLE DRY_RUN WANT_FLAG WANT_MODE
	sm_set dry_run "$3"
	sm_set enable "$2"
	out=/tmp/rand.$1.out
	sm_scan -m random -n 1024 -a sequential > "$out" 2>&1 || { fail "$1: sm_scan failed"; show "$out"; return; }
	pid=$(kv "$out" pid) region=$(kv "$out" region)
	log "$1: pid $pid VmFlags: $(kv "$out" vmflags)"
	expect_eq "$1: VmFlags pattern flag" "$(kv "$out" flag)" "$4"
	expect_eq "$1: madvise return" "$(kv "$out" madvise_ret)" 0
	expect_eq "$1: argument registers preserved" "$(kv "$out" regs_ok)" 1
	line=$(sm_rewrites_for "$pid" | awk -v r="$region" '$4 == r')
	wmode=$5
	if [ "$wmode" = none ]; then
		expect_eq "$1: rewrite log entries" "$line" ""
		return
	fi
	log "$1: rewrite log: $line"
	# shellcheck disable=SC2086 # split the log line into fields
	set -- "$1" $line
	if [ $# -ne 10 ]; then fail "$1: no rewrite log line"; show "$SM_DBG/rewrites"; return; fi
	expect_eq "$1: log asked" "$7" sequential
	expect_eq "$1: log applied" "$8" random
	expect_le "$1: log seq_permille" "$9" 250
	expect_eq "$1: log mode" "${10}" "$wmode"
}

run enable0 0 0 sr none
run dryrun 1 1 sr dry_run
run enable1 1 0 rr applied

sm_set enable 0
sm_unload || fail "rmmod failed"
finish
