// SPDX-License-Identifier: GPL-2.0
/*
 * Per-process fault tracking. State is keyed by mm, so all threads of a
 * process share it, in a fixed-size RCU hash table. The fault path runs
 * with interrupts off (x86 tracepoint) or preemption off (ftrace, kprobe),
 * where PREEMPT_RT forbids both sleeping locks and the slab: so every lock
 * it takes is a raw spinlock, taken with trylock, and new entries come
 * from reserves (pool.c). An entry is small, for every process is tracked;
 * the mappings a process advises hang off it, from their own slab, so
 * only processes that advise pay for them. Entries go away when
 * exit_mmap() runs or, should that probe miss, in a periodic sweep that
 * checks the owner still uses the mm.
 *
 * Each process also keeps the mappings it advised, with their own
 * evidence. When a mapping's faults contradict its advice, the fault path
 * queues a preallocated request holding the mm, and a work item changes
 * the advice in process context (vma.c). Work items, unlike task_work,
 * can be flushed: disarming waits for every queued correction, so none
 * outlives the module.
 */
#include <linux/bitops.h>
#include <linux/hashtable.h>
#include <linux/kprobes.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include "compat.h"
#include "fhook.h"
#include "pool.h"
#include "rewrite.h"
#include "tunables.h"
#include "sm_trace.h"
#include "stats.h"
#include "tracker.h"
#include "vma.h"

#define SM_HASH_BITS		14
#define SM_SWEEP_INTERVAL	(2 * HZ)
#define SM_TIMING_PERIOD	64	/* time one fault handler call in 64 */
#define SM_RESERVE		128	/* new processes tracked between refills */
#define SM_RANGE_RESERVE	256	/* new mappings followed between refills */
#define SM_LATE_REQS		64	/* corrections queued at once, all processes */

/*
 * A mapping the process advised (or, with a hook that sees the VMA,
 * found advised): its own evidence, so its advice can be corrected later.
 */
struct sm_range {
	struct sm_range *next;
	unsigned long start, end;
	u64 threads;		/* hashed ids of the threads that faulted in it */
	struct sm_evidence ev;
	u32 faults;
	u32 last_used;		/* the process's fault clock at its last fault */
	u16 corrections;
	u8 advice;		/* MADV_RANDOM or MADV_SEQUENTIAL */
	u8 pending;		/* a correction is queued */
	u8 dry_logged;		/* the advice a dry run already logged */
};

/*
 * Fields under the lock are valid only while !dead: once unhashed, the
 * counts' space holds the rcu_head, and readers that found the entry
 * before see dead and leave it.
 */
struct sm_proc {
	struct hlist_node node;
	const struct mm_struct *mm;	/* key only, never dereferenced */
	struct sm_range *ranges;	/* at most SM_RANGES, oldest first */
	union {
		struct {
			u64 nr_seq, nr_rand;
		};
		struct rcu_head rcu;
	};
	u32 exec_id;			/* the owner's self_exec_id, low bits */
	pid_t tgid;
	u32 rewrites;
	u32 late;			/* late corrections applied */
	u32 clock;			/* faults counted, for the ranges' LRU */
	raw_spinlock_t lock;		/* protects everything but node, mm */
	struct sm_streams streams;
	struct sm_evidence ev;
	u8 nr_ranges;
	bool dead;			/* unhashed */
};

/* The sizes sysfs-doc gives for a tracked process and a followed mapping. */
static_assert(sizeof(struct sm_proc) <= 192 || IS_ENABLED(CONFIG_DEBUG_SPINLOCK));
static_assert(sizeof(struct sm_range) <= 56);

/* A correction on its way from the fault path to the worker. */
struct sm_late_req {
	struct llist_node node;
	struct mm_struct *mm;		/* mm_users held until done */
	unsigned long start, end;
	pid_t tgid;
	int from, to;
	u16 seq_permille;
	bool dry_run;
	char comm[TASK_COMM_LEN];
};

static DEFINE_HASHTABLE(sm_procs, SM_HASH_BITS);
static DEFINE_RAW_SPINLOCK(sm_procs_lock);	/* serialises insert and removal */
static struct sm_pool sm_proc_pool, sm_range_pool;
static atomic_t sm_nr_procs = ATOMIC_INIT(0);
static atomic_t sm_nr_ranges = ATOMIC_INIT(0);
static atomic_long_t sm_nr_allocated = ATOMIC_LONG_INIT(0);
static struct kmem_cache *sm_proc_cache, *sm_range_cache;
static struct delayed_work sm_sweep_work;
static bool sm_tracking;
static DEFINE_PER_CPU(struct sm_tracker_stats, sm_tracker_pcpu);
#define sm_stat_inc(field) this_cpu_inc(sm_tracker_pcpu.field)

