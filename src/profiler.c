// SPDX-License-Identifier: GPL-2.0
/*
 * Page-fault profiler: processes registered through /dev/smart_madvise are
 * sampled every sample_interval_ms into a ring that readers map read-only.
 *
 * Lifetime: every open file and every mapping (vma->vm_file) holds a file
 * reference, and the file holds a reference on this module, so the ring,
 * the vm_ops and the fops all outlive their users; rmmod says "in use"
 * until the last mapping is gone.
 */
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "profiler.h"
#include "smart_madvise.h"
#include "uapi/smart_madvise.h"

#define SM_RING_BYTES	(512 * 1024)
#define SM_HDR_BYTES	PAGE_SIZE
#define SM_LINE_MAX	32	/* "R 4194304" needs 10; allow some slack */
#define SM_TEXT_MAX	192

static struct {
	struct mutex lock;		/* the set, ring writes, text reads */
	struct pid *pids[SM_PROF_MAX_PIDS];
	unsigned int nr;
	struct sm_ring_header *hdr;
	struct sm_ring_record *recs;
	/* One tick is staged here so readers see the ring busy only briefly. */
	struct sm_ring_record stage[SM_PROF_MAX_PIDS + 1];
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

/* Same sums as /proc/PID/stat for a whole thread group. */
static void sm_prof_group_sample(struct task_struct *leader,
				 struct sm_ring_record *rec)
{
	struct signal_struct *sig = leader->signal;
	struct task_struct *t;
	unsigned int seq;

