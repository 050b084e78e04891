#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# needs: disk
# Never worse: correct advice is never changed, however the faults come.
#   - 16 threads of one process scan their own 2 MiB of a 32 MiB file of
#     the throttled virtio-blk disk advised MADV_SEQUENTIAL, taking turns
#     16 pages each (one fault-around window: their faults interleave
#     fault by fault): VmFlags stay sr at
#     every checkpoint; the range's verdict is sequential (16 streams fit
#     the 32 a process has), corrections 0; no rewrite and no late line;
#     processes rewrites 0, late 0.
#   - a reader of the same file advised MADV_RANDOM, 512 random reads:
#     VmFlags stay rr, verdict random, corrections 0, nothing rewritten.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

sm_disk_or_die
sm_load_or_die enable=1
# The module's events, shown on a failure: the evidence behind a verdict.
T=/sys/kernel/tracing
[ -d "$T/events" ] || mount -t tracefs tracefs "$T" 2>/dev/null
[ -d "$T/events" ] || T=/sys/kernel/debug/tracing
echo 1 > "$T/events/smart_madvise/enable" 2>/dev/null ||
	log "no smart_madvise events: no trace on a failure"

# run LABEL ADVICE VERDICT sm_access-args...
run() {
	label=$1 advice=$2 verdict=$3
	shift 3
	out=/tmp/late24.$label.out
	sm_drop_caches
	lc0=$(sm_stat late_corrections) rw0=$(sm_stat rewrites)
	bg_ready "$out" sm_access -P "$@" || { fail "$label: sm_access did not run"; return; }
	log "$label: faults $(kv "$out" faults_p1), processes: $(sm_proc "$BG_PID")"
	expect_uncorrected "$label" "$out" 0 "$advice"
	# shellcheck disable=SC2046 # the fields of the mappings line
	set -- $(sm_map "$BG_PID" "$(kv "$out" m0.region)")
	expect_eq "$label: mappings verdict" "${7:-}" "$verdict"
	expect_eq "$label: processes rewrites" "$(sm_proc_field "$BG_PID" 7)" 0
	expect_eq "$label: processes late" "$(sm_proc_field "$BG_PID" 8)" 0
	expect_eq "$label: stats rewrites unchanged" "$(sm_stat rewrites)" "$rw0"
	expect_eq "$label: stats late_corrections unchanged" "$(sm_stat late_corrections)" "$lc0"
	if [ "$SM_FAILS" -gt 0 ]; then
		log "$label: mappings: $(sm_maps_for "$BG_PID")"
		grep -v '^#' "$T/trace" 2>/dev/null | tail -n 80 | sed 's/^/#   /'
	fi
	echo > "$T/trace" 2>/dev/null
	bg_stop
}

run threads sequential sequential -T 16 -I 16 -c 16 \
	-m "file=$SM_DISK_DIR/f32.dat,advice=sequential,pattern=seq"
run random random random -m "file=$SM_DISK_DIR/f32.dat,advice=random,pattern=rand:512"

sm_set enable 0
sm_unload || fail "rmmod failed"
finish
