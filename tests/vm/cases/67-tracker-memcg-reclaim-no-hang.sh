#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The fault hook under memory-cgroup reclaim: three cgroups, each limited
# to 48 MiB, each running a process that reads a 128 MiB ext2 file (on a
# loop device) through a NORMAL mapping, 90 % of reads on a hot eighth,
# and rewrites 8 MiB of anonymous memory, while the module is loaded,
# enabled, disabled and unloaded over and over. Every workload must
# finish in time (a hang is a failure, and the runner's watchdog dumps
# blocked tasks), reclaim must really have happened in each cgroup, and
# the kernel log stays clean (the runner checks).
. /tests/lib.sh

SECS=15
[ "$SM_SCALE" = full ] && SECS=120
CG=/sys/fs/cgroup
sm_kmods_load
mkdir -p /mnt/memcg
dd if=/dev/zero of=/tmp/memcg.img bs=1M count=160 2>/dev/null || { fail "no room for the image"; finish; }
mke2fs -q -F /tmp/memcg.img > /dev/null 2>&1 || { fail "mke2fs"; finish; }
if ! dev=$(losetup -f) || ! losetup "$dev" /tmp/memcg.img; then
	fail "losetup (no loop device?)"
	finish
fi
mount -t ext4 "$dev" /mnt/memcg || { fail "mount -t ext4 $dev"; dmesg | tail -n 5 | sed "s/^/#   /"; losetup -d "$dev"; finish; }
dd if=/dev/zero of=/mnt/memcg/big.dat bs=1M count=128 2>/dev/null
sync
echo 3 > /proc/sys/vm/drop_caches

grep -q " $CG cgroup2 " /proc/mounts || mount -t cgroup2 none "$CG" || { fail "cgroup2 mount"; finish; }
echo +memory > "$CG/cgroup.subtree_control" || { fail "memory controller"; finish; }
pids=""
for g in 1 2 3; do
	mkdir -p "$CG/sm$g"
	echo 48M > "$CG/sm$g/memory.max"
	sh -c "echo \$\$ > $CG/sm$g/cgroup.procs && exec stress_memcg /mnt/memcg/big.dat 8 $SECS" \
		> "/tmp/memcg.$g.out" 2>&1 &
	pids="$pids $!"
done

# load, enable, toggle and unload until the workloads are done
cycles=0
end=$(($(cut -d. -f1 /proc/uptime) + SECS))
while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
	insmod "$SM_KO" enable=1 || { fail "insmod in cycle $cycles"; break; }
	sleep 1
	sm_set enable 0
	sm_set enable 1
	sleep 1
	rmmod smart_madvise || { fail "rmmod in cycle $cycles"; break; }
	cycles=$((cycles + 1))
done
log "$cycles load/enable/unload cycles during the workloads"
expect_ge "load/unload cycles" "$cycles" 2

deadline=$(($(cut -d. -f1 /proc/uptime) + 120))
for p in $pids; do
	while kill -0 "$p" 2>/dev/null; do
		[ "$(cut -d. -f1 /proc/uptime)" -ge "$deadline" ] && break
		sleep 1
	done
	if kill -0 "$p" 2>/dev/null; then
		fail "workload $p made no progress 120 s after its end"
		kill -9 "$p"
	fi
	wait "$p" || fail "workload $p exited with $?"
done
for g in 1 2 3; do
	show "/tmp/memcg.$g.out"
	reads=$(sed -n 's/.*reads=\([0-9]*\).*/\1/p' "/tmp/memcg.$g.out")
	expect_ge "cgroup sm$g: file pages read" "${reads:-0}" 1000
	scanned=$(awk '$1 == "pgscan" { print $2 }' "$CG/sm$g/memory.stat")
	expect_ge "cgroup sm$g: pages scanned by reclaim at the limit" "${scanned:-0}" 1
done
sm_load_or_die enable=1
sm_unload || fail "final rmmod"
for g in 1 2 3; do rmdir "$CG/sm$g"; done
umount /mnt/memcg
losetup -d "$dev"
rm -f /tmp/memcg.img
finish
