/* SPDX-License-Identifier: MIT */
/*
 * pageframe/oom.h - the OOM killer's view of a program (Linux 6.12's
 * mm/oom_kill.c): "tasks" that hold the machine's pages and can be made to
 * give them all back, and a hook the program may answer first.
 *
 * When an allocation finds no memory even after reclaim, the machine runs
 * its OOM killer (out_of_memory).  It first calls the OOM hook, if set
 * (pf_set_oom_hook): returning true says memory was freed, and the
 * allocation is retried without killing anything (the kernel's OOM
 * notifier chain).  Otherwise it picks the registered task with the
 * highest badness - its resident, swapped and page-table pages plus
 * oom_score_adj thousandths of the memory it may use - prints the kernel's
 * OOM report through the report hook and calls that task's kill callback,
 * which must free the task's pages before it returns.  With no task to kill
 * and no hook that helps, the report ends "Out of memory and no killable
 * processes..." and the allocation fails; nothing else is lost.
 *
 * Glossary
 *   task           a unit the program can kill to get memory back (a
 *                  worker, a cache, a session): a name (comm), a pid for
 *                  the report, oom_score_adj, and two callbacks.
 *   oom_score_adj  -1000..1000 added to the badness in thousandths of the
 *                  memory the OOM may use; -1000 (PF_OOM_SCORE_ADJ_MIN)
 *                  means never kill.
 *   victim         the task chosen; once killed it is never chosen or
 *                  listed again (unregister it when convenient).
 *
 * Callbacks (the hook, get_mm, kill) run in the allocating thread with no
 * lock of the machine held and with the thread marked as reclaiming
 * (PF_MEMALLOC): allocations they make may dip into the reserves and never
 * recurse into reclaim or the OOM killer.  They may register, unregister
 * and adjust tasks.
 *
 * Thread safety: every call may be made from any thread.
 */
#ifndef PAGEFRAME_OOM_H
#define PAGEFRAME_OOM_H

#include <stdbool.h>
#include <pageframe/gfp.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PF_API	/* as pageframe.h defines it */
#if defined(_WIN32)
#define PF_API
#elif defined(__GNUC__)
#define PF_API __attribute__((visibility("default")))
#else
#define PF_API
#endif
#endif

struct pf_machine;
struct pf_oom_task;

#define PF_OOM_SCORE_ADJ_MIN	(-1000)	/* never killed */
#define PF_OOM_SCORE_ADJ_MAX	1000
#define PF_TASK_COMM_LEN	16	/* TASK_COMM_LEN: names keep 15 characters */

/*
 * struct pf_oom_task_mm - what a task holds, in pages unless named bytes
 * (the mm counters the kernel reads).  Badness is rss_anon + rss_file +
 * rss_shmem + swapents + pgtables_bytes / 4096.
 */
struct pf_oom_task_mm {
	unsigned long total_vm;		/* pages of its address space, resident or not (total-vm) */
	unsigned long rss_anon;		/* resident anonymous pages (MM_ANONPAGES) */
	unsigned long rss_file;		/* resident file pages (MM_FILEPAGES) */
	unsigned long rss_shmem;	/* resident shared-memory pages (MM_SHMEMPAGES) */
	unsigned long swapents;		/* pages swapped out (MM_SWAPENTS) */
	unsigned long pgtables_bytes;	/* bytes of page tables (mm_pgtables_bytes) */
};

/*
 * struct pf_oom_task_ops - a task's callbacks, given @arg of the registration.
 * get_mm: fill in what the task holds now (called to score and to report).
 * kill:   free the task's pages now (the kernel's SIGKILL and oom_reaper in
 *         one); the task is a victim from then on.
 */
struct pf_oom_task_ops {
	void (*get_mm)(void *arg, struct pf_oom_task_mm *mm);
	void (*kill)(void *arg);
};

/**
 * pf_oom_task_register - make a task known to @m's OOM killer.
 * @comm: its name in reports (copied; 15 characters are kept).
 * @pid: its number in reports (any value; the program chooses).
 * @oom_score_adj: -1000..1000.
 * @ops: both callbacks are required (copied).
 * @arg: passed to the callbacks.
 *
 * A task registered by a thread attached to a memcg (pf_memcg_attach)
 * belongs to that memcg for memcg OOMs.
 *
 * Return: the task, or NULL (a missing callback, a bad @oom_score_adj, no
 * memory), reported through the machine's report hook.
 */
PF_API struct pf_oom_task *pf_oom_task_register(struct pf_machine *m, const char *comm, int pid, short oom_score_adj,
						const struct pf_oom_task_ops *ops, void *arg);

/**
 * pf_oom_task_unregister - forget a task.  Waits for its callbacks running
 * in other threads to return; called from a callback of an OOM running in
 * this thread (its own kill, say), it does not wait for that OOM, and the
 * task goes when the OOM is done with it.  No callback starts after this
 * returns.  An unknown or stale pointer is reported and ignored; NULL is a
 * no-op.
 */
PF_API void pf_oom_task_unregister(struct pf_oom_task *t);

/**
 * pf_oom_task_set_adj - change a task's oom_score_adj (/proc/PID/oom_score_adj).
 * Return: 0, or -EINVAL for a value outside -1000..1000 or a pointer that is
 * no registered task.
 */
PF_API int pf_oom_task_set_adj(struct pf_oom_task *t, short oom_score_adj);

/**
 * pf_oom_task_attach - make @t the calling thread's task (the kernel's
 * current): the OOM report names it as the one that invoked the OOM
 * killer, and with vm.oom_kill_allocating_task set it is killed first.
 * NULL detaches.  Return: the thread's previous task (NULL if none).
 */
PF_API struct pf_oom_task *pf_oom_task_attach(struct pf_oom_task *t);

/**
 * pf_set_oom_hook - the function the OOM killer calls first, before it
 * chooses a victim (global OOMs only, as the kernel's OOM notifiers; a
 * memcg over its limit goes straight to its own tasks).  Return true when
 * it freed memory: the allocation is retried and nothing is killed.
 * Return false to let the OOM killer choose a victim.  @gfp and @order
 * are the failing request's.  NULL removes the hook.
 */
PF_API void pf_set_oom_hook(struct pf_machine *m, bool (*fn)(void *arg, pf_gfp_t gfp, unsigned order), void *arg);

/**
 * pf_out_of_memory - run the OOM killer now, as SysRq-f does (order -1 in
 * the report): the hook is called but cannot prevent the kill, and a victim
 * is chosen even when memory is plentiful.  Refused (false) from a thread
 * inside an OOM callback.  Return: true when a task was killed (or one
 * still dying was found).
 */
PF_API bool pf_out_of_memory(struct pf_machine *m);

/**
 * pf_show_mem - print the kernel's "Mem-Info:" block (show_mem, SysRq-m)
 * for every node and zone through the machine's report hook: the global
 * counter lines, a line per node, two per zone, the free blocks per order
 * with their migratetypes, hugepage, page-cache and swap lines, and the
 * page totals.  The OOM report prints the same block for the request's
 * nodes and zones.
 */
PF_API void pf_show_mem(struct pf_machine *m);

#ifdef __cplusplus
}
#endif

#endif /* PAGEFRAME_OOM_H */
