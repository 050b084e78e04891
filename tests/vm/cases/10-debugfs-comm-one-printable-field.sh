#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A command name with control bytes, blanks, DEL and UTF-8 prints as one
# field of printable ASCII in processes and rewrites: every byte outside
# 0x21..0x7e becomes '_', on every kernel (signed or unsigned char).
# The name comes from exec'ing the scan program through a symlink.
. /tests/lib.sh

sm_load_or_die enable=1
name=$(printf 'x\001a b\177caf\303\251')
want='x_a_b_caf__'
ln -sf "$(command -v sm_scan)" "/tmp/$name" || { fail "cannot create the symlink"; finish; }
bg_ready /tmp/comm.out "/tmp/$name" -m anon -n 256 -a random -P || { fail "program did not start"; finish; }
pid=$(kv /tmp/comm.out pid)
expect_eq "processes: comm of pid $pid" "$(sm_proc_field "$pid" 2)" "$want"
expect_eq "processes: fields on the line" "$(sm_proc "$pid" | awk '{ print NF }')" 8
expect_eq "rewrites: comm of pid $pid" "$(sm_rewrites_for "$pid" | awk '{ print $3 }' | head -n1)" "$want"
expect_eq "rewrites: fields on the line" "$(sm_rewrites_for "$pid" | awk '{ print NF }' | head -n1)" 9
bg_stop
finish
