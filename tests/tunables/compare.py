#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check every copy of the tunables list against the module's definition.

Usage: compare.py LIST_OUTPUT COPY   (COPY: one of COPIES below)
Prints the differences and exits 1 if there are any.
"""
import re
import sys

COPIES = {}


def copy(name, path):
    def register(fn):
        COPIES[name] = (path, fn)
        return fn
    return register


@copy("tools", "tools/smadv_kernel.c")
def tools_table(text):
    """{ "name", min, max, def, readonly, optional, ... }"""
    rw, ro = {}, set()
    for m in re.finditer(r'\{\s*"(\w+)",\s*(\d+),\s*(\d+),\s*(\d+),\s*([01]),',
                         text):
        name, lo, hi, d, readonly = m.groups()
        if readonly == "1":
            ro.add(name)
        else:
            rw[name] = (int(lo), int(hi), int(d))
    return rw, ro


@copy("modprobe.d", "debian/conf/modprobe.d/smart-madvise.conf")
def modprobe(text):
    """#   name   min..max   default   meaning"""
    rw = {}
    for m in re.finditer(r'^#\s+(\w+)\s+(\d+)\.\.(\d+)\s+(\d+)\s', text, re.M):
        rw[m.group(1)] = tuple(int(x) for x in m.groups()[1:])
    return rw, None


@copy("ABI docs", "sysfs-doc/sysfs-kernel-smart_madvise")
def abi(text):
    """What: /sys/kernel/smart_madvise/NAME, then (RW) MIN..MAX ... default D."""
    rw, ro = {}, set()
    for entry in re.split(r'^What:', text, flags=re.M)[1:]:
        m = re.match(r'\s*/sys/kernel/smart_madvise/(\w+)\s*$', entry, re.M)
        if not m:
            continue
        name, body = m.group(1), " ".join(entry.split())
        if "(RO)" in body:
            ro.add(name)
            continue
        r = re.search(r'\(RW\) (?:(\d+)\.\.(\d+)|(\d+) or (\d+))[^,]*, default (\d+)',
                      body)
        lo, hi = (r.group(1), r.group(2)) if r and r.group(1) else \
            (r.group(3), r.group(4)) if r else (None, None)
        rw[name] = (int(lo), int(hi), int(r.group(5))) if r else "unparsed"
    return rw, ro


@copy("completion", "tools/smadvctl.bash-completion")
def completion(text):
    rw = re.search(r'local rw="([^"]*)"', text)
    ro = re.search(r'local ro="([^"]*)"', text)
    return ({n: None for n in rw.group(1).split()} if rw else {},
            set(ro.group(1).split()) if ro else set())


@copy("case tunables", "tests/vm/cases/06-tunables-bad-input-refused.sh")
def case_tunables(text):
    block = re.search(r'TUNABLES="([^"]*)"', text)
    rw = {}
    for f in (line.split() for line in block.group(1).splitlines() if block):
        if f:
            rw[f[0]] = tuple(int(x) for x in f[1:4])
    return rw, None


@copy("admin guide", "docs/admin-guide.md")
def admin_guide(text):
    """| `name` | min..max | default | ... (the tunables table)"""
    rw, ro = {}, set()
    for m in re.finditer(r'^\| `(\w+)` \| (?:(\d+)\.\.(\d+) \| (\d+)|read-only \|)',
                         text, re.M):
        if m.group(2) is None:
            ro.add(m.group(1))
        else:
            rw[m.group(1)] = tuple(int(x) for x in m.groups()[1:])
    return rw, ro


def main():
    want_rw, want_ro = {}, set()
    with open(sys.argv[1]) as f:
        for line in f:
            kind, name, *vals = line.split()
            if kind == "rw":
                want_rw[name] = tuple(int(v) for v in vals)
            else:
                want_ro.add(name)
    path, parse = COPIES[sys.argv[2]]
    with open(path) as f:
        rw, ro = parse(f.read())
    bad = []
    for name in sorted(set(want_rw) | set(rw)):
        if name not in rw:
            bad.append(f"{path}: {name} missing")
        elif name not in want_rw:
            bad.append(f"{path}: {name} is not a tunable of the module")
        elif rw[name] is not None:
            got = rw[name] if isinstance(rw[name], tuple) else None
            want = want_rw[name]
            if got is None or any(g is not None and g != w
                                  for g, w in zip(got, want)):
                bad.append(f"{path}: {name} is {rw[name]}, the module says "
                           f"min {want[0]} max {want[1]} default {want[2]}")
    if ro is not None:
        for name in sorted(want_ro ^ ro):
            where = "missing" if name in want_ro else "is not a read-only file of the module"
            bad.append(f"{path}: read-only {name} {where}")
    print("\n".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
