#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prove the Debian DKMS package on this Debian 12 host, as root:
#   1. build the .debs (debian/build-deb.sh, lintian included)
#   2. install the headers of both Debian kernels with apt
#   3. apt-get install ./out/deb/smart-madvise-dkms_<version>_all.deb
#   4. dkms status: smart-madvise/<version> installed for both kernels,
#      modinfo version/vermagic of the installed modules right
#   5. boot the VM suite on each kernel with the module DKMS built
#   6. apt-get purge leaves no module, no dkms tree, no source, no conffile;
#      it runs while the last kernel's guest (with the module) is running
#   7. reinstall after purge works, then purge again (host left clean)
#   8. smart-madvise-tools: smadvctl --version, man page,
#      bash completion, clean purge
#   9. a copy of the package whose BUILD_EXCLUSIVE_KERNEL admits only the
#      first kernel: the others are skipped with dkms's message, dpkg leaves
#      the package configured (ii), purge is clean
#  10. Debian 13: in a trixie root (tests/lib/buildroot.sh), apt installs
#      dkms and the headers of the trixie kernels of tests/vm/kernels.list,
#      then the same package: steps 3/4 (dkms status, version, vermagic,
#      signed with the MOK DKMS made with the openssl the package depends
#      on), the VM case(s) with those modules, 9 and a clean purge
# Prints ok/not ok per step and a final "N passed, N failed" line.
# Exit: 0 all passed, 1 a step failed, 4 skipped (not root / not Debian).
#
# Environment:
#   SMART_MADVISE_DKMS_KERNELS  kernel releases (default: the series of
#                               tests/vm/kernels.list, as tests/vm/kernels.sh
#                               resolves them)
#   SMART_MADVISE_DKMS_VM=no    skip step 5 (no VM boot)
#   SMART_MADVISE_DKMS_CASES    guest cases for step 5 (default: 01-rewrite-seq-from-history)
#   SMART_MADVISE_DKMS_SUITE    run this harness suite in step 5 instead
#   SMART_MADVISE_DKMS_ROOT=no  skip step 10 (the Debian 13 root)
# shellcheck source-path=SCRIPTDIR disable=SC2016 # dpkg-query's ${field} formats
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# Kernels: the series of tests/vm/kernels.list, resolved by tests/vm/kernels.sh
# to the releases the archive serves today (the one resolver of the tree).
declare -A short=()
root_kernels=
# shellcheck source=vm/common.sh
. tests/vm/common.sh
# shellcheck source=lib/tap.sh
. tests/lib/tap.sh
ktap_print_header
if [ -z "${SMART_MADVISE_DKMS_KERNELS:-}" ] && [ "$(id -u)" -eq 0 ]; then
	tests/vm/kernels.sh >&2 || { ktap_test_fail "tests/vm/kernels.sh could not resolve the kernels"; ktap_finished; exit 1; }
	while read -r s r; do
		short[$r]=$s
		# the host's own kernels here; Debian 13's in step 10
		if [ "$(kernel_suite "$r")" = "$(host_codename)" ]; then
			SMART_MADVISE_DKMS_KERNELS+="${SMART_MADVISE_DKMS_KERNELS:+ }$r"
		elif [ "$(kernel_suite "$r")" = trixie ]; then
			root_kernels+="${root_kernels:+ }$r"
		fi
	done < <(kernels_select all | host_arch_only dkms)
fi
kernels=${SMART_MADVISE_DKMS_KERNELS:-}
host_kernels=$kernels
vm=${SMART_MADVISE_DKMS_VM:-yes}
# Step 5 boots the guest with one real case by default (01-rewrite-seq-from-history:
# load, classify, rewrite, smaps), to keep make check short; the whole
# suite already runs on the tree-built module.
suite=${SMART_MADVISE_DKMS_SUITE:-smoke}
if [ -n "${SMART_MADVISE_DKMS_CASES+x}" ]; then
	vm_cases=$SMART_MADVISE_DKMS_CASES
elif [ -z "${SMART_MADVISE_DKMS_SUITE:-}" ] && [ -f tests/vm/cases/01-rewrite-seq-from-history.sh ]; then
	vm_cases=01-rewrite-seq-from-history
else
	vm_cases=
fi
if [ -n "$vm_cases" ]; then vm_what="case(s) '$vm_cases'"; else vm_what="suite '$suite'"; fi
pkg=smart-madvise-dkms
name=smart-madvise
modname=smart_madvise

