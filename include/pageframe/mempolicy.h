/* SPDX-License-Identifier: MIT */
/*
 * pageframe/mempolicy.h - where the calling thread's pages come from:
 * its cpuset's memory nodes, its NUMA memory policy, and an "atomic
 * context" scope (included by pageframe.h).
 *
 *   cpuset mems  the nodes a thread may take memory from (cpuset.mems of
 *                the kernel's cgroup v2 cpuset, one per thread here).
 *                Requests with PF___GFP_HARDWALL (PF_GFP_USER and the
 *                other user-space masks) never leave them; PF_GFP_KERNEL
 *                requests keep to them on the first pass and may go
 *                anywhere on the machine when they run short (the kernel's
 *                "nearest hardwall ancestor" of a v2 cpuset is the root).
 *   mempolicy    set_mempolicy(2) for the calling thread: which node
 *                pf_alloc_pages prefers, or which nodes it is bound to.
 *                pf_alloc_pages_node and the bulk calls ignore it, as the
 *                kernel's alloc_pages_node and alloc_pages_bulk do; the
 *                cpuset applies to every call.
 *   atomic scope the kernel's interrupt context: between pf_enter_atomic
 *                and pf_exit_atomic the thread's cpuset and policy do not
 *                apply (any node is fine, the default policy is used).
 *
 * Node lists use the kernel's cpuset list syntax: "0-1,3" (ranges and single
 * nodes separated by commas, spaces around them allowed).  NULL or "" means
 * every node (cpuset) or no nodes (policy).
 *
 * The settings are the calling thread's and name the machine they were made
 * for: requests of that thread to another machine behave as if nothing were
 * set.  Setting anything for a second machine moves all of the thread's
 * settings there (the earlier machine's are dropped).  Thread-local: no
 * other thread sees them, and a thread's own calls are never racing each
 * other.  While any thread has a cpuset or policy on a machine, that
 * machine's allocations take a slower path that reads them; a thread that
 * ends with settings in place gives them up as it exits, so other threads
 * get the fast path back.  (Resetting them, pf_set_mems_allowed(m, NULL)
 * and pf_set_mempolicy(m, PF_MPOL_DEFAULT, NULL), does so at once.)
 *
 * Return values: 0 or a negative errno, as the system calls.
 */
#ifndef PAGEFRAME_MEMPOLICY_H
#define PAGEFRAME_MEMPOLICY_H

#include <stddef.h>

#ifndef PF_API
#if defined(__GNUC__) && !defined(_WIN32)
#define PF_API __attribute__((visibility("default")))
#else
#define PF_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct pf_machine;

/* Policy modes: the values of the kernel's enum (include/uapi/linux/mempolicy.h). */
#define PF_MPOL_DEFAULT			0	/* the thread's node, falling back by distance */
#define PF_MPOL_PREFERRED		1	/* the first node of the list, falling back by distance */
#define PF_MPOL_BIND			2	/* only the nodes of the list (nearest first) */
#define PF_MPOL_INTERLEAVE		3	/* round robin over the list, one page block each */
#define PF_MPOL_LOCAL			4	/* the thread's node (as DEFAULT, but a policy of its own) */
#define PF_MPOL_PREFERRED_MANY		5	/* the list first (no reclaim), then any node */
#define PF_MPOL_WEIGHTED_INTERLEAVE	6	/* round robin, node N taking its weight's share */
#define PF_MPOL_MAX			7
/* Mode flags, ORed into the mode (the kernel's values) */
#define PF_MPOL_F_STATIC_NODES		(1 << 15)	/* keep the list as given when the cpuset changes */
#define PF_MPOL_F_RELATIVE_NODES	(1 << 14)	/* the list numbers the cpuset's nodes, not the machine's */
#define PF_MPOL_F_NUMA_BALANCING	(1 << 13)	/* accepted with BIND / PREFERRED_MANY; no effect here */

