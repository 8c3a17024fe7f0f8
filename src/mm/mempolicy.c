/* SPDX-License-Identifier: MIT */
/*
 * mempolicy.c - NUMA memory policies of the calling thread and the
 * allocation that follows them (mm/mempolicy.c, Linux 6.12): set_mempolicy
 * and get_mempolicy, policy_nodemask, (weighted) interleaving by il_prev,
 * preferred-many's two attempts, the rebind when the thread's cpuset
 * changes, and the weighted-interleave weights of sysfs.
 *
 * Task policies only (no VMAs: no mbind, shared policies, home nodes,
 * interleave by page offset, migration on a policy change).  A thread's
 * policy lives in thread-local storage (no allocation, nothing to free);
 * only that thread reads or writes it.  The weights are per machine, read
 * and written a byte at a time with relaxed atomics (the kernel swaps the
 * whole table under RCU; each lookup reads one entry either way).
 */
#include "mempolicy.h"
#include "cpuset.h"
#include "sched.h"

#include <pageframe/mempolicy.h>
#include <string.h>

_Static_assert(PF_MPOL_WEIGHTED_INTERLEAVE == MPOL_WEIGHTED_INTERLEAVE && PF_MPOL_MAX == MPOL_MAX,
	       "public modes must keep the kernel's values");
_Static_assert(PF_MPOL_F_STATIC_NODES == MPOL_F_STATIC_NODES && PF_MPOL_F_RELATIVE_NODES == MPOL_F_RELATIVE_NODES &&
		       PF_MPOL_F_NUMA_BALANCING == MPOL_F_NUMA_BALANCING,
	       "public mode flags must keep the kernel's values");

/* the calling thread's policy, pointed at by current_task()->mempolicy while set */
static _Thread_local struct mempolicy task_policy;

struct mempolicy *get_task_policy(struct pf_machine *m)
{
	/* get_task_policy (6.12) falls back on preferred_node_policy[this node]: the same as NULL here */
	return placement_for(m) ? current_task()->mempolicy : NULL;
}

/* get_il_weight (6.12): node @node's weight, 0 in the table meaning the default 1. */
static unsigned int get_il_weight(struct pf_machine *m, int node)
{
	unsigned char w = __atomic_load_n(&m->iw_table[node], __ATOMIC_RELAXED);
	return w ? w : 1;
}

/* a node with memory below ZONE_MOVABLE (node_states[N_HIGH_MEMORY] on x86-64) */
static bool node_has_normal_memory(const struct pf_machine *m, int nid)
{
	const pg_data_t *pgdat = m->node_data[nid];
	for (int z = 0; z < ZONE_MOVABLE; z++)
		if (populated_zone(&pgdat->node_zones[z]))
			return true;
	return false;
}

/* policy_zone: check_highest_zone over every zonelist entry, Movable left out (6.12). */
enum zone_type policy_zone(const struct pf_machine *m)
{
	int pz = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < ZONE_MOVABLE; z++)
			if (populated_zone(&m->node_data[nid]->node_zones[z]) && z > pz)
				pz = z;
	return (enum zone_type)pz;
}

/*
 * apply_policy_zone (6.12): BIND restricts only requests that may use
 * policy_zone or above; a node set with nothing but Movable memory only
 * those that may use Movable.
 */
static bool apply_policy_zone(const struct pf_machine *m, const struct mempolicy *pol, int zone)
{
	int dynamic_policy_zone = (int)policy_zone(m);
	bool normal = false;

	for (int nid = 0; nid < m->nr_node_ids; nid++)
		if (node_isset(nid, &pol->nodes) && node_has_normal_memory(m, nid))
			normal = true;
	if (!normal)
		dynamic_policy_zone = ZONE_MOVABLE;
	return zone >= dynamic_policy_zone;
}

/*
 * weighted_interleave_nodes (6.12): stay on il_prev while it still has
 * turns (il_weight), else move to the next node of the set and take its
 * weight; each call uses one turn.
 */
