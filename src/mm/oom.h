/* SPDX-License-Identifier: MIT */
/*
 * oom.h - the OOM killer's internal interface (include/linux/oom.h, 6.12):
 * struct oom_control, the constraint, and struct pf_oom_task, the
 * machine's record of a task the program registered (its struct
 * task_struct and mm counters in one).  Only oom_kill.c looks inside a
 * task.
 *
 * Who calls what: the allocator's slow path (__alloc_pages_may_oom,
 * page_alloc.c) and the memcg charge path (mem_cgroup_out_of_memory,
 * memcontrol.c) fill an oom_control and call out_of_memory with
 * m->oom_lock held, the kernel's oom_lock (a trylock in the slow path).
 * out_of_memory runs the program's hook and the tasks' callbacks with no
 * other lock held and with PF_MEMALLOC set for the thread, so an
 * allocation made there never comes back to the OOM killer.
 *
 * Task lifetime: as shrinkers (shrinker.h), a task stays on m->oom_tasks
 * while references are held; walks take one per task with oom_task_lock
 * held and call out with it dropped; unregister marks the task dead and
 * waits for other threads' references.
 */
#ifndef PF_MM_OOM_H
#define PF_MM_OOM_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <pageframe/oom.h>

#include "internal.h"

#define OOM_SCORE_ADJ_MIN	PF_OOM_SCORE_ADJ_MIN
#define OOM_SCORE_ADJ_MAX	PF_OOM_SCORE_ADJ_MAX
#define TASK_COMM_LEN		PF_TASK_COMM_LEN

/* enum oom_constraint (include/linux/oom.h, 6.12): what limited the failed allocation */
enum oom_constraint {
	CONSTRAINT_NONE,
	CONSTRAINT_CPUSET,
	CONSTRAINT_MEMORY_POLICY,
	CONSTRAINT_MEMCG,
};

/*
 * struct oom_control (include/linux/oom.h, 6.12): one OOM, filled by the
 * caller (m, zonelist, nodemask, memcg, gfp_mask, order; order -1 is
 * SysRq-f) and worked out by out_of_memory (totalpages, chosen,
 * chosen_points, constraint).  @m is pageframe's own: no global state.
 */
struct oom_control {
	struct pf_machine *m;
	struct zonelist *zonelist;	/* the request's zonelist, NULL when not an allocation */
	nodemask_t *nodemask;		/* the request's nodemask (a mempolicy), or NULL */
	struct mem_cgroup *memcg;	/* a memcg over its limit, NULL for a global OOM */
	pf_gfp_t gfp_mask;
	int order;
	unsigned long totalpages;	/* memory the OOM may consider: badness is a share of it */
	struct pf_oom_task *chosen;	/* the victim (a reference held), NULL, or OOM_ABORT */
	long chosen_points;
	enum oom_constraint constraint;
};
/* chosen: a victim of an earlier OOM is still dying, wait for it ((void *)-1UL in the kernel) */
#define OOM_ABORT ((struct pf_oom_task *)-1L)

static inline bool is_memcg_oom(const struct oom_control *oc)
{
	return oc->memcg != NULL;
}

static inline bool is_sysrq_oom(const struct oom_control *oc)
{
	return oc->order == -1;
}

/* a task's victim state: the kernel's TIF_MEMDIE, then MMF_OOM_SKIP once reaped */
enum oom_victim_state {
	OOM_TASK_LIVE,
	OOM_TASK_DYING,		/* its kill callback runs */
	OOM_TASK_REAPED,	/* killed: never chosen or listed again */
};

struct pf_oom_task {
	struct list_head list;		/* m->oom_tasks; under m->oom_task_lock */
	struct pf_machine *m;
	struct pf_oom_task_ops ops;
	void *arg;
	struct mem_cgroup *memcg;	/* the registering thread's memcg (NULL: the root) */
	int pid;
	atomic_int oom_score_adj;
	atomic_int victim;		/* enum oom_victim_state */
	atomic_bool dead;		/* unregister began: no new callback */
	/* under m->oom_task_lock */
	int refs;
	bool free_on_put;
	char comm[TASK_COMM_LEN];
};

/* oom_kill.c */
bool out_of_memory(struct oom_control *oc);
long oom_badness(struct pf_oom_task *p, unsigned long totalpages);
void oom_init(struct pf_machine *m);
void oom_release(struct pf_machine *m);

#endif /* PF_MM_OOM_H */
