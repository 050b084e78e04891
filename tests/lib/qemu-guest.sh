# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# What every harness guest's /init does first and last (busybox sh; packed
# as /lib/qemu-guest.sh by initramfs_root of tests/lib/qemu.sh). Results go
# to $SM_RESULT_DEV, the result port, kept apart from the console so that
# kernel messages never mix with them.
# shellcheck disable=SC1091 # initramfs_root writes it
. /etc/qemu-guest.conf
export SM_RESULT_DEV

# guest_start HOSTNAME TMP_SIZE: busybox's applets on PATH, the pseudo file
# systems the tests read (debugfs and tracefs for the module's files and
# events) and a tmpfs /tmp of at most TMP_SIZE (it is guest RAM).
guest_start() {
	/bin/busybox --install -s /bin
	export PATH=/bin:/sbin:/usr/bin
	mkdir -p /proc /sys /dev /tmp /run /mnt
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mount -t debugfs debugfs /sys/kernel/debug
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
	mount -t tmpfs -o "size=$2" tmpfs /tmp
	mount -t tmpfs tmpfs /run
	hostname "$1"
}

# guest_kmods DIR: load the kernel modules the host packed into DIR
# (add_kmods: DIR/load-order lists dependencies first).
guest_kmods() {
	[ -f "$1/load-order" ] || return 0
	while read -r m; do
		insmod "$1/$m" || echo "init: insmod $m failed"
	done < "$1/load-order"
}

# guest_result_port: the result port's drivers, where they are modules
# (arm64's virtio console), then wait for its device (a module's probe is
# asynchronous) and make it raw, so the host gets the bytes as written.
guest_result_port() {
	guest_kmods /lib/modules/boot
	n=0
	while [ ! -c "$SM_RESULT_DEV" ] && [ "$n" -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ -c "$SM_RESULT_DEV" ] || { echo "init: no result port $SM_RESULT_DEV"; return 1; }
	stty -F "$SM_RESULT_DEV" raw -echo 2>/dev/null || true
}

# guest_poweroff: flush and power off; -no-reboot ends QEMU. Were poweroff
# to fail, init would exit and the kernel panic (panic=-1 ends QEMU too).
guest_poweroff() {
	sync
	poweroff -f
}
