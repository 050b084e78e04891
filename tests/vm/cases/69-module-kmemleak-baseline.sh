#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debug kernel only (make check-debug runs it first): forget what kmemleak
# suspects from boot, so the scan at the end of the run reports only what
# leaked while the module was in use. Skips without kmemleak.
. /tests/lib.sh
[ -w /sys/kernel/debug/kmemleak ] || skip "no kmemleak in this kernel"
echo scan > /sys/kernel/debug/kmemleak
n=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
echo "# figure: kmemleak_boot_suspects $n"
echo clear > /sys/kernel/debug/kmemleak
finish