sys_what=
t0=$SECONDS
# each line ends with the seconds since the previous one
ok()     { ktap_test_pass "$* [$((SECONDS - t0))s]"; t0=$SECONDS; }
not_ok() { ktap_test_fail "$* [$((SECONDS - t0))s]"; t0=$SECONDS; }
note()   { ktap_print_msg "$*"; }
finish() {
	note "tests/dkms.sh took ${SECONDS}s"
	if ktap_finished; then exit 0; else exit 1; fi
}

[ "$(id -u)" -eq 0 ] || ktap_skip_all "tests/dkms.sh installs packages: run it as root"
if [ ! -r /etc/debian_version ] || ! command -v apt-get >/dev/null; then
	ktap_skip_all "not a Debian host"
fi
case $(cat /etc/debian_version) in
12.* | bookworm*) ;;
*) note "Debian $(cat /etc/debian_version), not 12: trying anyway" ;;
esac

# One run at a time on a host: two runs would install and purge the same
# system package under each other.
exec 9>/run/lock/smart-madvise-dkms.lock
if ! flock -n 9; then
	note "waiting for another tests/dkms.sh (lock /run/lock/smart-madvise-dkms.lock)"
	flock -w 1800 9 || { not_ok "another tests/dkms.sh held /run/lock/smart-madvise-dkms.lock for 30 min"; finish; }
	note "lock acquired after $((SECONDS - t0))s"
	t0=$SECONDS
