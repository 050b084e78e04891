#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run by sm_watchdog (from runner.sh, with the result port on fd 3) when
# the running case has printed nothing for the stall time: the blocked
# tasks and the kernel log's tail, to /tmp/watchdog.log and the port.
read -r name < /tmp/case.name
stall=${SM_STALL:-120}
[ -f /tmp/stall ] && read -r stall < /tmp/stall
{
	echo "# WATCHDOG: $name printed nothing for ${stall}s; blocked tasks and kernel log follow"
	echo w > /proc/sysrq-trigger 2>/dev/null
	sleep 1
	dmesg | tail -n 150 | sed 's/^/# dmesg: /'
} > /tmp/watchdog.tmp
mv /tmp/watchdog.tmp /tmp/watchdog.log
cat /tmp/watchdog.log >&3