static int weighted_interleave_nodes(struct pf_machine *m, struct mempolicy *pol)
{
	struct pf_task *t = current_task();
	unsigned int cookie;
	int node;

retry:
	cookie = read_mems_allowed_begin();
	node = t->il_prev;
	if (!t->il_weight || !node_isset(node, &pol->nodes)) {
		node = next_node_in(node, &pol->nodes);
		if (read_mems_allowed_retry(cookie))
			goto retry;
		if (node == MAX_NUMNODES)
			return node;
		t->il_prev = node;
		t->il_weight = (int)get_il_weight(m, node);
	}
	t->il_weight--;
	return node;
}

/* interleave_nodes (6.12): the next node of the set after il_prev, round robin. */
static int interleave_nodes(struct mempolicy *pol)
{
	struct pf_task *t = current_task();
	unsigned int cookie;
	int nid;

	do {
		cookie = read_mems_allowed_begin();
		nid = next_node_in(t->il_prev, &pol->nodes);
	} while (read_mems_allowed_retry(cookie));
	if (nid < MAX_NUMNODES)
		t->il_prev = nid;
	return nid;
}

/*
 * policy_nodemask (6.12): the nodemask that filters the zonelist (NULL:
 * none) and the preferred node, written over *@nid where the mode says.
 * @ilx is always NO_INTERLEAVE_INDEX here (no VMAs): interleaving is the
 * dynamic kind.  BIND's zone test reads gfp_zone of @gfp as given (the
 * kernel applies current_gfp_context first, which changes only the
 * Movable bit for pinning scopes).
 */
static nodemask_t *policy_nodemask(struct pf_machine *m, pf_gfp_t gfp, struct mempolicy *pol, unsigned long ilx,
				   int *nid)
{
	nodemask_t *nodemask = NULL;

	(void)ilx;
	switch (pol->mode) {
	case MPOL_PREFERRED:
		*nid = first_node(&pol->nodes);
		break;
	case MPOL_PREFERRED_MANY:
		nodemask = &pol->nodes;
		if (pol->home_node != NUMA_NO_NODE)
			*nid = pol->home_node;
		break;
	case MPOL_BIND:
		if (apply_policy_zone(m, pol, gfp_zone(gfp)) && cpuset_nodemask_valid_mems_allowed(m, &pol->nodes))
			nodemask = &pol->nodes;
		if (pol->home_node != NUMA_NO_NODE)
			*nid = pol->home_node;
		break;
	case MPOL_INTERLEAVE:
		*nid = interleave_nodes(pol);
		break;
	case MPOL_WEIGHTED_INTERLEAVE:
		*nid = weighted_interleave_nodes(m, pol);
		break;
	}
	return nodemask;
}

/*
 * alloc_pages_preferred_many (6.12): first the policy's nodes only,
 * without direct reclaim and without warning; then any node.
 */
static struct pf_page *alloc_pages_preferred_many(struct pf_machine *m, pf_gfp_t gfp, unsigned int order, int nid,
						  nodemask_t *nodemask)
{
	pf_gfp_t preferred_gfp = (gfp | PF___GFP_NOWARN) & ~(PF___GFP_DIRECT_RECLAIM | PF___GFP_NOFAIL);
	struct pf_page *page = __alloc_pages(m, preferred_gfp, order, nid, nodemask);
	if (!page)
		page = __alloc_pages(m, gfp, order, nid, NULL);
	return page;
}

/*
 * alloc_pages_mpol (6.12): allocate as @pol says, @nid being the node the
 * request came from.  The THP branch (order HPAGE_PMD_ORDER with an
 * interleave index) is for VMA allocations and never taken here.  An
 * interleaved page that landed on the node asked for counts
 * numa_interleave.  A node past the set (interleave over an empty set
 * cannot happen: set_mempolicy refuses it) falls back on this CPU's node.
 */
