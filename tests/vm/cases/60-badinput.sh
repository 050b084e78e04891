#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bad input is refused and changes nothing: >= 200 malformed writes per
# writable file of the module (every sysfs tunable, the device's control
# protocol when the module has /dev/smart_madvise, and any other writable
# file found), with exact byte counts from a C program (empty, whitespace,
# huge, negative, overflow, non-numeric, embedded NULs, pieces, > PAGE_SIZE,
# random bytes). Each is refused with its documented errno (EINVAL
# malformed, ERANGE out of range or overflow, EINVAL longer than 32 bytes,
# so any write larger than a page) and the value is unchanged. Then invalid
# module parameters at load are refused.
. /tests/lib.sh

N=220
[ "$SM_SCALE" = full ] && N=2000
TUNABLES="enable 0 1
dry_run 0 1
late 0 1
window_size 8 512
threshold 51 100
max_gap_pages 1 1024
max_processes 1 65536
sample_interval_ms 10 10000"

sm_load_or_die
printf '%s\n' "$TUNABLES" > /tmp/sb.tunables

# Every writable file must be one we test.
known=$(awk '{ print $1 }' /tmp/sb.tunables | tr '\n' ' ')
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

total=0
seed=1
while read -r name min max; do
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
done < /tmp/sb.tunables

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

# Invalid module parameters refuse the load and leave nothing behind.
refused=0
for p in enable=2 enable=-1 enable=yes enable= dry_run=2 dry_run=0x1 late=2 late=on \
	 window_size=7 window_size=513 window_size=abc window_size=64x \
	 window_size=99999999999999999999 window_size=4294967360 window_size=+64 \
	 "window_size= 64" threshold=50 threshold=101 threshold=-75 threshold=75.0 \
	 max_gap_pages=0 max_gap_pages=1025 max_processes=0 max_processes=65537 \
	 max_processes=1e3 sample_interval_ms=9 sample_interval_ms=10001 \
	 fault_hook=bogus fault_hook= madvise_hook=bogus madvise_hook=do_madvise2; do
	sm_load_refused "$p" || continue
	refused=$((refused + 1))
done
echo "# figure: badparams_refused $refused"
finish
