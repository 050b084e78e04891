#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# One fio job with the mmap engine, run by tests/bench/guest/bench.sh like
# sm_bench: it prints key=value lines and, last, status=ok.
#
#   fio.sh FILE RW HINT IOS
#     RW    read | randread
#     HINT  fio's fadvise_hint: 0 | 1 | random | sequential
#     IOS   number_ios (0: the whole file)
#
# While fio runs, the VmFlags of its mapping of FILE are sampled from
# /proc/PID/smaps: vmflags_first is the advice fio itself set (fio 3.33's
# mmap engine advises by RW whatever HINT says, see tests/bench/README.md),
# vmflags the last one seen (after a late correction, the corrected one).
file=$1 rw=$2 hint=$3 ios=$4

set -- --name=job --filename="$file" --readonly --ioengine=mmap \
	--rw="$rw" --bs=4k --fadvise_hint="$hint" --thread \
	--randrepeat=1 --randseed=4242 --output-format=terse --terse-version=3
[ "$ios" = 0 ] || set -- "$@" --number_ios="$ios"

# vmflags_of PID: rr, sr or none for PID's mapping of $file ("" if none yet).
vmflags_of() {
	awk -v f="$file" '
	/^[0-9a-f]+-[0-9a-f]+ / { m = (index($0, f) > 0); next }
	m && /^VmFlags:/ {
		if (/ rr/) print "rr"; else if (/ sr/) print "sr"; else print "none"
		exit
	}' "/proc/$1/smaps" 2>/dev/null
}

fio "$@" > /tmp/fio.out 2> /tmp/fio.err &
pid=$!
first="" last=""
while kill -0 "$pid" 2>/dev/null; do
	v=$(vmflags_of "$pid")
	if [ -n "$v" ]; then
		[ -n "$first" ] || first=$v
		last=$v
	fi
	sleep 0.1
done
wait "$pid"
rc=$?
# terse v3: 6 read KiB, 7 read bandwidth KiB/s, 8 read IOPS, 9 runtime ms
line=$(grep '^3;' /tmp/fio.out | head -n 1)
if [ "$rc" != 0 ] || [ -z "$line" ]; then
	echo "fio exit $rc"
	cat /tmp/fio.err /tmp/fio.out
	echo "status=fail"
	exit 1
fi
echo "$line" | awk -F';' '{
	printf "read_kib=%d\nbw_kib=%d\niops=%d\nruntime_ms=%d\nns=%d\n",
	       $6, $7, $8, $9, $9 * 1000000 }'
echo "vmflags_first=${first:-unseen}"
echo "vmflags=${last:-unseen}"
echo "status=ok"
