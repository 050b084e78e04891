#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Load/unload under load leaks and breaks nothing: 1,000 cycles (full scale;
# 20 in check) of insmod + enable + rmmod while 4 threads fault-storm, 4
# call madvise with every advice value on their own memory and 1 writes the
# tunables at random. 0 oops, 0 WARN; the module's slab cache is gone after
# unload, the kernel's slab use is back near its baseline and the module's
# allocation count is consistent with what it tracks.
. /tests/lib.sh

N=20
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
finish
