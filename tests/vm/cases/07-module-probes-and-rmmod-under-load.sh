#!/bin/sh
# shellcheck disable=SC2119 # sm_load_or_die: parameters optional
# SPDX-License-Identifier: GPL-2.0
# enable=0 leaves no probe armed, and the module loads and unloads under
# load without an oops, a WARN or a leak: rmmod while other processes run
# a fault and madvise storm (3 rounds; 12 at --scale full), then 5
# insmod + enable + rmmod cycles (1,000 at --scale full) while 4 threads
# fault, 4 call madvise with every advice value on their own memory and 1
# writes the tunables at random; after them the module's slab cache is
# gone, the kernel's slab use is back near its baseline and the module's
# allocation count was consistent with what it tracked.
# "No probe": /sys/kernel/debug/kprobes/list shows none of the module's
# probe points (do_madvise, vector_madvise on 6.15+, exit_mmap,
# handle_mm_fault, the syscall fallback) and a workload moves no counter (this also covers the fault
# tracepoint, which has no listing), nor does the ftrace's list of
# enabled functions (the ftrace hook). enable=1 must show them (control).
# fault_hook=auto must pick the x86 tracepoint on x86 and the ftrace hook
# on arm64 6.1 (the kprobe on later arm64), where fault_hook=tracepoint
# must be refused. fault_hook=kprobe and, where ftrace saves registers,
# fault_hook=ftrace go through the same checks; with the ftrace hook
# armed, kernel.ftrace_enabled=0 must be refused and stay 1, as it would
# silently stop the callback.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

[ -r "$KPROBES_LIST" ] || { fail "no $KPROBES_LIST"; finish; }
[ -r "$FTRACE_LIST" ] || { fail "no $FTRACE_LIST"; finish; }
ours() { sm_hooked; }
# handle_mm_fault watched by an ftrace callback (ours, or a kprobe's)
ftraced() { grep -E '^handle_mm_fault ' "$FTRACE_LIST"; }
workload() { sm_scan -m anon -n 256 -a random > /tmp/wl.out 2>&1 || fail "workload failed"; }

expect_eq "probes of ours before insmod" "$(ours)" ""
hooks="auto kprobe"
sm_ftrace_hook_supported && hooks="$hooks ftrace"
for hook in $hooks; do
	if [ "$hook" = auto ]; then sm_load_or_die; else sm_load_or_die "fault_hook=$hook"; fi
	used=$(sm_get fault_hook)
	want="$hook"
	[ "$hook" = auto ] && want=$(sm_auto_fault_hook)
	expect_eq "fault_hook=$hook on $(uname -m)" "$used" "$want"
	expect_eq "$hook: enable default" "$(sm_get enable)" 0
	expect_eq "$hook: probes with enable=0" "$(ours)" ""
	f0=$(sm_stat faults) m0=$(sm_stat madvise_calls)
	workload
	expect_eq "$hook: enable=0 workload VmFlags" "$(kv /tmp/wl.out flag)" rr
	expect_eq "$hook: faults counter with enable=0" "$(sm_stat faults)" "$f0"
	expect_eq "$hook: madvise_calls with enable=0" "$(sm_stat madvise_calls)" "$m0"

	sm_set enable 1
	ours > /tmp/ours
	show /tmp/ours
	grep -Eq 'do_madvise|sys_madvise' /tmp/ours || fail "$hook: no madvise probe with enable=1"
	grep -q exit_mmap /tmp/ours || fail "$hook: no exit_mmap probe with enable=1"
	if [ "$used" = kprobe ]; then
		grep -q '^kprobe .*handle_mm_fault' /tmp/ours || fail "$hook: no handle_mm_fault probe with enable=1"
	else
		grep -q '^kprobe .*handle_mm_fault' /tmp/ours && fail "$hook: $used hook but handle_mm_fault kprobe"
	fi
	if [ "$used" = ftrace ]; then
		[ -n "$(ftraced)" ] || fail "$hook: handle_mm_fault not ftraced with enable=1"
	elif [ "$used" = tracepoint ]; then
		expect_eq "$hook: handle_mm_fault ftraced by the tracepoint hook" "$(ftraced)" ""
	fi
	f0=$(sm_stat faults)
	workload
	expect_ge "$hook: faults counted with enable=1" $(($(sm_stat faults) - f0)) 256
	if [ "$used" = ftrace ]; then
		# the callback must not silently stop: the sysctl refuses
		# (EBUSY up to 6.12; 7.3 answers with another errno)
		got=$(sm_write /proc/sys/kernel/ftrace_enabled '0\n')
		log "$hook: ftrace_enabled=0 while armed: $got"
		case "$got" in
		OK*) fail "$hook: ftrace_enabled=0 accepted while armed" ;;
		*) pass "$hook: ftrace_enabled=0 refused while armed ($got)" ;;
		esac
		expect_eq "$hook: ftrace_enabled after the refusal" \
			"$(cat /proc/sys/kernel/ftrace_enabled)" 1
	fi

	sm_set enable 0
	expect_eq "$hook: probes after enable=0" "$(ours)" ""
	f0=$(sm_stat faults)
	workload
	expect_eq "$hook: faults counter after enable=0" "$(sm_stat faults)" "$f0"
	sm_set enable 1
	expect_ge "$hook: re-armed probes" "$(ours | wc -l)" 2
	sm_unload || fail "$hook: rmmod while enabled failed"
	expect_eq "$hook: probes after rmmod" "$(ours)" ""
done