fi

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
work=$(mktemp -d /tmp/smart-madvise-dkms.XXXXXX)
note "version $version, kernels: $kernels, logs in $work"
export DEBIAN_FRONTEND=noninteractive
# run LOG CMD...: output to $work/LOG; on failure show its tail
run() {
	local log=$work/$1; shift
	echo "+ $*" >>"$log"
	if "$@" >>"$log" 2>&1; then return 0; fi
	local rc=$?
	tail -n 25 "$log" | sed 's/^/#   /'
	return $rc
}
# The system the package steps act on: the host (sys_root empty) or, in
# step 10, a Debian 13 root that sys chroots into.
sys_root=
sys() {
	if [ -n "$sys_root" ]; then
		buildroot_run "$sys_root" "$work" -- env DEBIAN_FRONTEND=noninteractive "$@"
	else
		"$@"
	fi
}
# shellcheck disable=SC2317 # called through run()
sys_apt() { sys apt-get "${APT_LOCK_OPTS[@]}" "$@"; }
installed_pkg() { sys dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii'; }
# packages dpkg left unpacked, half-configured, half-installed or waiting
# for triggers (the "iU", "iF", ... of dpkg -l)
unconfigured_pkgs() { sys dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' | grep -E '^.[UFHWt]'; }
module_files() { find "$sys_root"/lib/modules/*/updates/dkms -maxdepth 1 -name "$modname.ko*" 2>/dev/null | LC_ALL=C sort; }
module_file() { find "$sys_root/lib/modules/$1/updates/dkms" -maxdepth 1 -name "$modname.ko*" 2>/dev/null | LC_ALL=C sort | head -n 1; }

# Whatever a previous run left behind: not a test step.
cleanup_host() {
	if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv 'not-installed'; then
		run cleanup.log apt_get -y purge "$pkg" || true
	fi
	if [ -d /var/lib/dkms/$name ] && command -v dkms >/dev/null; then
		local d
		for d in "/var/lib/dkms/$name"/*/; do
			[ -d "$d/source" ] || [ -L "${d%/}/source" ] || continue
			d=${d%/}
			run cleanup.log dkms remove "$name/${d##*/}" --all || true
		done
	fi
}
cleanup_host

# --- 1. build ----------------------------------------------------------------
deb=
if run build.log debian/build-deb.sh; then
	deb=$(ls "$top"/out/deb/${pkg}_"$version"_all.deb 2>/dev/null)
fi
if [ -n "$deb" ]; then
	ok "step 1: built $(basename "$deb") (lintian clean)"
else
	not_ok "step 1: make deb failed (see $work/build.log)"
	finish
fi

# --- 2. headers ---------------------------------------------------------------
hdrs=()
for k in $kernels; do hdrs+=("linux-headers-$k"); done
run headers.log apt_install "${hdrs[@]}"
nohdr=
for k in $kernels; do [ -e "/lib/modules/$k/build/include" ] || nohdr+=" $k"; done
if [ -z "$nohdr" ]; then
	ok "step 2: headers installed with apt for: $kernels"
else
	not_ok "step 2: no usable /lib/modules/<kver>/build for:$nohdr (see $work/headers.log)"
	finish
fi

# --- 3/4. install and dkms status ----------------------------------------------
# dkms's postinst builds for the running kernel and the newest installed one
# (all kernels when the running one has no /lib/modules dir, as on this
# host); complete any other kernel the way the kernel hooks do.
install_and_check() { # $1 = step label for install, $2 = for status
	local st s k f mv vm sg bad='' u
	if run install.log sys_apt -y install --no-install-recommends "$deb" && installed_pkg; then
		ok "$1: apt-get install ./out/deb/$(basename "$deb")$sys_what"
	else
		not_ok "$1: apt-get install ./out/deb/$(basename "$deb") failed$sys_what (see $work/install.log)"
		return 1
	fi
	u=$(unconfigured_pkgs)
	[ -z "$u" ] || bad+=" dpkg left unconfigured: $(echo "$u" | tr '\n' ' ');"
	for k in $kernels; do
		if ! sys dkms status "$name/$version" -k "$k" 2>/dev/null | grep -q ': installed'; then
			note "postinst did not install for $k (dkms builds for running+newest kernel): dkms install -k $k"
			run install.log sys dkms install "$name/$version" -k "$k" || true
		fi
	done
	st=$(sys dkms status "$name/$version" 2>/dev/null)
	printf '%s\n' "$st" | sed 's/^/#   dkms status: /'
	for k in $kernels; do
		s=$(sys dkms status "$name/$version" -k "$k" 2>/dev/null)
		f=$(module_file "$k")
		if ! echo "$s" | grep -q "^$name/$version, $k, [^:]*: installed"; then
			bad+=" $k: not installed in dkms status;"
		elif [ -z "$f" ]; then
			bad+=" $k: no /lib/modules/$k/updates/dkms/$modname.ko*;"
		else
			mv=$(modinfo -F version "$f" 2>/dev/null)
			vm=$(modinfo -F vermagic "$f" 2>/dev/null)
			sg=$(modinfo -F signer "$f" 2>/dev/null)
			note "$f: version $mv, vermagic $vm, signer '$sg'"
			[ "$mv" = "$version" ] || bad+=" $k: modinfo version '$mv' != $version;"
			[ "${vm%% *}" = "$k" ] || bad+=" $k: vermagic '$vm' is not $k;"
			# DKMS signs with its MOK (Secure Boot), made with openssl
			[ -n "$sg" ] || bad+=" $k: module not signed;"
		fi
	done
	[ -f "$sys_root/var/lib/dkms/mok.pub" ] || bad+=" DKMS made no MOK (/var/lib/dkms/mok.pub);"
	# the shipped configuration turns nothing on (enable stays 0)
	for f in "$sys_root/etc/modprobe.d/$name.conf" "$sys_root/etc/modules-load.d/$name.conf"; do
		if [ ! -f "$f" ]; then
			bad+=" $f not installed;"
		elif grep -qv '^[[:space:]]*\(#\|$\)' "$f"; then
			bad+=" $f has active lines: $(grep -v '^[[:space:]]*\(#\|$\)' "$f" | tr '\n' ' ');"
		fi
	done
	if [ -z "$bad" ]; then
		ok "$2: dkms status shows $name/$version installed and signed for ${kernels// / and }, package ii; shipped config turns nothing on"
	else
		not_ok "$2$sys_what:$bad"
		return 1
	fi
}

purge_and_check() { # $1 = step label
	local left='' r=$sys_root
	run purge.log sys_apt -y purge "$pkg" || left+=" apt-get purge failed;"
	sys dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv 'not-installed' &&
		left+=" dpkg still knows $pkg ($(sys dpkg-query -W -f='${Status}' "$pkg"));"
	[ -z "$(module_files)" ] || left+=" module files: $(module_files | tr '\n' ' ');"
	[ ! -e "$r/var/lib/dkms/$name" ] || left+=" /var/lib/dkms/$name exists;"
	[ ! -e "$r/usr/src/$name-$version" ] || left+=" /usr/src/$name-$version exists;"
	for f in /etc/modprobe.d/$name.conf /etc/modules-load.d/$name.conf; do
		[ ! -e "$r$f" ] || left+=" $f exists;"
	done
	for k in $kernels; do
		grep -qs "$modname" "$r/lib/modules/$k/modules.dep" && left+=" $k modules.dep still lists $modname;"
	done
	[ -z "$(sys dkms status "$name" 2>/dev/null)" ] || left+=" dkms status: $(sys dkms status "$name");"
	if [ -z "$left" ]; then
		ok "$1: apt-get purge $pkg left no module, dkms tree, source or conffile$sys_what"
	else
		not_ok "$1:$left"
	fi
}

installed=no
install_and_check "step 3" "step 4" && installed=yes

# One version: dkms.conf, debian/changelog, the .debs and the modules DKMS built
mapfile -t dkms_kos < <(module_files)
if run version.log tests/version.sh "${dkms_kos[@]}"; then
	ok "step 4: one version $version in dkms.conf, changelog, .debs and DKMS modules ($(tail -n 1 "$work/version.log"))"
else
	grep '^not ok' "$work/version.log" | sed 's/^/#   /'
	not_ok "step 4: versions disagree (tests/version.sh, see $work/version.log)"
fi

# --- 5. VM suite with the DKMS-built modules -----------------------------------
# Each kernel's module is copied (decompressed) out of /lib/modules first, so
# the guest that is still running during step 6 uses the very file DKMS built.
# copy_kos: kos and vm_kernels for $kernels
copy_kos() {
	local k f ko
	kos=() vm_kernels=()
	for k in $kernels; do
		f=$(module_file "$k")
		mkdir -p "$work/$k"
		ko=$work/$k/$modname.ko
		case $f in
		*.ko.xz) xz -dc "$f" >"$ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$ko" ;;
		*.ko.gz) gzip -dc "$f" >"$ko" ;;
		*) cp "$f" "$ko" ;;
		esac
		note "$k: $f -> $ko (srcversion $(modinfo -F srcversion "$ko"))"
		kos+=("$ko")
		vm_kernels+=("$k")
	done
}
kos=()
vm_kernels=()
if [ $installed = yes ] && [ "$vm" != no ]; then
	copy_kos
