#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# needs: disk
# Per-mapping evidence: one process, two file mappings of the throttled
# virtio-blk disk, both mis-advised before any fault and accessed
# interleaved (one access to each in turn):
#   m0: 16 MiB, MADV_RANDOM, read in order      -> corrected to sr;
#   m1: 32 MiB, MADV_SEQUENTIAL, 512 random reads -> corrected to rr.
# The process as a whole sees half sequential, half random faults, so only
# each range's own evidence can get both right. Each range: VmFlags
# changed by 3/4 of its accesses, one late line of its own, mappings
# corrections 1; stats late_corrections +2, processes late 2.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

sm_disk_or_die
sm_load_or_die enable=1
sm_drop_caches
out=/tmp/late23.out
lc0=$(sm_stat late_corrections)
bg_ready "$out" sm_access -P \
	-m "file=$SM_DISK_DIR/f16.dat,advice=random,pattern=seq" \
	-m "file=$SM_DISK_DIR/f32.dat,advice=sequential,pattern=rand:512" ||
	{ bg_stop; fail "sm_access did not run"; finish; }
log "faults $(kv "$out" faults_p1); processes: $(sm_proc "$BG_PID")"
expect_corrected "m0 (scanned)" "$out" 0 random sequential 4096 1
expect_corrected "m1 (random reads)" "$out" 1 sequential random 512 1
expect_eq "stats late_corrections +2" "$(sm_stat late_corrections)" $((lc0 + 2))
expect_eq "processes late" "$(sm_proc_field "$BG_PID" 8)" 2
expect_eq "mappings lines of the process" "$(sm_maps_for "$BG_PID" | grep -c .)" 2
bg_stop

sm_set enable 0
sm_unload || fail "rmmod failed"
finish
