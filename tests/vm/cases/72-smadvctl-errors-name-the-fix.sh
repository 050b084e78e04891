#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# smadvctl's errors name the cause and the fix, with distinct
# non-zero exits: module not loaded (3), debugfs not mounted (4), not root
# (5), interface version mismatch (6).
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

command -v smadvctl > /dev/null || { fail "smadvctl is not in the guest"; finish; }

# sc [runas] WANT_RC ARGS...
sc() {
	_pre=""
	if [ "$1" = nobody ]; then
		_pre="sm_runas 65534 65534"
		shift
	fi
	_want=$1
	shift
	$_pre smadvctl "$@" > /tmp/sc.out 2> /tmp/sc.err
	_rc=$?
	if [ "$_rc" = "$_want" ]; then
		pass "${_pre:+(uid 65534) }smadvctl $* -> exit $_rc: $(head -n 1 /tmp/sc.err)"
	else
		fail "${_pre:+(uid 65534) }smadvctl $*: exit $_rc, wanted $_want"
		sed 's/^/#   out: /' /tmp/sc.out | head -n 5
		sed 's/^/#   err: /' /tmp/sc.err | head -n 5
	fi
}
in_err() {
	if tr '\n' ' ' < /tmp/sc.err | grep -Eq -- "$1"; then
		pass "$2"
	else
		fail "$2: /$1/ not in:"
		sed 's/^/#   /' /tmp/sc.err | head -n 5
	fi
}

# --- module not loaded ----------------------------------------------------
sm_unload
for c in status "top -n 1" events metrics "get enable" "set enable 1" enable; do
	# shellcheck disable=SC2086
	sc 3 $c
	in_err "module is not loaded.*Fix: load it with 'modprobe smart_madvise'" "not loaded: $c names cause and fix"
done
sc 3 status --json
sm_embed JSON status-unloaded /tmp/sc.out
grep -q '"loaded":false' /tmp/sc.out || fail "status --json when not loaded: no \"loaded\":false"

sm_load_or_die

# --- not root -----------------------------------------------------------------
command -v sm_runas > /dev/null || { fail "sm_runas missing"; finish; }
for c in status "top -n 1" events metrics; do
	# shellcheck disable=SC2086
	sc nobody 5 $c
	in_err "root-only.*Fix: run as root" "not root: $c names cause and fix"
done
sc nobody 0 get window_size
expect_eq "not root: get reads the world-readable tunable" "$(cat /tmp/sc.out)" "$(sm_get window_size)"
old=$(sm_get window_size)
sc nobody 5 set window_size 100
in_err "changing tunables needs root.*sudo smadvctl set window_size 100" "not root: set names cause and fix"
expect_eq "not root: window_size unchanged" "$(sm_get window_size)" "$old"
sc nobody 5 enable
expect_eq "not root: enable unchanged" "$(sm_get enable)" 0

# --- debugfs not mounted -------------------------------------------------------
umount /sys/kernel/debug/tracing 2> /dev/null
if umount /sys/kernel/debug 2> /dev/null; then
	sc 4 status
	in_err "debugfs is not mounted on /sys/kernel/debug.*mount -t debugfs none /sys/kernel/debug" \
		"no debugfs: names cause and fix"
	sc 4 metrics
	sc 0 get enable
	mount -t debugfs debugfs /sys/kernel/debug || fail "remounting debugfs"
	sc 0 status
else
	log "cannot unmount /sys/kernel/debug (busy); checking the message only with SMADVCTL_DEBUGFS_DIR"
	export SMADVCTL_DEBUGFS_DIR=/tmp/nonexistent
	sc 4 status
	unset SMADVCTL_DEBUGFS_DIR
fi

# --- interface version mismatch --------------------------------------------------
# The real module has one version; give smadvctl a copy of its sysfs directory
# that claims a future major version.
mkdir -p /tmp/fakesys
for f in "$SM_SYS"/*; do cat "$f" > "/tmp/fakesys/${f##*/}"; done
echo 1.0.0 > /tmp/fakesys/version
export SMADVCTL_SYSFS_DIR=/tmp/fakesys
sc 6 status
in_err "interface version mismatch: the loaded module is version '1\\.0\\.0'.*Fix: install the smadvctl from the same" \
	"version mismatch: names both versions and the fix"
sc 6 metrics
unset SMADVCTL_SYSFS_DIR
sc 0 status

sm_unload
finish
