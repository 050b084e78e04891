// SPDX-License-Identifier: GPL-2.0
/*
 * Page-fault profiler: processes registered through /dev/smart_madvise are
 * sampled every sample_interval_ms into a ring that readers map read-only.
 *
 * Permissions (sysfs-doc/dev-smart_madvise): open() needs CAP_SYS_PTRACE or
 * CAP_SYS_ADMIN in the initial user namespace, checked against the
 * opener's credentials (file->f_cred); write() also needs the writer to
 * act with the opener's credentials. Everything needs the initial PID
 * namespace, whose pids the ring holds. A registration belongs to the open
 * file that made it and ends with it, or when its target's credentials
 * change (an exec of a setuid binary).
 *
 * Lifetime: every open file and every mapping (vma->vm_file) holds a file
 * reference, and the file holds a reference on this module, so the ring,
 * the vm_ops and the fops all outlive their users; rmmod says "in use"
 * until the last mapping is gone.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "profiler.h"
#include "tunables.h"
#include "tracker.h"
#include "uapi/smart_madvise.h"

#define SM_RING_BYTES	(512 * 1024)
#define SM_HDR_BYTES	PAGE_SIZE
#define SM_LINE_MAX	32	/* "R 4194304" needs 10; allow some slack */
#define SM_TEXT_MAX	192

struct sm_prof_file;

/* One registration: the process, its credentials then, the file it is of. */
struct sm_prof_reg {
	struct pid *pid;
	const struct cred *cred;
	struct sm_prof_file *owner;
};

static struct {
	struct mutex lock;		/* the set, ring writes, text reads */
	struct sm_prof_reg regs[SM_PROF_MAX_PIDS];
	unsigned int nr;
	/*
	 * The ring's state. The kernel never reads the mapped header back:
	 * it only publishes copies of these there.
	 */
	u64 seq;
	u64 write_index;
	u64 ticks;
	u32 capacity;
	struct sm_ring_header *hdr;
	struct sm_ring_record *recs;
	/* One tick is staged here so readers see the ring busy only briefly. */
	struct sm_ring_record stage[SM_PROF_MAX_PIDS + 1];
	struct pid *staged[SM_PROF_MAX_PIDS];
	struct delayed_work work;
	wait_queue_head_t wait;
} prof;

struct sm_prof_file {
	struct mutex lock;		/* one read() or write() at a time */
	char line[SM_LINE_MAX];
	size_t len;
	bool discard;			/* dropping the rest of an over-long line */
	u64 cursor;			/* next record for read() */
	bool header_done;
	char out[SM_TEXT_MAX];		/* text not yet copied to the reader */
	size_t out_len;
	size_t out_off;
};

/*
 * Same sums as /proc/PID/stat for a whole thread group. Like
 * thread_group_cputime(): lockless first, then under stats_lock, so that
 * threads exiting all the time cannot make the sampler retry forever.
 */
static void sm_prof_group_sample(struct task_struct *leader,
				 struct sm_ring_record *rec)
{
	struct signal_struct *sig = leader->signal;
	struct task_struct *t;
	unsigned long flags;
	int seq, nextseq = 0;

	rcu_read_lock();
	do {
		seq = nextseq;
		flags = read_seqbegin_or_lock_irqsave(&sig->stats_lock, &seq);
		/* Exiting threads fold their counts into sig under stats_lock. */
		rec->cpu_ns = sig->sum_sched_runtime;
		rec->min_flt = sig->min_flt;
		rec->maj_flt = sig->maj_flt;
		for_each_thread(leader, t) {
			rec->cpu_ns += READ_ONCE(t->se.sum_exec_runtime);
			rec->min_flt += READ_ONCE(t->min_flt);
			rec->maj_flt += READ_ONCE(t->maj_flt);
		}
		nextseq = 1;	/* a second pass takes the lock */
	} while (need_seqretry(&sig->stats_lock, seq));
	done_seqretry_irqrestore(&sig->stats_lock, seq, flags);
	rcu_read_unlock();
}

/* A leader that exits before its threads stays a zombie until they do. */
static bool sm_prof_group_dead(struct task_struct *leader)
{
	return leader->exit_state && thread_group_empty(leader);
}

/* Records carry pids of the initial namespace: of no use in any other. */
static bool sm_prof_in_init_pidns(void)
{
	return task_active_pid_ns(current) == &init_pid_ns;
}

