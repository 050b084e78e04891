#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The tracker's counts, seq_page_faults and processes, agree with the faults
# the program made. The program stays alive (paused) while we read debugfs.
#
# Tolerance (documented in tests/vm/README.md): W = the program's own fault
# count over the workload (getrusage), T = its count for its whole life,
# P = pages it scanned.
#   FAULTS == SEQUENTIAL + RANDOM, and seq_page_faults COUNT == SEQUENTIAL
#   FAULTS >= W * 95%            (every workload fault seen; 5% for probe misses)
#   FAULTS <= T * 110% + 16      (nothing invented; slack for per-VMA-lock retries
#                                 that reach handle_mm_fault twice)
#   anon scan:   SEQUENTIAL >= P * 95%, verdict sequential
#   file scan:   SEQUENTIAL >= W * 90%, verdict sequential (fault-around: W ~ P/16)
#   random:      RANDOM >= P * 90%,     verdict random
. /tests/lib.sh

sm_load_or_die enable=1
dd if=/dev/zero of=/tmp/cnt.dat bs=1M count=32 2>/dev/null

check() { # LABEL VERDICT BASIS(pages|faults) sm_scan args...
	label=$1 verdict=$2 basis=$3
	shift 3
	out=/tmp/cnt.$label.out
	f0=$(sm_stat faults)
	bg_ready "$out" sm_scan -P "$@" || { fail "$label: program did not start"; return; }
	pid=$BG_PID
	line=$(sm_proc "$pid")
	seqpf=$(sm_seqpf "$pid")
	f1=$(sm_stat faults)
	bg_stop
	log "$label: processes: $line"
	log "$label: seq_page_faults: $pid $seqpf"
	P=$(kv "$out" touched_pages) W=$(kv "$out" workload_faults) T=$(kv "$out" total_faults)
	log "$label: program: pages $P, workload faults $W, lifetime faults $T"
	# shellcheck disable=SC2086 # split the processes line into fields
	set -- $line
	if [ $# -ne 8 ]; then fail "$label: pid $pid not in processes"; show "$SM_DBG/processes"; return; fi
	expect_eq "$label: comm" "$2" sm_scan
	expect_eq "$label: faults = sequential + random" "$3" $(($4 + $5))
	expect_eq "$label: seq_page_faults = sequential" "$seqpf" "$4"
	expect_ge "$label: faults vs workload" "$3" $((W * 95 / 100))
	expect_le "$label: faults vs lifetime" "$3" $((T * 110 / 100 + 16))
	case "$basis" in
	pages) want=$((P * 95 / 100)) ;;
	faults) want=$((W * 90 / 100)) ;;
	esac
	if [ "$verdict" = random ]; then
		expect_ge "$label: random faults" "$5" $((P * 90 / 100))
	else
		expect_ge "$label: sequential faults" "$4" "$want"
	fi
	expect_eq "$label: verdict" "$6" "$verdict"
	expect_ge "$label: global faults counter grew by" $((f1 - f0)) "$3"
}

check anon sequential pages -m anon -n 2048 -a none
check file sequential faults -m file -f /tmp/cnt.dat -a none
check random random pages -m random -n 1024 -a none

# A program that exited is gone from the table.
# shellcheck disable=SC2317 # called through wait_until
gone() { [ -z "$(sm_proc "$pid")" ]; }
if wait_until 10 gone; then pass "exited program no longer listed"; else fail "exited pid $pid still listed"; fi
sm_set enable 0
sm_unload || fail "rmmod failed"
rm -f /tmp/cnt.dat
finish
