#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# needs: disk
# Late correction, cold start, random advice: a fresh process maps a
# 16 MiB file of ext4 on the throttled virtio-blk disk (page cache
# dropped), calls madvise(MADV_RANDOM) before any fault in it, then reads
# it page by page. The module has no verdict at madvise() time, so only a
# late correction can fix the advice, and it must do so during the scan:
#   - VmFlags: rr after the madvise, sr by 3/4 of the scan and at its end;
#   - far fewer faults than pages (readahead is back: without the
#     correction an rr scan of an uncached file faults on every page);
#   - rewrites: one line "late", asked random, applied sequential, for the
#     mapping's start and length; stats late_corrections +1, rewrites +0;
#   - mappings: the range, advice now sequential, corrections 1;
#   - processes: late 1, rewrites 0 (no madvise-time rewrite);
#   - the trace event smart_madvise:advice_late for the range.
# The same for anonymous memory (16 MiB, 4 KiB pages).
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

T=/sys/kernel/tracing
E=$T/events/smart_madvise/advice_late
sm_disk_or_die
sm_load_or_die enable=1
expect_eq "late default" "$(sm_get late)" 1
if [ -d "$E" ]; then
	echo > "$T/trace"
	echo 1 > "$E/enable"
	echo 1 > "$T/tracing_on"
else
	fail "no trace event $E"
fi

# field LINE KEY: value of KEY=... in a trace line
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# run LABEL PAGES MAPPING: sm_access on one mapping advised random, scanned
run() {
	label=$1 pages=$2 spec=$3
	out=/tmp/late20.$label.out
	sm_drop_caches
	lc0=$(sm_stat late_corrections) rw0=$(sm_stat rewrites)
	bg_ready "$out" sm_access -P -m "$spec,advice=random,pattern=seq" ||
		{ fail "$label: sm_access did not run"; return; }
	pid=$BG_PID
	region=$(kv "$out" m0.region) length=$(kv "$out" m0.length)
	proc=$(sm_proc "$pid")
	log "$label: faults $(kv "$out" faults_p1) for $pages pages"
	expect_corrected "$label" "$out" 0 random sequential "$pages" 1
	expect_eq "$label: stats late_corrections +1" "$(sm_stat late_corrections)" $((lc0 + 1))
	expect_eq "$label: stats rewrites unchanged" "$(sm_stat rewrites)" "$rw0"
	log "$label: processes: $proc"
	# shellcheck disable=SC2086 # split the line into its fields
	set -- $proc
	expect_eq "$label: processes fields" "$#" 8
	expect_eq "$label: processes rewrites" "${7:-}" 0
	expect_eq "$label: processes late" "${8:-}" 1
	if [ -d "$E" ]; then
		ev=$(grep " advice_late: pid=$pid " "$T/trace" | head -n 1)
		log "$label: trace: ${ev:-none}"
		expect_eq "$label: advice_late start" "$(field "$ev" start)" "$region"
		expect_eq "$label: advice_late len" "$(field "$ev" len)" "$(printf %d "$length")"
		expect_eq "$label: advice_late asked" "$(field "$ev" asked)" random
		expect_eq "$label: advice_late applied" "$(field "$ev" applied)" sequential
		expect_eq "$label: advice_late dry_run" "$(field "$ev" dry_run)" 0
	fi
	bg_stop
}

run file 4096 file=$SM_DISK_DIR/f16.dat
# readahead is back after the correction: an rr scan of the uncached file
# would fault once per page
expect_le "file: faults during the scan" "$(kv /tmp/late20.file.out faults_p1)" 2048
run anon 4096 size=16M

log "stats: $(tr '\n' ' ' < "$SM_DBG/stats")"
[ -d "$E" ] && echo 0 > "$E/enable"
sm_set enable 0
sm_unload || fail "rmmod failed"
finish