/* The same real, effective and saved user and group ids. */
static bool sm_prof_same_ids(const struct cred *a, const struct cred *b)
{
	return uid_eq(a->uid, b->uid) && uid_eq(a->euid, b->euid) &&
	       uid_eq(a->suid, b->suid) && gid_eq(a->gid, b->gid) &&
	       gid_eq(a->egid, b->egid) && gid_eq(a->sgid, b->sgid);
}

/*
 * Whether current acts with the credentials that opened @file (the rule of
 * RDMA's ib_safe_file_access()): a descriptor inherited by, or passed to,
 * a process with other credentials, such as a setuid program writing text
 * an attacker chose, must not register anything. A forked child holds its
 * own copy of its parent's credentials, so compare what they are.
 */
static bool sm_prof_writer_is_opener(const struct file *file)
{
	const struct cred *fc = file->f_cred, *c = current_cred();

	return fc == c ||
	       (sm_prof_same_ids(fc, c) && uid_eq(fc->fsuid, c->fsuid) &&
		gid_eq(fc->fsgid, c->fsgid) && fc->user_ns == c->user_ns &&
		cap_issubset(fc->cap_effective, c->cap_effective) &&
		cap_issubset(c->cap_effective, fc->cap_effective));
}

/*
 * Whether @task is no longer what was registered: its ids changed, or it
 * gained permitted capabilities (it exec'd a setuid, setgid or
 * file-capability binary).
 */
static bool sm_prof_target_changed(struct task_struct *task,
				   const struct cred *then)
{
	const struct cred *now;
	bool changed;

	rcu_read_lock();
	now = __task_cred(task);
	changed = now != then && (!sm_prof_same_ids(now, then) ||
				  !cap_issubset(now->cap_permitted,
						then->cap_permitted));
	rcu_read_unlock();
	return changed;
}

/* Processes registered, each counted once however many files did it. */
static void sm_prof_publish_nr(void)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < prof.nr; i++) {
		for (j = 0; j < i && prof.regs[j].pid != prof.regs[i].pid; j++)
			;
		n += j == i;
	}
	WRITE_ONCE(prof.hdr->nr_registered, n);
}

static void sm_prof_remove(unsigned int i)
{
	put_pid(prof.regs[i].pid);
	put_cred(prof.regs[i].cred);
	prof.nr--;
	memmove(&prof.regs[i], &prof.regs[i + 1],
		(prof.nr - i) * sizeof(prof.regs[0]));
}

static void sm_prof_publish(unsigned int n, unsigned int interval)
{
	struct sm_ring_header *hdr = prof.hdr;
	u64 w = prof.write_index;
	unsigned int i;

	WRITE_ONCE(hdr->seq, ++prof.seq);
	smp_wmb();	/* seq odd before any slot changes */
	for (i = 0; i < n; i++) {
		prof.stage[i].index = w + i;
		prof.recs[(w + i) % prof.capacity] = prof.stage[i];
	}
	WRITE_ONCE(prof.write_index, w + n);
	WRITE_ONCE(hdr->write_index, w + n);
	WRITE_ONCE(hdr->ticks, ++prof.ticks);
	sm_prof_publish_nr();
	WRITE_ONCE(hdr->interval_ms, interval);
	smp_wmb();	/* slots and index before seq turns even */
	WRITE_ONCE(hdr->seq, ++prof.seq);
}

static unsigned long sm_prof_delay(void)
{
	return msecs_to_jiffies(READ_ONCE(sm_tun.sample_interval_ms));
}

/* Whether the first @n records of this tick already hold @pid. */
static bool sm_prof_staged(struct pid *pid, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (prof.staged[i] == pid)
			return true;
	return false;
}

static void sm_prof_sample(struct task_struct *task, struct pid *pid,
			   struct sm_ring_record *rec, u64 now)
{
	memset(rec, 0, sizeof(*rec));
	rec->time_ns = now;
	rec->type = SM_REC_PROCESS;
	rec->pid = pid_nr(pid);
	sm_prof_group_sample(task, rec);
	/* Not tracked (enable=0, or the table is full): zeros. */
	if (sm_tracker_counts(rec->pid, &rec->seq_faults, &rec->rand_faults)) {
		rec->seq_faults = 0;
		rec->rand_faults = 0;
	}
}

