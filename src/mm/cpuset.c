/* SPDX-License-Identifier: MIT */
/*
 * cpuset.c - the memory half of a cpuset for the calling thread: which
 * nodes its requests may use (kernel/cgroup/cpuset.c, Linux 6.12, as far as
 * the page allocator asks it), the atomic-context scope that lifts the
 * restriction (the kernel's in_interrupt()), and the bookkeeping that keeps
 * the allocation fast paths free of all of it while no thread has a cpuset
 * or policy on a machine.
 *
 * The cgroup tree is not modelled: each thread is its own cpuset, a child
 * of the root whose mems are every node.  Cgroup v2 has no mem_exclusive or
 * mem_hardwall files, so the nearest hardwall ancestor of any cpuset is the
 * root: a request without __GFP_HARDWALL may use any node once the thread's
 * own nodes came up short, one with it never may.
 *
 * Inside allocations this file neither allocates nor takes a lock.  Its one
 * lock, placement_lock, is taken only where a thread hands its count back
 * (a change of machine, the thread's exit) and where a machine is destroyed.
 */
#include "cpuset.h"
#include "mempolicy.h"

#include <pageframe/mempolicy.h>
#include <stdlib.h>
#include <string.h>

/* Every machine made in this process gets the next number (placement_serial). */
static atomic_ulong machine_serial;

/* placement_init: machine creation (machine.c) - the fields under this file's heading in struct pf_machine. */
void placement_init(struct pf_machine *m)
{
	m->placement_serial = atomic_fetch_add(&machine_serial, 1) + 1;
	atomic_init(&m->placement_threads, 0);
	memset(m->iw_table, 0, sizeof m->iw_table);
	m->dirty_ratio = 20;			/* page-writeback.c's defaults (6.12) */
	m->dirty_background_ratio = 10;
	m->dirty_bytes = 0;
	m->dirty_background_bytes = 0;
}

/* placement_fast_off: pf_fast_update's question - does any thread have a cpuset or policy on @m? */
bool placement_fast_off(struct pf_machine *m)
{
	return atomic_load(&m->placement_threads) != 0;
}

/*
 * A thread hands its count back to a machine it no longer uses - when it
 * ends (placement_thread_exit) or moves its settings to another machine
 * (placement_claim) - and another thread may be destroying that machine at
 * the same moment.  placement_lock orders the two: pf_machine_destroy takes
 * it before anything of the machine goes (placement_machine_exit), so a
 * count handed back under the lock lands on a whole machine, and one handed
 * back after finds the machine gone and touches nothing.  Whether it is
 * gone is read from live_serial[], never from the machine itself: the slot
 * of each machine a thread has claimed holds that machine's serial until
 * its destruction begins.  Serials are never reused, so a new machine in
 * the same slot, even at the same address, is never taken for the old one.
 * Lock order: placement_lock, then fast_update_lock (pf_fast_update).
 */
static pf_spinlock_t placement_lock;	/* zero: unlocked */
static unsigned long live_serial[PF_MAX_MACHINES];	/* under placement_lock; 0: none */

/* Tests only (cpuset.h): run between the liveness test and the decrement. */
void (*placement_give_back_hook)(struct pf_machine *m);

/*
 * give_back - the thread no longer counts on the machine of its settings:
 * the machine's count drops by one if the thread was counted there and the
 * machine is not being destroyed.  Context: placement_lock.
 */
static void give_back(struct pf_task *t)
{
	int id = t->placement_id;

	lockdep_assert_held(&placement_lock);
	if (t->placement_counted && id >= 0 && id < PF_MAX_MACHINES && t->placement_serial &&
	    live_serial[id] == t->placement_serial) {
		struct pf_machine *m = t->placement_m;
		if (placement_give_back_hook)
			placement_give_back_hook(m);
		if (atomic_fetch_sub(&m->placement_threads, 1) == 1)
			pf_fast_update(m);
	}
	t->placement_counted = false;
}

/* placement_machine_exit: pf_machine_destroy, before anything of @m goes - no count reaches @m after. */
void placement_machine_exit(struct pf_machine *m)
{
	pf_spin_lock(&placement_lock);
	if (m->id >= 0 && m->id < PF_MAX_MACHINES && live_serial[m->id] == m->placement_serial)
		live_serial[m->id] = 0;
	pf_spin_unlock(&placement_lock);
}

/*
 * placement_claim - make @m the machine of the calling thread's settings.
 * Settings for another machine are dropped (and its count given back while
 * that machine still lives); settings already for @m stay.
 */
