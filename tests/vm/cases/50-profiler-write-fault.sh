#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A write() that runs into an unmapped page fails with EFAULT (or is short
# up to the line it hit on) and changes nothing: no part of that line is
# kept, and a line begun by an earlier write() survives it as it was.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
DEV=/dev/smart_madvise
nr_registered() { prof_helper hdr | sed -n 's/^nr_registered=//p'; }
w3() { prof_helper write -d 3 "$@" | tr '\n' ' ' | sed 's/ $//'; }

sm_load_or_die
sleep 1000 & S=$!
sleep 1000 & S2=$!
sleep 1000 & S3=$!
exec 3<> "$DEV"
expect_eq "a line running into an unmapped page, then its end" "$(w3 "R $S\F" "\n")" "EFAULT EINVAL"
expect_eq "nr_registered after EFAULT" "$(nr_registered)" 0
expect_eq "a good line, then one into an unmapped page, then its end" \
	"$(w3 "R $S\nR $S2\F" "\n")" "SHORT $((${#S} + 3)) EINVAL"
expect_eq "the good line took effect" "$(w3 "R $S\n")" EEXIST
expect_eq "the faulting one did not" "$(w3 "R $S2\n")" OK
expect_eq "half a line, a faulting write, the other half" "$(w3 "R " "99\F" "$S3\n")" "OK EFAULT OK"
expect_eq "nr_registered" "$(nr_registered)" 3
exec 3>&-

kill "$S" "$S2" "$S3"
wait 2>/dev/null
sm_unload || fail "rmmod"
finish
