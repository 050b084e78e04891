#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Profiler samples: timestamps strictly increase, fault counts agree with
# /proc/PID/stat, CPU time grows for a busy process and not a sleeping one,
# the total record sums the tick, the interval tunable takes effect.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
command -v smadvctl > /dev/null || skip "no smadvctl in the guest"

sm_load_or_die
tracker=0
if [ -f "$SM_SYS/enable" ]; then
	sm_set enable 1 && tracker=1
fi

bg_ready /tmp/fault.out prof_helper fault 3000 || { fail "faulter"; finish; }
F=$BG_PID
sleep 1000 & SL=$!
prof_helper spin & SP=$!
smadvctl monitor -n 1 "$F" "$SL" "$SP" > /dev/null || fail "monitor registration"
# The monitor's registrations ended with it: this file keeps them.
exec 3<> /dev/smart_madvise
expect_eq "registration on a held file" \
	"$(prof_helper write -d 3 "R $F\n" "R $SL\n" "R $SP\n" | tr '\n' ' ')" "OK OK OK "
sleep 2
kill "$SP"
wait "$SP" 2>/dev/null
sleep 0.2
smadvctl monitor --csv > /tmp/s.csv || fail "monitor --csv"
read -r _ _ _ _ _ _ _ _ _ minflt _ majflt _ < "/proc/$F/stat"
log "$(wc -l < /tmp/s.csv) csv lines; /proc/$F/stat minflt $minflt majflt $majflt"
head -n 4 /tmp/s.csv | sed 's/^/#   /'

expect_eq "csv header" "$(head -n 1 /tmp/s.csv)" \
	"index,time_ns,type,pid,cpu_ns,min_flt,maj_flt,seq_faults,rand_faults"
n=$(awk -F, -v p="$SL" '$3 == "process" && $4 == p' /tmp/s.csv | wc -l)
expect_ge "samples of the sleeper in ~2 s at 50 ms" "$n" 10
expect_eq "non-increasing timestamps" "$(awk -F, 'NR > 1 && $3 == "process" {
	if (($4 in t) && $2 <= t[$4]) bad++; t[$4] = $2 } END { print bad + 0 }' /tmp/s.csv)" 0
expect_eq "non-consecutive indices" "$(awk -F, 'NR > 2 && $1 != prev + 1 { bad++ }
	NR > 1 { prev = $1 } END { print bad + 0 }' /tmp/s.csv)" 0

last() { awk -F, -v p="$1" -v c="$2" '$3 == "process" && $4 == p { v = $c } END { print v }' /tmp/s.csv; }
first() { awk -F, -v p="$1" -v c="$2" '$3 == "process" && $4 == p { print $c; exit }' /tmp/s.csv; }
d=$(( $(last "$F" 6) - minflt )); [ "$d" -lt 0 ] && d=$((-d))
expect_le "|faulter min_flt - /proc minflt|" "$d" 2
expect_eq "faulter maj_flt" "$(last "$F" 7)" "$majflt"
expect_ge "faulter min_flt" "$(last "$F" 6)" 3000

sp_ns=$(( $(last "$SP" 5) - $(first "$SP" 5) ))
sp_wall=$(( $(last "$SP" 2) - $(first "$SP" 2) ))
log "spinner: ${sp_ns} ns CPU in ${sp_wall} ns"
expect_ge "spinner CPU share (%)" $((sp_ns * 100 / (sp_wall + 1))) 30
expect_le "sleeper CPU growth (ns)" $(( $(last "$SL" 5) - $(first "$SL" 5) )) 1000000

# Each total sums the process records of its tick.
expect_eq "totals that do not add up" "$(awk -F, 'NR > 1 {
	if ($3 == "process") { m[$2] += $6; c[$2] += $5; n[$2]++ }
	else { tm[$2] = $6; tc[$2] = $5; tn[$2] = 1 } }
	END { for (t in tm) if (tm[t] != m[t] || tc[t] != c[t]) bad++; print bad + 0 }' /tmp/s.csv)" 0

if [ "$tracker" = 1 ]; then
	sf=$(( $(last "$F" 8) + $(last "$F" 9) ))
	tf=$(sm_proc_field "$F" 3)
	log "tracker: sampled seq+rand $sf, debugfs faults ${tf:-none}"
	expect_ge "faulter faults seen by the tracker" "$sf" 2500
	expect_ge "faulter sequential faults" "$(last "$F" 8)" 2000
fi

# The interval tunable: 200 ms between ticks.
sm_set sample_interval_ms 200 || fail "set sample_interval_ms 200"
sleep 0.5
smadvctl monitor --csv --new -f -n 12 "$SL" > /tmp/i.csv
# Delayed work never fires early; late only by scheduling (TCG: allow it).
gaps=$(awk -F, -v p="$SL" '$3 == "process" && $4 == p {
	if (t) { g = ($2 - t) / 1e6; if (!min || g < min) min = g; sum += g; n++ } t = $2 }
	END { printf "%d %d", min, n ? sum / n : 0 }' /tmp/i.csv)
log "gaps at 200 ms: min and mean $gaps ms"
expect_ge "shortest gap (ms) at 200 ms" "${gaps% *}" 190
expect_le "mean gap (ms) at 200 ms" "${gaps#* }" 400

kill "$F" "$SL"
wait 2>/dev/null
exec 3>&-
sm_unload || fail "rmmod"
finish
