#!/bin/sh
# shellcheck disable=SC2119 # sm_load_or_die: parameters optional
# SPDX-License-Identifier: GPL-2.0
# Bad input to the tunables is refused and changes nothing. Every tunable
# reads back its default; malformed writes (>= 20 per tunable, each
# written by the shell) and >= 200 more per writable file from a C
# program with exact byte counts (empty, whitespace, huge, negative,
# overflow, non-numeric, embedded NULs, pieces, > PAGE_SIZE, random
# bytes; 2,000 per file at --scale full), on every sysfs tunable and the
# device's control protocol when the module has /dev/smart_madvise, are
# refused with the documented errno and leave the value unchanged; no
# file is writable that is not tested here; valid writes read back;
# invalid module parameters refuse the load (dmesg names the parameter).
# Errnos (sysfs-doc): malformed -> EINVAL, numeric but out of range or overflow
# -> ERANGE, a write longer than 32 bytes (so one larger than a page) -> EINVAL.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

# name min max default
TUNABLES="enable 0 1 0
dry_run 0 1 0
late 0 1 1
window_size 8 512 64
threshold 51 100 75
max_gap_pages 1 1024 32
max_processes 1 65536 4096
sample_interval_ms 10 10000 50"

# Malformed for every tunable (sm_write escapes: \n \t \0 \xHH).
MALFORMED='\n
 
abc
1a
a1
0x10
0b1
-1
+1
-0
 1
1 
1\n\n
\t1
1\t
1.0
1e3
1,2
1 1
1\0
1\x002
\x00
--1
\n1
1\r'

sm_load_or_die
PAGE_SIZE=4096
NINES=$(head -c 904 /dev/zero | tr '\0' 9)

# One malformed write: NAME DATA WANT_ERRNO
# shellcheck disable=SC2154 # sm_getv sets before and after
bad_write() {
	sm_getv before "$1"
	got=$(sm_write "$SM_SYS/$1" "$2" ${4:+"$4"})
	sm_getv after "$1"
	nbad=$((nbad + 1))
	shown=$2
	[ ${#shown} -gt 24 ] && shown="$(echo "$shown" | cut -c1-12)...$(echo "$shown" | cut -c$((${#shown} - 7))-) (${#shown} bytes)"
	[ -n "${4:-}" ] && shown="$shown x $4"
	if [ "$got" != "$3" ]; then
		fail "$1: write '$shown' gave $got, want $3"
	elif [ "$after" != "$before" ]; then
		fail "$1: write '$shown' changed the value $before -> $after"
	fi
}

printf '%s\n' "$TUNABLES" > /tmp/tunables
printf '%s\n' "$MALFORMED" > /tmp/malformed
while read -r name min max def; do
	v=$(sm_get "$name")
	expect_eq "$name default" "$v" "$def"
	expect_eq "$name mode" "$(stat -c %a "$SM_SYS/$name")" 644
done < /tmp/tunables

total=0
while read -r name min max def; do
	nbad=0
	SM_FAILS0=$SM_FAILS
	# malformed: EINVAL
	while IFS= read -r data; do
		bad_write "$name" "$data" EINVAL
	done < /tmp/malformed
	# out of range and overflow: ERANGE
	for data in $((min - 1)) $((max + 1)) 4294967296 18446744073709551616 \
		    99999999999999999999999 "$((max + 1))\n"; do
		[ "$data" = -1 ] && continue	# unsigned: a sign is EINVAL, tested above
		bad_write "$name" "$data" ERANGE
	done
	# larger than a page: EINVAL. kernfs hands a store at most one page,
	# so the second one, a valid value zero-padded to exactly a page and
	# followed by more digits, would be taken if the page were parsed.
	bad_write "$name" 1 EINVAL 5000
	bad_write "$name" "$(printf "%0${PAGE_SIZE}d" "$max")$NINES" EINVAL
	# the value never moved
	expect_eq "$name after $nbad malformed writes" "$(sm_get "$name")" "$def"
	[ "$nbad" -ge 20 ] || fail "$name: only $nbad malformed writes"
	[ "$SM_FAILS" = "$SM_FAILS0" ] && pass "$name: $nbad malformed writes rejected, value kept"
	total=$((total + nbad))
	# valid writes read back: max, min, without newline, then the default
	[ "$name" = enable ] && continue	# enable arms probes: tested in 07
	for v in "$max" "$min"; do
		sm_set_or_fail "$name" "$v"
	done
	expect_eq "$name: write without newline" "$(sm_write "$SM_SYS/$name" "$def")" "OK ${#def}"
	expect_eq "$name back to default" "$(sm_get "$name")" "$def"
done < /tmp/tunables
log "$total malformed writes in all"

# enable: 1 and 0 are valid
sm_set_or_fail enable 1
sm_set_or_fail enable 0

# read-only files
expect_match "version" "$(sm_get version)" '^[0-9]+\.[0-9]+\.[0-9]+'
expect_eq "fault_hook ($(uname -m))" "$(sm_get fault_hook)" "$(sm_auto_fault_hook)"
expect_eq "version mode" "$(stat -c %a "$SM_SYS/version")" 444
expect_eq "write to version" "$(sm_write "$SM_SYS/version" '1\n')" "open: EACCES"
expect_eq "late_support on this kernel" "$(sm_get late_support)" yes
expect_eq "late_support mode" "$(stat -c %a "$SM_SYS/late_support")" 444
expect_eq "write to late_support" "$(sm_write "$SM_SYS/late_support" 'no\n')" "open: EACCES"
for f in seq_page_faults processes rewrites stats; do
	expect_eq "debugfs $f mode" "$(stat -c %a "$SM_DBG/$f")" 400
done

# Every writable file must be one we test.
known=$(awk '{ print $1 }' /tmp/tunables | tr '\n' ' ')
for f in "$SM_SYS"/*; do
	n=${f##*/}
	mode=$(stat -c %a "$f")
	case "$mode" in
	*[2367]?|*?[2367]) fail "$n: group/other writable ($mode)" ;;
	esac
	case "$mode" in
	[2367]??)
		case " $known " in
		*" $n "*) ;;
		*) fail "$n is writable ($mode) but not in the bad-input list" ;;
		esac ;;
	*)
		if echo 1 2>/dev/null > "$f"; then fail "read-only $n accepted a write"; fi ;;
	esac