static void sm_prof_tick(struct work_struct *work)
{
	unsigned int interval = READ_ONCE(sm_tun.sample_interval_ms);
	struct sm_ring_record *tot;
	u64 now = ktime_get_ns();
	unsigned int i = 0, n = 0;

	mutex_lock(&prof.lock);
	while (i < prof.nr) {
		struct sm_prof_reg *reg = &prof.regs[i];
		struct task_struct *task;
		bool gone, staged;

		task = get_pid_task(reg->pid, PIDTYPE_TGID);
		gone = !task || sm_prof_group_dead(task);
		/* Registered by several files: one record per tick. */
		staged = sm_prof_staged(reg->pid, n);
		if (!gone && !staged)
			sm_prof_sample(task, reg->pid, &prof.stage[n], now);
		/* Checked after the sample: none of a new program gets out. */
		gone = gone || sm_prof_target_changed(task, reg->cred);
		if (task)
			put_task_struct(task);
		if (gone) {
			sm_prof_remove(i);
			continue;
		}
		if (!staged)
			prof.staged[n++] = reg->pid;
		i++;
	}

	tot = &prof.stage[n];
	memset(tot, 0, sizeof(*tot));
	tot->time_ns = now;
	tot->type = SM_REC_TOTAL;
	tot->nr = n;
	for (i = 0; i < n; i++) {
		tot->cpu_ns += prof.stage[i].cpu_ns;
		tot->min_flt += prof.stage[i].min_flt;
		tot->maj_flt += prof.stage[i].maj_flt;
		tot->seq_faults += prof.stage[i].seq_faults;
		tot->rand_faults += prof.stage[i].rand_faults;
	}
	/* The last processes may all have gone: then there is no tick. */
	if (n)
		sm_prof_publish(n + 1, interval);
	else
		sm_prof_publish_nr();

	if (prof.nr)
		schedule_delayed_work(&prof.work, msecs_to_jiffies(interval));
	mutex_unlock(&prof.lock);
	wake_up_interruptible(&prof.wait);
}

/* The registration of @pid by @pf, or -1. */
static int sm_prof_find(struct sm_prof_file *pf, struct pid *pid)
{
	unsigned int i;

	for (i = 0; i < prof.nr; i++)
		if (prof.regs[i].pid == pid && prof.regs[i].owner == pf)
			return i;
	return -1;
}

static int sm_prof_register(struct sm_prof_file *pf, struct pid *pid)
{
	const struct cred *cred = NULL;
	struct task_struct *task;
	int ret = 0;

	task = get_pid_task(pid, PIDTYPE_TGID);
	if (!task)
		return -ESRCH;
	if (sm_prof_group_dead(task))
		ret = -ESRCH;
	else
		cred = get_task_cred(task);
	put_task_struct(task);
	if (ret)
		return ret;

	mutex_lock(&prof.lock);
	if (sm_prof_find(pf, pid) >= 0) {
		ret = -EEXIST;
	} else if (prof.nr == SM_PROF_MAX_PIDS) {
		ret = -ENOSPC;
	} else {
		prof.regs[prof.nr].pid = get_pid(pid);
		prof.regs[prof.nr].cred = cred;
		prof.regs[prof.nr].owner = pf;
		prof.nr++;
		cred = NULL;
		sm_prof_publish_nr();
		if (prof.nr == 1)
			schedule_delayed_work(&prof.work, sm_prof_delay());
	}
	mutex_unlock(&prof.lock);
	if (cred)
		put_cred(cred);
	return ret;
}

static int sm_prof_unregister(struct sm_prof_file *pf, struct pid *pid)
{
	int i, ret = -ENOENT;

	mutex_lock(&prof.lock);
	i = sm_prof_find(pf, pid);
	if (i >= 0) {
		sm_prof_remove(i);
		sm_prof_publish_nr();
		ret = 0;
	}
	mutex_unlock(&prof.lock);
	return ret;
}

/* One line without its '\n': "R <pid>" or "U <pid>", pid in our pid ns. */
static int sm_prof_line(struct sm_prof_file *pf, const char *line, size_t len)
{
	char num[SM_LINE_MAX];
	struct pid *pid;
	int nr, ret;

	if (len < 3 || (line[0] != 'R' && line[0] != 'U') || line[1] != ' ' ||
	    !isdigit(line[2]) || memchr(line, '\0', len))
		return -EINVAL;
	memcpy(num, line + 2, len - 2);
	num[len - 2] = '\0';
	if (kstrtoint(num, 10, &nr) || nr <= 0)
		return -EINVAL;

	pid = find_get_pid(nr);
	if (!pid)
		return line[0] == 'R' ? -ESRCH : -ENOENT;
	ret = line[0] == 'R' ? sm_prof_register(pf, pid) :
			       sm_prof_unregister(pf, pid);
	put_pid(pid);
	return ret;
}