struct pf_page *alloc_pages_mpol(struct pf_machine *m, pf_gfp_t gfp, unsigned int order, struct mempolicy *pol,
				 unsigned long ilx, int nid)
{
	nodemask_t *nodemask = policy_nodemask(m, gfp, pol, ilx, &nid);
	struct pf_page *page;

	if (unlikely(nid < 0 || nid >= m->nr_node_ids))
		nid = numa_mem_id(m);
	if (pol->mode == MPOL_PREFERRED_MANY)
		return alloc_pages_preferred_many(m, gfp, order, nid, nodemask);

	page = __alloc_pages(m, gfp, order, nid, nodemask);
	if (unlikely(pol->mode == MPOL_INTERLEAVE) && page && pf_page_to_nid(page) == nid)
		atomic_fetch_add_explicit(&page_zone(page)->vm_numa_event[NUMA_INTERLEAVE_HIT], 1,
					  memory_order_relaxed);
	return page;
}

/* alloc_pages_noprof (6.12): the thread's policy, unless in the atomic scope or __GFP_THISNODE. */
struct pf_page *alloc_pages_noprof(struct pf_machine *m, pf_gfp_t gfp, unsigned int order)
{
	struct mempolicy *pol = NULL;

	if (!in_interrupt() && !(gfp & PF___GFP_THISNODE))
		pol = get_task_policy(m);
	if (!pol)
		return __alloc_pages(m, gfp, order, numa_mem_id(m), NULL);
	return alloc_pages_mpol(m, gfp, order, pol, NO_INTERLEAVE_INDEX, numa_mem_id(m));
}

/* ---- node-mask arithmetic for rebinding (lib/bitmap.c's fold, onto and remap) ------------ */

/* the position of the @ord'th set node of @mask (0-based), or -1 */
static int ord_to_pos(const nodemask_t *mask, int ord)
{
	for (int n = 0; n < MAX_NUMNODES; n++)
		if (node_isset(n, mask) && ord-- == 0)
			return n;
	return -1;
}

/* the ordinal of node @pos among the set nodes of @mask, or -1 when it is not set */
static int pos_to_ord(const nodemask_t *mask, int pos)
{
	if (!node_isset(pos, mask))
		return -1;
	int ord = 0;
	for (int n = 0; n < pos; n++)
		ord += node_isset(n, mask);
	return ord;
}

/* mpol_relative_nodemask (6.12): @orig folded to the size of @rel, then laid onto @rel's nodes */
static void mpol_relative_nodemask(nodemask_t *ret, const nodemask_t *orig, const nodemask_t *rel)
{
	int w = nodes_weight(rel);
	nodemask_t tmp;

	nodes_clear(&tmp);
	nodes_clear(ret);
	if (!w)
		return;
	for (int n = 0; n < MAX_NUMNODES; n++)	/* nodes_fold */
		if (node_isset(n, orig))
			node_set(n % w, &tmp);
	for (int n = 0; n < MAX_NUMNODES; n++) {	/* nodes_onto */
		if (!node_isset(n, &tmp))
			continue;
		int pos = ord_to_pos(rel, n);
		if (pos >= 0)
			node_set(pos, ret);
	}
}

/* nodes_remap: each node of @src moves from its rank in @old to the same rank (mod weight) in @new */
static void nodes_remap(nodemask_t *dst, const nodemask_t *src, const nodemask_t *old, const nodemask_t *new)
{
	int w = nodes_weight(new);
	nodes_clear(dst);
	for (int n = 0; n < MAX_NUMNODES; n++) {
		if (!node_isset(n, src))
			continue;
		int ord = pos_to_ord(old, n);
		if (ord < 0 || !w)
			node_set(n, dst);
		else
			node_set(ord_to_pos(new, ord % w), dst);
	}
}

static bool mpol_store_user_nodemask(const struct mempolicy *pol)
{
	return pol->flags & MPOL_MODE_FLAGS;
}

