#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# needs: disk
# rmmod with late corrections in flight: WORKERS loops start short
# processes, one after the other, each mis-advising a 1 MiB mapping
# (MADV_RANDOM on a file of the virtio-blk disk, or on anonymous memory)
# and scanning it, which triggers a correction, then exiting at once.
# Meanwhile the module is loaded, enabled, and unloaded as soon as it has
# corrected something in this load, CYCLES times. Every load must see a
# correction within 10 s, every rmmod must succeed, the kernel must not
# oops or WARN (panic_on_warn=1: a WARN ends the boot), and after the
# workers are gone a last load's allocations_live comes back to its
# baseline once its short processes have exited.
# 20 cycles, 2 workers (one per vCPU); the stress suite's 31 runs it
# longer, with more workers.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

: "${CYCLES:=20}" "${WORKERS:=2}"
sm_disk_or_die
rm -f /tmp/late30.stop
# the workers stop when told to, or when this shell is gone (however it ended)
trap 'touch /tmp/late30.stop' EXIT
worker() {
	while [ ! -f /tmp/late30.stop ] && kill -0 $$ 2>/dev/null; do
		sm_access -m "file=$SM_DISK_DIR/f1.dat,advice=random,pattern=seq" > /dev/null 2>&1
		sm_access -m size=1M,advice=random,pattern=seq > /dev/null 2>&1
	done
}
pids=""
w=0
while [ "$w" -lt "$WORKERS" ]; do
	worker &
	pids="$pids $!"
	w=$((w + 1))
done

# shellcheck disable=SC2317 # called through wait_until
corrected() { [ "$(sm_stat late_corrections)" -ge 1 ] 2>/dev/null; }
i=0 seen=0 total=0
while [ "$i" -lt "$CYCLES" ]; do
	i=$((i + 1))
	if ! insmod "$SM_KO" enable=1 2>/tmp/late30.err; then
		fail "cycle $i: insmod: $(cat /tmp/late30.err)"; break
	fi
	if wait_until 10 corrected; then
		seen=$((seen + 1))
	else
		fail "cycle $i: no late correction within 10 s"
		rmmod smart_madvise
		break
	fi
	lc=$(sm_stat late_corrections)
	total=$((total + ${lc:-0}))
	if ! rmmod smart_madvise 2>/tmp/late30.err; then
		fail "cycle $i: rmmod: $(cat /tmp/late30.err)"; break
	fi
done
touch /tmp/late30.stop
for p in $pids; do wait "$p"; done
log "$i load/unload cycles, $seen with a correction in flight, $total corrections in all"
expect_eq "cycles with corrections" "$seen" "$CYCLES"

# A last load: short processes correct and exit; their state goes away.
sm_load_or_die enable=1
sleep 1
alloc0=$(sm_stat allocations_live)
n=0
while [ "$n" -lt 10 ]; do
	sm_access -m size=1M,advice=random,pattern=seq > /dev/null 2>&1 || fail "sm_access failed"
	n=$((n + 1))
done
expect_ge "last load: late corrections" "$(sm_stat late_corrections)" 10
# shellcheck disable=SC2317 # called through wait_until
freed() { alloc=$(sm_stat allocations_live); [ "$alloc" -le $((alloc0 + 2)) ]; }
if wait_until 10 freed; then
	pass "allocations_live back to baseline: $alloc <= $((alloc0 + 2))"
else
	fail "allocations_live $alloc, baseline $alloc0 (+2)"
	show "$SM_DBG/processes"
fi
log "stats: $(tr '\n' ' ' < "$SM_DBG/stats")"
sm_set enable 0
sm_unload || fail "rmmod failed"
finish
