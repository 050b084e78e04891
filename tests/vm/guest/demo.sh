#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make demo`. The headline: a cold start on a slow disk. A fresh process
# maps a 32 MiB file of the test disk (ext4 on virtio-blk, throttled by
# QEMU), calls madvise(MADV_RANDOM) before touching it, then reads it in
# order. With the module off (enable=0) the advice stands (VmFlags rr, no
# readahead: one disk read per page); with it on, the mapping's own faults
# contradict the advice and the module corrects it during the scan (late
# correction: VmFlags sr, a `late` line in the rewrite log), and the scan
# gets faster. Then, briefly, the call-time rewrite: a process whose faults
# were sequential before it called madvise(MADV_RANDOM) is corrected at the
# call. Prints to stdout; exits 0 when every outcome is as expected.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

say() { printf '%s\n' "$*"; }
hr() { say "------------------------------------------------------------------------"; }
ok=1
# bad WHY: the demo did not show what it should; say so, fail at the end.
bad() { say "   !! $*"; ok=0; }
# secs NS: nanoseconds as seconds, 2 decimals.
secs() { awk -v n="$1" 'BEGIN { printf "%.2f", n / 1e9 }'; }
# flag FILE KEY: a VmFlags pattern flag of sm_coldscan's output, in words.
flag() {
	case "$(kv "$1" "$2")" in
	rr) echo "rr (random read: readahead off)" ;;
	sr) echo "sr (sequential read: readahead on)" ;;
	none) echo "neither rr nor sr (normal readahead)" ;;
	*) echo "? ($(kv "$1" "$2"))" ;;
	esac
}
# tunable NAME: a sysfs value, or why there is none.
tunable() { sm_get "$1" 2>/dev/null || echo "(missing)"; }
# report OUT: what one cold scan showed.
report() {
	say "   VmFlags after madvise:          $(flag "$1" flag_advised)"
	say "   VmFlags halfway through a scan: $(flag "$1" flag_mid)"
	_m=$(kv "$1" majflt)
	say "   scan took $(secs "$(kv "$1" scan_ns)") s: $_m page fault$([ "$_m" = 1 ] || echo s)" \
	    "waited for the disk, $(kv "$1" reads) disk reads"
}
FILE=$SM_DISK_DIR/f32.dat
# disk_reads: read requests the test disk's device completed so far.
disk_reads() {
	_dev=$(awk -v d="$SM_DISK_DIR" '$2 == d { print $1 }' /proc/mounts)
	awk '{ print $1 }' "/sys/block/${_dev#/dev/}/stat"
}

# coldscan OUT: drop the page cache, run sm_coldscan on FILE (paused at its
# end, its pid in BG_PID); disk reads of the scan in $reads.
coldscan() {
	sm_drop_caches
	r0=$(disk_reads)
	bg_ready "$1" sm_coldscan -P -a random "$FILE" || return 1
	reads=$(($(disk_reads) - r0))
	echo "reads=$reads" >> "$1"
}

hr
say "smart-madvise demo on Linux $(uname -r)"
hr
dmesg -n 1 2>/dev/null || true
sm_disk > /tmp/demo.disk || { cat /tmp/demo.disk; say "SMART_MADVISE_DEMO FAILED: no test disk"; exit 1; }
[ "$SM_DISK" = virtio ] || bad "the test disk is not the throttled virtio-blk drive"
insmod "$SM_KO" || { say "SMART_MADVISE_DEMO FAILED: insmod failed"; exit 1; }
say "module loaded: version $(sm_get version), fault hook $(sm_get fault_hook)"
say "late correction: late=$(tunable late), late_support: $(tunable late_support)"
[ "$(tunable late_support)" = yes ] || bad "no late correction on this kernel"
mib=$(($(stat -c %s "$FILE") >> 20))
say ""
say "The disk: /dev/vda, virtio-blk with ext4, throttled by QEMU to"
say "$SM_DISK_IOPS requests/s and $((SM_DISK_BPS >> 20)) MiB/s: each read costs at least" \
    "$(awk -v i="$SM_DISK_IOPS" 'BEGIN { printf "%.1f", 1000 / i }') ms."
say "The workload: a fresh process maps $FILE ($mib MiB) and calls"
say "madvise(MADV_RANDOM) on it before touching it - the wrong advice: it"
say "then reads every page in order. MADV_RANDOM turns readahead off, so"
say "every 4 KiB page becomes a disk read of its own."
say ""

say "1) module off (enable=0): the advice stands"
sm_set enable 0
coldscan /tmp/demo.off || { say "SMART_MADVISE_DEMO FAILED: sm_coldscan did not run"; exit 1; }
bg_stop
off_ns=$(kv /tmp/demo.off scan_ns)
report /tmp/demo.off
[ "$(kv /tmp/demo.off madvise_ret)" = 0 ] || bad "madvise returned $(kv /tmp/demo.off madvise_ret)"
[ "$(kv /tmp/demo.off flag_mid)" = rr ] || bad "VmFlags during the scan should be rr"
say ""

