#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Advice outside the rewrite table passes unchanged.
# sm_passthru gets a conclusive verdict (sequential, then random warm-up),
# then checks effects itself: DONTNEED zeroes, WILLNEED keeps sr/rr, NORMAL
# clears them, HUGEPAGE/NOHUGEPAGE/DONTFORK/DONTDUMP set their flags, and
# return values/errno of invalid ranges and advice. Its output with the
# module enabled must be identical to the output with enable=0.
. /tests/lib.sh

sm_load_or_die
for warm in seq random; do
	sm_set enable 0
	sm_passthru -w $warm > /tmp/pt.$warm.0 2>&1 || fail "$warm: checks failed with enable=0"
	sm_set enable 1
	sm_passthru -w $warm > /tmp/pt.$warm.1 2>&1 &
	pid=$!
	wait $pid || fail "$warm: checks failed with enable=1"
	show /tmp/pt.$warm.1
	if diff /tmp/pt.$warm.0 /tmp/pt.$warm.1 > /tmp/pt.diff; then
		pass "$warm: output with enable=1 identical to enable=0"
	else
		fail "$warm: output differs with the module enabled"; show /tmp/pt.diff
	fi
	# The module did consider this process (conclusive verdict): the
	# hint-valued calls on invalid ranges were logged as would-be rewrites,
	# and only access-pattern hints ever appear in the log.
	n=$(sm_rewrites_for "$pid" | wc -l)
	expect_ge "$warm: rewrite log lines of pid $pid" "$n" 1
	other=$(sm_rewrites_for "$pid" | awk '$6 != "random" && $6 != "sequential"' | wc -l)
	expect_eq "$warm: logged advice outside the table" "$other" 0
done
sm_set enable 0
sm_unload || fail "rmmod failed"
finish
