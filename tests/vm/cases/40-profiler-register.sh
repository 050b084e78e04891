#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Profiler registration on /dev/smart_madvise (all through one open file,
# which owns the registrations): a registered process shows up in the
# samples, every bad line is refused with its errno and changes nothing,
# lines may come in pieces, unregistering works, exit cleans up; a user
# without privilege cannot open the device, whatever its mode.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
DEV=/dev/smart_madvise

# w STR...: one write per STR to fd 3, the results on one line ("OK EINVAL ...").
w() { prof_helper write -d 3 "$@" | tr '\n' ' ' | sed 's/ $//'; }
# wu STR...: the same from uid 65534 on a file it opens itself.
wu() { prof_helper write -u 65534 "$@" | tr '\n' ' ' | sed 's/ $//'; }
nr_registered() { prof_helper hdr | sed -n 's/^nr_registered=//p'; }
ticks() { prof_helper hdr | sed -n 's/^ticks=//p'; }

sm_load_or_die
[ -c "$DEV" ] || { fail "no $DEV after insmod"; finish; }
expect_match "device node" "$(ls -ln "$DEV")" '^crw------- +1 +0 +0 '
expect_eq "sample_interval_ms default" "$(sm_get sample_interval_ms)" 50
expect_eq "ticks with nothing registered" "$(ticks)" 0

sleep 1000 & S1=$!
sleep 1000 & S2=$!
sleep 1000 & S3=$!
true & DEAD=$!
wait "$DEAD"
exec 3<> "$DEV"

expect_eq "R S1" "$(w "R $S1\n")" OK
expect_eq "R S1 again" "$(w "R $S1\n")" EEXIST
for bad in "X $S2" "R" "R " "R x" "R -5" "R 0" "R +$S2" "R  $S2" "R $S2 " \
	   "R ${S2}x" "r $S2" " R $S2" "R 0x10" "R 99999999999" "" "R $S2\r" \
	   "R $S2\0" "RR $S2" "U" "U -1"; do
	expect_eq "malformed '$bad'" "$(w "$bad\n")" EINVAL
done
expect_eq "R exited pid" "$(w "R $DEAD\n")" ESRCH
expect_eq "R pid above pid_max" "$(w "R 4194305\n")" ESRCH
expect_eq "nr_registered after bad lines" "$(nr_registered)" 1

# Pieces: a line may span writes.
expect_eq "R S2 in pieces" "$(w "R " "${S2%?}" "${S2#"${S2%?}"}\n")" "OK OK OK"
# Over-long (> 32 bytes): EINVAL where it overflows, dropped through its '\n'.
long=R_1111111111111111111111111111111111111111
expect_eq "over-long line" "$(w "$long\nR $S3\n")" EINVAL
expect_eq "over-long in pieces" "$(w "R 1111111111111111111111" "11111111111111\n")" "OK EINVAL"
expect_eq "next line after over-long" "$(w "R $S3\n")" OK
expect_eq "nr_registered" "$(nr_registered)" 3
# A bad line after a good one in the same write: short write up to it.
sleep 1000 & S4=$!
expect_eq "good then bad line" "$(w "R $S4\nR $S1\n")" "SHORT $((${#S4} + 3))"
expect_eq "S4 registered by that write" "$(w "R $S4\n")" EEXIST

# The registered process appears in the samples (text read of the device).
sleep 0.3
wait_until 10 sh -c "prof_helper text 2>/dev/null | awk -v p=$S1 '\$3 == \"process\" && \$4 == p' | grep -q ." ||
	fail "no sample of $S1 in $DEV"
expect_eq "text header" "$(prof_helper text 2>/dev/null | head -n 1)" \
	"index time_ns type pid cpu_ns min_flt maj_flt seq_faults rand_faults"

# The device is privileged: even opened up, another user cannot open it,
# not even to register its own process.
chmod 0666 "$DEV"
prof_helper runas 65534 sleep 1000 & NB=$!
sleep 0.2
expect_eq "nobody registers root's process" "$(wu "R $S1\n")" "OPEN EPERM"
expect_eq "nobody registers pid 1" "$(wu "R 1\n")" "OPEN EPERM"
expect_eq "nobody registers its own" "$(wu "R $NB\n")" "OPEN EPERM"
chmod 0600 "$DEV"
expect_match "non-root open of the 0600 device" "$(wu "R $NB\n")" 'OPEN (EACCES|EPERM)'

# Unregister.
expect_eq "U S1" "$(w "U $S1\n")" OK
expect_eq "U S1 again" "$(w "U $S1\n")" ENOENT
expect_eq "U exited pid" "$(w "U $DEAD\n")" ENOENT
expect_eq "U never registered" "$(w "U $$\n")" ENOENT
expect_eq "nr_registered after U" "$(nr_registered)" 3

# Exit cleans up: the set empties and sampling stops.
kill "$S1" "$S2" "$S3" "$S4" "$NB"
wait "$S1" "$S2" "$S3" "$S4" "$NB" 2>/dev/null
# shellcheck disable=SC2016
wait_until 10 sh -c '[ "$(prof_helper hdr | sed -n "s/^nr_registered=//p")" = 0 ]' ||
	fail "exited processes still registered: $(nr_registered)"
t1=$(ticks)
sleep 0.5
expect_eq "no ticks with an empty set" "$(ticks)" "$t1"
expect_eq "R of an exited registered pid" "$(w "R $S1\n")" ESRCH
exec 3>&-

sm_unload || fail "rmmod"
finish
