# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The QEMU harness of tests/vm, tests/bench and tests/case-studies
# (sourced by tests/vm/common.sh, whose arch_setup, kernel_image,
# guest_busybox and add_kmods it uses): a guest root with the common
# guest init (tests/lib/qemu-guest.sh), its packing, and the boot.

QEMU_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# One accelerator for every boot. Multi-threaded TCG ("tcg") oopses on
# int3 when the kernel patches a static key or an ftrace site under load
# (seen on 6.12 without the module); "tcg,thread=single" runs all vCPUs
# in one host thread. "kvm" is opt-in: nested KVM hangs on some hosts.
QEMU_ACCEL=${SMART_MADVISE_ACCEL:-tcg,thread=single}

# initramfs_root ROOT KREL: a fresh guest root for KREL (arch_setup done):
# busybox, the common guest init as /lib/qemu-guest.sh, the name of the
# result port in /etc/qemu-guest.conf and, where they are modules, its
# drivers in /lib/modules/boot.
initramfs_root() {
	local root=$1 krel=$2
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,etc,proc,sys,dev,tmp,run,mnt,lib/modules}
	cp "$(guest_busybox "$ARCH_DEB")" "$root/bin/busybox"
	cp "$QEMU_LIB_DIR/qemu-guest.sh" "$root/lib/qemu-guest.sh"
	echo "SM_RESULT_DEV=$ARCH_RESULT_DEV" > "$root/etc/qemu-guest.conf"
	if [ -n "$ARCH_RESULT_KMODS" ]; then
		# shellcheck disable=SC2086
		add_kmods "$krel" "$root/lib/modules/boot" $ARCH_RESULT_KMODS
	fi
}

# initramfs_pack ROOT OUT: ROOT as a gzipped newc cpio, sorted and owned
# by root, so that the same tree gives the same archive. The device nodes
# let init write before devtmpfs is mounted (mknod needs root).
initramfs_pack() {
	mknod -m 600 "$1/dev/console" c 5 1 2>/dev/null || true
	mknod -m 666 "$1/dev/null" c 1 3 2>/dev/null || true
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$2"
}

# qemu_cmd KREL INITRD DIR SMP MEM_MIB [APPEND]: QEMU_CMD, the boot of KREL
# (arch_setup done) with the harness's kernel command line plus APPEND,
# no network (no guest uses one), the console in DIR/console.log and the
# result port (ARCH_RESULT_DEV: the second 16550 on x86, a virtio console
# on arm64 virt) in DIR/result.txt. Callers add their own devices.
qemu_cmd() {
	local krel=$1 initrd=$2 dir=$3 cpu=$ARCH_CPU machine=() port
	local append="console=$ARCH_CONSOLE panic=-1 panic_on_warn=1 oops=panic loglevel=4 rdinit=/init"
	case "$ARCH_KARCH" in
	x86_64) append+=" tsc=reliable no_timer_check" ;;
	arm64) machine=(-M virt) ;;
	esac
	append+=${6:+ $6}
	if [ "$QEMU_ACCEL" = kvm ]; then
		[ -z "$ARCH_CROSS" ] || die "$ARCH_KARCH guest on a $(dpkg --print-architecture) host: KVM cannot run it, use TCG"
		cpu=host
	fi
	case "$ARCH_RESULT_DEV" in
	/dev/ttyS1) port=(-serial chardev:result) ;;
	/dev/hvc0) port=(-device virtio-serial-device -device "virtconsole,chardev=result") ;;
	*) die "no QEMU result port for $ARCH_RESULT_DEV" ;;
	esac
	: > "$dir/console.log"
	: > "$dir/result.txt"
	QEMU_CMD=("$ARCH_QEMU" "${machine[@]}" -accel "$QEMU_ACCEL" -cpu "$cpu"
		  -smp "$4" -m "$5" -nographic -no-reboot -monitor none -nic none
		  -kernel "$(kernel_image "$krel")" -initrd "$initrd" -append "$append"
		  -serial "file:$dir/console.log"
		  -chardev "file,id=result,path=$dir/result.txt" "${port[@]}")
}

# qemu_run TIMEOUT FILE SED: run QEMU_CMD for at most TIMEOUT seconds and,
# while it runs, show FILE (the console or the result port) through
# "sed -n SED", so a long boot shows its progress. Returns QEMU's (or
# timeout's) exit status.
qemu_run() {
	local qpid rc=0
	timeout -k 10 "$1" "${QEMU_CMD[@]}" < /dev/null &
	qpid=$!
	tail -n +1 -s 0.5 -f --pid="$qpid" "$2" 2>/dev/null | sed -un "s/\r//; $3" || true
	wait "$qpid" || rc=$?
	return "$rc"
}