fi

harness=$top/tests/vm/run.sh
vm_label="step 5"
vm_step() { # $1 kernel, $2 ko, $3 log
	local kv=${short[$1]:-$1} # the series name, or the release itself
	if [ -n "$vm_cases" ]; then
		"$harness" --kernel "$kv" --cases "$vm_cases" --module "$2" >"$3" 2>&1
	else
		"$harness" --kernel "$kv" --suite "$suite" --module "$2" >"$3" 2>&1
	fi
}
vm_report() { # $1 kernel, $2 rc, $3 log
	# the guest must have run at least one case besides the final
	# dmesg-clean check, or the module may never have been loaded
	local cases
	cases=$(grep -Ec '^[[:space:]]*ok [0-9]+ ' "$3")
	cases=$((cases - $(grep -Ec '^[[:space:]]*ok [0-9]+ dmesg-clean' "$3")))
	if [ "$2" -eq 0 ] && [ "$cases" -lt 1 ]; then
		sed 's/^/#   /' "$3" | tail -n 12
		not_ok "$vm_label: $vm_what on $1 ran no test case besides dmesg-clean: the module was never exercised"
	elif [ "$2" -eq 0 ]; then
		ok "$vm_label: VM $vm_what passed on $1 with the DKMS-built module ($cases cases; $(tail -n 1 "$3"))"
	else
		sed 's/^/#   /' "$3" | tail -n 30
		not_ok "$vm_label: VM $vm_what failed on $1 with the DKMS-built module (exit $2, log $3)"
	fi
}

bg_pid='' bg_k='' bg_log=''
# QEMU processes started by the harness run $1 (descendants of it)
qemu_of() {
	local p c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		p=$(ps -o comm= -p "$c" 2>/dev/null)
		case $p in qemu-system-*) echo "$c" ;; esac
		qemu_of "$c"
	done
}
if [ "$vm" = no ]; then
	note "step 5 skipped: SMART_MADVISE_DKMS_VM=no"
elif [ $installed != yes ]; then
	not_ok "step 5: nothing installed to boot"
elif [ ! -x "$harness" ]; then
	not_ok "step 5: $harness missing: cannot boot the VM suite"