/* mpol_rebind_nodemask (6.12): BIND and the interleaves follow the cpuset's new nodes */
static void mpol_rebind_nodemask(struct mempolicy *pol, const nodemask_t *nodes)
{
	nodemask_t tmp;

	if (pol->flags & MPOL_F_STATIC_NODES) {
		nodes_and(&tmp, &pol->w.user_nodemask, nodes);
	} else if (pol->flags & MPOL_F_RELATIVE_NODES) {
		mpol_relative_nodemask(&tmp, &pol->w.user_nodemask, nodes);
	} else {
		nodes_remap(&tmp, &pol->nodes, &pol->w.cpuset_mems_allowed, nodes);
		pol->w.cpuset_mems_allowed = *nodes;
	}
	if (nodes_empty(&tmp))
		tmp = *nodes;
	pol->nodes = tmp;
}

/* mpol_rebind_task / mpol_rebind_policy (6.12); PREFERRED and PREFERRED_MANY keep their nodes */
void mpol_rebind_task(struct pf_machine *m, const nodemask_t *newmask)
{
	struct mempolicy *pol = get_task_policy(m);

	if (!pol || pol->mode == MPOL_LOCAL)
		return;
	if (!mpol_store_user_nodemask(pol) && nodes_equal(&pol->w.cpuset_mems_allowed, newmask))
		return;
	switch (pol->mode) {
	case MPOL_BIND:
	case MPOL_INTERLEAVE:
	case MPOL_WEIGHTED_INTERLEAVE:
		mpol_rebind_nodemask(pol, newmask);
		break;
	case MPOL_PREFERRED:
	case MPOL_PREFERRED_MANY:
		pol->w.cpuset_mems_allowed = *newmask;	/* mpol_rebind_preferred */
		break;
	}
}

bool mempolicy_in_oom_domain(struct pf_machine *m, const nodemask_t *mask)
{
	struct mempolicy *pol = get_task_policy(m);

	if (!mask)
		return true;
	if (pol && pol->mode == MPOL_BIND)
		return nodes_intersects(&pol->nodes, mask);
	return true;
}

/* ---- set_mempolicy / get_mempolicy ---------------------------------------------------------- */

/* sanitize_mpol_flags (6.12): split the flags off the mode and check them */
static int sanitize_mpol_flags(int *mode, unsigned short *flags)
{
	*flags = (unsigned short)(*mode & MPOL_MODE_FLAGS);
	*mode &= ~MPOL_MODE_FLAGS;
	if ((unsigned int)*mode >= MPOL_MAX)
		return -EINVAL;
	if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	if (*flags & MPOL_F_NUMA_BALANCING) {
		if (*mode == MPOL_BIND || *mode == MPOL_PREFERRED_MANY)
			*flags |= (MPOL_F_MOF | MPOL_F_MORON);
		else
			return -EINVAL;
	}
	return 0;
}

static int mpol_fail(struct pf_machine *m, const char *why, int mode)
{
	pf_printk(m, '4', "pageframe: pf_set_mempolicy: %s (mode %d)", why, mode);
	return -EINVAL;
}

/*
 * pf_set_mempolicy: kernel_set_mempolicy -> do_set_mempolicy (6.12): mpol_new's
 * checks of the mode against the nodes, mpol_set_nodemask's cut to the
 * cpuset's nodes (and fold for RELATIVE), the mode's create step, and
 * il_prev / il_weight reset for the interleaves.
 */