/* Preallocated: the fault path queues without allocating. */
static struct sm_late_req sm_late_reqs[SM_LATE_REQS];
static DECLARE_BITMAP(sm_late_busy, SM_LATE_REQS);
static LLIST_HEAD(sm_late_list);
static struct work_struct sm_late_work;

enum sm_fault_hook {
	SM_HOOK_AUTO, SM_HOOK_TRACEPOINT, SM_HOOK_KPROBE, SM_HOOK_FTRACE,
};

static const char * const sm_fault_hook_names[] = {
	[SM_HOOK_AUTO] = "auto",
	[SM_HOOK_TRACEPOINT] = "tracepoint",
	[SM_HOOK_KPROBE] = "kprobe",
	[SM_HOOK_FTRACE] = "ftrace",
};

#define SM_FAULT_FUNC "handle_mm_fault"

static unsigned int sm_fault_hook_wanted = SM_HOOK_AUTO;
static enum sm_fault_hook sm_fault_hook_used;
static struct tracepoint *sm_pf_user_tp;
static struct kprobe sm_fault_kp;
static struct ftrace_ops sm_fault_fops;
static struct kprobe sm_exit_kp;
static unsigned long sm_missed_before;	/* nmissed of probes since unregistered */

static struct sm_choice sm_fault_hook_choice = {
	.names = sm_fault_hook_names,
	.nr = ARRAY_SIZE(sm_fault_hook_names),
	.val = &sm_fault_hook_wanted,
};

module_param_cb(fault_hook, &sm_choice_ops, &sm_fault_hook_choice, 0444);
MODULE_PARM_DESC(fault_hook,
		 "Fault hook: auto (x86 tracepoint, else ftrace, else kprobe), tracepoint, ftrace or kprobe");

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

static void sm_proc_release(struct sm_proc *p)
{
	sm_pool_put(&sm_proc_pool, p);
	atomic_long_dec(&sm_nr_allocated);
}

static void sm_proc_free_rcu(struct rcu_head *head)
{
	sm_proc_release(container_of(head, struct sm_proc, rcu));
}

/* Caller holds p->lock; @link points to @r. */
static void sm_range_unlink(struct sm_proc *p, struct sm_range **link,
			    struct sm_range *r)
{
	*link = r->next;
	sm_pool_put(&sm_range_pool, r);
	p->nr_ranges--;
	atomic_dec(&sm_nr_ranges);
}

/* Caller holds p->lock. */
static void sm_ranges_clear(struct sm_proc *p)
{
	while (p->ranges)
		sm_range_unlink(p, &p->ranges, p->ranges);
}

/* Caller holds sm_procs_lock. */
static void sm_proc_del(struct sm_proc *p)
{
	raw_spin_lock(&p->lock);
	p->dead = true;
	sm_ranges_clear(p);
	raw_spin_unlock(&p->lock);
	hash_del_rcu(&p->node);
	atomic_dec(&sm_nr_procs);
	call_rcu(&p->rcu, sm_proc_free_rcu);
}

/* Caller holds p->lock: what a fresh process starts from. */
static void sm_proc_reset(struct sm_proc *p, pid_t tgid)
{
	p->tgid = tgid;
	p->exec_id = (u32)current->self_exec_id;
	p->rewrites = 0;
	p->late = 0;
	p->clock = 0;
	p->nr_seq = 0;
	p->nr_rand = 0;
	sm_streams_init(&p->streams);
	sm_evidence_init(&p->ev);
	sm_ranges_clear(p);
}

/*
 * Fault and madvise paths: no slab here (see the top), a hard cap, and
 * no spinning on the table's lock: a busy table leaves the fault
 * untracked, and the next one tries again.
 */
static struct sm_proc *sm_proc_add(const struct mm_struct *mm, pid_t tgid)
{
	struct sm_proc *p, *raced;