/*
 * pf_set_mems_allowed - the calling thread's cpuset mems on @m (cpuset.mems
 * written for a cgroup holding just this thread).
 * @nodelist: "0-1,3"; NULL or "" = every node of @m (the root cpuset).
 * A policy already set is rebound to the new nodes as the kernel's
 * mpol_rebind_task does (MPOL_F_STATIC_NODES / RELATIVE_NODES honoured).
 * Return: 0; -EINVAL for a malformed list (the error names the place), a
 * node @m does not have, or @m NULL.
 */
PF_API int pf_set_mems_allowed(struct pf_machine *m, const char *nodelist);

/*
 * pf_get_mems_allowed - the calling thread's cpuset mems on @m, written as
 * a node list ("0-1,3") into @buf.  Return: 0, -ERANGE when @len is too
 * small, -EINVAL for NULL arguments.
 */
PF_API int pf_get_mems_allowed(struct pf_machine *m, char *buf, size_t len);

/*
 * pf_set_mempolicy - set_mempolicy(2) for the calling thread on @m.
 * @mode: PF_MPOL_* optionally ORed with PF_MPOL_F_* flags.
 * @nodelist: the nodes ("0-1,3"); NULL or "" = no nodes.
 * Validated as the kernel validates: DEFAULT and LOCAL take no nodes;
 * PREFERRED without nodes means LOCAL; every other mode needs nodes; the
 * list is cut down to nodes @m has and the thread's cpuset allows (RELATIVE
 * lists are folded onto the cpuset's nodes first), and an empty result is
 * an error.  INTERLEAVE and WEIGHTED_INTERLEAVE start again from the first
 * node.
 * Return: 0; -EINVAL for an unknown mode or flag, STATIC with RELATIVE,
 * NUMA_BALANCING with another mode than BIND / PREFERRED_MANY, nodes
 * where none are allowed, an empty node set where one is needed, a
 * malformed list, or a node number >= 64 (the kernel's MAX_NUMNODES of a
 * pageframe machine).
 */
PF_API int pf_set_mempolicy(struct pf_machine *m, int mode, const char *nodelist);

/*
 * pf_get_mempolicy - get_mempolicy(2) without flags for the calling thread
 * on @m: the mode (with the flags it was set with) into *mode (may be NULL)
 * and its node list into @buf (may be NULL; "" for DEFAULT and LOCAL).
 * Return: 0, -ERANGE when @len is too small, -EINVAL for @m NULL.
 */
PF_API int pf_get_mempolicy(struct pf_machine *m, int *mode, char *buf, size_t len);

/*
 * pf_set_interleave_weight - /sys/kernel/mm/mempolicy/weighted_interleave/
 * node@nid of @m: how many allocations in a row a weighted interleave
 * policy gives node @nid.  @weight 0..255; 0 restores the default (1).
 * Machine-wide; threads already interleaving see the new weight from their
 * next turn on the node.
 * Return: 0; -EINVAL for a node @m does not have or a weight above 255.
 */
PF_API int pf_set_interleave_weight(struct pf_machine *m, int nid, unsigned weight);

/* pf_get_interleave_weight - node @nid's weight as the sysfs file shows it (1..255); -EINVAL for a bad node. */
PF_API int pf_get_interleave_weight(struct pf_machine *m, int nid);

/*
 * pf_enter_atomic / pf_exit_atomic - the calling thread is "in interrupt"
 * until the matching exit (they nest): cpusets and policies do not apply to
 * its requests, on any machine, as the kernel's in_interrupt() rule.  The
 * gfp flags still say how hard to try: use PF_GFP_ATOMIC inside.
 * pf_exit_atomic without an enter is ignored and returns -EINVAL.
 */
PF_API void pf_enter_atomic(void);
PF_API int pf_exit_atomic(void);

#ifdef __cplusplus
}
#endif

#endif /* PAGEFRAME_MEMPOLICY_H */
