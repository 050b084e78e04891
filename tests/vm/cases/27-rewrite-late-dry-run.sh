#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Late correction in a dry run: with dry_run=1 the module logs what it
# would correct and changes nothing. One process, two anonymous mappings
# mis-advised before any fault, accessed interleaved:
#   m0: MADV_RANDOM, written in order; m1: MADV_SEQUENTIAL, 512 random writes.
# Each range: VmFlags stay as advised at every checkpoint (rr, sr); the
# rewrite log has late_dry_run lines for it (random -> sequential,
# sequential -> random) and no late line; mappings keeps its advice.
# Stats: late_corrections_dry_run grows by 2 at least, late_corrections
# and rewrites unchanged; processes late 0.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

sm_load_or_die enable=1 dry_run=1
expect_eq "dry_run" "$(sm_get dry_run)" 1
out=/tmp/late27.out
lc0=$(sm_stat late_corrections) ld0=$(sm_stat late_corrections_dry_run) rw0=$(sm_stat rewrites)
bg_ready "$out" sm_access -P -m size=16M,advice=random,pattern=seq \
	-m size=16M,advice=sequential,pattern=rand:512 || { bg_stop; fail "sm_access did not run"; finish; }
pid=$BG_PID
for i in 0 1; do
	adv=$(kv "$out" "m$i.advice")
	other=random
	[ "$adv" = random ] && other=sequential
	region=$(kv "$out" "m$i.region")
	expect_uncorrected "m$i ($adv)" "$out" "$i" "$adv"
	lines=$(sm_late_for "$pid" late_dry_run | awk -v s="$region" '$4 == s')
	log "m$i: late_dry_run lines: $(echo "$lines" | grep -c .)"
	expect_ge "m$i: late_dry_run lines for the range" "$(echo "$lines" | grep -c .)" 1
	# shellcheck disable=SC2046 # the fields of the first line
	set -- $(echo "$lines" | head -n 1)
	expect_eq "m$i: late_dry_run asked" "${6:-}" "$adv"
	expect_eq "m$i: late_dry_run applied (would be)" "${7:-}" "$other"
	expect_eq "m$i: late_dry_run length" "${5:-}" "$(kv "$out" "m$i.length")"
done
expect_ge "stats late_corrections_dry_run grew by" $(($(sm_stat late_corrections_dry_run) - ld0)) 2
expect_eq "stats late_corrections unchanged" "$(sm_stat late_corrections)" "$lc0"
expect_eq "stats rewrites unchanged" "$(sm_stat rewrites)" "$rw0"
expect_eq "processes late" "$(sm_proc_field "$pid" 8)" 0
bg_stop

sm_set enable 0
sm_unload || fail "rmmod failed"
finish
