/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM smart_madvise

#if !defined(SMART_MADVISE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define SMART_MADVISE_TRACE_H

#include <linux/tracepoint.h>
#include "decide.h"

TRACE_DEFINE_ENUM(SM_VERDICT_UNKNOWN);
TRACE_DEFINE_ENUM(SM_VERDICT_SEQUENTIAL);
TRACE_DEFINE_ENUM(SM_VERDICT_RANDOM);
TRACE_DEFINE_ENUM(SM_VERDICT_MIXED);

#define sm_show_verdict(v)					\
	__print_symbolic(v, { SM_VERDICT_UNKNOWN, "unknown" },		\
			 { SM_VERDICT_SEQUENTIAL, "sequential" },	\
			 { SM_VERDICT_RANDOM, "random" },		\
			 { SM_VERDICT_MIXED, "mixed" })

#define sm_show_advice(a)					\
	__print_symbolic(a, { MADV_RANDOM, "random" },		\
			 { MADV_SEQUENTIAL, "sequential" })

/* An advice change, made or considered: at the call, or later (late). */
DECLARE_EVENT_CLASS(advice_change,
		    TP_PROTO(pid_t pid, unsigned long start, size_t len, int asked,
			     int applied, unsigned int seq_permille, bool dry_run),
		    TP_ARGS(pid, start, len, asked, applied, seq_permille, dry_run),
		    TP_STRUCT__entry(__field(pid_t, pid)
				     __field(unsigned long, start)
				     __field(size_t, len)
				     __field(int, asked)
				     __field(int, applied)
				     __field(unsigned int, seq_permille)
				     __field(bool, dry_run)),
		    TP_fast_assign(__entry->pid = pid;
				   __entry->start = start;
				   __entry->len = len;
				   __entry->asked = asked;
				   __entry->applied = applied;
				   __entry->seq_permille = seq_permille;
				   __entry->dry_run = dry_run;),
		    TP_printk("pid=%d start=0x%lx len=%zu asked=%s applied=%s seq_permille=%u dry_run=%d",
			      __entry->pid, __entry->start, __entry->len,
			      sm_show_advice(__entry->asked),
			      sm_show_advice(__entry->applied),
			      __entry->seq_permille, __entry->dry_run)
);

DEFINE_EVENT(advice_change, advice_rewrite,
	     TP_PROTO(pid_t pid, unsigned long start, size_t len, int asked,
		      int applied, unsigned int seq_permille, bool dry_run),
	     TP_ARGS(pid, start, len, asked, applied, seq_permille, dry_run));

DEFINE_EVENT(advice_change, advice_late,
	     TP_PROTO(pid_t pid, unsigned long start, size_t len, int asked,
		      int applied, unsigned int seq_permille, bool dry_run),
	     TP_ARGS(pid, start, len, asked, applied, seq_permille, dry_run));

/* A process's verdict changed; the evidence it rests on, in pages. */
TRACE_EVENT(verdict_change,
	    TP_PROTO(pid_t pid, int old, int new, unsigned int seq_pages,
		     unsigned int pages),
	    TP_ARGS(pid, old, new, seq_pages, pages),
	    TP_STRUCT__entry(__field(pid_t, pid)
			     __field(int, old)
			     __field(int, new)
			     __field(unsigned int, seq_pages)
			     __field(unsigned int, pages)),
	    TP_fast_assign(__entry->pid = pid;
			   __entry->old = old;
			   __entry->new = new;
			   __entry->seq_pages = seq_pages;
			   __entry->pages = pages;),
	    TP_printk("pid=%d old=%s new=%s seq_pages=%u pages=%u",
		      __entry->pid, sm_show_verdict(__entry->old),
		      sm_show_verdict(__entry->new), __entry->seq_pages,
		      __entry->pages)
);

#endif

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE sm_trace
#include <trace/define_trace.h>