int pf_set_mempolicy(struct pf_machine *m, int mode, const char *nodelist)
{
	char err[160];
	unsigned short flags;
	nodemask_t nodes;
	int lmode = mode;

	if (!m)
		return -EINVAL;
	if (sanitize_mpol_flags(&lmode, &flags))
		return mpol_fail(m, "unknown mode, or a flag the mode does not take", mode);
	if (nodelist_parse(nodelist, &nodes, err, sizeof err)) {
		pf_printk(m, '4', "pageframe: pf_set_mempolicy: %s", err);
		return -EINVAL;
	}

	/* mpol_new */
	if (lmode == MPOL_DEFAULT) {
		if (!nodes_empty(&nodes))
			return mpol_fail(m, "the default policy takes no nodes", mode);
		placement_claim(m);
		current_task()->mempolicy = NULL;
		placement_update(m);
		return 0;
	}
	if (lmode == MPOL_PREFERRED) {
		if (nodes_empty(&nodes)) {
			if (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
				return mpol_fail(m, "a preferred policy without nodes takes no node flags", mode);
			lmode = MPOL_LOCAL;
		}
	} else if (lmode == MPOL_LOCAL) {
		if (!nodes_empty(&nodes) || (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)))
			return mpol_fail(m, "the local policy takes no nodes and no node flags", mode);
	} else if (nodes_empty(&nodes)) {
		return mpol_fail(m, "this mode needs nodes", mode);
	}

	struct mempolicy new;
	memset(&new, 0, sizeof new);
	new.mode = (unsigned short)lmode;
	new.flags = flags;
	new.home_node = NUMA_NO_NODE;

	/* mpol_set_nodemask: nodes the cpuset allows that have memory */
	if (lmode != MPOL_LOCAL) {
		nodemask_t mask1, mask2, all;
		/* the cpuset is the thread's on @m only: another machine's is dropped by the claim below */
		const nodemask_t *mems = placement_for(m) ? cpuset_current_mems_allowed(m) : NULL;
		machine_memory_nodes(m, &all);
		if (mems)
			nodes_and(&mask1, mems, &all);
		else
			mask1 = all;
		if (flags & MPOL_F_RELATIVE_NODES)
			mpol_relative_nodemask(&mask2, &nodes, &mask1);
		else
			nodes_and(&mask2, &nodes, &mask1);
		if (mpol_store_user_nodemask(&new))
			new.w.user_nodemask = nodes;
		else
			new.w.cpuset_mems_allowed = mems ? *mems : all;
		if (nodes_empty(&mask2))
			return mpol_fail(m, "none of the nodes exists on the machine or is in the thread's cpuset", mode);
		if (lmode == MPOL_PREFERRED) {	/* mpol_new_preferred: the first node only */
			nodes_clear(&new.nodes);
			node_set(first_node(&mask2), &new.nodes);
		} else {
			new.nodes = mask2;
		}
	}

	placement_claim(m);
	struct pf_task *t = current_task();
	task_policy = new;
	t->mempolicy = &task_policy;
	if (lmode == MPOL_INTERLEAVE || lmode == MPOL_WEIGHTED_INTERLEAVE) {
		t->il_prev = MAX_NUMNODES - 1;
		t->il_weight = 0;
	}
	placement_update(m);
	return 0;
}

/* pf_get_mempolicy: do_get_mempolicy without flags (6.12): the mode with its user flags, and its nodes */
int pf_get_mempolicy(struct pf_machine *m, int *mode, char *buf, size_t len)
{
	if (!m)
		return -EINVAL;
	struct mempolicy *pol = get_task_policy(m);
	nodemask_t nodes;

	nodes_clear(&nodes);
	if (pol && pol->mode != MPOL_LOCAL)
		nodes = pol->nodes;	/* get_policy_nodemask */
	if (mode)
		*mode = pol ? (int)pol->mode | (pol->flags & MPOL_MODE_FLAGS) : MPOL_DEFAULT;
	if (buf)
		return nodelist_print(&nodes, MAX_NUMNODES, buf, len);
	return 0;
}

/* node_store / node_show of /sys/kernel/mm/mempolicy/weighted_interleave/nodeN (6.12) */
int pf_set_interleave_weight(struct pf_machine *m, int nid, unsigned weight)
{
	if (!m || nid < 0 || nid >= m->nr_node_ids || weight > 255)
		return -EINVAL;
	__atomic_store_n(&m->iw_table[nid], (unsigned char)weight, __ATOMIC_RELAXED);
	return 0;
}

int pf_get_interleave_weight(struct pf_machine *m, int nid)
{
	if (!m || nid < 0 || nid >= m->nr_node_ids)
		return -EINVAL;
	return (int)get_il_weight(m, nid);
}
