#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The mapped ring is read-only for good: mmap with PROT_WRITE or PROT_EXEC,
# mprotect() to PROT_WRITE or PROT_EXEC (shared and private mappings), a
# /proc/self/mem write and a parent's PTRACE_POKEDATA (FOLL_FORCE writes)
# all fail; afterwards the ring still reads correctly.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
DEV=/dev/smart_madvise

sm_load_or_die
sleep 1000 & S=$!
exec 3<> "$DEV"
prof_helper write -d 3 "R $S\n" > /dev/null
# shellcheck disable=SC2016
wait_until 10 sh -c '[ "$(prof_helper hdr | sed -n "s/^write_index=//p")" -gt 4 ]' ||
	fail "no records"
prof_helper mapwrite > /tmp/mw.out
show /tmp/mw.out
for k in mmap_rw mmap_exec private_mmap_exec mprotect_rw mprotect_exec \
	 private_mprotect_rw private_mprotect_exec; do
	expect_eq "$k" "$(kv /tmp/mw.out "$k")" EACCES
done
for k in procmem private_procmem poke private_poke; do
	expect_match "$k (FOLL_FORCE write)" "$(kv /tmp/mw.out "$k")" '^(EIO|EFAULT)$'
done
expect_eq "private mapping still shows the ring" "$(kv /tmp/mw.out private_magic_ok)" 1
expect_eq "the ring reads correctly afterwards" "$(kv /tmp/mw.out ring_ok)" 1
t=$(prof_helper hdr | sed -n 's/^ticks=//p')
sleep 0.3
expect_ge "sampling goes on" "$(prof_helper hdr | sed -n 's/^ticks=//p')" $((t + 1))
exec 3>&-
kill "$S"
wait 2>/dev/null
sm_unload || fail "rmmod"
finish