/*
 * Lines may arrive in pieces. A write() stops at its first bad line: if a
 * line before it in the same write() was accepted, the write is short and
 * ends where the bad line starts, so a retry reports the error. Otherwise
 * it fails with the line's errno; the bad line is dropped (an over-long one
 * up to its '\n', even if that comes in a later write) and the bytes after
 * it in that write() are ignored. A fault reading the buffer consumes
 * nothing from the start of the line it hit on: EFAULT (or a short write
 * up to that line) with the partial line as it was before this write().
 */
static ssize_t sm_prof_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct sm_prof_file *pf = file->private_data;
	size_t pos, line_start = 0, len0;
	bool accepted = false, discard0;
	ssize_t ret = 0;
	char c;

	if (!sm_prof_writer_is_opener(file))
		return -EACCES;
	if (!sm_prof_in_init_pidns())
		return -EOPNOTSUPP;
	mutex_lock(&pf->lock);
	len0 = pf->len;
	discard0 = pf->discard;
	for (pos = 0; pos < count; pos++) {
		if (get_user(c, ubuf + pos)) {
			/* Only a fresh line can follow an accepted one. */
			pf->len = accepted ? 0 : len0;
			pf->discard = accepted ? false : discard0;
			ret = accepted ? line_start : -EFAULT;
			goto out;
		}
		if (pf->discard) {
			pf->discard = c != '\n';
			line_start = pos + 1;
			continue;
		}
		if (c == '\n') {
			ret = sm_prof_line(pf, pf->line, pf->len);
			pf->len = 0;
			if (ret)
				goto bad_line;
			accepted = true;
			line_start = pos + 1;
			continue;
		}
		if (pf->len < SM_LINE_MAX) {
			pf->line[pf->len++] = c;
			continue;
		}
		/* Over-long: drop it through its end, wherever that is. */
		pf->len = 0;
		ret = -EINVAL;
		if (!accepted) {
			pf->discard = true;
			while (pf->discard && ++pos < count &&
			       !get_user(c, ubuf + pos))
				pf->discard = c != '\n';
		}
		goto bad_line;
	}
	ret = count;
	goto out;

bad_line:
	if (accepted)
		ret = line_start;
out:
	mutex_unlock(&pf->lock);
	return ret;
}

/* Formats the next line for read() into pf->out; false when caught up. */
static bool sm_prof_format_next(struct sm_prof_file *pf)
{
	struct sm_ring_record rec;
	u64 w, lost = 0;

	if (!pf->header_done) {
		pf->header_done = true;
		pf->out_off = 0;
		pf->out_len = scnprintf(pf->out, sizeof(pf->out),
					"index time_ns type pid cpu_ns min_flt maj_flt seq_faults rand_faults\n");
		return true;
	}

	mutex_lock(&prof.lock);
	w = prof.write_index;
	if (pf->cursor >= w) {
		mutex_unlock(&prof.lock);
		return false;
	}
	if (w - pf->cursor > prof.capacity) {
		lost = w - prof.capacity - pf->cursor;
		pf->cursor = w - prof.capacity;
	} else {
		rec = prof.recs[pf->cursor % prof.capacity];
		pf->cursor++;
	}
	mutex_unlock(&prof.lock);

	pf->out_off = 0;
	if (lost)
		pf->out_len = scnprintf(pf->out, sizeof(pf->out),
					"# lost %llu records\n", lost);
	else
		pf->out_len = scnprintf(pf->out, sizeof(pf->out),
					"%llu %llu %s %u %llu %llu %llu %llu %llu\n",
					rec.index, rec.time_ns,
					rec.type == SM_REC_TOTAL ? "total" : "process",
					rec.pid, rec.cpu_ns, rec.min_flt,
					rec.maj_flt, rec.seq_faults,
					rec.rand_faults);
	return true;
}

/* Whether a read() of @pf would get data now. */
static bool sm_prof_readable(struct sm_prof_file *pf)
{
	return READ_ONCE(pf->out_off) != READ_ONCE(pf->out_len) ||
	       !READ_ONCE(pf->header_done) ||
	       READ_ONCE(pf->cursor) < READ_ONCE(prof.write_index);
}

/* Copies what is there now: bytes copied, 0 if nothing, or -EFAULT. */
static ssize_t sm_prof_copy_out(struct sm_prof_file *pf, char __user *ubuf,
				size_t count)
{
	ssize_t done = 0;
	size_t n;

	while (done < count) {
		if (pf->out_off == pf->out_len && !sm_prof_format_next(pf))
			break;
		n = min(count - done, pf->out_len - pf->out_off);
		if (copy_to_user(ubuf + done, pf->out + pf->out_off, n))
			return done ? done : -EFAULT;
		pf->out_off += n;
		done += n;
	}
	return done;
}

