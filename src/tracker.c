// SPDX-License-Identifier: GPL-2.0
/*
 * Per-process fault tracking. State is keyed by mm, so all threads of a
 * process share it, in a fixed-size RCU hash table. The fault path runs
 * with interrupts off (x86 tracepoint) or preemption off (kprobe), where
 * PREEMPT_RT forbids both sleeping locks and the slab: so every lock it
 * takes is a raw spinlock, and new entries come from a small reserve that
 * a work item refills. Entries go away when exit_mmap() runs or, should
 * that probe miss, in a periodic sweep that checks the owner still uses
 * the mm.
 */
#include <linux/hashtable.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include "smart_madvise.h"
#include "compat.h"
#include "sm_trace.h"

#define SM_HASH_BITS		14
#define SM_SWEEP_INTERVAL	(2 * HZ)
#define SM_TIMING_PERIOD	64	/* time one fault handler call in 64 */
#define SM_RESERVE		128	/* new processes tracked between refills */

struct sm_proc {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct mm_struct *mm;	/* key only, never dereferenced */
	pid_t tgid;
	u32 rewrites;
	bool dead;			/* unhashed; under sm_procs_lock */
	raw_spinlock_t lock;		/* protects tgid, rewrites, pat */
	struct sm_pattern pat;
};

static DEFINE_HASHTABLE(sm_procs, SM_HASH_BITS);
static DEFINE_RAW_SPINLOCK(sm_procs_lock);	/* serialises insert and removal */
static struct sm_proc *sm_reserve[SM_RESERVE];
static unsigned int sm_reserve_nr;
static DEFINE_RAW_SPINLOCK(sm_reserve_lock);
static struct work_struct sm_refill_work;
static atomic_t sm_nr_procs = ATOMIC_INIT(0);
static atomic_long_t sm_nr_allocated = ATOMIC_LONG_INIT(0);
static struct kmem_cache *sm_proc_cache;
static struct delayed_work sm_sweep_work;
static bool sm_tracking;

enum sm_fault_hook { SM_HOOK_AUTO, SM_HOOK_TRACEPOINT, SM_HOOK_KPROBE };
static const char * const sm_fault_hook_names[] = {
	[SM_HOOK_AUTO] = "auto",
	[SM_HOOK_TRACEPOINT] = "tracepoint",
	[SM_HOOK_KPROBE] = "kprobe",
};

static unsigned int sm_fault_hook_wanted = SM_HOOK_AUTO;
static enum sm_fault_hook sm_fault_hook_used;
static struct tracepoint *sm_pf_user_tp;
static struct kprobe sm_fault_kp;
static struct kprobe sm_exit_kp;
static unsigned long sm_missed_before;	/* nmissed of probes since unregistered */

static struct sm_choice sm_fault_hook_choice = {
	.names = sm_fault_hook_names,
	.nr = ARRAY_SIZE(sm_fault_hook_names),
	.val = &sm_fault_hook_wanted,
};

module_param_cb(fault_hook, &sm_choice_ops, &sm_fault_hook_choice, 0444);
MODULE_PARM_DESC(fault_hook,
		 "Fault hook: auto (x86 tracepoint, else kprobe), tracepoint or kprobe");

static void sm_match_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "page_fault_user"))
		*(struct tracepoint **)priv = tp;
}

static struct sm_proc *sm_proc_find(const struct mm_struct *mm)
{
	struct sm_proc *p;

	hash_for_each_possible_rcu(sm_procs, p, node, (unsigned long)mm)
		if (p->mm == mm)
			return p;
	return NULL;
}

/* Any context: an entry from the reserve, or NULL when it ran dry. */
static struct sm_proc *sm_reserve_take(void)
{
	struct sm_proc *p = NULL;
	unsigned long flags;
	unsigned int left;

	raw_spin_lock_irqsave(&sm_reserve_lock, flags);
	if (sm_reserve_nr)
		p = sm_reserve[--sm_reserve_nr];
	left = sm_reserve_nr;
	raw_spin_unlock_irqrestore(&sm_reserve_lock, flags);
	if (left < SM_RESERVE / 2)
		queue_work(system_wq, &sm_refill_work);
	return p;
}

