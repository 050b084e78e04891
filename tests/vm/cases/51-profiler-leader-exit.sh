#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Profiler samples keep a process's fault counts after its main thread
# has exited while another thread runs on: the module finds the process's
# state through any live thread, not only the leader (a zombie without mm).
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
command -v smadvctl > /dev/null || skip "no smadvctl in the guest"

PAGES=3000
sm_load_or_die
sm_set enable 1 || fail "enable=1"
bg_ready /tmp/le.out prof_helper leaderexit "$PAGES" || { fail "leaderexit helper"; finish; }
F=$BG_PID
expect_eq "leader state" "$(sed 's/.*) //' "/proc/$F/stat" | cut -d' ' -f1)" Z
exec 3<> /dev/smart_madvise
expect_eq "registration" "$(prof_helper write -d 3 "R $F\n")" OK
sleep 1
smadvctl monitor --csv > /tmp/le.csv || fail "monitor --csv"
seq=$(awk -F, -v p="$F" '$3 == "process" && $4 == p { v = $8 } END { print v + 0 }' /tmp/le.csv)
log "pid $F after its leader exited: seq_faults $seq"
expect_ge "sequential faults sampled after the leader exited" "$seq" $((PAGES * 9 / 10))
exec 3>&-
bg_stop
sm_unload
finish
