#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the VM test suite: for each kernel, build the module against Debian's
# headers, build an initramfs with busybox, the module, the static test
# programs and the guest cases, boot it in QEMU (tests/lib/qemu.sh) and
# collect the TAP the guest writes to its result port.
#
#   tests/vm/run.sh [--kernel NAME|all] [--suite check|smoke|demo|stress]
#                   [--module PATH] [--timeout SECONDS] [--scale check|full]
#                   [--cases "NAME ..."] [--summary FILE] [--verbose]
#
#   --kernel   which kernel(s) of tests/vm/kernels.list (default: all)
#   --suite    case list tests/vm/suites/NAME (default: check)
#   --cases    run these cases (names of tests/vm/cases/*.sh without .sh)
#   --module   boot this .ko instead of building one from the tree; %KVER%
#              is replaced by the kernel release (e.g. the one DKMS built:
#              /var/lib/dkms/smart-madvise/0.1.0/%KVER%/x86_64/module/smart_madvise.ko)
#   --timeout  host-side limit for one boot (default 900)
#   --scale    workload size passed to the guest (SM_SCALE), default check
#   --summary  also write "PASSED FAILED SKIPPED" to FILE
#   --verbose  stream the guest console instead of the TAP only
#
# Environment: SMART_MADVISE_CACHE (kernel cache), SMART_MADVISE_BUILD
# (build dir, default <repo>/build), SMART_MADVISE_ACCEL (the -accel value,
# default "tcg,thread=single", "kvm" opt-in: tests/lib/qemu.sh says why),
# SMART_MADVISE_EXTRA_KMODS (kernel modules, with their dependencies,
# copied into the initramfs under /lib/modules/extra with a load-order
# file; default "loop ext4 crc32c_generic": ext4 asks the crypto API for
# crc32c at mount), SMART_MADVISE_NO_INSTALL=1,
# SMART_MADVISE_KERNEL_IMAGE + SMART_MADVISE_KDIR (boot this bzImage and
# build against this kernel tree instead of kernels.list: check-debug),
# SMART_MADVISE_DISK_IOPS / _BPS (the test disk's throttle, default the
# benchmark's TCG-scaled SSD: tests/lib/disk.sh).
#
# A case may say what it needs from the harness in a "# needs: WORD..."
# header line: "disk" attaches the test disk (tests/vm/disk.list, ext4 on
# a throttled read-only virtio-blk drive; on a kernel without virtio-blk,
# e.g. a debug kernel, the guest makes the same files on ext4 on a loop
# device instead); "fio" copies the host's fio and its libraries into the
# guest (host architecture only).
#
# Prints TAP per kernel and ends with "N passed, N failed[, N skipped]";
# exits non-zero on any failure (a boot without the pass token is one).
set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$(dirname "$0")/common.sh"

KERNEL=all
SUITE=check
CASES=""
MODULE=""
TIMEOUT=900
SCALE=check
SUMMARY=""
VERBOSE=0
MODE=run
QEMU_APPEND_EXTRA=""

usage() { sed -n '3,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) KERNEL=$2; shift 2 ;;
	--suite) SUITE=$2; shift 2 ;;
	--cases) CASES=$2; shift 2 ;;
	--module) MODULE=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--scale) SCALE=$2; shift 2 ;;
	--summary) SUMMARY=$2; shift 2 ;;
	--verbose|-v) VERBOSE=1; shift ;;
	--demo) MODE=demo; shift ;;	# used by demo.sh
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

case "$TIMEOUT" in ''|*[!0-9]*) die "--timeout wants seconds" ;; esac
if [ -z "$CASES" ] && [ "$MODE" = run ]; then
	[ -f "$VM_DIR/suites/$SUITE" ] || die "no suite '$SUITE' (see tests/vm/suites/)"
	# a suite may boot with kernel parameters of its own ("# append: ...")
	QEMU_APPEND_EXTRA=$(sed -n 's/^# append: //p' "$VM_DIR/suites/$SUITE")
fi

TOTAL_P=0 TOTAL_F=0 TOTAL_S=0
FAIL_NOTES=()

# The cases this run boots, and what they need from the harness.
if [ -n "$CASES" ]; then
	CASE_LIST=$CASES
elif [ "$MODE" = run ]; then
	CASE_LIST=$(sed 's/#.*//' "$VM_DIR/suites/$SUITE")
else
	CASE_LIST=""
