#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The per-process bound on advised ranges: a process makes 17 anonymous
# mappings, one after the other, each advised MADV_RANDOM and then
# faulted once. mappings must list 16 lines for it: the 17th range took
# the place of the least recently faulted one, the first; ranges 2..17
# are listed with advice random.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

sm_load_or_die enable=1
out=/tmp/late29.out
set --
for i in $(seq 1 17); do
	set -- "$@" -m size=64k,advice=random,touch=1,pattern=idle
done
bg_ready "$out" sm_access -P "$@" || { bg_stop; fail "sm_access did not run"; finish; }
sm_maps_for "$BG_PID" > /tmp/late29.maps
show /tmp/late29.maps
expect_eq "mappings lines of the process" "$(grep -c . /tmp/late29.maps)" 16
expect_eq "the least recently faulted range (m0) is gone" \
	"$(sm_map "$BG_PID" "$(kv "$out" m0.region)")" ""
for i in $(seq 1 16); do
	# shellcheck disable=SC2046 # the fields of the mappings line
	set -- $(sm_map "$BG_PID" "$(kv "$out" "m$i.region")")
	expect_eq "m$i listed, advice" "${4:-missing}" random
done
log "stats mappings_tracked $(sm_stat mappings_tracked)"
bg_stop

sm_set enable 0
sm_unload || fail "rmmod failed"
finish