	if (atomic_inc_return(&sm_nr_procs) > READ_ONCE(sm_tun.max_processes))
		goto undo_count;
	p = sm_pool_take(&sm_proc_pool);
	if (!p)
		goto undo_count;
	atomic_long_inc(&sm_nr_allocated);
	p->mm = mm;
	p->dead = false;
	p->ranges = NULL;
	p->nr_ranges = 0;
	raw_spin_lock_init(&p->lock);
	sm_proc_reset(p, tgid);

	if (!raw_spin_trylock(&sm_procs_lock))
		goto release;
	raced = sm_proc_find(mm);	/* another thread may have won */
	if (!raced)
		hash_add_rcu(sm_procs, &p->node, (unsigned long)mm);
	raw_spin_unlock(&sm_procs_lock);
	if (!raced)
		return p;
	sm_proc_release(p);
	atomic_dec(&sm_nr_procs);
	return raced;

release:
	sm_proc_release(p);
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
 * The faulting process is not the one the entry was made for. Either a
 * vfork child shares the owner's mm (keep the owner's state), or
 * exit_mmap() was missed and the mm was reused, by another process or by
 * the same one after an exec: the new program must not inherit.
 * Caller holds p->lock.
 */
static noinline void sm_proc_check_other(struct sm_proc *p, pid_t tgid)
{
	bool owner_runs;

	if (p->tgid == tgid) {
		sm_proc_reset(p, tgid);
		return;
	}
	rcu_read_lock();
	owner_runs = sm_owner_uses_mm(p->tgid, p->mm);
	rcu_read_unlock();
	if (!owner_runs)
		sm_proc_reset(p, tgid);
}

/* Keeps @p only for the program it was made for. Caller holds p->lock. */
static inline void sm_proc_check_owner(struct sm_proc *p, pid_t tgid)
{
	if (likely(p->tgid == tgid &&
		   p->exec_id == (u32)current->self_exec_id))
		return;
	sm_proc_check_other(p, tgid);
}

static struct sm_range *sm_range_at(struct sm_proc *p, unsigned long addr)
{
	struct sm_range *r;

	for (r = p->ranges; r; r = r->next)
		if (addr >= r->start && addr < r->end)
			return r;
	return NULL;
}

static struct sm_range *sm_range_exact(struct sm_proc *p, unsigned long start,
				       unsigned long end)
{
	struct sm_range *r;

	for (r = p->ranges; r; r = r->next)
		if (r->start == start && r->end == end)
			return r;
	return NULL;
}

static void sm_range_drop(struct sm_proc *p, struct sm_range *r)
{
	struct sm_range **link = &p->ranges;

	while (*link != r)
		link = &(*link)->next;
	sm_range_unlink(p, link, r);
}

/* Drops every range that overlaps [start, end). Caller holds p->lock. */
static void sm_ranges_forget(struct sm_proc *p, unsigned long start,
			     unsigned long end)
{
	struct sm_range **link = &p->ranges, *r;

	while ((r = *link)) {
		if (r->start < end && start < r->end)
			sm_range_unlink(p, link, r);
		else
			link = &r->next;
	}
}

/*
 * A range advised but not faulted yet, within the process's last
 * SM_RANGE_FRESH faults: a thread has just advised it and is about to use
 * it (fio's threads map, advise, fault once and unmap, leaving faulted
 * ranges behind whose mappings are gone: the module doesn't see munmap).
 * Older, it is as stale as any other.
 */
#define SM_RANGE_FRESH	64

static bool sm_range_fresh(const struct sm_proc *p, const struct sm_range *r)
{
	return !r->faults && p->clock - r->last_used < SM_RANGE_FRESH;
}

/* Whether @r is a better victim than @slot: not fresh, then least recently used. */
static bool sm_range_older(const struct sm_proc *p, const struct sm_range *r,
			   const struct sm_range *slot)
{
	if (sm_range_fresh(p, r) != sm_range_fresh(p, slot))
		return !sm_range_fresh(p, r);
	return (s32)(r->last_used - slot->last_used) < 0;
}

/*
 * A new range over [start, end), at the end of the list, which replaces
 * any it overlaps and, with SM_RANGES followed, the oldest by
 * sm_range_older(). NULL when the reserve ran dry: the range's faults
 * then count for the process until it is advised again. Caller holds
 * p->lock.
 */