	rcu_read_lock();
	do {
		/* Exiting threads fold their counts into sig under stats_lock. */
		seq = read_seqbegin(&sig->stats_lock);
		rec->cpu_ns = sig->sum_sched_runtime;
		rec->min_flt = sig->min_flt;
		rec->maj_flt = sig->maj_flt;
		for_each_thread(leader, t) {
			rec->cpu_ns += READ_ONCE(t->se.sum_exec_runtime);
			rec->min_flt += READ_ONCE(t->min_flt);
			rec->maj_flt += READ_ONCE(t->maj_flt);
		}
	} while (read_seqretry(&sig->stats_lock, seq));
	rcu_read_unlock();
}

/* A leader that exits before its threads stays a zombie until they do. */
static bool sm_prof_group_dead(struct task_struct *leader)
{
	return leader->exit_state && thread_group_empty(leader);
}

static void sm_prof_remove(unsigned int i)
{
	put_pid(prof.pids[i]);
	prof.nr--;
	memmove(&prof.pids[i], &prof.pids[i + 1],
		(prof.nr - i) * sizeof(prof.pids[0]));
}

static void sm_prof_publish(unsigned int n, unsigned int interval)
{
	struct sm_ring_header *hdr = prof.hdr;
	u64 w = hdr->write_index;
	unsigned int i;

	WRITE_ONCE(hdr->seq, hdr->seq + 1);
	smp_wmb();	/* seq odd before any slot changes */
	for (i = 0; i < n; i++) {
		prof.stage[i].index = w + i;
		prof.recs[(w + i) % hdr->capacity] = prof.stage[i];
	}
	WRITE_ONCE(hdr->write_index, w + n);
	WRITE_ONCE(hdr->ticks, hdr->ticks + 1);
	WRITE_ONCE(hdr->nr_registered, prof.nr);
	WRITE_ONCE(hdr->interval_ms, interval);
	smp_wmb();	/* slots and index before seq turns even */
	WRITE_ONCE(hdr->seq, hdr->seq + 1);
}

static unsigned long sm_prof_delay(void)
{
	return msecs_to_jiffies(READ_ONCE(sm_tun.sample_interval_ms));
}

static void sm_prof_tick(struct work_struct *work)
{
	unsigned int interval = READ_ONCE(sm_tun.sample_interval_ms);
	struct sm_ring_record *tot;
	u64 now = ktime_get_ns();
	unsigned int i = 0, n = 0;

	mutex_lock(&prof.lock);
	while (i < prof.nr) {
		struct task_struct *task;
		struct sm_ring_record *rec = &prof.stage[n];

		task = get_pid_task(prof.pids[i], PIDTYPE_TGID);
		if (!task || sm_prof_group_dead(task)) {
			if (task)
				put_task_struct(task);
			sm_prof_remove(i);
			continue;
		}
		memset(rec, 0, sizeof(*rec));
		rec->time_ns = now;
		rec->type = SM_REC_PROCESS;
		rec->pid = pid_nr(prof.pids[i]);
		sm_prof_group_sample(task, rec);
		put_task_struct(task);
		/* Not tracked (enable=0, or the table is full): zeros. */
		if (sm_tracker_counts(rec->pid, &rec->seq_faults,
				      &rec->rand_faults)) {
			rec->seq_faults = 0;
			rec->rand_faults = 0;
		}
		n++;
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
	/* The last processes may all have exited: then there is no tick. */
	if (n)
		sm_prof_publish(n + 1, interval);
	else
		WRITE_ONCE(prof.hdr->nr_registered, 0);

	if (prof.nr)
		schedule_delayed_work(&prof.work, msecs_to_jiffies(interval));
	mutex_unlock(&prof.lock);
	wake_up_interruptible(&prof.wait);
}

/*
 * ptrace_may_access() is not exported to modules: this is its credential
 * and dumpability test for PTRACE_MODE_READ_REALCREDS, without the LSM hook.
 */
static int sm_prof_may_read(struct task_struct *task)
{
	const struct cred *cred, *tcred;
	struct mm_struct *mm;
	bool ok;

	if (same_thread_group(task, current))
		return 0;
	rcu_read_lock();
	cred = current_cred();
	tcred = __task_cred(task);
	ok = uid_eq(cred->uid, tcred->euid) && uid_eq(cred->uid, tcred->suid) &&
	     uid_eq(cred->uid, tcred->uid) && gid_eq(cred->gid, tcred->egid) &&
	     gid_eq(cred->gid, tcred->sgid) && gid_eq(cred->gid, tcred->gid);
	if (!ok)
		ok = ns_capable(tcred->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();
	if (!ok)
		return -EACCES;

	mm = get_task_mm(task);
	if (mm) {
		if (get_dumpable(mm) != SUID_DUMP_USER &&
		    !ns_capable(mm->user_ns, CAP_SYS_PTRACE))
			ok = false;
		mmput(mm);
	}
	return ok ? 0 : -EACCES;
}

static int sm_prof_find(struct pid *pid)
{
	unsigned int i;

	for (i = 0; i < prof.nr; i++)
		if (prof.pids[i] == pid)
			return i;
	return -1;
}

static int sm_prof_register(struct pid *pid)
{
	struct task_struct *task;
	int ret;

	task = get_pid_task(pid, PIDTYPE_TGID);
	if (!task)
		return -ESRCH;
	ret = sm_prof_group_dead(task) ? -ESRCH : sm_prof_may_read(task);
	put_task_struct(task);
	if (ret)
		return ret;

	mutex_lock(&prof.lock);
	if (sm_prof_find(pid) >= 0) {
		ret = -EEXIST;
	} else if (prof.nr == SM_PROF_MAX_PIDS) {
		ret = -ENOSPC;
	} else {
		prof.pids[prof.nr++] = get_pid(pid);
		WRITE_ONCE(prof.hdr->nr_registered, prof.nr);
		if (prof.nr == 1)
			schedule_delayed_work(&prof.work, sm_prof_delay());
	}
	mutex_unlock(&prof.lock);
	return ret;
}

static int sm_prof_unregister(struct pid *pid)
{
	int i, ret = -ENOENT;

	mutex_lock(&prof.lock);
	i = sm_prof_find(pid);
	if (i >= 0) {
		sm_prof_remove(i);
		WRITE_ONCE(prof.hdr->nr_registered, prof.nr);
		ret = 0;
	}
	mutex_unlock(&prof.lock);
	return ret;
}

/* One line without its '\n': "R <pid>" or "U <pid>", pid in our pid ns. */
static int sm_prof_line(const char *line, size_t len)
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
	ret = line[0] == 'R' ? sm_prof_register(pid) : sm_prof_unregister(pid);
	put_pid(pid);
	return ret;
}

/*
 * Lines may arrive in pieces. A write() stops at its first bad line: if a
 * line before it in the same write() was accepted, the write is short and
 * ends where the bad line starts, so a retry reports the error. Otherwise
 * it fails with the line's errno; the bad line is dropped (an over-long one
 * up to its '\n', even if that comes in a later write) and the bytes after
 * it in that write() are ignored.
 */
static ssize_t sm_prof_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct sm_prof_file *pf = file->private_data;
	size_t pos, line_start = 0;
	bool accepted = false;
	ssize_t ret = 0;
	char c;

	mutex_lock(&pf->lock);
	for (pos = 0; pos < count; pos++) {
		if (get_user(c, ubuf + pos)) {
			ret = accepted ? line_start : -EFAULT;
			goto out;
		}
		if (pf->discard) {
			pf->discard = c != '\n';
			line_start = pos + 1;
			continue;
		}
		if (c == '\n') {
			ret = sm_prof_line(pf->line, pf->len);
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
	struct sm_ring_header *hdr = prof.hdr;
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
	w = hdr->write_index;
	if (pf->cursor >= w) {
		mutex_unlock(&prof.lock);
		return false;
	}
	if (w - pf->cursor > hdr->capacity) {
		lost = w - hdr->capacity - pf->cursor;
		pf->cursor = w - hdr->capacity;
	} else {
		rec = prof.recs[pf->cursor % hdr->capacity];
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

/* Text for people who don't mmap: a header, then the records not yet read. */
static ssize_t sm_prof_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct sm_prof_file *pf = file->private_data;
	ssize_t done = 0;
	size_t n;

	mutex_lock(&pf->lock);
	while (done < count) {
		if (pf->out_off == pf->out_len && !sm_prof_format_next(pf))
			break;
		n = min(count - done, pf->out_len - pf->out_off);
		if (copy_to_user(ubuf + done, pf->out + pf->out_off, n)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		pf->out_off += n;
		done += n;
	}
	mutex_unlock(&pf->lock);
	return done;
}

static __poll_t sm_prof_poll(struct file *file, poll_table *wait)
{
	struct sm_prof_file *pf = file->private_data;

	poll_wait(file, &prof.wait, wait);
	if (pf->out_off != pf->out_len || !pf->header_done ||
	    pf->cursor < READ_ONCE(prof.hdr->write_index))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/* Clearing VM_MAYWRITE needs version-specific code; refusing is enough. */
static int sm_prof_vm_mprotect(struct vm_area_struct *vma, unsigned long start,
			       unsigned long end, unsigned long newflags)
{
	return newflags & VM_WRITE ? -EACCES : 0;
}

static const struct vm_operations_struct sm_prof_vm_ops = {
	.mprotect = sm_prof_vm_mprotect,
};

static int sm_prof_mmap(struct file *file, struct vm_area_struct *vma)
{
	int ret;

	if (vma->vm_flags & VM_WRITE)
		return -EACCES;
	ret = remap_vmalloc_range(vma, prof.hdr, vma->vm_pgoff);
	if (ret)
		return ret;
	vma->vm_ops = &sm_prof_vm_ops;
	return 0;
}

static int sm_prof_open(struct inode *inode, struct file *file)
{
	struct sm_prof_file *pf;
	u64 w;

	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	mutex_init(&pf->lock);
	mutex_lock(&prof.lock);
	w = prof.hdr->write_index;
	pf->cursor = w > prof.hdr->capacity ? w - prof.hdr->capacity : 0;
	mutex_unlock(&prof.lock);
	file->private_data = pf;
	return stream_open(inode, file);
}

static int sm_prof_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
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
	hdr->magic = SM_RING_MAGIC;
	hdr->version = SM_RING_VERSION;
	hdr->header_size = SM_HDR_BYTES;
	hdr->record_size = sizeof(struct sm_ring_record);
	hdr->capacity = (SM_RING_BYTES - SM_HDR_BYTES) /
			sizeof(struct sm_ring_record);
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
	unsigned int i;

	/* Every open file pins the module: nobody can register from here on. */
	misc_deregister(&sm_prof_dev);
	cancel_delayed_work_sync(&prof.work);
	for (i = 0; i < prof.nr; i++)
		put_pid(prof.pids[i]);
	prof.nr = 0;
	vfree(prof.hdr);
}
