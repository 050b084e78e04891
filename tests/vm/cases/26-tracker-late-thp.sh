#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Huge pages are sequential evidence: a scan of 64 MiB of anonymous memory
# backed by THP (2 MiB aligned, MADV_HUGEPAGE) takes one fault per 2 MiB,
# each a 512-page jump onto an aligned page.
#   - with no access advice: processes shows verdict sequential (and the
#     mapping really was huge: AnonHugePages >= 32 MiB);
#   - advised MADV_RANDOM before the scan: the range is corrected late to
#     sr during the scan, one late line random -> sequential.
# Skipped on a kernel without THP (PREEMPT_RT).
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

THP=/sys/kernel/mm/transparent_hugepage
[ -d "$THP" ] || skip "no transparent huge pages in this kernel ($(uname -r))"
grep -q '\[never\]' "$THP/enabled" && skip "THP is off: $(cat "$THP/enabled")"
sm_load_or_die enable=1

out=/tmp/late26.plain.out
bg_ready "$out" sm_access -P -m size=64M,thp,pattern=seq || { bg_stop; fail "sm_access did not run"; finish; }
proc=$(sm_proc "$BG_PID")
log "no advice: faults $(kv "$out" faults_p1), AnonHugePages $(kv "$out" m0.anon_huge_kb) kB, processes: $proc"
expect_ge "no advice: AnonHugePages kB" "$(kv "$out" m0.anon_huge_kb)" 32768
expect_le "no advice: faults of the scan (one per huge page)" "$(kv "$out" faults_p1)" 512
expect_eq "no advice: processes verdict" "$(sm_proc_field "$BG_PID" 6)" sequential
bg_stop

out=/tmp/late26.random.out
lc0=$(sm_stat late_corrections)
bg_ready "$out" sm_access -P -m size=64M,thp,advice=random,pattern=seq || { bg_stop; fail "sm_access did not run"; finish; }
log "MADV_RANDOM: faults $(kv "$out" faults_p1), AnonHugePages $(kv "$out" m0.anon_huge_kb) kB"
expect_ge "MADV_RANDOM: AnonHugePages kB" "$(kv "$out" m0.anon_huge_kb)" 32768
expect_corrected "MADV_RANDOM" "$out" 0 random sequential 16384 1
expect_eq "MADV_RANDOM: stats late_corrections +1" "$(sm_stat late_corrections)" $((lc0 + 1))
bg_stop

sm_set enable 0
sm_unload || fail "rmmod failed"
finish
