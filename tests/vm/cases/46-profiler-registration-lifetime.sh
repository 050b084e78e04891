#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Registrations belong to the open file that made them: another file may
# register the same process (sampled once per tick) but not unregister
# this file's; close() ends them (no more samples of those pids), a
# mapping of the file keeps them until munmap. A registered process that
# execs a setuid binary is dropped at the next sample; one that execs a
# plain binary stays.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
DEV=/dev/smart_madvise
hdr() { prof_helper hdr | sed -n "s/^$1=//p"; }
w3() { prof_helper write -d 3 "$@" | tr '\n' ' ' | sed 's/ $//'; }
w4() { prof_helper write -d 4 "$@" | tr '\n' ' ' | sed 's/ $//'; }
# samples PID FROM: records of PID with index >= FROM (read() text)
samples() { prof_helper text 2>/dev/null | awk -v p="$1" -v f="$2" '$3 == "process" && $4 == p && $1 >= f' | wc -l; }

# On an early end, the background processes must go too.
bail() { fail "$1"; kill "$S1" "$S2" "$S3" ${P:+"$P"} ${X:+"$X"} 2>/dev/null; finish; }

sm_load_or_die
sleep 1000 & S1=$!
sleep 1000 & S2=$!
sleep 1000 & S3=$!
exec 3<> "$DEV"
exec 4<> "$DEV"
expect_eq "file A registers S1 and S3" "$(w3 "R $S1\n" "R $S3\n")" "OK OK"
expect_eq "file B registers S2, and S1 too" "$(w4 "R $S2\n" "R $S1\n")" "OK OK"
expect_eq "file B registers S1 again" "$(w4 "R $S1\n")" EEXIST
expect_eq "file B unregisters its S1" "$(w4 "U $S1\n")" OK
expect_eq "file B unregisters S1 again (A's stays)" "$(w4 "U $S1\n")" ENOENT
expect_eq "file B unregisters A's S3" "$(w4 "U $S3\n")" ENOENT
expect_eq "file B registers S1 once more" "$(w4 "R $S1\n")" OK
expect_eq "nr_registered counts processes" "$(hdr nr_registered)" 3
sleep 0.3
w=$(hdr write_index)
sleep 0.3
n=$(prof_helper text 2>/dev/null | awk -v p="$S1" -v f="$w" '$3 == "process" && $4 == p && $1 >= f { t[$2]++ } END { for (k in t) if (t[k] > 1) bad++; print bad + 0 }')
expect_eq "ticks with S1 twice (registered by two files)" "$n" 0

# close() of file A ends its registrations: S3 goes, S1 stays (B has it).
exec 3>&-
expect_eq "nr_registered after closing A" "$(hdr nr_registered)" 2
w=$(hdr write_index)
sleep 0.5
expect_eq "samples of S3 after its file closed" "$(samples "$S3" "$w")" 0
expect_ge "samples of S2 after A closed" "$(samples "$S2" "$w")" 3
expect_ge "samples of S1 (still B's)" "$(samples "$S1" "$w")" 3
exec 4>&-
expect_eq "nr_registered after closing B" "$(hdr nr_registered)" 0
t=$(hdr ticks)
sleep 0.3
expect_eq "no ticks with every file closed" "$(hdr ticks)" "$t"

# A mapping holds the file: its registration lives until munmap.
if bg_ready /tmp/mk.out prof_helper mapkeep "$S2"; then
	MK=$BG_PID
	expect_eq "registered through a file that is only mapped" "$(hdr nr_registered)" 1
	kill -TERM "$MK"
	wait "$MK"
	expect_eq "nr_registered after munmap" "$(hdr nr_registered)" 0
else
	fail "mapkeep"
fi

# exec: a plain binary keeps the registration, a setuid one ends it.
cp /bin/prof_helper /tmp/suid_helper
chmod 4755 /tmp/suid_helper
rm -f /tmp/go
bg_ready /tmp/plain.out sm_runas 65534 65534 prof_helper execon /tmp/go /bin/prof_helper fault 1 ||
	bail "plain exec target"
P=$BG_PID
bg_ready /tmp/suid.out sm_runas 65534 65534 prof_helper execon /tmp/go /tmp/suid_helper fault 1 ||
	bail "setuid exec target"
X=$BG_PID
exec 3<> "$DEV"
expect_eq "register both exec targets" "$(w3 "R $P\n" "R $X\n")" "OK OK"
sleep 0.3
expect_eq "both sampled" "$(hdr nr_registered)" 2
touch /tmp/go
# shellcheck disable=SC2016
wait_until 10 sh -c "[ \$(grep -c READY /tmp/plain.out) = 2 ] && [ \$(grep -c READY /tmp/suid.out) = 2 ]" ||
	fail "the targets did not exec"
expect_eq "setuid target's euid after exec" "$(awk '/^Uid:/ { print $3 }' "/proc/$X/status")" 0
# shellcheck disable=SC2016
wait_until 5 sh -c '[ "$(prof_helper hdr | sed -n "s/^nr_registered=//p")" = 1 ]' ||
	fail "setuid exec did not end the registration: nr_registered $(hdr nr_registered)"
w=$(hdr write_index)
sleep 0.5
expect_eq "samples of the setuid target after its exec" "$(samples "$X" "$w")" 0
expect_ge "samples of the plain exec target" "$(samples "$P" "$w")" 3
expect_eq "U of the dropped registration" "$(w3 "U $X\n")" ENOENT
exec 3>&-

kill "$S1" "$S2" "$S3" "$P" "$X"
wait 2>/dev/null
sm_unload || fail "rmmod"
finish
