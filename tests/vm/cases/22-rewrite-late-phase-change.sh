#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# needs: disk
# Late correction follows a change of phase, and never touches correct
# advice: a process maps a 16 MiB file of the throttled virtio-blk disk,
# advises MADV_RANDOM before any fault, and
#   phase 1: reads 384 distinct pages in random order. The advice is right:
#     VmFlags stay rr at every checkpoint; no late line; stats
#     late_corrections unchanged; mappings: advice random, verdict random,
#     corrections 0 (read while the program waits between the phases);
#   phase 2: reads the whole file in order. The advice is now wrong: it
#     is corrected to sr during the scan; one late line random ->
#     sequential; mappings corrections 1; late_corrections +1.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

sm_disk_or_die
sm_load_or_die enable=1
sm_drop_caches
out=/tmp/late22.out
lc0=$(sm_stat late_corrections)
bg_start "$out" sm_access -P -m "file=$SM_DISK_DIR/f16.dat,advice=random,pattern=rand:384/seq"
bg_wait_line '^PAUSED phase=1' || { bg_stop; fail "sm_access did not finish phase 1"; finish; }
pid=$BG_PID region=$(kv "$out" m0.region)
log "phase 1: faults $(kv "$out" faults_p1) for 384 random reads"
expect_eq "phase 1: VmFlags after madvise(MADV_RANDOM)" "$(kv "$out" m0.flag_start)" rr
expect_eq "phase 1: VmFlags half way" "$(kv "$out" m0.flag_mid_p1)" rr
expect_eq "phase 1: VmFlags at its end" "$(kv "$out" m0.flag_p1)" rr
expect_eq "phase 1: late lines of the process" "$(sm_late_for "$pid" | grep -c .)" 0
expect_eq "phase 1: stats late_corrections unchanged" "$(sm_stat late_corrections)" "$lc0"
expect_map "phase 1" "$pid" "$region" "$(kv "$out" m0.length)" random 0
# shellcheck disable=SC2046 # the fields of the mappings line
set -- $(sm_map "$pid" "$region")
expect_eq "phase 1: mappings verdict" "${7:-}" random
expect_le "phase 1: mappings seq_permille" "${6:-1001}" $(((100 - $(sm_get threshold)) * 10))

kill -USR1 "$pid"
bg_wait_line '^READY' || { bg_stop; fail "sm_access did not finish phase 2"; finish; }
log "phase 2: faults $(kv "$out" faults_p2) for the scan of 4096 pages"
# changed_at counts accesses over both phases: 384 random, then the scan
expect_corrected "phase 2" "$out" 0 random sequential $(((384 + 3072) * 4 / 3)) 2
expect_eq "VmFlags first changed in phase" "$(kv "$out" m0.changed_phase)" 2
expect_eq "phase 2: stats late_corrections +1" "$(sm_stat late_corrections)" $((lc0 + 1))
expect_eq "processes late" "$(sm_proc_field "$pid" 8)" 1
bg_stop

sm_set enable 0
sm_unload || fail "rmmod failed"
finish