static struct sm_range *sm_range_add(struct sm_proc *p, unsigned long start,
				     unsigned long end, int advice)
{
	struct sm_range *r, *victim, **link;

	sm_ranges_forget(p, start, end);
	if (p->nr_ranges >= SM_RANGES) {
		victim = p->ranges;
		for (r = victim->next; r; r = r->next)
			if (sm_range_older(p, r, victim))
				victim = r;
		sm_range_drop(p, victim);
	}
	r = sm_pool_take(&sm_range_pool);
	if (!r) {
		sm_stat_inc(mappings_untracked);
		return NULL;
	}
	*r = (struct sm_range){
		.start = start,
		.end = end,
		.advice = advice,
		.last_used = p->clock,
	};
	sm_evidence_init(&r->ev);
	for (link = &p->ranges; *link; link = &(*link)->next)
		;
	*link = r;
	p->nr_ranges++;
	atomic_inc(&sm_nr_ranges);
	return r;
}

/*
 * Fault path, p->lock held: hands a correction to the worker, holding
 * the mm until it is done. False when every request slot is busy.
 */
static bool sm_late_queue(struct sm_proc *p, struct sm_range *r,
			  struct mm_struct *mm, int to, bool dry_run)
{
	struct sm_late_req *req;
	unsigned int i;

	do {
		i = find_first_zero_bit(sm_late_busy, SM_LATE_REQS);
		if (i >= SM_LATE_REQS)
			return false;
	} while (test_and_set_bit_lock(i, sm_late_busy));
	req = &sm_late_reqs[i];
	mmget(mm);
	req->mm = mm;
	req->start = r->start;
	req->end = r->end;
	req->tgid = p->tgid;
	req->from = r->advice;
	req->to = to;
	req->seq_permille = sm_evidence_permille(&r->ev);
	req->dry_run = dry_run;
	sm_task_comm(req->comm, current);
	llist_add(&req->node, &sm_late_list);
	queue_work(system_unbound_wq, &sm_late_work);
	return true;
}

/* A fault in a tracked range; caller holds p->lock. */
static void sm_range_fault(struct sm_proc *p, struct sm_range *r,
			   struct mm_struct *mm, enum sm_fault_class class,
			   u32 weight, const struct sm_params *params)
{
	bool dry_run = READ_ONCE(sm_tun.dry_run);
	struct sm_params range_params;
	enum sm_verdict verdict;
	int to;

	r->faults++;
	r->last_used = p->clock;
	if (sm_thread_first_seen(&r->threads, current->pid) &&
	    class == SM_FAULT_RANDOM)
		return;		/* a thread's first fault here: no evidence */
	sm_range_params(params, &range_params);
	verdict = sm_evidence_add(&r->ev, class, weight, &range_params);
	to = sm_rewrite_advice(r->advice, verdict);
	if (to == r->advice) {
		r->dry_logged = 0;
		return;
	}
	if (r->pending || (dry_run && r->dry_logged == to) ||
	    !READ_ONCE(sm_tun.late))
		return;
	r->pending = sm_late_queue(p, r, mm, to, dry_run);
}

/*
 * The range a fault falls in. With the kprobe hook the VMA is known, and
 * a mapping advised before tracking began is taken up too.
 */
static struct sm_range *sm_range_of_fault(struct sm_proc *p,
					  unsigned long addr,
					  const struct vm_area_struct *vma)
{
	struct sm_range *r = sm_range_at(p, addr);
	unsigned long hint;

	if (r || !vma)
		return r;
	hint = vma->vm_flags & (VM_SEQ_READ | VM_RAND_READ);
	if (!hint)
		return NULL;
	return sm_range_add(p, vma->vm_start, vma->vm_end,
			    hint == VM_SEQ_READ ? MADV_SEQUENTIAL : MADV_RANDOM);
}

/* The decision tunables as they are now: each read once. */
static struct sm_params sm_params_now(void)
{
	return (struct sm_params){
		.window_size = READ_ONCE(sm_tun.window_size),
		.threshold = READ_ONCE(sm_tun.threshold),
		.max_gap_pages = READ_ONCE(sm_tun.max_gap_pages),
	};
}

/*
 * Both hooks call this with interrupts or preemption off: an RCU read-side
 * section already (one RCU for all flavours since 5.0), so the entry
 * stays valid without rcu_read_lock(), which PREEMPT_RCU makes two calls.
 */