/* Any context: back into the reserve; false when it is full. */
static bool sm_reserve_put(struct sm_proc *p)
{
	unsigned long flags;
	bool kept = false;

	raw_spin_lock_irqsave(&sm_reserve_lock, flags);
	if (sm_reserve_nr < SM_RESERVE) {
		sm_reserve[sm_reserve_nr++] = p;
		kept = true;
	}
	raw_spin_unlock_irqrestore(&sm_reserve_lock, flags);
	return kept;
}

static void sm_reserve_refill(struct work_struct *work)
{
	struct sm_proc *p;

	while (READ_ONCE(sm_reserve_nr) < SM_RESERVE) {
		p = kmem_cache_alloc(sm_proc_cache, GFP_KERNEL | __GFP_NOWARN);
		if (!p)
			return;
		if (!sm_reserve_put(p)) {
			kmem_cache_free(sm_proc_cache, p);
			return;
		}
	}
}

static void sm_reserve_drain(void)
{
	while (sm_reserve_nr)
		kmem_cache_free(sm_proc_cache, sm_reserve[--sm_reserve_nr]);
}

static void sm_proc_release(struct sm_proc *p)
{
	if (!sm_reserve_put(p))
		kmem_cache_free(sm_proc_cache, p);
	atomic_long_dec(&sm_nr_allocated);
}

static void sm_proc_free_rcu(struct rcu_head *head)
{
	sm_proc_release(container_of(head, struct sm_proc, rcu));
}

/* Caller holds sm_procs_lock. */
static void sm_proc_del(struct sm_proc *p)
{
	p->dead = true;
	hash_del_rcu(&p->node);
	atomic_dec(&sm_nr_procs);
	call_rcu(&p->rcu, sm_proc_free_rcu);
}

/* Fault path: no slab here (see the top), and a hard cap. */
static struct sm_proc *sm_proc_add(const struct mm_struct *mm, pid_t tgid)
{
	struct sm_proc *p, *raced;

	if (atomic_inc_return(&sm_nr_procs) > READ_ONCE(sm_tun.max_processes))
		goto undo_count;
	p = sm_reserve_take();
	if (!p)
		goto undo_count;
	atomic_long_inc(&sm_nr_allocated);
	p->mm = mm;
	p->tgid = tgid;
	p->rewrites = 0;
	p->dead = false;
	raw_spin_lock_init(&p->lock);
	sm_pattern_init(&p->pat);

	raw_spin_lock(&sm_procs_lock);
	raced = sm_proc_find(mm);	/* another thread may have won */
	if (!raced)
		hash_add_rcu(sm_procs, &p->node, (unsigned long)mm);
	raw_spin_unlock(&sm_procs_lock);
	if (!raced)
		return p;
	sm_proc_release(p);
	atomic_dec(&sm_nr_procs);
	return raced;

undo_count:
	atomic_dec(&sm_nr_procs);
	return NULL;
}

/* Whether a thread of @tgid still runs on @mm. Caller holds RCU. */
static bool sm_owner_uses_mm(pid_t tgid, const struct mm_struct *mm)
{
	struct task_struct *leader, *t;

	leader = pid_task(find_pid_ns(tgid, &init_pid_ns), PIDTYPE_TGID);
	if (!leader)
		return false;
	for_each_thread(leader, t)
		if (READ_ONCE(t->mm) == mm)
			return true;
	return false;
}

/*
 * The entry's tgid differs from the faulting process. Either a vfork
 * child shares the owner's mm (keep the owner's state), or exit_mmap()
 * was missed and the mm was reused: the new process must not inherit.
 * Caller holds p->lock and RCU.
 */
static void sm_proc_check_owner(struct sm_proc *p, pid_t tgid)
{
	if (likely(p->tgid == tgid) || sm_owner_uses_mm(p->tgid, p->mm))
		return;
	p->tgid = tgid;
	p->rewrites = 0;
	sm_pattern_init(&p->pat);
}