void placement_claim(struct pf_machine *m)
{
	struct pf_task *t = current_task();

	if (placement_for(m))
		return;
	pf_spin_lock(&placement_lock);
	give_back(t);
	if (m->id >= 0 && m->id < PF_MAX_MACHINES)
		live_serial[m->id] = m->placement_serial;	/* the caller is using @m: it lives */
	pf_spin_unlock(&placement_lock);
	t->mems_allowed_set = false;
	nodes_clear(&t->mems_allowed);
	t->mempolicy = NULL;
	t->placement_m = m;
	t->placement_id = m->id;
	t->placement_serial = m->placement_serial;
}

/*
 * placement_thread_exit - a thread that ends while counted on a machine
 * gives its count back, so that its cpuset or policy does not keep
 * FAST_OFF_PLACEMENT set, and every other thread off the fast paths, for
 * the rest of the machine's life.
 */
static void placement_thread_exit(void)
{
	pf_spin_lock(&placement_lock);
	give_back(current_task());
	pf_spin_unlock(&placement_lock);
}

/*
 * placement_update - after the thread's settings on @m changed: count it
 * in @m->placement_threads while it has a cpuset or policy there, so that
 * FAST_OFF_PLACEMENT sends requests to the general path, which reads them.
 */
void placement_update(struct pf_machine *m)
{
	struct pf_task *t = current_task();
	bool has = t->mems_allowed_set || t->mempolicy;

	if (has && !t->placement_counted) {
		t->placement_counted = true;
		(void)pf_os_at_thread_exit(placement_thread_exit);	/* (if it fails, the count outlives the thread) */
		if (atomic_fetch_add(&m->placement_threads, 1) == 0)
			pf_fast_update(m);
	} else if (!has && t->placement_counted) {
		t->placement_counted = false;
		if (atomic_fetch_sub(&m->placement_threads, 1) == 1)
			pf_fast_update(m);
	}
}

/* cpuset_current_mems_allowed: the thread's mems on @m, or every node of @m (the root cpuset). */
const nodemask_t *cpuset_current_mems_allowed(struct pf_machine *m)
{
	static _Thread_local nodemask_t all;	/* rebuilt per call: machines differ in size */

	if (cpusets_enabled(m))
		return &current_task()->mems_allowed;
	machine_memory_nodes(m, &all);
	return &all;
}

/*
 * cpuset_node_allowed (kernel/cgroup/cpuset.c, 6.12): yes in the atomic
 * scope, yes for the thread's own nodes; otherwise yes only for a request
 * without __GFP_HARDWALL, whose nearest hardwall ancestor (the root, as
 * cgroup v2 has no hardwall cpusets) holds every node.  The OOM-victim and
 * exiting-task exceptions have no counterpart here (no task is killed).
 */
bool cpuset_node_allowed(struct pf_machine *m, int node, pf_gfp_t gfp_mask)
{
	if (in_interrupt())
		return true;
	if (!cpusets_enabled(m) || node_isset(node, &current_task()->mems_allowed))
		return true;
	if (gfp_mask & PF___GFP_HARDWALL)
		return false;
	return node >= 0 && node < m->nr_node_ids;	/* the root cpuset's mems */
}

/* cpuset_nodemask_valid_mems_allowed (6.12): any of @nodemask in the thread's mems on @m? */
bool cpuset_nodemask_valid_mems_allowed(struct pf_machine *m, const nodemask_t *nodemask)
{
	return nodes_intersects(nodemask, cpuset_current_mems_allowed(m));
}

/* ---- node lists ------------------------------------------------------------------------ */

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return p;
}

static int parse_node(const char **pp, const char *start, int *out, char *err, size_t errlen)
{
	const char *p = *pp;
	long v = 0;

	if (*p < '0' || *p > '9') {
		snprintf(err, errlen, "node list \"%s\": expected a node number at offset %d", start, (int)(p - start));
		return -EINVAL;
	}
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v >= MAX_NUMNODES) {
			snprintf(err, errlen, "node list \"%s\": node number at offset %d is %s %d (MAX_NUMNODES)", start,
				 (int)(*pp - start), "not below", MAX_NUMNODES);
			return -EINVAL;
		}
		p++;
	}
	*out = (int)v;
	*pp = p;
	return 0;
}

/*
 * nodelist_parse - the kernel's list syntax (bitmap_parselist without the
 * ":used/group" strides): "N" or "N-M" items separated by commas, blanks
 * around them allowed.  NULL and "" give the empty mask.
 */