static void sm_track_fault_untimed(struct mm_struct *mm, unsigned long addr,
				   const struct vm_area_struct *vma)
{
	struct sm_params params = sm_params_now();
	pid_t tgid = current->tgid;
	enum sm_fault_class class;
	enum sm_verdict old, new;
	struct sm_range *r;
	struct sm_proc *p;
	u32 weight;

	p = sm_proc_find(mm);
	if (unlikely(!p)) {
		p = sm_proc_add(mm, tgid);
		if (!p) {
			sm_stat_inc(faults_untracked);
			return;
		}
	}
	if (SM_COST_STOP == SM_COST_LOOKUP)
		return;
	/* Never spin with interrupts off: drop this sample instead. */
	if (unlikely(!raw_spin_trylock(&p->lock))) {
		sm_stat_inc(faults_dropped);
		return;
	}
	if (unlikely(p->dead))
		goto unlock;
	sm_proc_check_owner(p, tgid);
	if (SM_COST_STOP == SM_COST_LOCK)
		goto unlock;
	class = sm_classify(&p->streams, addr >> PAGE_SHIFT, &params, &weight);
	if (SM_COST_STOP == SM_COST_CLASSIFY)
		goto unlock;
	if (unlikely(class == SM_FAULT_REPEAT)) {
		raw_spin_unlock(&p->lock);
		sm_stat_inc(faults_repeat);
		return;
	}
	if (class == SM_FAULT_SEQUENTIAL)
		p->nr_seq++;
	else
		p->nr_rand++;
	p->clock++;
	/*
	 * A fault is evidence for one verdict: its mapping's if the mapping
	 * is followed, the process's otherwise. A program that maps, advises
	 * and faults a fresh mapping again and again (fio's mmap engine)
	 * faults at scattered addresses while reading its file in order:
	 * counted for the process, they would rewrite its correct advice.
	 */
	old = p->ev.verdict;
	r = sm_range_of_fault(p, addr, vma);
	if (r)
		sm_range_fault(p, r, mm, class, weight, &params);
	else if (SM_COST_STOP != SM_COST_EVIDENCE)
		sm_evidence_add(&p->ev, class, weight, &params);
	new = p->ev.verdict;
	if (SM_COST_STOP == SM_COST_EVIDENCE)
		goto unlock;
	if (unlikely(new != old))
		trace_verdict_change(tgid, old, new, p->ev.seq,
				     p->ev.seq + p->ev.rand);
	raw_spin_unlock(&p->lock);
	if (class == SM_FAULT_SEQUENTIAL)
		sm_stat_inc(faults_sequential);
	return;
unlock:
	raw_spin_unlock(&p->lock);
}

/* Sampled self-timing: the probe's cost per fault, for a cost of ~1/64. */
static void sm_track_fault(struct mm_struct *mm, unsigned long addr,
			   const struct vm_area_struct *vma)
{
	u64 start;

	if (SM_COST_STOP == SM_COST_HOOK)
		return;
	if (likely(this_cpu_inc_return(sm_tracker_pcpu.faults) %
		   SM_TIMING_PERIOD)) {
		sm_track_fault_untimed(mm, addr, vma);
		return;
	}
	start = local_clock();
	sm_track_fault_untimed(mm, addr, vma);
	this_cpu_add(sm_tracker_pcpu.handler_ns, local_clock() - start);
	sm_stat_inc(handler_samples);
}

/* exceptions:page_fault_user fires once per fault taken in user mode. */
static void sm_pf_user_probe(void *data, unsigned long address,
			     struct pt_regs *regs, unsigned long error_code)
{
	struct mm_struct *mm = current->mm;

	if (likely(mm))
		sm_track_fault(mm, address, NULL);
}

/* handle_mm_fault(vma, address, flags, regs), at its entry */
static void sm_fault_entry(struct pt_regs *regs)
{
	struct vm_area_struct *vma = (void *)regs_get_kernel_argument(regs, 0);
	unsigned long address = regs_get_kernel_argument(regs, 1);
	unsigned int flags = regs_get_kernel_argument(regs, 2);

	/* GUP on a remote mm and kernel-mode faults are not the process's. */
	if (!(flags & FAULT_FLAG_USER) || vma->vm_mm != current->mm)
		return;
	/* A retry after VM_FAULT_RETRY is the same access again. */
	if (flags & FAULT_FLAG_TRIED) {
		this_cpu_inc(sm_tracker_pcpu.faults);
		sm_stat_inc(faults_repeat);
		return;
	}
	sm_track_fault(vma->vm_mm, address, vma);
}

static int sm_fault_kp_pre(struct kprobe *kp, struct pt_regs *regs)
{
	sm_fault_entry(regs);
	return 0;
}

