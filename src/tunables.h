/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMART_MADVISE_TUNABLES_H
#define SMART_MADVISE_TUNABLES_H

#include <linux/moduleparam.h>
#include <linux/types.h>
#include "tunables_list.h"

#define SM_TUNABLE_FIELD(_name, _min, _max, _default, _desc) unsigned int _name;
/* Tunables; read locklessly with READ_ONCE(), written under sm_tun_lock. */
struct sm_tunables {
	SM_TUNABLES(SM_TUNABLE_FIELD)
};

extern struct sm_tunables sm_tun;

/* A load-time choice among names, for module_param_cb(..., &sm_choice_ops). */
struct sm_choice {
	const char * const *names;
	size_t nr;
	unsigned int *val;
};

extern const struct kernel_param_ops sm_choice_ops;

/* What the sysfs files need from the rest of the module. */
struct sm_tunables_ops {
	int (*set_enable)(bool on);	/* arms or disarms every probe */
	const char *(*fault_hook_name)(void);
	const char *(*madvise_hook_name)(void);
	const char *(*late_unsupported)(void);	/* NULL: late works */
};

/* tunables.c */
int sm_tunables_init(const struct sm_tunables_ops *ops);
void sm_tunables_exit(void);
int sm_tunables_set_enable(bool on);

#endif
