# SPDX-License-Identifier: GPL-2.0
# Thin wrapper: the module is built by Kbuild, everything else by scripts.
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf build out
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tools clean

unit:
	$(MAKE) -C tests/unit check

tools:
	$(MAKE) -C tools

check:
	tests/check.sh

demo:
	tests/vm/demo.sh

deb:
	debian/build-deb.sh

bench:
	tests/bench/run.sh

stress:
	SMART_MADVISE_CASE_TIMEOUT=$${SMART_MADVISE_CASE_TIMEOUT:-2400} \
		tests/vm/run.sh --suite stress --scale full --timeout $${SMART_MADVISE_TIMEOUT:-7200}

case-studies:
	tests/case-studies/run.sh

check-debug:
	tests/debug-kernel/run.sh

.PHONY: all modules modules_install install clean unit tools check demo deb \
	bench stress case-studies check-debug
