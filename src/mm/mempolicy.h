/* SPDX-License-Identifier: MIT */
/*
 * mempolicy.h - the calling thread's NUMA memory policy (struct mempolicy
 * of include/linux/mempolicy.h, 6.12) and the allocation calls that apply
 * it (mm/mempolicy.c).  Defined in mempolicy.c.
 *
 * Only task policies: no VMAs, no shared policies, no mbind, no migration
 * on policy change, no home node (set_mempolicy_home_node is for VMAs).
 */
#ifndef PF_MM_MEMPOLICY_H
#define PF_MM_MEMPOLICY_H

#include "internal.h"

/* the kernel's enum and flag values (include/uapi/linux/mempolicy.h) */
enum {
	MPOL_DEFAULT,
	MPOL_PREFERRED,
	MPOL_BIND,
	MPOL_INTERLEAVE,
	MPOL_LOCAL,
	MPOL_PREFERRED_MANY,
	MPOL_WEIGHTED_INTERLEAVE,
	MPOL_MAX,
};
#define MPOL_F_STATIC_NODES	(1 << 15)
#define MPOL_F_RELATIVE_NODES	(1 << 14)
#define MPOL_F_NUMA_BALANCING	(1 << 13)
#define MPOL_MODE_FLAGS		(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING)
/* internal flags (include/linux/mempolicy.h) */
#define MPOL_F_MOF		(1 << 3)
#define MPOL_F_MORON		(1 << 4)

#define NO_INTERLEAVE_INDEX	(~0UL)	/* alloc_pages(): dynamic interleaving by il_prev */

/*
 * struct mempolicy - one thread's policy.  @nodes as the mode uses it
 * (PREFERRED: the one node); @w: the list as given (STATIC / RELATIVE) or
 * the cpuset mems it was cut to, for rebinding when the cpuset changes.
 */
struct mempolicy {
	unsigned short mode;
	unsigned short flags;
	int home_node;			/* NUMA_NO_NODE (no VMAs here) */
	nodemask_t nodes;
	union {
		nodemask_t cpuset_mems_allowed;
		nodemask_t user_nodemask;
	} w;
};

/*
 * alloc_pages_noprof (mm/mempolicy.c, 6.12): pf_alloc_pages' general path:
 * the thread's policy unless in the atomic scope or __GFP_THISNODE, then
 * alloc_pages_mpol; no policy: __alloc_pages on this CPU's node.
 */
struct pf_page *alloc_pages_noprof(struct pf_machine *m, pf_gfp_t gfp, unsigned int order);
struct pf_page *alloc_pages_mpol(struct pf_machine *m, pf_gfp_t gfp, unsigned int order, struct mempolicy *pol,
				 unsigned long ilx, int nid);
/* get_task_policy: the calling thread's policy on @m, NULL for the default */
struct mempolicy *get_task_policy(struct pf_machine *m);
/* mpol_rebind_task (6.12): the thread's cpuset mems on @m became @newmask */
void mpol_rebind_task(struct pf_machine *m, const nodemask_t *newmask);
/*
 * mempolicy_in_oom_domain (6.12) for the calling thread: false only when
 * its policy is BIND and meets none of @mask (oom_kill.c's
 * CONSTRAINT_MEMORY_POLICY); true for a NULL mask.
 */
bool mempolicy_in_oom_domain(struct pf_machine *m, const nodemask_t *mask);
/* policy_zone (6.12): the highest populated zone below Movable, set by build_zonerefs_node */
enum zone_type policy_zone(const struct pf_machine *m);

#endif /* PF_MM_MEMPOLICY_H */