static void sm_track_fault_untimed(const struct mm_struct *mm,
				   unsigned long address)
{
	struct sm_params params = {
		.window_size = READ_ONCE(sm_tun.window_size),
		.threshold = READ_ONCE(sm_tun.threshold),
		.max_gap_pages = READ_ONCE(sm_tun.max_gap_pages),
	};
	pid_t tgid = current->tgid;
	enum sm_verdict old, new;
	struct sm_proc *p;
	int seq;

	rcu_read_lock();
	p = sm_proc_find(mm);
	if (unlikely(!p)) {
		p = sm_proc_add(mm, tgid);
		if (!p) {
			sm_stat_inc(faults_untracked);
			goto unlock_rcu;
		}
	}
	raw_spin_lock(&p->lock);
	sm_proc_check_owner(p, tgid);
	old = p->pat.verdict;
	seq = sm_classify(&p->pat, address >> PAGE_SHIFT, params.max_gap_pages);
	new = sm_record(&p->pat, seq, &params);
	if (unlikely(new != old))
		trace_verdict_change(tgid, old, new, p->pat.win_seq,
				     p->pat.win_fill);
	raw_spin_unlock(&p->lock);
	if (seq)
		sm_stat_inc(faults_sequential);
unlock_rcu:
	rcu_read_unlock();
}

/* Sampled self-timing: the probe's cost per fault, for a cost of ~1/64. */
static void sm_track_fault(const struct mm_struct *mm, unsigned long address)
{
	u64 start;

	if (likely(this_cpu_inc_return(sm_stats.faults) % SM_TIMING_PERIOD)) {
		sm_track_fault_untimed(mm, address);
		return;
	}
	start = local_clock();
	sm_track_fault_untimed(mm, address);
	this_cpu_add(sm_stats.handler_ns, local_clock() - start);
	this_cpu_inc(sm_stats.handler_samples);
}

/* exceptions:page_fault_user fires once per fault taken in user mode. */
static void sm_pf_user_probe(void *data, unsigned long address,
			     struct pt_regs *regs, unsigned long error_code)
{
	const struct mm_struct *mm = current->mm;

	if (likely(mm))
		sm_track_fault(mm, address);
}

/* handle_mm_fault(vma, address, flags, regs) */
static int sm_fault_kp_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct vm_area_struct *vma = (void *)regs_get_kernel_argument(regs, 0);
	unsigned long address = regs_get_kernel_argument(regs, 1);
	unsigned int flags = regs_get_kernel_argument(regs, 2);

	/* GUP on a remote mm and kernel-mode faults are not the process's. */
	if ((flags & FAULT_FLAG_USER) && vma->vm_mm == current->mm)
		sm_track_fault(vma->vm_mm, address);
	return 0;
}

/* exit_mmap(mm) */
static int sm_exit_kp_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct mm_struct *mm = (void *)regs_get_kernel_argument(regs, 0);
	struct sm_proc *p;

	raw_spin_lock(&sm_procs_lock);
	rcu_read_lock();
	p = sm_proc_find(mm);
	if (p)
		sm_proc_del(p);
	rcu_read_unlock();
	raw_spin_unlock(&sm_procs_lock);
	return 0;
}

/* Walks under RCU; the global lock is taken only to delete. */
static void sm_sweep(struct work_struct *work)
{
	struct sm_proc *p;
	int bkt;

	rcu_read_lock();
	hash_for_each_rcu(sm_procs, bkt, p, node) {
		if (sm_owner_uses_mm(READ_ONCE(p->tgid), p->mm))
			continue;
		raw_spin_lock(&sm_procs_lock);
		if (!p->dead) {		/* exit_mmap() may have been first */
			sm_proc_del(p);
			sm_stat_inc(sweeps_dropped);
		}
		raw_spin_unlock(&sm_procs_lock);
	}
	rcu_read_unlock();

	/* Tracking off and nothing left: no timer either. */
	if (READ_ONCE(sm_tracking) || atomic_read(&sm_nr_procs))
		schedule_delayed_work(&sm_sweep_work, SM_SWEEP_INTERVAL);
}

static int sm_register_kprobe(struct kprobe *kp, const char *symbol,
			      kprobe_pre_handler_t pre)
{
	*kp = (struct kprobe){ .symbol_name = symbol, .pre_handler = pre };
	return register_kprobe(kp);
}

