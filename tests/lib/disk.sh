# SPDX-License-Identifier: GPL-2.0
# Host-side helpers for a guest's test disk (sourced): an ext4 image made
# from a directory, and QEMU's arguments for a throttled, read-only
# virtio-blk drive of it. Used by tests/vm/run.sh (cases with
# "# needs: disk") and tests/bench/run.sh.
# shellcheck shell=bash disable=SC2034

# The disk profile: an SSD scaled for TCG. A SATA/NVMe SSD does ~100k
# random 4 KiB IOPS and ~2.5 GB/s; the emulated CPU is ~50x slower than
# the host, so the guest gets 1/50 of the IOPS and 1/25 of the bandwidth.
# The ratio of one 4 KiB request to one 128 KiB readahead request stays
# SSD-like, so readahead (or its absence) matters as it would there.
DISK_IOPS_DEFAULT=2000
DISK_BPS_DEFAULT=104857600

# disk_fill FILE MIB: a file of MIB MiB that is not sparse (mke2fs -d
# leaves all-zero blocks out, and a hole is never read from the disk).
disk_fill() {
	head -c "$(($2 << 20))" /dev/zero | tr '\0' '\132' > "$1"
}

# disk_mkfs IMG MIB LABEL DIR: an ext4 file system of MIB MiB in IMG
# holding the files of DIR.
disk_mkfs() {
	rm -f "$1"
	truncate -s "${2}M" "$1"
	mke2fs -q -F -t ext4 -L "$3" -d "$4" "$1" > /dev/null
}

# disk_qemu_args IMG IOPS BPS DEVICE: DISK_ARGS, the QEMU arguments of a
# read-only drive of the raw image IMG limited to IOPS requests and BPS
# bytes per second, attached as DEVICE (virtio-blk-pci on x86,
# virtio-blk-device on arm64 virt): /dev/vda in the guest.
disk_qemu_args() {
	DISK_ARGS=(-drive "file=$1,format=raw,if=none,id=disk0,readonly=on,throttling.iops-total=$2,throttling.bps-total=$3"
		   -device "$4,drive=disk0")
}
