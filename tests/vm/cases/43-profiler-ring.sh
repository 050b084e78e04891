#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A full set (64 processes) refuses one more with ENOSPC; at 10 ms the ring
# wraps within seconds, and both the mmap reader and read() detect it.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
DEV=/dev/smart_madvise
command -v smadvctl > /dev/null || skip "no smadvctl in the guest"

sm_load_or_die
sm_set sample_interval_ms 10 || fail "set sample_interval_ms 10"
pids=""
i=0
while [ "$i" -lt 64 ]; do
	sleep 1000 &
	pids="$pids $!"
	i=$((i + 1))
done
# All on one open file: registrations end with it.
exec 4<> "$DEV"
res=$(for p in $pids; do prof_helper write -d 4 "R $p\n"; done | sort | uniq -c | tr -s ' ')
expect_eq "64 registrations" "$res" " 64 OK"
sleep 1000 & X=$!
expect_eq "65th registration" "$(prof_helper write -d 4 "R $X\n")" ENOSPC
expect_eq "65th registration from another file" "$(prof_helper write "R $X\n")" ENOSPC
# shellcheck disable=SC2086
first_pid=$(echo $pids | cut -d" " -f1)
expect_eq "duplicate when full" "$(prof_helper write -d 4 "R $first_pid\n")" EEXIST
cap=$(prof_helper hdr | sed -n 's/^capacity=//p')
log "ring capacity $cap records, 65 per tick"

# mmap reader: stop it long enough for the ring to wrap.
exec 3< "$DEV"
read -r hdr <&3
smadvctl monitor -f --csv > /tmp/w.csv 2> /tmp/w.err & M=$!
sleep 0.5
kill -STOP "$M"
w0=$(prof_helper hdr | sed -n 's/^write_index=//p')
wait_until 60 sh -c "[ \$(prof_helper hdr | sed -n 's/^write_index=//p') -gt $((w0 + cap + 200)) ]" ||
	fail "ring did not wrap in 60 s"
kill -CONT "$M"
sleep 0.5
kill -INT "$M"
wait "$M"
show /tmp/w.err
expect_match "monitor reports the wrap" "$(cat /tmp/w.err)" 'ring wrapped: lost [0-9]+ records'
expect_eq "indices going backwards" "$(awk -F, 'NR > 1 { if (p != "" && $1 <= p) bad++; p = $1 } END { print bad + 0 }' /tmp/w.csv)" 0
expect_ge "records after the wrap" "$(wc -l < /tmp/w.csv)" 100

# read(): the open file's cursor fell behind as well.
first=$(head -n 1 <&3)
exec 3<&-
expect_eq "text header" "$hdr" "index time_ns type pid cpu_ns min_flt maj_flt seq_faults rand_faults"
expect_match "read() reports the wrap" "$first" '^# lost [0-9]+ records$'

exec 4>&-
# shellcheck disable=SC2086
kill $pids "$X"
wait 2>/dev/null
sm_unload || fail "rmmod"
finish