static void sm_unregister_kprobe(struct kprobe *kp)
{
	unregister_kprobe(kp);
	sm_missed_before += kp->nmissed;
	kp->nmissed = 0;
}

static int sm_fault_hook_register(void)
{
	if (sm_fault_hook_used == SM_HOOK_TRACEPOINT)
		return tracepoint_probe_register(sm_pf_user_tp,
						 (void *)sm_pf_user_probe, NULL);
	return sm_register_kprobe(&sm_fault_kp, "handle_mm_fault",
				  sm_fault_kp_pre);
}

static void sm_fault_hook_unregister(void)
{
	if (sm_fault_hook_used == SM_HOOK_TRACEPOINT)
		tracepoint_probe_unregister(sm_pf_user_tp,
					    (void *)sm_pf_user_probe, NULL);
	else
		sm_unregister_kprobe(&sm_fault_kp);
}

int sm_tracker_start(void)
{
	int ret;

	sm_reserve_refill(NULL);
	ret = sm_register_kprobe(&sm_exit_kp, "exit_mmap", sm_exit_kp_pre);
	if (ret) {
		pr_err("cannot probe exit_mmap: %d\n", ret);
		return ret;
	}
	ret = sm_fault_hook_register();
	if (ret) {
		pr_err("cannot hook page faults (%s): %d\n",
		       sm_tracker_hook_name(), ret);
		goto unregister_exit;
	}
	WRITE_ONCE(sm_tracking, true);
	mod_delayed_work(system_wq, &sm_sweep_work, SM_SWEEP_INTERVAL);
	return 0;

unregister_exit:
	sm_unregister_kprobe(&sm_exit_kp);
	return ret;
}

void sm_tracker_stop(void)
{
	sm_fault_hook_unregister();
	sm_unregister_kprobe(&sm_exit_kp);
	/* No handler may still run once the caller frees anything. */
	tracepoint_synchronize_unregister();
	WRITE_ONCE(sm_tracking, false);
}

const char *sm_tracker_hook_name(void)
{
	return sm_fault_hook_names[sm_fault_hook_used];
}

unsigned int sm_tracker_nr_procs(void)
{
	return atomic_read(&sm_nr_procs);
}

long sm_tracker_nr_allocated(void)
{
	return atomic_long_read(&sm_nr_allocated);
}

unsigned long sm_tracker_missed(void)
{
	return sm_missed_before + sm_fault_kp.nmissed + sm_exit_kp.nmissed;
}

int sm_tracker_counts(pid_t tgid, u64 *seq, u64 *rand)
{
	struct task_struct *task;
	struct sm_proc *p = NULL;

	rcu_read_lock();
	task = pid_task(find_pid_ns(tgid, &init_pid_ns), PIDTYPE_TGID);
	if (task)
		p = sm_proc_find(READ_ONCE(task->mm));
	if (p) {
		raw_spin_lock(&p->lock);
		*seq = p->pat.nr_seq;
		*rand = p->pat.nr_rand;
		raw_spin_unlock(&p->lock);
	}
	rcu_read_unlock();
	return p ? 0 : -ENOENT;
}

/*
 * Decides the advice a process's own madvise() gets; logs and traces
 * every would-be rewrite. Returns the advice to apply.
 */
int sm_tracker_advise(struct mm_struct *mm, unsigned long start, size_t len,
		      int advice)
{
	bool dry_run = READ_ONCE(sm_tun.dry_run);
	struct sm_rewrite_rec rec;
	struct sm_proc *p;
	int applied;

	rcu_read_lock();
	p = sm_proc_find(mm);
	if (!p) {
		rcu_read_unlock();
		return advice;
	}
	raw_spin_lock(&p->lock);
	sm_proc_check_owner(p, current->tgid);
	applied = sm_rewrite_advice(advice, p->pat.verdict);
	if (applied != advice) {
		rec.seq_permille = sm_window_permille(&p->pat);
		if (!dry_run)
			p->rewrites++;
	}
	raw_spin_unlock(&p->lock);
	rcu_read_unlock();
	if (applied == advice)
		return advice;

	rec.time_ns = ktime_get_ns();
	rec.start = start;
	rec.len = len;
	rec.tgid = current->tgid;
	rec.asked = advice;
	rec.applied = applied;
	rec.dry_run = dry_run;
	sm_task_comm(rec.comm, current);
	sm_log_rewrite(&rec);
	trace_advice_rewrite(rec.tgid, start, len, advice, applied,
			     rec.seq_permille, dry_run);
	if (dry_run) {
		sm_stat_inc(rewrites_dry_run);
		return advice;
	}
	sm_stat_inc(rewrites);
	return applied;
}