# fault_hook=tracepoint: x86 has exceptions:page_fault_user; elsewhere
# (arm64) the module must refuse it, naming the missing tracepoint.
if [ "$(sm_auto_fault_hook)" = tracepoint ]; then
	sm_load_or_die fault_hook=tracepoint
	expect_eq "fault_hook=tracepoint" "$(sm_get fault_hook)" tracepoint
	sm_unload || fail "rmmod after fault_hook=tracepoint failed"
elif sm_load_refused fault_hook=tracepoint; then
	if dmesg | tail -n 5 | grep -q 'exceptions:page_fault_user not found'; then
		pass "$(uname -m): fault_hook=tracepoint refused, the tracepoint named"
	else
		fail "$(uname -m): fault_hook=tracepoint refused without naming page_fault_user"
	fi
fi

# rmmod during a fault storm. Rounds alternate: module loaded before or
# after the storm starts; enable/dry_run flip while it runs.
rounds=3
[ "$SM_SCALE" = full ] && rounds=12
r=0
while [ $r -lt $rounds ]; do
	r=$((r + 1))
	[ $((r % 2)) = 1 ] && { sm_load enable=1 || { fail "round $r: insmod"; break; }; }
	rm -f /tmp/storm.stop
	sm_storm -t 120 -T 2 -F -s /tmp/storm.stop > /tmp/storm1.out 2>&1 &
	s1=$!
	sm_storm -t 120 -T 1 -s /tmp/storm.stop > /tmp/storm2.out 2>&1 &
	s2=$!
	sleep 1
	sm_loaded || sm_load enable=1 || { fail "round $r: insmod during storm"; break; }
	for v in 0 1 0 1; do
		sm_set enable $v || fail "round $r: enable=$v"
		sm_set dry_run $v || fail "round $r: dry_run=$v"
	done
	sleep 1
	if ! kill -0 $s1 2>/dev/null; then
		fail "round $r: storm ended before rmmod"
	fi
	rmmod smart_madvise || fail "round $r: rmmod during storm failed"
	kill -0 $s1 2>/dev/null && pass "round $r: rmmod done while the storm ran"
	sleep 1
	touch /tmp/storm.stop
	wait $s1 || { fail "round $r: storm 1 failed"; show /tmp/storm1.out; }
	wait $s2 || { fail "round $r: storm 2 failed"; show /tmp/storm2.out; }
	log "round $r: storm $(grep -v "^READY" /tmp/storm1.out) / $(grep -v "^READY" /tmp/storm2.out)"
	if dmesg | grep -qE 'BUG:|Oops|WARNING:|general protection'; then
		fail "round $r: kernel log shows a problem"
		dmesg | tail -n 30 | sed 's/^/#   /'
		break
	fi
done

# insmod + enable + rmmod cycles under a storm of faults, madvise and
# tunable writes
N=5
[ "$SM_SCALE" = full ] && N=1000
slab_kb() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }
echo 3 > /proc/sys/vm/drop_caches 2>/dev/null
slab0=$(slab_kb)
PAT='Oops|WARNING:|BUG:|still has objects|general protection'
oops0=$(dmesg | grep -Ec "$PAT")
bg_ready /tmp/lu.storm sm_storm -t 0 -f 4 -m 4 -u 1 || { fail "storm did not start"; finish; }
STORM=$BG_PID
i=0
bad=0
while [ "$i" -lt "$N" ]; do
	i=$((i + 1))
	if ! insmod "$SM_KO" 2>/tmp/lu.err; then
		fail "cycle $i: insmod: $(cat /tmp/lu.err)"; bad=$((bad + 1)); break
	fi
	echo 1 > "$SM_SYS/enable" || { fail "cycle $i: enable"; bad=$((bad + 1)); }
	if [ $((i % 50)) = 0 ] || [ "$i" = "$N" ]; then
		t=$(sm_stat processes_tracked); a=$(sm_stat allocations_live)
		log "cycle $i: processes_tracked=$t allocations_live=$a"
		# every tracked entry is one allocation; frees may lag (RCU)
		[ "$a" -ge "$t" ] || fail "cycle $i: allocations_live $a < processes_tracked $t"
	fi
	if ! rmmod smart_madvise 2>/tmp/lu.err; then
		fail "cycle $i: rmmod: $(cat /tmp/lu.err)"; bad=$((bad + 1)); break
	fi
	[ -d "$SM_SYS" ] && { fail "cycle $i: sysfs left behind"; break; }
done
kill -TERM "$STORM"
wait "$STORM"
sed 's/^/# /' /tmp/lu.storm
echo 3 > /proc/sys/vm/drop_caches 2>/dev/null
sleep 2
slab1=$(slab_kb)
echo "# figure: loadunload_cycles $i"
echo "# figure: loadunload_failed_cycles $bad"
echo "# figure: loadunload_slab_kb_before_after $slab0 $slab1"
grep -q '^sm_proc ' /proc/slabinfo 2>/dev/null && fail "sm_proc slab cache still exists after unload"
oops=$(( $(dmesg | grep -Ec "$PAT") - oops0 ))
echo "# figure: loadunload_oops_warn $oops"
expect_eq "oops/WARN in dmesg" "$oops" 0
[ "$oops" = 0 ] || dmesg | grep -E -A5 "$PAT" | head -n 30 | sed 's/^/# /'
# the kernel's slab use: back within 4 MiB (other caches move too)
expect_le "slab growth kB over $i cycles" "$((slab1 - slab0))" 4096
expect_eq "probes of ours at the end" "$(ours)" ""
finish