else
	last=$((${#vm_kernels[@]} - 1))
	for i in "${!vm_kernels[@]}"; do
		k=${vm_kernels[$i]}
		log=$work/vm-$k.log
		if [ "$i" -lt "$last" ]; then
			vm_step "$k" "${kos[$i]}" "$log"
			vm_report "$k" $? "$log"
		else
			# the last one runs while the package is purged (step 6)
			vm_step "$k" "${kos[$i]}" "$log" &
			bg_pid=$! bg_k=$k bg_log=$log
			# wait (at most 10 min: the harness may build first) until
			# the guest has booted and its runner started the first
			# case (the cases load the module): QEMU's second serial
			# port file (-serial file:...) shows "TAP version"
			for _ in $(seq 600); do
				kill -0 $bg_pid 2>/dev/null || break
				guest=$(qemu_of "$bg_pid" | head -n 1)
				if [ -n "$guest" ]; then
					res=$(tr '\0' '\n' <"/proc/$guest/cmdline" 2>/dev/null |
						sed -n 's/^file://p' | tail -n 1)
					[ -n "$res" ] && grep -qs 'TAP version' "$res" && break
				fi
				sleep 1
			done
			sleep 1
		fi
	done
fi

# --- 6. purge -----------------------------------------------------------------
guest=
if [ -n "$bg_pid" ]; then
	guest=$(qemu_of "$bg_pid" | head -n 1)
	if [ -n "$guest" ]; then
		note "purging while the $bg_k guest (qemu pid $guest) runs with the DKMS-built module"
	else
		note "the $bg_k guest already finished: purge does not overlap a running guest"
	fi
fi
purge_and_check "step 6"
if [ -n "$guest" ]; then
	if kill -0 "$guest" 2>/dev/null; then
		note "guest qemu pid $guest still running after the purge"
	else
		note "guest qemu pid $guest ended during the purge"
	fi
fi
if [ -n "$bg_pid" ]; then
	wait "$bg_pid"
	vm_report "$bg_k" $? "$bg_log"
fi

# --- 7. reinstall after purge, then purge again ---------------------------------
install_and_check "step 7a (reinstall)" "step 7b (reinstall)" &&
	purge_and_check "step 7c (final purge)"

# --- 8. smart-madvise-tools ---------------------------------------------------
tdeb=$(find "$top/out/deb" -maxdepth 1 -name "smart-madvise-tools_${version}_*.deb" 2>/dev/null | LC_ALL=C sort | head -n 1)
if [ -n "$tdeb" ]; then
	tbad=
	if run tools.log apt_get -y install --no-install-recommends "$tdeb"; then
		tv=$(smadvctl --version 2>&1 | head -n 1)
		note "smadvctl --version: $tv"
		case $tv in *" $version"*) ;; *) tbad+=" smadvctl --version '$tv' lacks $version;" ;; esac
		ls /usr/share/man/man8/smadvctl.8* >/dev/null 2>&1 || tbad+=" no smadvctl(8) man page;"
		[ -e /usr/share/bash-completion/completions/smadvctl ] || tbad+=" no bash completion;"
		run tools.log apt_get -y purge smart-madvise-tools || tbad+=" purge failed;"
		! command -v smadvctl >/dev/null || tbad+=" smadvctl still there after purge;"
	else
		tbad+=" apt-get install failed (see $work/tools.log);"
	fi
	if [ -z "$tbad" ]; then
		ok "step 8: $(basename "$tdeb") installs smadvctl $version with man page and completion, purges cleanly"
	else
		not_ok "step 8:$tbad"
	fi
else
	not_ok "step 8: make deb built no smart-madvise-tools package"
fi

# --- 9. outside BUILD_EXCLUSIVE_KERNEL: skipped, package configured ----------
# build_narrow_deb RELEASE: a copy of the packages whose
# BUILD_EXCLUSIVE_KERNEL admits only RELEASE, in $work/narrow-deb.
build_narrow_deb() {
	local src=$work/narrow-src re
	re="^$(printf '%s' "$1" | sed 's/[.+]/\\&/g')\$"
	rm -rf "$src" "$work/narrow-deb"
	mkdir -p "$src"
	(cd "$top" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$src"
	{ grep -v '^BUILD_EXCLUSIVE_KERNEL=' "$top/dkms.conf"
	  printf 'BUILD_EXCLUSIVE_KERNEL="%s"\n' "$re"; } > "$src/dkms.conf"
	SMART_MADVISE_DEB_OUT=$work/narrow-deb run narrow.log "$src/debian/build-deb.sh" --no-lintian --binary-only &&
		ls "$work"/narrow-deb/${pkg}_"$version"_all.deb
}

# narrow_check LABEL PURGE-LABEL: on the system of the steps (host or
# root), the package admitting only the first of $kernels builds for it,
# skips the others with dkms's BUILD_EXCLUSIVE message, and dpkg leaves it
# ii; then it purges cleanly.
narrow_check() {
	local admit=${kernels%% *} k ndeb bad='' u rc log=$work/narrow-install.log
	if ! ndeb=$(build_narrow_deb "$admit"); then
		not_ok "$1: could not build the narrowed package (see $work/narrow.log)"
		return
	fi
	: >"$log"
	run narrow-install.log sys_apt -y install --no-install-recommends "$ndeb" ||
		bad+=" apt-get install failed;"
	installed_pkg || bad+=" package state '$(sys dpkg-query -W -f='${db:Status-Abbrev}' "$pkg")', not ii;"
	u=$(unconfigured_pkgs)
	[ -z "$u" ] || bad+=" dpkg left unconfigured: $(echo "$u" | tr '\n' ' ');"
	for k in $kernels; do
		[ "$k" = "$admit" ] && continue
		# as a kernel's postinst hook would, should the package's not have
		rc=0
		sys dkms install "$name/$version" -k "$k" >>"$log" 2>&1 || rc=$?
		note "dkms install -k $k (excluded): exit $rc"
		[ -z "$(module_file "$k")" ] || bad+=" $k: module built though excluded;"
	done
	sys dkms status "$name/$version" -k "$admit" 2>/dev/null | grep -q ': installed' ||
		run narrow-install.log sys dkms install "$name/$version" -k "$admit" || true
	[ -n "$(module_file "$admit")" ] || bad+=" $admit: not built though admitted;"
	grep -i 'BUILD_EXCLUSIVE' "$log" | sort -u | sed 's/^/#   dkms: /'
	grep -qi 'BUILD_EXCLUSIVE' "$log" || bad+=" dkms printed no BUILD_EXCLUSIVE skip message;"
	if [ -z "$bad" ]; then
		ok "$1: BUILD_EXCLUSIVE_KERNEL admitting only $admit: built for it, others skipped with dkms's message, package ii$sys_what"
	else
		not_ok "$1$sys_what:$bad (see $log)"
	fi
	purge_and_check "$2"
}
narrow_check "step 9a" "step 9b"

# --- 10. Debian 13: the package in a trixie root --------------------------------
if [ "${SMART_MADVISE_DKMS_ROOT:-yes}" = no ]; then
	note "step 10 skipped: SMART_MADVISE_DKMS_ROOT=no"
elif [ -z "$root_kernels" ]; then
	note "step 10 skipped: no trixie kernel in tests/vm/kernels.list"
elif ! base=$(buildroot_ensure trixie); then
	not_ok "step 10: no trixie build root (tests/lib/buildroot.sh)"
else
	sys_root=$work/root-trixie sys_what=" (Debian 13 root)" kernels=$root_kernels
	rm -rf "$sys_root"
	# shared: no rebuild replaces the root while it is copied
	flock -s "$SM_CACHE/roots/.lock" cp -a "$base" "$sys_root"
	cp "$deb" "$work/" && deb=$work/$(basename "$deb")
	hdrs=()
	for k in $kernels; do hdrs+=("linux-headers-$k"); done
	if run root.log sys_apt update && run root.log sys_apt -y install --no-install-recommends dkms "${hdrs[@]}"; then
		ok "step 10: Debian 13 root: apt installed dkms $(sys dpkg-query -W -f='${Version}' dkms) and ${hdrs[*]}"
		note "openssl before the package: $(sys dpkg-query -W -f='${db:Status-Abbrev}' openssl 2>/dev/null || echo not installed)"
		installed=no
		install_and_check "step 10a" "step 10b" && installed=yes
		note "openssl after the package: $(sys dpkg-query -W -f='${db:Status-Abbrev}${Version}' openssl 2>/dev/null)"
		if [ $installed = yes ] && [ "$vm" != no ] && [ -x "$harness" ]; then
			copy_kos
			vm_label="step 10 (VM)"
			for i in "${!vm_kernels[@]}"; do
				vm_step "${vm_kernels[$i]}" "${kos[$i]}" "$work/vm-${vm_kernels[$i]}.log"
				vm_report "${vm_kernels[$i]}" $? "$work/vm-${vm_kernels[$i]}.log"
			done
		fi
		purge_and_check "step 10c"
		narrow_check "step 10d" "step 10e"
	else
		not_ok "step 10: apt in the Debian 13 root could not install dkms ${hdrs[*]} (see $work/root.log)"
	fi
	rm -rf "$sys_root"
	sys_root='' sys_what='' kernels=$host_kernels vm_label="step 5"
fi

finish
