#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Control for the load/unload cycles of 07-module-probes-and-rmmod-under-load,
# in no suite (run it by hand: tests/vm/run.sh --cases
# 68-module-control-kprobes-without-module): arm and disarm ftrace kprobes
# on do_madvise and exit_mmap through tracefs kprobe_events, 600 times,
# while the same load as in 07's cycles runs, with no module loaded at
# all. On Debian 6.1 and 6.12 under multi-threaded QEMU TCG the guest
# oopses (RIP 0 on the way into do_madvise from __x64_sys_madvise) within
# a minute: the crash 07 can hit at full scale there is the kernel's (or
# TCG's), not the module's.
. /tests/lib.sh
N=600
T=/sys/kernel/tracing
dmesg -n 7
[ -w $T/kprobe_events ] || skip "no kprobe_events"
bg_ready /tmp/x.storm sm_storm -t 0 -f 4 -m 4 -u 1 || { fail storm; finish; }
S=$BG_PID
i=0
while [ $i -lt $N ]; do
	i=$((i + 1))
	echo 'p:smx/madv do_madvise' >> $T/kprobe_events || fail "add $i"
	echo 'p:smx/exit exit_mmap' >> $T/kprobe_events || fail "add2 $i"
	echo 1 > $T/events/smx/enable
	echo 0 > $T/events/smx/enable
	echo > $T/kprobe_events
	[ $((i % 100)) = 0 ] && log "cycle $i"
done
kill -TERM $S; wait $S
sed 's/^/# /' /tmp/x.storm
echo "# figure: control_kprobe_event_cycles $i"
finish