say "2) module on (enable=1): it watches the mapping's faults and corrects"
say "   the advice while the scan runs"
sm_set enable 1
coldscan /tmp/demo.on || { say "SMART_MADVISE_DEMO FAILED: sm_coldscan did not run"; exit 1; }
pid=$BG_PID
on_ns=$(kv /tmp/demo.on scan_ns)
report /tmp/demo.on
[ "$(kv /tmp/demo.on flag_mid)" = sr ] || bad "VmFlags during the scan should be sr"
lines=$(sm_rewrites_for "$pid")
line=$(echo "$lines" | awk '$9 == "late"' | head -n 1)
if [ "$(kv /tmp/demo.on flag_advised)" != rr ]; then
	# a fresh process has no history the call could be judged by
	bad "VmFlags right after madvise should still be rr: the module changed"
	say "      the advice at the call (mode applied), judging this fresh process"
	say "      by its start-up faults, before the mapping had faults of its own"
fi
if [ -n "$line" ]; then
	# shellcheck disable=SC2086 # the log line's fields
	set -- $line
	say "   corrected $(awk -v t="$1" -v t0="$(kv /tmp/demo.on t0_ns)" 'BEGIN { printf "%.0f", (t - t0) / 1e6 }') ms" \
	    "into the scan: advice $6 -> $7 ($8 per mille of its faults sequential)"
	[ "$6 $7" = "random sequential" ] || bad "the late line should read random -> sequential"
else
	bad "no late line for pid $pid in the rewrite log"
fi
say "   /sys/kernel/debug/smart_madvise/mappings (the module's view of it):"
say "     $(head -n 1 "$SM_DBG/mappings" 2>/dev/null || echo "(missing)")"
say "     $(awk -v p="$pid" 'NR > 1 && $1 == p' "$SM_DBG/mappings" 2>/dev/null)"
say "   /sys/kernel/debug/smart_madvise/rewrites (mode late: corrected after"
say "   the madvise() call, from the mapping's own faults):"
say "     $(head -n 1 "$SM_DBG/rewrites")"
echo "${lines:-(none)}" | sed 's/^/     /'
bg_stop
ratio=$(awk -v a="$off_ns" -v b="$on_ns" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print 0 }')
# a clear margin: readahead saves far more than a factor 3 on this disk
if [ -z "$on_ns" ] || [ -z "$off_ns" ] || [ "$((on_ns * 3))" -gt "$off_ns" ]; then
	bad "the scan with the module on should be at least 3x faster"
fi
say ""

say "3) and with a history: a process that has already read a file in order"
say "   (tmpfs) and then calls madvise(MADV_RANDOM) on a fresh mapping is"
say "   corrected at the call itself (mode applied), before any slow read"
dd if=/dev/zero of=/tmp/demo.dat bs=1M count=32 2>/dev/null
bg_ready /tmp/demo.hist sm_scan -P -m file -f /tmp/demo.dat || { say "SMART_MADVISE_DEMO FAILED: sm_scan did not run"; exit 1; }
pid=$BG_PID
say "   VmFlags right after madvise(MADV_RANDOM): $(kv /tmp/demo.hist flag)"
[ "$(kv /tmp/demo.hist flag)" = sr ] || bad "VmFlags should be sr"
line=$(sm_rewrites_for "$pid" | head -n 1)
say "   rewrites: ${line:-(none)}"
case "$line" in *" applied") ;; *) bad "no applied line for pid $pid in the rewrite log" ;; esac
bg_stop
say ""
say "stats: $(grep -E '^(faults|rewrites|late_corrections) ' "$SM_DBG/stats" | tr '\n' ' ')"
sm_set enable 0
rmmod smart_madvise || bad "rmmod failed"
umount "$SM_DISK_DIR" 2>/dev/null
hr
say "The same cold scan of $mib MiB, MADV_RANDOM asked before the first read:"
say "  module off: $(secs "$off_ns") s  VmFlags $(kv /tmp/demo.off flag_mid),  $(kv /tmp/demo.off reads) disk reads"
say "  module on:  $(secs "$on_ns") s  VmFlags $(kv /tmp/demo.on flag_mid),  $(kv /tmp/demo.on reads) disk reads  => ${ratio}x faster"
hr
if [ $ok = 1 ]; then
	say "SMART_MADVISE_DEMO OK: a mis-advised cold scan was corrected while it ran (${ratio}x faster)"
	exit 0
fi
say "SMART_MADVISE_DEMO FAILED"
exit 1
