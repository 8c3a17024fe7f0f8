/* SPDX-License-Identifier: MIT */
/*
 * cpuset.h - the calling thread's cpuset mems and atomic-context scope as
 * the allocator reads them (include/linux/cpuset.h and the in_interrupt()
 * of include/linux/preempt.h, 6.12).  Defined in cpuset.c.
 *
 * One cpuset per thread: the thread's own mems_allowed is its cpuset's
 * (struct pf_task, sched.h).  The kernel enables the checks machine-wide
 * once a second cpuset exists (cpusets_enabled(), a static key); here they
 * run only for a thread whose cpuset was set for the machine at hand, which
 * gives the same answers (the root cpuset allows every node) without the
 * __GFP_HARDWALL the kernel adds to everyone's trace lines.
 *
 * For the slow path (page_alloc.c): read_mems_allowed_begin/_retry as the
 * kernel's cpuset_mems_cookie loop.  Only the thread itself changes its
 * mems_allowed, so a retry is never needed while it allocates; the pair is
 * there so the slow path reads as 6.12's.
 *
 * For oom_kill.c (constrained_alloc): cpuset_zone_allowed() per zone, and
 * cpuset_current_mems_allowed() for the report's "cpuset=... mems_allowed=".
 */
#ifndef PF_MM_CPUSET_H
#define PF_MM_CPUSET_H

#include "internal.h"
#include "sched.h"

/* in_interrupt / in_task: the thread is inside pf_enter_atomic ... pf_exit_atomic. */
static inline bool in_interrupt(void)
{
	return current_task()->in_interrupt > 0;
}

static inline bool in_task(void)
{
	return !in_interrupt();
}

/*
 * placement_for - the calling thread's cpuset and policy are for @m (set
 * with pf_set_mems_allowed / pf_set_mempolicy on @m, which still lives).
 */
static inline bool placement_for(const struct pf_machine *m)
{
	const struct pf_task *t = current_task();
	return t->placement_m == m && t->placement_serial == m->placement_serial;
}

/* cpusets_enabled: the calling thread has a cpuset of its own on @m. */
static inline bool cpusets_enabled(const struct pf_machine *m)
{
	return current_task()->mems_allowed_set && placement_for(m);
}

/*
 * cpuset_current_mems_allowed - current->mems_allowed on @m: the thread's
 * cpuset mems, or every node of @m (the root cpuset).
 */
const nodemask_t *cpuset_current_mems_allowed(struct pf_machine *m);

/* cpuset_node_allowed (kernel/cgroup/cpuset.c, 6.12): may this request take memory on @node? */
bool cpuset_node_allowed(struct pf_machine *m, int node, pf_gfp_t gfp_mask);

/* __cpuset_zone_allowed / cpuset_zone_allowed (include/linux/cpuset.h, 6.12) */
static inline bool __cpuset_zone_allowed(struct zone *z, pf_gfp_t gfp_mask)
{
	return cpuset_node_allowed(zone_machine(z), zone_to_nid(z), gfp_mask);
}

static inline bool cpuset_zone_allowed(struct zone *z, pf_gfp_t gfp_mask)
{
	if (cpusets_enabled(zone_machine(z)))
		return __cpuset_zone_allowed(z, gfp_mask);
	return true;
}

/* cpuset_nodemask_valid_mems_allowed (6.12): does @nodemask meet the thread's mems on @m? */
bool cpuset_nodemask_valid_mems_allowed(struct pf_machine *m, const nodemask_t *nodemask);

/*
 * read_mems_allowed_begin / read_mems_allowed_retry (include/linux/cpuset.h,
 * 6.12): a cookie before reading mems_allowed, and whether it changed since.
 */
static inline unsigned int read_mems_allowed_begin(void)
{
	return __atomic_load_n(&current_task()->mems_allowed_seq, __ATOMIC_ACQUIRE);
}

