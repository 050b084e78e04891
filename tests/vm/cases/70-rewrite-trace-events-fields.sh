#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module's trace events smart_madvise:advice_rewrite and
# smart_madvise:verdict_change, enabled through tracefs, triggered by
# smadv_trigger, their fields checked in the format files and in `trace`.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

T=/sys/kernel/tracing
[ -d "$T/events" ] || mount -t tracefs tracefs "$T" 2>/dev/null
[ -d "$T/events" ] || T=/sys/kernel/debug/tracing
[ -d "$T/events" ] || skip "no tracefs in this kernel"
E=$T/events/smart_madvise

cleanup() {
	echo 0 > "$E/enable" 2>/dev/null
	echo > "$T/trace" 2>/dev/null
	sm_unload
}

sm_load_or_die
if [ ! -d "$E/advice_rewrite" ] || [ ! -d "$E/verdict_change" ]; then
	fail "no $E/{advice_rewrite,verdict_change}"
	find "$E" -maxdepth 1 2>&1 | sed 's/^/#   /'
	cleanup
	finish
fi
pass "events exist under $E"

# The fields are part of the ABI: check the format files.
for f in pid start len asked applied seq_permille dry_run; do
	grep -Eq "field:[^;]* $f;" "$E/advice_rewrite/format" ||
		fail "advice_rewrite/format has no field $f"
done
for f in pid start len asked applied seq_permille dry_run; do
	grep -Eq "field:[^;]* $f;" "$E/advice_late/format" ||
		fail "advice_late/format has no field $f"
done
for f in pid old new seq_pages pages; do
	grep -Eq "field:[^;]* $f;" "$E/verdict_change/format" ||
		fail "verdict_change/format has no field $f"
done
pass "format files list every field"

# field LINE KEY: value of KEY=... in a trace line
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }
# event_for EVENT PID [EREGEX]: the first trace line of EVENT for PID
# (matching EREGEX)
event_for() { grep " $1: pid=$2 " "$T/trace" | grep -E -- "${3:-.}" | head -n 1; }

echo 1 > "$T/tracing_on"
echo > "$T/trace"
echo 1 > "$E/advice_rewrite/enable"
echo 1 > "$E/verdict_change/enable"
sm_set enable 1 || fail "enable=1"

# 1. sequential faults, then MADV_RANDOM on a new mapping: rewritten.
smadv_trigger seq 512 > /tmp/t1.out 2>&1 || { fail "smadv_trigger seq"; show /tmp/t1.out; }
pid=$(kv /tmp/t1.out pid)
start=$(kv /tmp/t1.out start)
len=$(kv /tmp/t1.out len)
log "sequential trigger: pid $pid range $start +$len vmflags '$(kv /tmp/t1.out vmflags)'"

# The first change leaves "unknown" once a window of pages of evidence is
# in (the start-up faults before the scan may make it "mixed" first); one
# says "sequential". Evidence over two windows is halved.
grep " verdict_change: pid=$pid " "$T/trace" | sed 's/^ */# trace: /'
line=$(event_for verdict_change "$pid")
expect_eq "first verdict_change old" "$(field "$line" old)" unknown
expect_ge "first verdict_change pages (window_size)" "$(field "$line" pages)" "$(sm_get window_size)"
expect_le "first verdict_change pages" "$(field "$line" pages)" $(( 2 * $(sm_get window_size) ))
line=$(event_for verdict_change "$pid" " new=sequential ")
expect_eq "verdict_change to sequential" "$(field "$line" new)" sequential
expect_ge "verdict_change seq_pages (threshold share)" \
	$(( $(field "$line" seq_pages) * 100 )) \
	$(( $(field "$line" pages) * $(sm_get threshold) ))

line=$(event_for advice_rewrite "$pid")
log "trace: $line"
expect_eq "advice_rewrite start" "$(field "$line" start)" "$start"
expect_eq "advice_rewrite len" "$(field "$line" len)" "$(printf %d "$len")"
expect_eq "advice_rewrite asked" "$(field "$line" asked)" random
expect_eq "advice_rewrite applied" "$(field "$line" applied)" sequential
expect_eq "advice_rewrite dry_run" "$(field "$line" dry_run)" 0
expect_ge "advice_rewrite seq_permille" "$(field "$line" seq_permille)" $(( $(sm_get threshold) * 10 ))
expect_le "advice_rewrite seq_permille" "$(field "$line" seq_permille)" 1000
expect_match "rewritten range's VmFlags" "$(kv /tmp/t1.out vmflags)" '(^| )sr( |$)'

# 2. random faults, then MADV_SEQUENTIAL: rewritten to random.
smadv_trigger rand 512 > /tmp/t2.out 2>&1 || { fail "smadv_trigger rand"; show /tmp/t2.out; }
pid=$(kv /tmp/t2.out pid)
grep " verdict_change: pid=$pid " "$T/trace" | sed 's/^ */# trace: /'
line=$(event_for verdict_change "$pid" " new=random ")
expect_eq "verdict_change to random (random faults)" "$(field "$line" new)" random
expect_le "verdict_change seq_pages (random faults)" \
	$(( $(field "$line" seq_pages) * 100 )) \
	$(( $(field "$line" pages) * (100 - $(sm_get threshold)) ))
line=$(event_for advice_rewrite "$pid")
log "trace: $line"
expect_eq "advice_rewrite asked (random faults)" "$(field "$line" asked)" sequential
expect_eq "advice_rewrite applied (random faults)" "$(field "$line" applied)" random
expect_le "advice_rewrite seq_permille (random faults)" "$(field "$line" seq_permille)" \
	$(( (100 - $(sm_get threshold)) * 10 ))

# 3. dry run: the event fires with dry_run=1, the advice is not changed.
sm_set dry_run 1 || fail "dry_run=1"
smadv_trigger seq 512 > /tmp/t3.out 2>&1 || { fail "smadv_trigger seq (dry run)"; show /tmp/t3.out; }
pid=$(kv /tmp/t3.out pid)
line=$(event_for advice_rewrite "$pid")
log "trace: $line"
expect_eq "advice_rewrite dry_run (dry run)" "$(field "$line" dry_run)" 1
expect_eq "advice_rewrite applied (dry run: would-be)" "$(field "$line" applied)" sequential
expect_match "dry run VmFlags keep rr" "$(kv /tmp/t3.out vmflags)" '(^| )rr( |$)'
sm_set dry_run 0

# 4. a disabled event records nothing.
echo 0 > "$E/advice_rewrite/enable"
echo 0 > "$E/verdict_change/enable"
echo > "$T/trace"
smadv_trigger seq 512 > /tmp/t4.out 2>&1
pid=$(kv /tmp/t4.out pid)
expect_eq "events after disabling them" "$(grep -c "smart_madvise\|advice_rewrite\|verdict_change" "$T/trace" | head -n 1)" 0
expect_match "rewrite still happens with the events off" "$(kv /tmp/t4.out vmflags)" '(^| )sr( |$)'

cleanup
finish