/* On arm64 a kprobe traps twice a fault: about 700 instructions. */
static void notrace sm_fault_ftrace(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *ops,
				    struct ftrace_regs *fregs)
{
	sm_fhook_call(ip, parent_ip, fregs, sm_fault_entry);
}

static void sm_fault_fops_free(void)
{
	if (sm_fault_hook_used == SM_HOOK_FTRACE)
		sm_fhook_free(&sm_fault_fops);
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
	switch (sm_fault_hook_used) {
	case SM_HOOK_TRACEPOINT:
		return tracepoint_probe_register(sm_pf_user_tp,
						 (void *)sm_pf_user_probe, NULL);
	case SM_HOOK_FTRACE:
		return register_ftrace_function(&sm_fault_fops);
	default:
		return sm_register_kprobe(&sm_fault_kp, SM_FAULT_FUNC,
					  sm_fault_kp_pre);
	}
}

static void sm_fault_hook_unregister(void)
{
	switch (sm_fault_hook_used) {
	case SM_HOOK_TRACEPOINT:
		tracepoint_probe_unregister(sm_pf_user_tp,
					    (void *)sm_pf_user_probe, NULL);
		break;
	case SM_HOOK_FTRACE:
		/* waits until no CPU is in the callback */
		unregister_ftrace_function(&sm_fault_fops);
		break;
	default:
		sm_unregister_kprobe(&sm_fault_kp);
	}
}

int sm_tracker_start(void)
{
	int ret;

	sm_pool_refill(&sm_proc_pool);
	sm_pool_refill(&sm_range_pool);
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
	/* Nothing queues any more: every correction is done after this. */
	flush_work(&sm_late_work);
	WRITE_ONCE(sm_tracking, false);
}

const char *sm_tracker_hook_name(void)
{
	return sm_fault_hook_names[sm_fault_hook_used];
}

