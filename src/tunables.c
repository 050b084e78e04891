// SPDX-License-Identifier: GPL-2.0
/*
 * Tunables: /sys/kernel/smart_madvise/ and module parameters of the same
 * names share one definition (tunables_list.h), one parser and one range
 * check, so a value the load accepts is exactly a value a write accepts.
 */
#include <linux/ctype.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "tunables.h"
#include "tunables_list.h"

#define SM_DEFAULT(_name, _min, _max, _default, _desc) ._name = _default,
struct sm_tunables sm_tun = { SM_TUNABLES(SM_DEFAULT) };

static DEFINE_MUTEX(sm_tun_lock);	/* serialises writers and (un)arming */
static struct kobject *sm_kobj;

struct sm_tunable {
	struct kobj_attribute attr;
	unsigned int *val;
	unsigned int min;
	unsigned int max;
};

/* Longer than any valid value; kernfs hands a store at most a page. */
#define SM_TUNABLE_MAX_LEN 32

/*
 * Strict decimal: digits and at most one trailing newline. No sign, no
 * blanks, no embedded NUL. Malformed or oversized is -EINVAL, out of
 * range -ERANGE. A write longer than a page reaches the store truncated
 * to a page, so the length check is what refuses it.
 */
static int sm_tunable_parse(const struct sm_tunable *t, const char *buf,
			    size_t count, unsigned int *out)
{
	unsigned int v;
	int ret;

	if (!count || count > SM_TUNABLE_MAX_LEN ||
	    strnlen(buf, count) != count || !isdigit(buf[0]))
		return -EINVAL;
	ret = kstrtouint(buf, 10, &v);
	if (ret)
		return ret;
	if (v < t->min || v > t->max)
		return -ERANGE;
	*out = v;
	return 0;
}

static const struct sm_tunables_ops *sm_ops;

/* Caller holds sm_tun_lock. */
static int sm_apply_enable(unsigned int on)
{
	int ret;

	if (on == sm_tun.enable)
		return 0;
	ret = sm_ops->set_enable(on);
	if (ret)
		return ret;
	WRITE_ONCE(sm_tun.enable, on);
	pr_info("%s\n", on ? "enabled" : "disabled");
	return 0;
}

int sm_tunables_set_enable(bool on)
{
	int ret;

	mutex_lock(&sm_tun_lock);
	ret = sm_apply_enable(on);
	mutex_unlock(&sm_tun_lock);
	return ret;
}

static ssize_t sm_tunable_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct sm_tunable *t = container_of(attr, struct sm_tunable, attr);

	return sysfs_emit(buf, "%u\n", READ_ONCE(*t->val));
}

static ssize_t sm_tunable_store(struct kobject *kobj,
				struct kobj_attribute *attr, const char *buf,
				size_t count)
{
	struct sm_tunable *t = container_of(attr, struct sm_tunable, attr);
	unsigned int v;
	int ret;

	ret = sm_tunable_parse(t, buf, count, &v);
	if (ret)
		return ret;
	mutex_lock(&sm_tun_lock);
	if (t->val == &sm_tun.enable)
		ret = sm_apply_enable(v);
	else
		WRITE_ONCE(*t->val, v);
	mutex_unlock(&sm_tun_lock);
	return ret ?: count;
}

/* At load: only the value; main.c arms probes once everything exists. */
static int sm_param_set(const char *val, const struct kernel_param *kp)
{
	struct sm_tunable *t = kp->arg;
	size_t len = strlen(val);
	unsigned int v;
	int ret;

	ret = sm_tunable_parse(t, val, len, &v);
	if (ret) {
		pr_err("parameter %s=%s: %s, valid range %u..%u\n",
		       kp->name, val, ret == -ERANGE ? "out of range" : "not a number",
		       t->min, t->max);
		return ret;
	}
	*t->val = v;
	return 0;
}

static int sm_param_get(char *buf, const struct kernel_param *kp)
{
	struct sm_tunable *t = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*t->val));
}

static const struct kernel_param_ops sm_param_ops = {
	.set = sm_param_set,
	.get = sm_param_get,
};

static int sm_choice_set(const char *val, const struct kernel_param *kp)
{
	const struct sm_choice *c = kp->arg;
	int i = __sysfs_match_string(c->names, c->nr, val);
	char valid[64];
	size_t n, len = 0;

	if (i >= 0) {
		*c->val = i;
		return 0;
	}
	for (n = 0; n < c->nr; n++)
		len += scnprintf(valid + len, sizeof(valid) - len, " %s",
				 c->names[n]);
	pr_err("parameter %s=%s: not one of%s\n", kp->name, val, valid);
	return -EINVAL;
}

static int sm_choice_get(char *buf, const struct kernel_param *kp)
{
	const struct sm_choice *c = kp->arg;

	return sysfs_emit(buf, "%s\n", c->names[*c->val]);
}

const struct kernel_param_ops sm_choice_ops = {
	.set = sm_choice_set,
	.get = sm_choice_get,
};

#define SM_TUNABLE(_name, _min, _max, _default, _desc)			\
	static struct sm_tunable sm_tunable_##_name = {			\
		.attr = {						\
			.attr = { .name = __stringify(_name), .mode = 0644 }, \
			.show = sm_tunable_show,			\
			.store = sm_tunable_store,			\
		},							\
		.val = &sm_tun._name,					\
		.min = _min,						\
		.max = _max,						\
	};								\
	module_param_cb(_name, &sm_param_ops, &sm_tunable_##_name, 0444); \
	MODULE_PARM_DESC(_name, _desc " (" __stringify(_min) ".."	\
			 __stringify(_max) ", default "			\
			 __stringify(_default) ")");

SM_TUNABLES(SM_TUNABLE)

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", SMART_MADVISE_VERSION);
}

static ssize_t fault_hook_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", sm_ops->fault_hook_name());
}

static ssize_t madvise_hook_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", sm_ops->madvise_hook_name());
}

static ssize_t late_support_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	const char *why = sm_ops->late_unsupported();

	return why ? sysfs_emit(buf, "no: %s\n", why) : sysfs_emit(buf, "yes\n");
}

#define SM_INFO_ATTR(_name)						\
	static struct kobj_attribute sm_##_name##_attr = __ATTR_RO(_name);
SM_INFO_FILES(SM_INFO_ATTR)

#define SM_TUNABLE_ATTR(_name, _min, _max, _default, _desc)		\
	&sm_tunable_##_name.attr.attr,
#define SM_INFO_ATTR_PTR(_name) &sm_##_name##_attr.attr,
static struct attribute *sm_attrs[] = {
	SM_TUNABLES(SM_TUNABLE_ATTR)
	SM_INFO_FILES(SM_INFO_ATTR_PTR)
	NULL,
};

static const struct attribute_group sm_attr_group = {
	.attrs = sm_attrs,
};

/* Last at load: from here on user space may write enable=1. */
int sm_tunables_init(const struct sm_tunables_ops *ops)
{
	int ret;

	sm_ops = ops;
	sm_kobj = kobject_create_and_add("smart_madvise", kernel_kobj);
	if (!sm_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(sm_kobj, &sm_attr_group);
	if (ret)
		kobject_put(sm_kobj);
	return ret;
}

void sm_tunables_exit(void)
{
	kobject_put(sm_kobj);
}
