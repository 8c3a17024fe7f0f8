/* SPDX-License-Identifier: MIT */
/*
 * sched.h - the calling thread as the allocator sees it: the few fields of
 * the kernel's task_struct that mm reads (include/linux/sched.h and
 * include/linux/sched/mm.h, 6.12), one per thread (thread-local).
 *
 * The kernel reaches them through `current`; here current_task() returns
 * the calling thread's pf_task.  Each subsystem keeps its own fields below,
 * grouped under the file that owns them, and the scope helpers that set
 * them (memalloc_noio_save, set_active_memcg, ...) live with that file.
 */
#ifndef PF_MM_SCHED_H
#define PF_MM_SCHED_H

#include <stdbool.h>

#include <pageframe/gfp.h>

#include "mmzone.h"

struct mem_cgroup;
struct mempolicy;
struct capture_control;
struct pf_machine;

/* task_struct->flags bits that mm reads (include/linux/sched.h, 6.12 values) */
#define PF_MEMALLOC		0x00000800	/* reclaiming: may use the reserves, must not recurse */
#define PF_KSWAPD		0x00020000	/* this thread is a kswapd */
#define PF_MEMALLOC_NOFS	0x00040000	/* scope: allocations behave as GFP_NOFS */
#define PF_MEMALLOC_NOIO	0x00080000	/* scope: allocations behave as GFP_NOIO */
#define PF_MEMALLOC_PIN		0x10000000	/* scope: no movable/CMA placement (pinning) */

/*
 * pf_task.fast_off bits: while any is set, this thread's allocations skip
 * the fast paths (which do not look at scopes) and take the general path,
 * which does.  One thread-local load on the fast path.  (Cpusets and
 * policies use the machine's FAST_OFF_PLACEMENT instead, cpuset.c.)
 */
#define TASK_FAST_OFF_PIN	(1u << 0)	/* PF_MEMALLOC_PIN: __GFP_MOVABLE is dropped */

struct pf_task {
	unsigned int flags;		/* PF_MEMALLOC, PF_KSWAPD, PF_MEMALLOC_NO* */
	unsigned int fast_off;		/* TASK_FAST_OFF_* */

	/* compaction.c: a direct compactor's capture (task_capc in page_alloc.c reads it) */
	struct capture_control *capture_control;

	/* memcontrol.c: set_active_memcg's target (NULL: the root) */
	struct mem_cgroup *active_memcg;
	unsigned int memcg_nr_pages_over_high;	/* charged over memory.high, not yet paid for */

	/* cpuset.c / mempolicy.c: the thread's placement */
	bool mems_allowed_set;		/* false: every node (the root cpuset) */
	nodemask_t mems_allowed;
	struct mempolicy *mempolicy;	/* NULL: the default policy */
	int in_interrupt;		/* atomic-context scope depth (in_interrupt()) */
	struct pf_machine *placement_m;	/* the machine mems_allowed and mempolicy are for (NULL: none) */
	unsigned long placement_serial;	/* placement_m's serial when set (cpuset.c: a machine at the same address is another) */
	int placement_id;		/* placement_m's slot in pf_machine_table */
	bool placement_counted;		/* counted in placement_m->placement_threads */
	unsigned int mems_allowed_seq;	/* read_mems_allowed_begin/retry's sequence */
	int il_prev;			/* the node interleaving gave last */
	int il_weight;			/* turns weighted interleaving still owes il_prev */

	/* oom_kill.c: the thread's OOM task (pf_oom_task_attach), the kernel's current as a victim */
	struct pf_oom_task *oom_task;

	/* page_owner.c: saving a stack, so an allocation it causes records none (current->in_page_owner) */
	bool in_page_owner;
};

extern _Thread_local struct pf_task pf_current_task __attribute__((tls_model("initial-exec")));

static inline struct pf_task *current_task(void)
{
	return &pf_current_task;
}

/*
 * memalloc_flags_save / memalloc_flags_restore (include/linux/sched/mm.h,
 * 6.12): set scope bits in the thread's flags; the saved value holds just
 * the bits this call turned on, so nested scopes unwind in order.
 */
static inline unsigned int memalloc_flags_save(unsigned int flags)
{
	struct pf_task *t = current_task();
	unsigned int turned_on = flags & ~t->flags;

	t->flags |= flags;
	if (flags & PF_MEMALLOC_PIN)
		t->fast_off |= TASK_FAST_OFF_PIN;
	return turned_on;
}

static inline void memalloc_flags_restore(unsigned int flags)
{
	struct pf_task *t = current_task();

	t->flags &= ~flags;
	if (!(t->flags & PF_MEMALLOC_PIN))
		t->fast_off &= ~TASK_FAST_OFF_PIN;
}

/* memalloc_noreclaim_save: the reclaimer's own scope (PF_MEMALLOC) */
static inline unsigned int memalloc_noreclaim_save(void)
{
	return memalloc_flags_save(PF_MEMALLOC);
}

static inline void memalloc_noreclaim_restore(unsigned int flags)
{
	memalloc_flags_restore(flags);
}

/*
 * current_gfp_context (include/linux/sched/mm.h, 6.12): what the thread's
 * scopes take away from a request - NOIO drops I/O and FS (it wins over
 * NOFS), NOFS drops FS, PIN drops __GFP_MOVABLE.
 */
static inline pf_gfp_t current_gfp_context(pf_gfp_t flags)
{
	unsigned int pflags = current_task()->flags;

	if (__builtin_expect(!!(pflags & (PF_MEMALLOC_NOIO | PF_MEMALLOC_NOFS | PF_MEMALLOC_PIN)), 0)) {
		if (pflags & PF_MEMALLOC_NOIO)
			flags &= ~(PF___GFP_IO | PF___GFP_FS);
		else if (pflags & PF_MEMALLOC_NOFS)
			flags &= ~PF___GFP_FS;
		if (pflags & PF_MEMALLOC_PIN)
			flags &= ~PF___GFP_MOVABLE;
	}
	return flags;
}

#endif /* PF_MM_SCHED_H */