/* Whether faults are seen through an ftrace callback. */
bool sm_tracker_ftraced(void)
{
	return sm_fault_hook_used == SM_HOOK_FTRACE;
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

unsigned int sm_tracker_nr_ranges(void)
{
	return atomic_read(&sm_nr_ranges);
}

void sm_tracker_stats(struct sm_tracker_stats *s)
{
	sm_stats_sum(s, &sm_tracker_pcpu, sizeof(*s));
}

/* The mm a process runs on, even after its leader thread has exited. */
static struct mm_struct *sm_tgid_mm(pid_t tgid)
{
	struct task_struct *leader, *t;
	struct mm_struct *mm;

	leader = pid_task(find_pid_ns(tgid, &init_pid_ns), PIDTYPE_TGID);
	if (!leader)
		return NULL;
	for_each_thread(leader, t) {
		mm = READ_ONCE(t->mm);
		if (mm)
			return mm;
	}
	return NULL;
}

int sm_tracker_counts(pid_t tgid, u64 *seq, u64 *rand)
{
	struct mm_struct *mm;
	struct sm_proc *p = NULL;

	rcu_read_lock();
	mm = sm_tgid_mm(tgid);
	if (mm)
		p = sm_proc_find(mm);
	if (p) {
		raw_spin_lock(&p->lock);
		if (p->dead) {
			p = NULL;
		} else {
			*seq = p->nr_seq;
			*rand = p->nr_rand;
		}
		raw_spin_unlock(&p->lock);
	}
	rcu_read_unlock();
	return p ? 0 : -ENOENT;
}

/*
 * A process's own madvise() over [start, end): answers what the advice
 * should be, from the range's own history when it is a known range with
 * a verdict, from the process's otherwise, and takes the range up with
 * the advice the kernel will apply. A process is tracked from its first
 * hint, so one that advises before any fault can be corrected later.
 */
void sm_tracker_advise(struct mm_struct *mm, unsigned long start,
		       unsigned long end, int advice, bool dry_run,
		       struct sm_advice_answer *ans)
{
	struct sm_params params = sm_params_now(), ev_params;
	const struct sm_evidence *ev;
	struct sm_range *r;
	struct sm_proc *p;

	*ans = (struct sm_advice_answer){ .applied = advice };
	if (advice != MADV_NORMAL && !sm_advice_is_hint(advice))
		return;
	rcu_read_lock();
	p = sm_proc_find(mm);
	if (!p && advice != MADV_NORMAL)
		p = sm_proc_add(mm, current->tgid);
	if (!p)
		goto unlock_rcu;
	raw_spin_lock(&p->lock);
	if (p->dead)
		goto unlock;
	sm_proc_check_owner(p, current->tgid);
	if (advice == MADV_NORMAL) {
		sm_ranges_forget(p, start, end);
		goto unlock;
	}
	r = sm_range_exact(p, start, end);
	ev = &p->ev;
	ev_params = params;
	if (r && r->ev.verdict != SM_VERDICT_UNKNOWN) {
		ev = &r->ev;
		sm_range_params(&params, &ev_params);
	}
	/*
	 * With every slot taken, mappings have been replaced, and the faults
	 * of a replaced one count for the process: its verdict then mixes
	 * its advised mappings' faults with the rest of its memory (fio's 16
	 * threads, one of them slow to fault what it advised), so it judges
	 * no call of its own.
	 */
	if (ev == &p->ev && p->nr_ranges >= SM_RANGES)
		ans->applied = advice;
	else
		ans->applied = sm_settled_rewrite(advice, ev, &ev_params);
	ans->seq_permille = sm_evidence_permille(ev);
	ans->from_range = ev != &p->ev;
	if (ans->applied != advice && !dry_run)
		p->rewrites++;
	/*
	 * Advised again, the range starts a new phase: a program that maps,
	 * advises and faults once at the same address over and over (fio's
	 * mmap engine) would otherwise pile up the faults of mappings that
	 * are gone, and have its correct advice "corrected".
	 */
	if (!r)
		r = sm_range_add(p, start, end, advice);
	if (r) {
		r->advice = dry_run ? advice : ans->applied;
		r->dry_logged = 0;
		r->threads = 0;
		sm_evidence_init(&r->ev);
		sm_streams_advised(&p->streams);
	}
unlock:
	raw_spin_unlock(&p->lock);
unlock_rcu:
	rcu_read_unlock();
}

/* After the worker tried a correction: the range's new state. */
static void sm_late_done(const struct sm_late_req *req, bool changed)
{
	struct sm_range *r;
	struct sm_proc *p;

	rcu_read_lock();
	p = sm_proc_find(req->mm);
	if (!p)
		goto unlock_rcu;
	raw_spin_lock(&p->lock);
	r = sm_range_exact(p, req->start, req->end);
	if (!r)
		goto unlock;
	r->pending = 0;
	if (r->advice != req->from)	/* advised again meanwhile */
		goto unlock;
	if (req->dry_run) {
		r->dry_logged = req->to;
	} else if (changed) {
		/* A new phase: a full window of new evidence before the next. */
		r->advice = req->to;
		r->corrections++;
		p->late++;
		sm_evidence_init(&r->ev);
	} else {
		sm_range_drop(p, r);	/* unmapped or advised otherwise */
	}
unlock:
	raw_spin_unlock(&p->lock);
unlock_rcu:
	rcu_read_unlock();
}

static void sm_late_apply(const struct sm_late_req *req)
{
	struct sm_vma_result res = { 0 };
	struct sm_rewrite_rec rec;

	if (!req->dry_run)
		sm_vma_set_advice(req->mm, req->start, req->end, req->from,
				  req->to, &res);
	sm_late_done(req, res.changed);
	if (!req->dry_run && !res.changed) {
		sm_rewrite_count_skipped();
		return;
	}
	rec = (struct sm_rewrite_rec){
		.start = req->start,
		.len = req->end - req->start,
		.tgid = req->tgid,
		.asked = req->from,
		.applied = req->to,
		.seq_permille = req->seq_permille,
		.mode = req->dry_run ? SM_MODE_LATE_DRY_RUN : SM_MODE_LATE,
	};
	memcpy(rec.comm, req->comm, sizeof(rec.comm));
	sm_rewrite_log(&rec);
}

/* Process context: may sleep on the mmap lock and in mmput(). */
static void sm_late_work_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&sm_late_list);
	struct sm_late_req *req, *next;

	llist_for_each_entry_safe(req, next, list, node) {
		sm_late_apply(req);
		mmput(req->mm);
		clear_bit_unlock(req - sm_late_reqs, sm_late_busy);
	}
}