/*
 * Text for people who don't mmap: a header, then the records not yet read.
 * Caught up, it waits for the next tick (EAGAIN with O_NONBLOCK).
 */
static ssize_t sm_prof_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct sm_prof_file *pf = file->private_data;
	ssize_t ret;

	if (!sm_prof_in_init_pidns())
		return -EOPNOTSUPP;
	if (!count)
		return 0;
	for (;;) {
		if (mutex_lock_interruptible(&pf->lock))
			return -ERESTARTSYS;
		ret = sm_prof_copy_out(pf, ubuf, count);
		mutex_unlock(&pf->lock);
		if (ret)
			return ret;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(prof.wait, sm_prof_readable(pf)))
			return -ERESTARTSYS;
	}
}

static __poll_t sm_prof_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &prof.wait, wait);
	return sm_prof_readable(file->private_data) ? EPOLLIN | EPOLLRDNORM : 0;
}

/*
 * Read-only for good: no write or exec access now, and none to gain later
 * by mprotect() or a FOLL_FORCE write (ptrace, /proc/PID/mem).
 */
static int sm_prof_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!sm_prof_in_init_pidns())
		return -EOPNOTSUPP;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EACCES;
	sm_vm_flags_clear(vma, VM_MAYWRITE | VM_MAYEXEC);
	return remap_vmalloc_range(vma, prof.hdr, vma->vm_pgoff);
}

static int sm_prof_open(struct inode *inode, struct file *file)
{
	struct sm_prof_file *pf;
	u64 w;

	/* file->f_cred: the opener's, whoever uses the file later. */
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_PTRACE) &&
	    !file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	if (!sm_prof_in_init_pidns())
		return -EOPNOTSUPP;
	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	mutex_init(&pf->lock);
	mutex_lock(&prof.lock);
	w = prof.write_index;
	pf->cursor = w > prof.capacity ? w - prof.capacity : 0;
	mutex_unlock(&prof.lock);
	file->private_data = pf;
	return stream_open(inode, file);
}

/* The last reference to the file (descriptors and mappings) is gone. */
static int sm_prof_release(struct inode *inode, struct file *file)
{
	struct sm_prof_file *pf = file->private_data;
	unsigned int i = 0;

	mutex_lock(&prof.lock);
	while (i < prof.nr) {
		if (prof.regs[i].owner == pf)
			sm_prof_remove(i);
		else
			i++;
	}
	sm_prof_publish_nr();
	mutex_unlock(&prof.lock);
	kfree(pf);
	return 0;
}

static const struct file_operations sm_prof_fops = {
	.owner = THIS_MODULE,
	.open = sm_prof_open,
	.release = sm_prof_release,
	.read = sm_prof_read,
	.write = sm_prof_write,
	.poll = sm_prof_poll,
	.mmap = sm_prof_mmap,
};

static struct miscdevice sm_prof_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "smart_madvise",
	.fops = &sm_prof_fops,
	.mode = 0600,
};

int sm_profiler_init(void)
{
	struct sm_ring_header *hdr;
	int ret;

	mutex_init(&prof.lock);
	init_waitqueue_head(&prof.wait);
	INIT_DELAYED_WORK(&prof.work, sm_prof_tick);

	/* Zeroed, and flagged VM_USERMAP for remap_vmalloc_range(). */
	hdr = vmalloc_user(SM_RING_BYTES);
	if (!hdr)
		return -ENOMEM;
	prof.capacity = (SM_RING_BYTES - SM_HDR_BYTES) /
			sizeof(struct sm_ring_record);
	hdr->magic = SM_RING_MAGIC;
	hdr->version = SM_RING_VERSION;
	hdr->header_size = SM_HDR_BYTES;
	hdr->record_size = sizeof(struct sm_ring_record);
	hdr->capacity = prof.capacity;
	hdr->interval_ms = READ_ONCE(sm_tun.sample_interval_ms);
	prof.hdr = hdr;
	prof.recs = (void *)hdr + SM_HDR_BYTES;

	ret = misc_register(&sm_prof_dev);
	if (ret)
		goto free_ring;
	return 0;

free_ring:
	vfree(hdr);
	return ret;
}

void sm_profiler_exit(void)
{
	/* Every open file pins the module: nobody can register from here on. */
	misc_deregister(&sm_prof_dev);
	cancel_delayed_work_sync(&prof.work);
	while (prof.nr)
		sm_prof_remove(prof.nr - 1);
	vfree(prof.hdr);
}
