#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# An unprivileged user (uid 1000, via sm_runas)
# cannot write any tunable, cannot read debugfs (even with the debugfs
# mount opened up), cannot open the device, and - with the device opened
# up to everyone - still cannot open it, so registers nothing, not even
# its own process (the device is privileged at open()). Then no output
# of the module (sysfs, debugfs, module parameters, the device's text,
# its trace events, its kernel log lines) contains a kernel address.
. /tests/lib.sh

U=1000
grep -q "^smtest:" /etc/passwd 2>/dev/null || echo "smtest:x:$U:$U:smart-madvise test:/tmp:/bin/sh" >> /etc/passwd
grep -q "^smtest:" /etc/group 2>/dev/null || echo "smtest:x:$U:" >> /etc/group
grep -q "^root:" /etc/passwd || echo "root:x:0:0:root:/root:/bin/sh" >> /etc/passwd
asuser() { sm_runas "$U" "$U" "$@"; }
expect_eq "sm_runas drops to" "$(asuser id -u)" "$U"

sm_load_or_die
sm_set enable 1 || fail "enable"
# some activity, so every file has content
stress_sem regs > /dev/null 2>&1
sm_forker -n 50 -p 4 -P 8 > /dev/null 2>&1

denied=0
for f in "$SM_SYS"/*; do
	n=${f##*/}
	before=$(cat "$f")
	if asuser sh -c "echo 1 > $f" 2>/dev/null; then
		fail "uid $U wrote $n"
	else
		denied=$((denied + 1))
	fi
	expect_eq "$n unchanged after uid $U's write" "$(cat "$f")" "$before"
done
# module parameters are read-only for everyone
for f in /sys/module/smart_madvise/parameters/*; do
	[ -e "$f" ] || continue
	if asuser sh -c "echo 1 > $f" 2>/dev/null; then fail "uid $U wrote $f"; else denied=$((denied + 1)); fi
done
# debugfs: the mount point first, then with it opened up
dmode=$(stat -c %a /sys/kernel/debug)
for pass in as-mounted opened-up; do
	[ "$pass" = opened-up ] && chmod 0755 /sys/kernel/debug /sys/kernel/debug/smart_madvise 2>/dev/null
	for f in "$SM_DBG"/*; do
		if asuser cat "$f" > /dev/null 2>&1; then
			fail "uid $U read debugfs ${f##*/} ($pass)"
		else
			denied=$((denied + 1))
		fi
	done
done
chmod "$dmode" /sys/kernel/debug
chmod 0700 /sys/kernel/debug/smart_madvise 2>/dev/null
if [ -c /dev/smart_madvise ]; then
	dev=/dev/smart_madvise
	mode=$(stat -c %a $dev)
	if asuser sh -c "exec 3<$dev" 2>/dev/null; then fail "uid $U opened $dev for reading ($mode)"; else denied=$((denied + 1)); fi
	if asuser sh -c "exec 3>$dev" 2>/dev/null; then fail "uid $U opened $dev for writing ($mode)"; else denied=$((denied + 1)); fi
	# opened up by an admin: still no opening, so no registering
	chmod 0666 $dev
	if asuser sh -c "exec 3<$dev" 2>/dev/null; then fail "uid $U opened $dev for reading (0666)"; else denied=$((denied + 1)); fi
	sleep 1000 &
	ROOTPID=$!
	if asuser sh -c "echo 'R $ROOTPID' > $dev" 2>/dev/null; then
		fail "uid $U registered root's process $ROOTPID"
		echo "U $ROOTPID" > $dev
	else
		denied=$((denied + 1))
	fi
	if asuser sh -c "echo 'R 1' > $dev" 2>/dev/null; then
		fail "uid $U registered init"; echo "U 1" > $dev
	else
		denied=$((denied + 1))
	fi
	if asuser sh -c "echo R \$\$ > $dev" 2>/dev/null; then
		fail "uid $U registered its own process"
	else
		denied=$((denied + 1))
	fi
	expect_eq "nr_registered after uid $U's attempts" \
		"$(prof_helper hdr | sed -n 's/^nr_registered=//p')" 0
	kill $ROOTPID; wait $ROOTPID 2>/dev/null
	chmod "$mode" $dev
else
	log "no /dev/smart_madvise in this module: device permissions not tested"
fi
echo "# figure: permissions_denied $denied"

# No kernel address in any output of the module.
: > /tmp/perm.all
files=0
for f in "$SM_SYS"/* "$SM_DBG"/* /sys/module/smart_madvise/parameters/*; do
	[ -r "$f" ] || continue
	cat "$f" >> /tmp/perm.all 2>/dev/null
	files=$((files + 1))
done
if [ -c /dev/smart_madvise ]; then
	prof_helper text >> /tmp/perm.all 2>/dev/null
	files=$((files + 1))
fi
T=/sys/kernel/tracing
if [ -d $T/events/smart_madvise ]; then
	echo 1 > $T/events/smart_madvise/enable
	stress_sem regs > /dev/null 2>&1
	echo 0 > $T/events/smart_madvise/enable
	grep -v '^#' $T/trace >> /tmp/perm.all
	echo > $T/trace
	files=$((files + 1))
fi
dmesg | grep 'smart_madvise' >> /tmp/perm.all
files=$((files + 1))
hits=$(grep -Eio '(0x)?ffff[0-9a-f]{12}' /tmp/perm.all | wc -l)
echo "# figure: kaddr_sources_scanned $files"
echo "# figure: kaddr_bytes_scanned $(wc -c < /tmp/perm.all)"
echo "# figure: kaddr_hits $hits"
if [ "$hits" != 0 ]; then
	grep -Ei '(0x)?ffff[0-9a-f]{12}' /tmp/perm.all | head -n 10 | sed 's/^/# /'
	fail "kernel addresses in the module's output"
fi
sm_set enable 0
sm_unload || fail "rmmod failed"
finish