int nodelist_parse(const char *s, nodemask_t *out, char *err, size_t errlen)
{
	nodes_clear(out);
	if (!s)
		return 0;
	const char *p = skip_blanks(s);
	if (!*p)
		return 0;
	for (;;) {
		int a, b;
		p = skip_blanks(p);
		if (parse_node(&p, s, &a, err, errlen))
			return -EINVAL;
		b = a;
		p = skip_blanks(p);
		if (*p == '-') {
			p = skip_blanks(p + 1);
			if (parse_node(&p, s, &b, err, errlen))
				return -EINVAL;
			if (b < a) {
				snprintf(err, errlen, "node list \"%s\": range %d-%d runs backwards", s, a, b);
				return -EINVAL;
			}
			p = skip_blanks(p);
		}
		for (int n = a; n <= b; n++)
			node_set(n, out);
		if (!*p)
			return 0;
		if (*p != ',') {
			snprintf(err, errlen, "node list \"%s\": unexpected '%c' at offset %d", s, *p, (int)(p - s));
			return -EINVAL;
		}
		p++;
	}
}

/* nodelist_print - the mask as cpuset.mems prints it ("0-1,3"); 0 or -ERANGE. */
int nodelist_print(const nodemask_t *mask, int nr_node_ids, char *buf, size_t len)
{
	size_t n = 0;
	if (!len)
		return -ERANGE;
	buf[0] = '\0';
	for (int a = 0; a < nr_node_ids; a++) {
		if (!node_isset(a, mask))
			continue;
		int b = a;
		while (b + 1 < nr_node_ids && node_isset(b + 1, mask))
			b++;
		int w = b > a ? snprintf(buf + n, len - n, "%s%d-%d", n ? "," : "", a, b)
			      : snprintf(buf + n, len - n, "%s%d", n ? "," : "", a);
		if (w < 0 || (size_t)w >= len - n)
			return -ERANGE;
		n += (size_t)w;
		a = b;
	}
	return 0;
}

/* ---- public calls (pageframe/mempolicy.h) ------------------------------------------------ */

/*
 * pf_set_mems_allowed: cpuset.mems for the calling thread (update_nodemask
 * and cpuset_change_task_nodemask, 6.12): the list must name nodes of @m;
 * "" (v2: an empty cpuset.mems takes the parent's) is every node.  The
 * thread's policy is rebound to the new mems.
 */
int pf_set_mems_allowed(struct pf_machine *m, const char *nodelist)
{
	char err[160];
	nodemask_t mask, all;

	if (!m)
		return -EINVAL;
	if (nodelist_parse(nodelist, &mask, err, sizeof err)) {
		pf_printk(m, '4', "pageframe: pf_set_mems_allowed: %s", err);
		return -EINVAL;
	}
	machine_memory_nodes(m, &all);
	for (int n = 0; n < MAX_NUMNODES; n++)
		if (node_isset(n, &mask) && !node_isset(n, &all)) {
			pf_printk(m, '4', "pageframe: pf_set_mems_allowed: node %d does not exist (0..%d)", n,
				  m->nr_node_ids - 1);
			return -EINVAL;
		}

	placement_claim(m);
	struct pf_task *t = current_task();
	bool set = !nodes_empty(&mask) && !nodes_equal(&mask, &all);
	const nodemask_t *newmems = set ? &mask : &all;

	/* the kernel's write_seqcount_begin / _end around the change (set_mems_allowed) */
	__atomic_fetch_add(&t->mems_allowed_seq, 1, __ATOMIC_RELEASE);
	mpol_rebind_task(m, newmems);
	t->mems_allowed = *newmems;
	t->mems_allowed_set = set;
	__atomic_fetch_add(&t->mems_allowed_seq, 1, __ATOMIC_RELEASE);
	placement_update(m);
	return 0;
}

int pf_get_mems_allowed(struct pf_machine *m, char *buf, size_t len)
{
	if (!m || !buf)
		return -EINVAL;
	return nodelist_print(cpuset_current_mems_allowed(m), m->nr_node_ids, buf, len);
}

/* pf_enter_atomic / pf_exit_atomic: the thread's in_interrupt() scope (a depth, so they nest). */
void pf_enter_atomic(void)
{
	current_task()->in_interrupt++;
}

int pf_exit_atomic(void)
{
	struct pf_task *t = current_task();
	if (t->in_interrupt <= 0)
		return -EINVAL;
	t->in_interrupt--;
	return 0;
}