done
for f in "$SM_DBG"/* /sys/module/smart_madvise/parameters/*; do
	[ -e "$f" ] || continue
	mode=$(stat -c %a "$f")
	case "$mode" in
	[2367]??|*[2367]?|*?[2367]) fail "$f is writable ($mode)" ;;
	esac
done

# Many more malformed writes per file, from stress_badinput.
N=220
[ "$SM_SCALE" = full ] && N=2000
total=0
seed=1
while read -r name min max _; do
	before=$(sm_get "$name")
	stress_badinput sysfs "$SM_SYS/$name" "$min" "$max" "$N" "$seed" > /tmp/sb.out 2>&1
	rc=$?
	seed=$((seed + 1))
	w=$(sed -n 's/^writes=\([0-9]*\) .*/\1/p' /tmp/sb.out)
	echo "# figure: badinput_writes_$name ${w:-0}"
	if [ "$rc" != 0 ]; then
		grep FAIL /tmp/sb.out | head -n 20 | sed 's/^/# /'
		fail "$name: $(grep -c FAIL /tmp/sb.out) malformed write(s) not refused as documented"
	fi
	expect_eq "$name unchanged" "$(sm_get "$name")" "$before"
	[ "${w:-0}" -ge 200 ] || fail "$name: only ${w:-0} writes"
	total=$((total + ${w:-0}))
done < /tmp/tunables

if [ -c /dev/smart_madvise ]; then
	stress_badinput dev /dev/smart_madvise "$N" 99 > /tmp/sb.out 2>&1
	rc=$?
	w=$(sed -n 's/^writes=\([0-9]*\) .*/\1/p' /tmp/sb.out)
	echo "# figure: badinput_writes_device ${w:-0}"
	if [ "$rc" != 0 ]; then
		grep FAIL /tmp/sb.out | head -n 20 | sed 's/^/# /'
		fail "device: $(grep -c FAIL /tmp/sb.out) bad line(s) not refused as documented"
	fi
	[ "${w:-0}" -ge 200 ] || fail "device: only ${w:-0} writes"
	total=$((total + ${w:-0}))
else
	log "no /dev/smart_madvise in this module: device protocol not tested"
fi
echo "# figure: badinput_writes_total $total"
sm_unload || fail "rmmod failed"

# Module parameters: valid ones set the initial values ...
if sm_load window_size=512 threshold=90 max_gap_pages=1024 max_processes=1 dry_run=1; then
	expect_eq "param window_size" "$(sm_get window_size)" 512
	expect_eq "param threshold" "$(sm_get threshold)" 90
	expect_eq "param max_gap_pages" "$(sm_get max_gap_pages)" 1024
	expect_eq "param max_processes" "$(sm_get max_processes)" 1
	expect_eq "param dry_run" "$(sm_get dry_run)" 1
	sm_unload || fail "rmmod failed"
else
	fail "valid parameters refused"
fi
# ... invalid ones refuse the load, naming the parameter.
refused=0
for p in window_size=7 window_size=513 window_size=abc window_size= \
	 threshold=50 threshold=101 threshold=-75 enable=2 enable=yes \
	 dry_run=2 late=2 late=-1 max_gap_pages=0 max_gap_pages=1025 max_processes=0 \
	 max_processes=65537 sample_interval_ms=9 window_size=99999999999 \
	 window_size=64x; do
	dmesg -c > /dev/null
	sm_load_refused "$p" || continue
	refused=$((refused + 1))
	name=${p%%=*}
	if dmesg | grep -q "$name"; then
		pass "insmod $p refused: $(dmesg | grep "$name" | tail -n1 | sed 's/^\[[ 0-9.]*\] //')"
	else
		fail "insmod $p refused, but dmesg does not name $name"
	fi
done
# ... and more, each leaving nothing behind.
for p in enable=-1 enable= dry_run=0x1 late=on \
	 window_size=99999999999999999999 window_size=4294967360 window_size=+64 \
	 "window_size= 64" threshold=75.0 \
	 max_processes=1e3 sample_interval_ms=10001 \
	 fault_hook=bogus fault_hook= madvise_hook=bogus madvise_hook=do_madvise2; do
	sm_load_refused "$p" || continue
	refused=$((refused + 1))
done
echo "# figure: badparams_refused $refused"
finish
