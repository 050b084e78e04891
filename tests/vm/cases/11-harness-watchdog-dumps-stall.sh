#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The runner's watchdog: a case that prints nothing for the stall time
# (5 s here) gets the blocked tasks (sysrq-w) and the kernel log dumped to
# the result port, so a hang in any other case can be diagnosed.
. /tests/lib.sh

rm -f /tmp/watchdog.log
echo 5 > /tmp/stall
sleep 7
wait_until 60 test -f /tmp/watchdog.log
rm -f /tmp/stall
log "the watchdog dumped $(wc -l < /tmp/watchdog.log 2>/dev/null || echo 0) lines"
expect_match "watchdog report" "$(head -n1 /tmp/watchdog.log 2>/dev/null)" "WATCHDOG: 11-harness-watchdog-dumps-stall printed nothing for 5s"
expect_match "blocked tasks in the dumped kernel log" "$(grep -c 'Show Blocked State' /tmp/watchdog.log 2>/dev/null)" "^[1-9]"
finish