static inline bool read_mems_allowed_retry(unsigned int seq)
{
	return __atomic_load_n(&current_task()->mems_allowed_seq, __ATOMIC_ACQUIRE) != seq;
}

/* cpuset.c: the node-list syntax both public calls take ("0-1,3"); 0 or -EINVAL with @err set */
int nodelist_parse(const char *s, nodemask_t *out, char *err, size_t errlen);
int nodelist_print(const nodemask_t *mask, int nr_node_ids, char *buf, size_t len);

/* cpuset.c: node-mask helpers (include/linux/nodemask.h) */
static inline void nodes_clear(nodemask_t *m)
{
	for (size_t i = 0; i < sizeof m->bits / sizeof m->bits[0]; i++)
		m->bits[i] = 0;
}
static inline void node_clear(int nid, nodemask_t *m)
{
	m->bits[nid / 64] &= ~(1UL << (nid % 64));
}
static inline bool nodes_empty(const nodemask_t *m)
{
	for (size_t i = 0; i < sizeof m->bits / sizeof m->bits[0]; i++)
		if (m->bits[i])
			return false;
	return true;
}
static inline void nodes_and(nodemask_t *dst, const nodemask_t *a, const nodemask_t *b)
{
	for (size_t i = 0; i < sizeof dst->bits / sizeof dst->bits[0]; i++)
		dst->bits[i] = a->bits[i] & b->bits[i];
}
static inline bool nodes_intersects(const nodemask_t *a, const nodemask_t *b)
{
	for (size_t i = 0; i < sizeof a->bits / sizeof a->bits[0]; i++)
		if (a->bits[i] & b->bits[i])
			return true;
	return false;
}
static inline bool nodes_equal(const nodemask_t *a, const nodemask_t *b)
{
	for (size_t i = 0; i < sizeof a->bits / sizeof a->bits[0]; i++)
		if (a->bits[i] != b->bits[i])
			return false;
	return true;
}
static inline int nodes_weight(const nodemask_t *m)
{
	int n = 0;
	for (size_t i = 0; i < sizeof m->bits / sizeof m->bits[0]; i++)
		n += __builtin_popcountl(m->bits[i]);
	return n;
}
/* first_node / next_node: MAX_NUMNODES when there is none */
static inline int next_node(int n, const nodemask_t *m)
{
	for (int i = n + 1; i < MAX_NUMNODES; i++)
		if (node_isset(i, m))
			return i;
	return MAX_NUMNODES;
}
static inline int first_node(const nodemask_t *m)
{
	return next_node(-1, m);
}
/* next_node_in: the next set node after @n, wrapping round; MAX_NUMNODES for an empty mask */
static inline int next_node_in(int n, const nodemask_t *m)
{
	int r = next_node(n, m);
	return r == MAX_NUMNODES ? first_node(m) : r;
}
/* node_states[N_MEMORY] of @m: every node (a machine's nodes all have memory, machine_desc.c) */
static inline void machine_memory_nodes(const struct pf_machine *m, nodemask_t *out)
{
	nodes_clear(out);
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		node_set(nid, out);
}

/*
 * cpuset.c: the thread's placement bookkeeping.  placement_claim makes @m
 * the machine of the thread's settings (dropping another machine's);
 * placement_update counts the thread in @m->placement_threads while it has
 * a cpuset or policy there and sets FAST_OFF_PLACEMENT accordingly.
 */
void placement_claim(struct pf_machine *m);
void placement_update(struct pf_machine *m);
void placement_init(struct pf_machine *m);
void placement_machine_exit(struct pf_machine *m);
bool placement_fast_off(struct pf_machine *m);
/*
 * Tests only (NULL otherwise): called with the machine a thread is about to
 * hand its count back to, after the test that the machine still lives and
 * before the count drops, with placement_lock held (cpuset.c give_back).
 * It lets a test run pf_machine_destroy inside that window.
 */
extern void (*placement_give_back_hook)(struct pf_machine *m);

#endif /* PF_MM_CPUSET_H */
