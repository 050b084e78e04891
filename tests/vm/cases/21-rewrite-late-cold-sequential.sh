#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# needs: disk
# Late correction, cold start, sequential advice: a fresh process maps a
# 32 MiB file of ext4 on the throttled virtio-blk disk (page cache
# dropped), calls madvise(MADV_SEQUENTIAL) before any fault in it, then
# reads 512 distinct pages of it in random order. The module must correct
# the advice to random during the reads:
#   - VmFlags: sr after the madvise, rr by 3/4 of the reads and at the end;
#   - rewrites: one line "late", asked sequential, applied random, with a
#     seq_permille <= 100 - threshold; stats late_corrections +1;
#   - mappings: the range, advice now random, corrections 1; processes
#     late 1.
# The same for anonymous memory (random writes to 512 of 4096 pages).
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

sm_disk_or_die
sm_load_or_die enable=1

# run LABEL MAPPING: sm_access on one mapping advised sequential, read randomly
run() {
	label=$1
	out=/tmp/late21.$label.out
	sm_drop_caches
	lc0=$(sm_stat late_corrections) rw0=$(sm_stat rewrites)
	bg_ready "$out" sm_access -P -m "$2,advice=sequential,pattern=rand:512" ||
		{ fail "$label: sm_access did not run"; return; }
	log "$label: faults $(kv "$out" faults_p1) for 512 reads"
	expect_corrected "$label" "$out" 0 sequential random 512 1
	expect_eq "$label: stats late_corrections +1" "$(sm_stat late_corrections)" $((lc0 + 1))
	expect_eq "$label: stats rewrites unchanged" "$(sm_stat rewrites)" "$rw0"
	expect_eq "$label: processes late" "$(sm_proc_field "$BG_PID" 8)" 1
	bg_stop
}

run file "file=$SM_DISK_DIR/f32.dat"
run anon size=16M

sm_set enable 0
sm_unload || fail "rmmod failed"
finish
