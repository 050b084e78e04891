#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# needs: disk fio
# Never worse, with a real program: fio's mmap engine (Debian's fio, the
# host's copy) reads a 32 MiB file of the throttled virtio-blk disk with 16
# sequential jobs, threads of one process, each given its own 2 MiB
# (--offset_increment), each mapping advised MADV_SEQUENTIAL by fio
# itself (fadvise_hint). fio 3.33 maps a job whose offset is not 0 afresh
# for every 4 KiB read (mmap, madvise, one fault, munmap): some 7,700
# short-lived advised mappings, churning through the 16 ranges a process
# may have. The module must see the madvise calls (madvise_calls +16 at
# least) and change none of them: stats rewrites, rewrites_dry_run and
# late_corrections unchanged, no rewrite log line of fio; fio reads its
# 32 MiB and succeeds.
# Skipped where the guest has no fio (a guest of another architecture
# than the host's: Debian's fio is dynamically linked) or the kernel no
# SysV IPC (the tinyconfig debug kernels).
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

command -v fio > /dev/null ||
	skip "no fio in this $(uname -m) guest: the harness copies the host's dynamically linked fio, which only runs on the host's architecture"
# fio keeps its job table in SysV shared memory, threads or not
[ -d /proc/sysvipc ] || skip "fio needs SysV shared memory (shmget), which this kernel lacks (no /proc/sysvipc)"
sm_disk_or_die
sm_load_or_die enable=1
sm_drop_caches
mc0=$(sm_stat madvise_calls) rw0=$(sm_stat rewrites) dr0=$(sm_stat rewrites_dry_run)
lc0=$(sm_stat late_corrections) f0=$(sm_stat faults)
cd /tmp || exit 1
if ! fio --name=seq --filename="$SM_DISK_DIR/f32.dat" --readonly --ioengine=mmap \
	--rw=read --bs=4k --size=2M --offset_increment=2M --numjobs=16 --thread \
	--group_reporting --output-format=terse > /tmp/fio.out 2>&1; then
	fail "fio failed"
fi
show /tmp/fio.out
# terse format: field 6 is the kB read
expect_eq "fio: kB read by the 16 jobs" "$(grep '^3;' /tmp/fio.out | cut -d';' -f6)" 32768
expect_ge "madvise calls seen" $(($(sm_stat madvise_calls) - mc0)) 16
expect_ge "faults seen" $(($(sm_stat faults) - f0)) 16
expect_eq "stats rewrites unchanged" "$(sm_stat rewrites)" "$rw0"
expect_eq "stats rewrites_dry_run unchanged" "$(sm_stat rewrites_dry_run)" "$dr0"
expect_eq "stats late_corrections unchanged" "$(sm_stat late_corrections)" "$lc0"
rew=$(awk 'NR > 1 && $3 == "fio"' "$SM_DBG/rewrites")
expect_eq "rewrite log lines of fio" "$rew" ""
log "stats: $(tr '\n' ' ' < "$SM_DBG/stats")"

sm_set enable 0
sm_unload || fail "rmmod failed"
finish