fi
# case_needs WORD: whether a case of the run has WORD in its "# needs:" line.
case_needs() {
	local c f words=''
	for c in $CASE_LIST; do
		for f in "$VM_DIR/cases/$c.sh" "${SMART_MADVISE_CASES_DIR:-/nonexistent}/$c.sh"; do
			[ -f "$f" ] || continue
			words+=" $(sed -n 's/^# needs: //p' "$f" | tr '\n' ' ')"
		done
	done
	case "$words " in *" $1 "*) return 0 ;; esac
	return 1
}
NEED_DISK=0 NEED_FIO=0
case_needs disk && NEED_DISK=1
# the demo (tests/vm/guest/demo.sh) scans a file of the test disk
[ "$MODE" = demo ] && NEED_DISK=1
case_needs fio && NEED_FIO=1
DISK_IMG=""

# --- host-side builds -------------------------------------------------------

# Build the static guest programs (tests/progs/*.c and tools/) for ARCH
# (arch_setup: cross-compiled when foreign) into $SM_BUILD/progs/ARCH, once
# per run. Fails on any compiler warning.
declare -A PROGS_BUILT=()
build_progs() {
	local arch=$1 out=$SM_BUILD/progs/$1 tree=$SM_BUILD/tools-tree-$1 c name log f
	[ -n "${PROGS_BUILT[$arch]:-}" ] && return 0
	rm -rf "$out"
	mkdir -p "$out"
	log=$out/build.log
	: > "$log"
	msg "building static test programs ($arch, $ARCH_CC)"
	for c in "$REPO_DIR"/tests/progs/*.c; do
		[ -e "$c" ] || continue
		name=$(basename "$c" .c)
		"$ARCH_CC" -static -O2 -Wall -Wextra -pthread -I"$REPO_DIR/tests/progs" \
			-o "$out/$name" "$c" >> "$log" 2>&1 ||
			{ cat "$log" >&2; die "building $c failed"; }
	done
	for c in "$REPO_DIR"/tests/progs/m32/*.c; do
		if [ -z "$ARCH_CC32" ] || [ ! -e "$c" ]; then continue; fi
		"$ARCH_CC32" -m32 -static -O2 -Wall -Wextra \
			-o "$out/$(basename "$c" .c)" "$c" >> "$log" 2>&1 ||
			{ cat "$log" >&2; die "building $c (32-bit) failed"; }
	done
	copy_tree "$tree"
	make -C "$tree/tools" CC="$ARCH_CC" LDFLAGS=-static >> "$log" 2>&1 ||
		{ cat "$log" >&2; die "building tools/ failed"; }
	while IFS= read -r f; do
		if readelf -l "$f" 2>/dev/null | grep -q INTERP; then
			warn "tools: $(basename "$f") is not static, not copied to the guest"
			continue
		fi
		cp "$f" "$out/"
	done < <(find "$tree/tools" -maxdepth 2 -type f -perm -u+x \
		 -exec sh -c 'head -c4 "$1" | grep -q ELF' _ {} \; -print)
	if grep -qi 'warning' "$log"; then
		cat "$log" >&2
		die "compiler warnings in the test programs"
	fi
	PROGS_BUILT[$arch]=1
}

# The test disk of tests/vm/disk.list, made once per content of the list
# (and of tests/lib/disk.sh) in $SM_BUILD/disk; prints its path.
build_disk() {
	local list=$VM_DIR/disk.list key img stage name mib total=0
	key=$(cat "$list" "$REPO_DIR/tests/lib/disk.sh" | sha256sum | cut -c1-16)
	img=$SM_BUILD/disk/test-$key.img
	if [ -f "$img.ok" ]; then
		printf '%s\n' "$img"
		return 0
	fi
	stage=$SM_BUILD/disk/stage
	rm -rf "$stage" "$SM_BUILD"/disk/test-*.img*
	mkdir -p "$stage"
	while read -r name mib _; do
		case "$name" in ''|'#'*) continue ;; esac
		disk_fill "$stage/$name" "$mib"
		total=$((total + mib))
	done < "$list"
	# room for ext4's metadata and journal
	msg "building the test disk ($((total + total / 4 + 16)) MiB ext4)"
	disk_mkfs "$img" $((total + total / 4 + 16)) smtest "$stage"
	rm -rf "$stage"
	touch "$img.ok"
	printf '%s\n' "$img"
}

# disk_mode KREL: how the guest gets its test disk: "virtio" when the
# kernel has the virtio-blk driver and its transport (built in or as a
# module), else "loop" (the guest makes the files on a loop device).
disk_mode() {
	local cfg transport=CONFIG_VIRTIO_PCI
	cfg=$(kernel_headers "$1")/.config
	[ "$ARCH_KARCH" = arm64 ] && transport=CONFIG_VIRTIO_MMIO
	if grep -Eq '^CONFIG_VIRTIO_BLK=[ym]' "$cfg" && grep -Eq "^$transport=[ym]" "$cfg"; then
		echo virtio
	else
		echo loop
	fi
}

# build_initramfs KREL ARCH KO OUT (arch_setup ARCH done)
build_initramfs() {
	local krel=$1 arch=$2 ko=$3 out=$4 root c disk=''
	root=$SM_BUILD/$krel/initramfs
	initramfs_root "$root" "$krel"
	mkdir -p "$root/tests/cases"
	cp "$ko" "$root/lib/modules/smart_madvise.ko"
	# loop and ext4 for the cases that need a real block device (a debug
	# kernel has them built in, and no modules directory)
	local extra=${SMART_MADVISE_EXTRA_KMODS:-loop ext4 crc32c_generic}
	if [ "$NEED_DISK" = 1 ]; then
		disk=$(disk_mode "$krel")
		[ "$disk" = virtio ] && extra="$ARCH_DISK_KMODS $extra"
		[ "$disk" = loop ] && warn "$krel has no virtio-blk: the test disk's files go on a loop device in the guest"
		cp "$VM_DIR/disk.list" "$root/tests/disk.list"
	fi
	if [ -d "$(kernel_modules "$krel")" ]; then
		# shellcheck disable=SC2086
		add_kmods "$krel" "$root/lib/modules/extra" $extra
	fi
	if [ "$NEED_FIO" = 1 ]; then
		if [ "$arch" = "$(dpkg --print-architecture)" ]; then
			add_host_prog "$root" fio || warn "the guest gets no fio"
		else
			msg "no fio in the $arch guest (the host's is $(dpkg --print-architecture))"
		fi
	fi
	cp "$VM_DIR/guest/init" "$root/init"
	cp "$VM_DIR"/guest/*.sh "$root/tests/"
	cp "$VM_DIR"/cases/*.sh "$root/tests/cases/" 2>/dev/null || true
	if [ -n "${SMART_MADVISE_CASES_DIR:-}" ]; then
		cp "$SMART_MADVISE_CASES_DIR"/*.sh "$root/tests/cases/"
	fi
	cp "$SM_BUILD/progs/$arch"/* "$root/bin/" 2>/dev/null || true
	rm -f "$root/bin/build.log"
	chmod 0755 "$root/init" "$root"/tests/*.sh
	for c in $CASE_LIST; do
		echo "$c"
	done > "$root/tests/suite.list"
	cat > "$root/etc/harness.conf" <<-EOF
	SM_MODE=$MODE
	SM_SUITE=$SUITE
	SM_SCALE=$SCALE
	SM_KREL=$krel
	SM_CASE_TIMEOUT=${SMART_MADVISE_CASE_TIMEOUT:-300}
	SM_DISK=$disk
	SM_DISK_IOPS=${SMART_MADVISE_DISK_IOPS:-$DISK_IOPS_DEFAULT}
	SM_DISK_BPS=${SMART_MADVISE_DISK_BPS:-$DISK_BPS_DEFAULT}
	EOF
	initramfs_pack "$root" "$out"
}

# --- boot -------------------------------------------------------------------

# boot KREL INITRD DIR: run QEMU (arch_setup done; tests/lib/qemu.sh);
# console in DIR/console.log, results in DIR/result.txt, shown as they
# come (the demo's unindented: they are its output). Returns QEMU's (or
# timeout's) exit status.
boot() {
	local krel=$1 initrd=$2 dir=$3 follow=$3/result.txt
	qemu_cmd "$krel" "$initrd" "$dir" 2 1024 "$QEMU_APPEND_EXTRA"
	if [ "$NEED_DISK" = 1 ] && [ "$(disk_mode "$krel")" = virtio ]; then
		disk_qemu_args "$DISK_IMG" "${SMART_MADVISE_DISK_IOPS:-$DISK_IOPS_DEFAULT}" \
			"${SMART_MADVISE_DISK_BPS:-$DISK_BPS_DEFAULT}" "$ARCH_DISK_DEVICE"
		QEMU_CMD+=("${DISK_ARGS[@]}")
	fi
	if [ "$MODE" = demo ]; then
		qemu_run "$TIMEOUT" "$follow" p | tee "$dir/demo.txt"
		return
	fi
	[ "$VERBOSE" = 1 ] && follow=$dir/console.log
	qemu_run "$TIMEOUT" "$follow" 's/^/    /p'
}

# evaluate SHORT KREL DIR QEMU_RC: count TAP results, check the token.
evaluate() {
	local short=$1 krel=$2 dir=$3 qrc=$4 res p f s plan ntests token
	res=$dir/result.clean
	tr -d '\r' < "$dir/result.txt" > "$res"
	p=$(grep -Ec '^ok [0-9]+ ' "$res" || true)
	s=$(grep -Ec '^ok [0-9]+ .*# SKIP' "$res" || true)
	p=$((p - s))
	f=$(grep -Ec '^not ok [0-9]+ ' "$res" || true)
	plan=$(sed -n 's/^1\.\.\([0-9]\+\)$/\1/p' "$res" | head -n1)
	ntests=$((p + s + f))
	token=$(sed -n 's/^SMART_MADVISE_RESULT \(PASS\|FAIL\)$/\1/p' "$res" | tail -n1)
	local why=""
	if [ -z "$token" ]; then
		why="no result token (qemu exit $qrc: panic, hang or timeout)"
	elif [ -z "$plan" ] || [ "$plan" != "$ntests" ]; then
		why="TAP plan ${plan:-missing} but $ntests results"
	elif [ "$token" = FAIL ] && [ "$f" = 0 ]; then
		why="guest reported FAIL"
	elif [ "$token" = PASS ] && [ "$f" != 0 ]; then
		why="guest reported PASS with failures"
	fi
	if [ -n "$why" ]; then
		f=$((f + 1))
		echo "not ok - $short: $why"
		echo "# last lines of the console log ($dir/console.log):"
		tr -d '\r' < "$dir/console.log" | tail -n 40 | sed 's/^/#   /'
		FAIL_NOTES+=("$short: $why")
	elif [ "$f" != 0 ]; then
		FAIL_NOTES+=("$short: $f test(s) failed")
	fi
	echo "# $short ($krel): $p passed, $f failed, $s skipped"
	TOTAL_P=$((TOTAL_P + p))
	TOTAL_F=$((TOTAL_F + f))
	TOTAL_S=$((TOTAL_S + s))
}

run_kernel() {
	local short=$1 krel=$2 dir ko initrd rc=0 arch
	dir=$SM_BUILD/$krel
	mkdir -p "$dir"
	arch=$(kernel_arch "$krel")
	arch_setup "$arch"
	[ "${SMART_MADVISE_NO_INSTALL:-0}" = 1 ] || install_pkgs "${ARCH_PKGS[@]}"
	build_progs "$arch"
	if [ "$MODE" = demo ]; then
		echo "# kernel $short ($krel), demo"
	else
		echo "# kernel $short ($krel), suite ${CASES:+cases }${CASES:-$SUITE}"
	fi
	if [ -n "$MODULE" ]; then
		ko=${MODULE//%KVER%/$krel}
		if [ ! -f "$ko" ]; then
			echo "not ok - $short: module $ko not found"
			TOTAL_F=$((TOTAL_F + 1)); FAIL_NOTES+=("$short: no module")
			return 0
		fi
		modinfo -F vermagic "$ko" | grep -q "^$krel " ||
			warn "$ko vermagic '$(modinfo -F vermagic "$ko")' does not match $krel"
	elif ! ko=$(build_module "$krel"); then
		echo "not ok - $short: module build"
		TOTAL_F=$((TOTAL_F + 1)); FAIL_NOTES+=("$short: module build failed")
		return 0
	fi
	initrd=$dir/initramfs.cpio.gz
	arch_setup "$arch"	# build_module set it too
	build_initramfs "$krel" "$arch" "$ko" "$initrd"
	msg "booting $krel in $ARCH_QEMU (-accel $QEMU_ACCEL; timeout ${TIMEOUT}s)"
	boot "$krel" "$initrd" "$dir" || rc=$?
	if [ "$MODE" = demo ]; then
		grep -q '^SMART_MADVISE_DEMO OK' "$dir/demo.txt" && return 0
		echo "demo failed (qemu exit $rc); last lines of $dir/console.log:"
		tr -d '\r' < "$dir/console.log" | tail -n 30
		return 1
	fi
	evaluate "$short" "$krel" "$dir" "$rc"
}

main() {
	install_host_deps
	if [ "${SMART_MADVISE_NO_INSTALL:-0}" != 1 ]; then
		[ "$NEED_DISK" = 1 ] && install_pkgs e2fsprogs
		[ "$NEED_FIO" = 1 ] && install_pkgs fio
	fi
	[ -n "${SMART_MADVISE_KERNEL_IMAGE:-}" ] || "$VM_DIR/kernels.sh" --kernel "$KERNEL"
	mkdir -p "$SM_BUILD"
	[ "$NEED_DISK" = 1 ] && DISK_IMG=$(build_disk)
	local short krel
	while read -r short krel; do
		if [ "$MODE" = demo ]; then
			run_kernel "$short" "$krel"
			return
		fi
		run_kernel "$short" "$krel"
	done < <(kernels_select "$KERNEL")
	local line="$TOTAL_P passed, $TOTAL_F failed"
	[ "$TOTAL_S" -gt 0 ] && line+=", $TOTAL_S skipped"
	[ -n "$SUMMARY" ] && echo "$TOTAL_P $TOTAL_F $TOTAL_S" > "$SUMMARY"
	if [ ${#FAIL_NOTES[@]} -gt 0 ]; then
		printf '# failed: %s\n' "${FAIL_NOTES[@]}"
	fi
	echo "$line"
	[ "$TOTAL_F" -eq 0 ]
}

main