/* False when @p was unhashed meanwhile. */
static bool sm_proc_view(struct sm_proc *p, struct sm_proc_view *v)
{
	struct task_struct *task;
	struct sm_range *r;

	raw_spin_lock(&p->lock);
	if (p->dead) {
		raw_spin_unlock(&p->lock);
		return false;
	}
	v->tgid = p->tgid;
	v->rewrites = p->rewrites;
	v->late = p->late;
	v->seq = p->nr_seq;
	v->rand = p->nr_rand;
	v->verdict = p->ev.verdict;
	v->nr_ranges = 0;
	for (r = p->ranges; r; r = r->next) {
		v->ranges[v->nr_ranges++] = (struct sm_range_view){
			.start = r->start,
			.len = r->end - r->start,
			.advice = r->advice,
			.faults = r->faults,
			.seq_permille = sm_evidence_permille(&r->ev),
			.corrections = r->corrections,
			.verdict = r->ev.verdict,
		};
	}
	raw_spin_unlock(&p->lock);

	task = pid_task(find_pid_ns(v->tgid, &init_pid_ns), PIDTYPE_TGID);
	if (task)
		sm_task_comm(v->comm, task);
	else
		v->comm[0] = '\0';
	return true;
}

void sm_tracker_for_each(void (*fn)(const struct sm_proc_view *v, void *arg),
			 void *arg)
{
	struct sm_proc_view v;
	struct sm_proc *p;
	int bkt;

	rcu_read_lock();
	hash_for_each_rcu(sm_procs, bkt, p, node) {
		if (sm_proc_view(p, &v))
			fn(&v, arg);
	}
	rcu_read_unlock();
}

/*
 * The hook fault_hook names or, for auto, the cheapest this kernel has:
 * x86's tracepoint, else ftrace where it saves registers (arm64 up to
 * 6.1), else the kprobe.
 */
static int sm_fault_hook_choose(void)
{
	unsigned int want = sm_fault_hook_wanted;
	int ret;

	if (want == SM_HOOK_AUTO || want == SM_HOOK_TRACEPOINT)
		for_each_kernel_tracepoint(sm_match_tracepoint, &sm_pf_user_tp);
	if (sm_pf_user_tp) {
		sm_fault_hook_used = SM_HOOK_TRACEPOINT;
		return 0;
	}
	if (want == SM_HOOK_TRACEPOINT) {
		pr_err("fault_hook=tracepoint: exceptions:page_fault_user not found\n");
		return -ENOENT;
	}
	sm_fault_hook_used = SM_HOOK_KPROBE;
	if (want == SM_HOOK_KPROBE)
		return 0;
	if (!sm_fhook_supported()) {
		if (want == SM_HOOK_AUTO)
			return 0;
		pr_err("fault_hook=ftrace: this kernel's ftrace does not save registers\n");
		return -EOPNOTSUPP;
	}
	ret = sm_fhook_init(&sm_fault_fops, sm_fault_ftrace, SM_FAULT_FUNC);
	if (!ret) {
		sm_fault_hook_used = SM_HOOK_FTRACE;
		return 0;
	}
	if (want == SM_HOOK_AUTO)
		return 0;
	pr_err("fault_hook=ftrace: cannot trace %s: %d\n", SM_FAULT_FUNC, ret);
	return ret;
}

int sm_tracker_init(void)
{
	int ret;

	ret = sm_fault_hook_choose();
	if (ret)
		return ret;

	sm_proc_cache = KMEM_CACHE(sm_proc, 0);
	if (!sm_proc_cache)
		goto free_filter;
	sm_range_cache = KMEM_CACHE(sm_range, 0);
	if (!sm_range_cache)
		goto destroy_proc_cache;
	if (sm_pool_init(&sm_proc_pool, sm_proc_cache, SM_RESERVE))
		goto destroy_range_cache;
	if (sm_pool_init(&sm_range_pool, sm_range_cache, SM_RANGE_RESERVE))
		goto destroy_proc_pool;
	INIT_DELAYED_WORK(&sm_sweep_work, sm_sweep);
	INIT_WORK(&sm_late_work, sm_late_work_fn);
	return 0;

destroy_proc_pool:
	sm_pool_destroy(&sm_proc_pool);
destroy_range_cache:
	kmem_cache_destroy(sm_range_cache);
destroy_proc_cache:
	kmem_cache_destroy(sm_proc_cache);
free_filter:
	sm_fault_fops_free();
	return -ENOMEM;
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
	sm_pool_destroy(&sm_range_pool);
	sm_pool_destroy(&sm_proc_pool);
	kmem_cache_destroy(sm_range_cache);
	kmem_cache_destroy(sm_proc_cache);
	sm_fault_fops_free();
}
