#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The late tunable and late_support:
#   - late is 0644, default 1; late_support is 0444 and says "yes" on
#     these kernels, and cannot be written; debugfs mappings is 0400;
#   - malformed writes to late fail and keep the value: 2, 10, 11 and a
#     number over 32 bits with ERANGE; x, empty, blanks, signs, hex,
#     yes/on/true, trailing garbage, an oversized write with EINVAL; 0
#     and 1 read back;
#   - module parameter late=0 sets it, late=2 refuses the load naming it;
#   - late=0: a cold MADV_RANDOM scan keeps rr, no late line, stats
#     late_corrections unchanged; late=1 with enable=0: the same (late only
#     acts while enabled); late=1, enable=1: corrected to sr (the control).
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

sm_load_or_die
expect_eq "late default" "$(sm_get late)" 1
expect_eq "late mode" "$(stat -c %a "$SM_SYS/late")" 644
expect_eq "late_support" "$(sm_get late_support)" yes
expect_eq "late_support mode" "$(stat -c %a "$SM_SYS/late_support")" 444
expect_eq "write to late_support" "$(sm_write "$SM_SYS/late_support" 'no\n')" "open: EACCES"
expect_eq "late_support after the write" "$(sm_get late_support)" yes
expect_eq "debugfs mappings mode" "$(stat -c %a "$SM_DBG/mappings")" 400
expect_eq "mappings header" "$(head -n 1 "$SM_DBG/mappings")" \
	"pid start length advice faults seq_permille verdict corrections"
expect_eq "processes header" "$(head -n 1 "$SM_DBG/processes")" \
	"pid comm faults sequential random verdict rewrites late"
for s in late_corrections late_corrections_dry_run late_skipped faults_repeat \
	 faults_dropped mappings_tracked; do
	expect_match "stats $s" "$(sm_stat "$s")" '^[0-9]+$'
done

# malformed writes, value kept (sm_write escapes: \n \t \0 \xHH): a
# number other than 0 or 1 is ERANGE, anything else EINVAL, as for every
# tunable (sysfs-doc/sysfs-kernel-smart_madvise)
for v in 0 1; do
	sm_set late "$v"
	n=0
	for data in 2 '2\n' 10 11 4294967297 x 'x\n' '\n' ' ' -1 '-0' 1a 1x ' 1' '1 ' \
		    '1\n\n' '1 1' '\t1' '1\0' 0x1 yes no on off true y n; do
		case "$data" in 2*|1[01]|4294967297) want=ERANGE ;; *) want=EINVAL ;; esac
		got=$(sm_write "$SM_SYS/late" "$data")
		n=$((n + 1))
		[ "$got" = "$want" ] || fail "late=$v: write '$data' gave $got, want $want"
		[ "$(sm_get late)" = "$v" ] || fail "late=$v: write '$data' changed it to $(sm_get late)"
	done
	got=$(sm_write "$SM_SYS/late" 1 5000)
	[ "$got" = EINVAL ] || fail "late=$v: a 5000-byte write gave $got, want EINVAL"
	expect_eq "late after $((n + 1)) malformed writes" "$(sm_get late)" "$v"
done
sm_set_or_fail late 1
expect_eq "late: write '0' without newline" "$(sm_write "$SM_SYS/late" 0)" "OK 1"
expect_eq "late after '0'" "$(sm_get late)" 0
sm_set_or_fail late 1
sm_unload || fail "rmmod failed"

dmesg -c > /dev/null
if sm_load_refused late=2; then
	if dmesg | grep -q late; then pass "insmod late=2 refused, dmesg names late"
	else fail "insmod late=2 refused, but dmesg does not name late"; fi
fi
sm_load_refused late=x
sm_load_or_die late=0
expect_eq "param late=0" "$(sm_get late)" 0

# scan LABEL: a cold MADV_RANDOM scan of 16 MiB of anonymous memory
scan() {
	out=/tmp/late28.$1.out
	lc0=$(sm_stat late_corrections)
	bg_ready "$out" sm_access -P -m size=16M,advice=random,pattern=seq ||
		{ fail "$1: sm_access did not run"; return 1; }
}
sm_set enable 1
scan late0 && {
	log "late=0: VmFlags $(kv "$out" m0.vmflags)"
	expect_eq "late=0: VmFlags changed at access (0: never)" "$(kv "$out" m0.changed_at)" 0
	expect_eq "late=0: VmFlags at the end" "$(kv "$out" m0.flag_p1)" rr
	expect_eq "late=0: late lines" "$(sm_late_for "$BG_PID" | grep -c .)" 0
	expect_eq "late=0: stats late_corrections unchanged" "$(sm_stat late_corrections)" "$lc0"
	expect_eq "late=0: processes late" "$(sm_proc_field "$BG_PID" 8)" 0
	bg_stop
}
sm_set enable 0
sm_set_or_fail late 1
scan enable0 && {
	expect_eq "enable=0: VmFlags changed at access (0: never)" "$(kv "$out" m0.changed_at)" 0
	expect_eq "enable=0: VmFlags at the end" "$(kv "$out" m0.flag_p1)" rr
	expect_eq "enable=0: stats late_corrections unchanged" "$(sm_stat late_corrections)" "$lc0"
	bg_stop
}
sm_set enable 1
scan late1 && {
	expect_corrected "late=1" "$out" 0 random sequential 4096 1
	expect_eq "late=1: stats late_corrections +1" "$(sm_stat late_corrections)" $((lc0 + 1))
	bg_stop
}
sm_set enable 0
sm_unload || fail "rmmod failed"
finish