/* Snapshot of one entry for the debugfs readers. */
struct sm_proc_view {
	pid_t tgid;
	u32 rewrites;
	u64 seq, rand;
	enum sm_verdict verdict;
	char comm[TASK_COMM_LEN];
};

static void sm_proc_view(struct sm_proc *p, struct sm_proc_view *v)
{
	struct task_struct *task;

	raw_spin_lock(&p->lock);
	v->tgid = p->tgid;
	v->rewrites = p->rewrites;
	v->seq = p->pat.nr_seq;
	v->rand = p->pat.nr_rand;
	v->verdict = p->pat.verdict;
	raw_spin_unlock(&p->lock);

	task = pid_task(find_pid_ns(v->tgid, &init_pid_ns), PIDTYPE_TGID);
	if (task)
		sm_task_comm(v->comm, task);
	else
		v->comm[0] = '\0';
	sm_comm_field(v->comm);
}

void sm_tracker_show_processes(struct seq_file *m)
{
	struct sm_proc_view v;
	struct sm_proc *p;
	int bkt;

	seq_puts(m, "pid comm faults sequential random verdict rewrites\n");
	rcu_read_lock();
	hash_for_each_rcu(sm_procs, bkt, p, node) {
		sm_proc_view(p, &v);
		seq_printf(m, "%d %s %llu %llu %llu %s %u\n", v.tgid, v.comm,
			   v.seq + v.rand, v.seq, v.rand,
			   sm_verdict_name(v.verdict), v.rewrites);
	}
	rcu_read_unlock();
}

void sm_tracker_show_seq_faults(struct seq_file *m)
{
	struct sm_proc_view v;
	struct sm_proc *p;
	int bkt;

	rcu_read_lock();
	hash_for_each_rcu(sm_procs, bkt, p, node) {
		sm_proc_view(p, &v);
		seq_printf(m, "%d %llu\n", v.tgid, v.seq);
	}
	rcu_read_unlock();
}

int sm_tracker_init(void)
{
	if (sm_fault_hook_wanted != SM_HOOK_KPROBE)
		for_each_kernel_tracepoint(sm_match_tracepoint, &sm_pf_user_tp);
	if (!sm_pf_user_tp && sm_fault_hook_wanted == SM_HOOK_TRACEPOINT) {
		pr_err("fault_hook=tracepoint: exceptions:page_fault_user not found\n");
		return -ENOENT;
	}
	sm_fault_hook_used = sm_pf_user_tp ? SM_HOOK_TRACEPOINT : SM_HOOK_KPROBE;

	sm_proc_cache = KMEM_CACHE(sm_proc, 0);
	if (!sm_proc_cache)
		return -ENOMEM;
	INIT_DELAYED_WORK(&sm_sweep_work, sm_sweep);
	INIT_WORK(&sm_refill_work, sm_reserve_refill);
	return 0;
}

/* Called with every probe unregistered. */
void sm_tracker_exit(void)
{
	struct hlist_node *tmp;
	struct sm_proc *p;
	int bkt;

	WRITE_ONCE(sm_tracking, false);
	cancel_delayed_work_sync(&sm_sweep_work);
	raw_spin_lock(&sm_procs_lock);
	hash_for_each_safe(sm_procs, bkt, tmp, p, node)
		sm_proc_del(p);
	raw_spin_unlock(&sm_procs_lock);
	rcu_barrier();		/* every sm_proc_free_rcu() has run */
	cancel_work_sync(&sm_refill_work);
	sm_reserve_drain();
	kmem_cache_destroy(sm_proc_cache);
}
