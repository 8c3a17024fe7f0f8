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

struct pf_task {
	unsigned int flags;		/* PF_MEMALLOC, PF_KSWAPD, PF_MEMALLOC_NO* */

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

#endif /* PF_MM_SCHED_H */
