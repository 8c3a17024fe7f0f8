/* SPDX-License-Identifier: MIT */
/*
 * memcontrol.c - memory cgroups with cgroup v2 semantics, as Linux 6.12's
 * mm/memcontrol.c: a tree of memcgs per machine, the charge of
 * __GFP_ACCOUNT pages to the calling thread's memcg through an obj_cgroup
 * (page->memcg_data = objcg | MEMCG_DATA_KMEM), try_charge_memcg with the
 * per-CPU stock, reclaim, retries, the memcg OOM and force charges,
 * memory.high throttling, reparenting on destroy, the stats and events,
 * the effective protection reclaim reads, and the cgroup files.
 *
 * It must not touch the buddy lists or the LRU lists itself: it counts and
 * limits; reclaim (vmscan.c) frees, the OOM killer (oom_kill.c) kills, and
 * page_alloc.c calls in at the end of __alloc_pages and at free.
 *
 * Locks, outermost first: memcg_lock (the tree: parent/children links,
 * online, the reclaim walk), then a stock's lock, then objcg_lock (which
 * objcg belongs to which memcg).  css_put may free a memcg and take
 * memcg_lock, so it is never called with any of them held.
 */
#include "memcontrol.h"
#include "oom.h"
#include "sched.h"
#include "vmscan.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void (*memcg_high_sleep_hook)(unsigned long penalty_jiffies);

static void memcg_stat_format(struct mem_cgroup *memcg, FILE *out);

/* ---- the tree and references --------------------------------------------------- */

static struct mem_cgroup *mem_cgroup_alloc(struct pf_machine *m, struct mem_cgroup *parent, const char *name)
{
	struct mem_cgroup *memcg = calloc(1, sizeof *memcg);
	if (!memcg)
		return NULL;
	memcg->name = strdup(name);
	if (!memcg->name) {
		free(memcg);
		return NULL;
	}
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		memcg->nodeinfo[nid] = calloc(1, sizeof *memcg->nodeinfo[nid]);
		if (!memcg->nodeinfo[nid]) {
			for (int i = 0; i < nid; i++)
				free(memcg->nodeinfo[i]);
			free(memcg->name);
			free(memcg);
			return NULL;
		}
	}
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		if (m->node_data[nid])
			lruvec_init(&memcg->nodeinfo[nid]->lruvec, m->node_data[nid], memcg);
	memcg->machine = m;
	memcg->parent = parent;
	INIT_LIST_HEAD(&memcg->children);
	INIT_LIST_HEAD(&memcg->sibling);
	INIT_LIST_HEAD(&memcg->objcg_list);
	pf_spin_lock_init(&memcg->set_lock);
	atomic_init(&memcg->refcnt, 1);		/* the online reference */
	memcg->online = true;
	/* mem_cgroup_css_alloc: high unlimited, counters linked to the parent's */
	page_counter_init(&memcg->memory, parent ? &parent->memory : NULL, true);
	page_counter_set_high(&memcg->memory, PAGE_COUNTER_MAX);
	return memcg;
}

static void mem_cgroup_free(struct mem_cgroup *memcg)
{
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		free(memcg->nodeinfo[nid]);
	free(memcg->name);
	free(memcg);
}

/* css_tryget: a reference unless the count already reached zero (being freed) */
static bool css_tryget(struct mem_cgroup *memcg)
{
	long c = atomic_load_explicit(&memcg->refcnt, memory_order_relaxed);
	do {
		if (c <= 0)
			return false;
	} while (!atomic_compare_exchange_weak(&memcg->refcnt, &c, c + 1));
	return true;
}

/*
 * css_put - drop a reference.  The last one releases the memcg
 * (css_released): it leaves the tree, the reclaim walks stop pointing at
 * it, and its reference on its parent goes.
 *
 * Deliberate difference: the kernel frees a released memcg after an RCU
 * grace period; here its memory stays on the machine's list of released
 * memcgs until the machine is destroyed (mem_cgroup_machine_exit), so a
 * pointer a program still holds (pf_memcg_attach's return value) never
 * dangles.  A few KiB per destroyed memcg.
 * Context: none of this file's locks held.
 */
void css_put(struct mem_cgroup *memcg)
{
	while (memcg && atomic_fetch_sub_explicit(&memcg->refcnt, 1, memory_order_acq_rel) == 1) {
		struct pf_machine *m = memcg->machine;
		struct mem_cgroup *parent = memcg->parent;

		pf_spin_lock(&m->memcg_lock);
		if (memcg->released) {
			/* a program re-attached a released memcg and let it go again; or a stray put */
			pf_spin_unlock(&m->memcg_lock);
			return;
		}
		memcg->released = true;
		list_del(&memcg->sibling);
		list_add(&memcg->sibling, &m->memcg_released);
		for (struct mem_cgroup *a = parent; a; a = a->parent)
			for (int nid = 0; nid < m->nr_node_ids; nid++)
				if (a->nodeinfo[nid]->iter_position == memcg)
					a->nodeinfo[nid]->iter_position = NULL;
		pf_spin_unlock(&m->memcg_lock);
		memcg = parent;		/* the child's reference on its parent */
	}
}

/* the machine's root memcg, made with the first memcg.  Context: memcg_lock */
static struct mem_cgroup *root_mem_cgroup_locked(struct pf_machine *m)
{
	if (!m->root_mem_cgroup) {
		m->root_mem_cgroup = mem_cgroup_alloc(m, NULL, "");
	}
	return m->root_mem_cgroup;
}

/* ---- obj_cgroup ------------------------------------------------------------------- */

static struct obj_cgroup *obj_cgroup_alloc(struct pf_machine *m)
{
	struct obj_cgroup *objcg = calloc(1, sizeof *objcg);
	if (!objcg)
		return NULL;
	atomic_init(&objcg->refcnt, 1);	/* the memcg's, dropped when it goes offline */
	INIT_LIST_HEAD(&objcg->list);
	objcg->machine = m;
	return objcg;
}

static inline void obj_cgroup_get(struct obj_cgroup *objcg)
{
	atomic_fetch_add_explicit(&objcg->refcnt, 1, memory_order_relaxed);
}

/* obj_cgroup_put / obj_cgroup_release (6.12): the last reference unlinks and frees it */
static void obj_cgroup_put(struct obj_cgroup *objcg)
{
	if (atomic_fetch_sub_explicit(&objcg->refcnt, 1, memory_order_acq_rel) != 1)
		return;
	struct pf_machine *m = objcg->machine;
	pf_spin_lock(&m->objcg_lock);
	list_del(&objcg->list);
	pf_spin_unlock(&m->objcg_lock);
	free(objcg);
}

/*
 * get_mem_cgroup_from_objcg (6.12): the memcg the objcg's charges belong
 * to now, with a reference.  objcg_lock makes the read and the reference
 * one step against memcg_reparent_objcgs (the kernel uses RCU and
 * css_tryget for that).
 */
static struct mem_cgroup *get_mem_cgroup_from_objcg(struct obj_cgroup *objcg)
{
	struct pf_machine *m = objcg->machine;
	pf_spin_lock(&m->objcg_lock);
	struct mem_cgroup *memcg = objcg->memcg;
	css_get(memcg);
	pf_spin_unlock(&m->objcg_lock);
	return memcg;
}

/*
 * memcg_reparent_objcgs (6.12): a memcg going offline hands its objcg,
 * and those handed to it before, to @parent: from now on the pages that
 * point at them uncharge the parent (whose counter has held their charge
 * all along, the counters being hierarchical).  The objcg loses the
 * memcg's reference, so it lives exactly as long as its pages.
 */
static void memcg_reparent_objcgs(struct mem_cgroup *memcg, struct mem_cgroup *parent)
{
	struct pf_machine *m = memcg->machine;
	struct obj_cgroup *objcg;
	struct list_head *pos;

	pf_spin_lock(&m->objcg_lock);
	objcg = memcg->objcg;
	memcg->objcg = NULL;
	list_add(&objcg->list, &memcg->objcg_list);
	list_for_each(pos, &memcg->objcg_list)
		list_entry(pos, struct obj_cgroup, list)->memcg = parent;
	/* list_splice onto the parent's list */
	if (!list_empty(&memcg->objcg_list)) {
		struct list_head *first = memcg->objcg_list.next, *last = memcg->objcg_list.prev;
		struct list_head *at = parent->objcg_list.next;
		first->prev = &parent->objcg_list;
		parent->objcg_list.next = first;
		last->next = at;
		at->prev = last;
		INIT_LIST_HEAD(&memcg->objcg_list);
	}
	pf_spin_unlock(&m->objcg_lock);
	obj_cgroup_put(objcg);
}

/* ---- stats and events ------------------------------------------------------------- */

/*
 * memcg_memory_event (include/linux/memcontrol.h, 6.12): count @event here
 * in memory.events.local, and in memory.events here and at every ancestor
 * below the root (cgroup v2 without memory_localevents).
 */
void memcg_memory_event(struct mem_cgroup *memcg, enum memcg_memory_event event)
{
	atomic_fetch_add_explicit(&memcg->memory_events_local[event], 1, memory_order_relaxed);
	do {
		atomic_fetch_add_explicit(&memcg->memory_events[event], 1, memory_order_relaxed);
	} while ((memcg = parent_mem_cgroup(memcg)) && !mem_cgroup_is_root(memcg));
}

/*
 * mod_memcg_state (6.12) - change a memcg-wide state item (a node item or
 * a MEMCG_* one).  Deliberate difference: the kernel keeps per-CPU deltas
 * and folds them up the tree later (rstat, at most 2 s or a batch late);
 * here the change reaches every ancestor's subtree total at once, so a
 * reader always sees exact values.
 */
void mod_memcg_state(struct mem_cgroup *memcg, int idx, long val)
{
	if (!memcg || !val)
		return;
	atomic_fetch_add_explicit(&memcg->state_local[idx], val, memory_order_relaxed);
	for (; memcg; memcg = parent_mem_cgroup(memcg))
		atomic_fetch_add_explicit(&memcg->state[idx], val, memory_order_relaxed);
}

/* __mod_memcg_lruvec_state (6.12): a node item of one memcg on one node, and the memcg's total */
void mod_memcg_lruvec_state(struct mem_cgroup *memcg, int nid, enum node_stat_item idx, long val)
{
	if (!memcg || !val)
		return;
	atomic_fetch_add_explicit(&memcg->nodeinfo[nid]->state_local[idx], val, memory_order_relaxed);
	for (struct mem_cgroup *a = memcg; a; a = parent_mem_cgroup(a))
		atomic_fetch_add_explicit(&a->nodeinfo[nid]->state[idx], val, memory_order_relaxed);
	mod_memcg_state(memcg, (int)idx, val);
}

/* count_memcg_events (6.12): vm events of the memcg (memory.stat's pgscan, pgsteal, ...) */
void count_memcg_events(struct mem_cgroup *memcg, enum vm_event_item idx, unsigned long count)
{
	if (!memcg || !count)
		return;
	atomic_fetch_add_explicit(&memcg->events_local[idx], (long)count, memory_order_relaxed);
	for (; memcg; memcg = parent_mem_cgroup(memcg))
		atomic_fetch_add_explicit(&memcg->events[idx], (long)count, memory_order_relaxed);
}

/* memcg_page_state (6.12): the subtree's value, never below zero */
unsigned long memcg_page_state(struct mem_cgroup *memcg, int idx)
{
	long x = atomic_load_explicit(&memcg->state[idx], memory_order_relaxed);
	return x < 0 ? 0 : (unsigned long)x;
}

unsigned long memcg_page_state_local(struct mem_cgroup *memcg, int idx)
{
	long x = atomic_load_explicit(&memcg->state_local[idx], memory_order_relaxed);
	return x < 0 ? 0 : (unsigned long)x;
}

unsigned long memcg_events(struct mem_cgroup *memcg, enum vm_event_item idx)
{
	return (unsigned long)atomic_load_explicit(&memcg->events[idx], memory_order_relaxed);
}

/* lruvec_page_state (6.12) of the memcg's lruvec on node @nid */
unsigned long memcg_lruvec_state(struct mem_cgroup *memcg, int nid, enum node_stat_item idx)
{
	long x = atomic_load_explicit(&memcg->nodeinfo[nid]->state[idx], memory_order_relaxed);
	return x < 0 ? 0 : (unsigned long)x;
}

/* mem_cgroup_margin (6.12): pages the memcg may still charge before its max */
unsigned long mem_cgroup_margin(struct mem_cgroup *memcg)
{
	unsigned long count = page_counter_read(&memcg->memory);
	unsigned long limit = PC_READ(memcg->memory.max);
	return count < limit ? limit - count : 0;
}

unsigned long mem_cgroup_size(struct mem_cgroup *memcg)
{
	return page_counter_read(&memcg->memory);
}

/* ---- the per-CPU charge stock --------------------------------------------------------- */

static struct memcg_stock_pcp *this_cpu_stock(struct pf_machine *m)
{
	return &m->memcg_stock[pf_this_cpu(m)];
}

/*
 * consume_stock (6.12): take @nr_pages of this CPU's stock when it is
 * @memcg's and holds enough.  Return: true when the charge is done.
 */
static bool consume_stock(struct mem_cgroup *memcg, unsigned int nr_pages)
{
	struct memcg_stock_pcp *stock;
	bool ret = false;

	if (nr_pages > MEMCG_CHARGE_BATCH)
		return false;
	stock = this_cpu_stock(memcg->machine);
	pf_spin_lock(&stock->lock);
	if (stock->cached == memcg && stock->nr_pages >= nr_pages) {
		stock->nr_pages -= nr_pages;
		ret = true;
	}
	pf_spin_unlock(&stock->lock);
	return ret;
}

/*
 * drain_stock (6.12): give the stock's pages back to its memcg's counters
 * and forget the memcg.  Return: the memcg whose reference the caller puts
 * once the stock's lock is dropped.  Context: stock->lock.
 */
static struct mem_cgroup *drain_stock(struct memcg_stock_pcp *stock)
{
	struct mem_cgroup *old = stock->cached;

	if (!old)
		return NULL;
	if (stock->nr_pages) {
		page_counter_uncharge(&old->memory, stock->nr_pages);
		stock->nr_pages = 0;
	}
	stock->cached = NULL;
	return old;
}

/*
 * refill_stock / __refill_stock (6.12): put @nr_pages of charge into this
 * CPU's stock for @memcg, draining another memcg's stock first; more than
 * a batch goes back to the counters at once.
 */
static void refill_stock(struct mem_cgroup *memcg, unsigned int nr_pages)
{
	struct memcg_stock_pcp *stock = this_cpu_stock(memcg->machine);
	struct mem_cgroup *put1 = NULL, *put2 = NULL;

	pf_spin_lock(&stock->lock);
	if (stock->cached != memcg) {
		put1 = drain_stock(stock);
		css_get(memcg);
		stock->cached = memcg;
	}
	stock->nr_pages += nr_pages;
	if (stock->nr_pages > MEMCG_CHARGE_BATCH)
		put2 = drain_stock(stock);
	pf_spin_unlock(&stock->lock);
	css_put(put1);
	css_put(put2);
}

/*
 * drain_all_stock (6.12): give back every CPU's stock held for @root_memcg
 * or a memcg below it.  One drainer at a time; a second caller returns at
 * once, as the kernel's.
 *
 * Deliberate difference: the kernel drains other CPUs' stocks from work
 * items that run later; here each is drained at once under its lock, so
 * the caller's retry already sees the pages.
 */
void drain_all_stock(struct mem_cgroup *root_memcg)
{
	struct pf_machine *m = root_memcg->machine;

	if (!pf_spin_trylock(&m->percpu_charge_mutex))
		return;
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct memcg_stock_pcp *stock = &m->memcg_stock[cpu];
		struct mem_cgroup *put = NULL;

		pf_spin_lock(&stock->lock);
		if (stock->cached && stock->nr_pages && mem_cgroup_is_descendant(stock->cached, root_memcg))
			put = drain_stock(stock);
		pf_spin_unlock(&stock->lock);
		css_put(put);
	}
	pf_spin_unlock(&m->percpu_charge_mutex);
}

/* ---- reclaim and OOM (vmscan.c, oom_kill.c) ---------------------------------------------- */

/*
 * memcg_reclaim: try_to_free_mem_cgroup_pages (vmscan.c) - reclaim at
 * least @nr_pages from the LRU pages charged to @memcg and below it.
 */
static unsigned long memcg_reclaim(struct mem_cgroup *memcg, unsigned long nr_pages, pf_gfp_t gfp_mask,
				   unsigned int reclaim_options)
{
	return try_to_free_mem_cgroup_pages(memcg->machine, memcg, nr_pages, gfp_mask, reclaim_options, NULL);
}

/*
 * mem_cgroup_out_of_memory (6.12): the OOM killer for a memcg over its
 * max (out_of_memory with oc->memcg: the memcg's tasks, measured against
 * its limit), under the machine's oom_lock, unless the margin came back
 * while waiting for it.  Return: true when progress was made (a victim was
 * killed, or its pages are going), false when nothing could be killed.
 */
static bool mem_cgroup_out_of_memory(struct mem_cgroup *memcg, pf_gfp_t gfp_mask, int order)
{
	struct pf_machine *m = memcg->machine;
	struct oom_control oc = {
		.m = m,
		.zonelist = NULL,
		.nodemask = NULL,
		.memcg = memcg,
		.gfp_mask = gfp_mask,
		.order = order,
	};
	bool ret = true;

	pf_spin_lock(&m->oom_lock);
	if (mem_cgroup_margin(memcg) < (1UL << order))
		ret = out_of_memory(&oc);
	pf_spin_unlock(&m->oom_lock);
	return ret;
}

/*
 * mem_cgroup_get_max (6.12): what a memcg OOM measures badness against:
 * memory.max (the swap it may use adds nothing: memcgs have no swap
 * counter here).
 */
unsigned long mem_cgroup_get_max(struct mem_cgroup *memcg)
{
	return PC_READ(memcg->memory.max);
}

/* mem_cgroup_print_oom_meminfo (6.12): the memcg's usage, limit, failures and memory.stat, for an OOM report */
void mem_cgroup_print_oom_meminfo(struct mem_cgroup *memcg)
{
	struct pf_machine *m = memcg->machine;
	char path[256];

	pf_printk(m, '6', "memory: usage %llukB, limit %llukB, failcnt %lu",
		  (unsigned long long)page_counter_read(&memcg->memory) * (PAGE_SIZE / 1024),
		  (unsigned long long)PC_READ(memcg->memory.max) * (PAGE_SIZE / 1024), PC_READ(memcg->memory.failcnt));
	pf_printk(m, '6', "swap: usage 0kB, limit %llukB, failcnt 0",
		  (unsigned long long)PAGE_COUNTER_MAX * (PAGE_SIZE / 1024));
	mem_cgroup_path(memcg, path, sizeof path);
	pf_printk(m, '6', "Memory cgroup stats for %s:", path);
	memcg_stat_format(memcg, NULL);	/* each line through printk */
}

/* mem_cgroup_oom (6.12): count the OOM event and run the memcg OOM killer (not for costly orders) */
static bool mem_cgroup_oom(struct mem_cgroup *memcg, pf_gfp_t mask, int order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return false;
	memcg_memory_event(memcg, MEMCG_OOM);
	return mem_cgroup_out_of_memory(memcg, mask, order);
}

/*
 * mem_cgroup_get_oom_group (6.12): the highest memcg with memory.oom.group
 * set between the victim's memcg and the OOM domain (the root for a
 * global OOM), whose tasks all go with the victim; NULL if none.  The
 * result carries a reference.
 */
struct mem_cgroup *mem_cgroup_get_oom_group(struct mem_cgroup *memcg, struct mem_cgroup *oom_domain)
{
	struct mem_cgroup *oom_group = NULL;

	if (!memcg || mem_cgroup_is_root(memcg))
		return NULL;
	if (!oom_domain)
		oom_domain = memcg->machine->root_mem_cgroup;
	if (!mem_cgroup_is_descendant(memcg, oom_domain))
		return NULL;
	for (; memcg; memcg = parent_mem_cgroup(memcg)) {
		if (__atomic_load_n(&memcg->oom_group, __ATOMIC_RELAXED))
			oom_group = memcg;
		if (memcg == oom_domain)
			break;
	}
	if (oom_group)
		css_get(oom_group);
	return oom_group;
}

/* ---- memory.high --------------------------------------------------------------------------- */

/*
 * reclaim_high (6.12): reclaim from the memcg and each ancestor below the
 * root that is over its memory.high, counting a high event at each.
 */
static unsigned long reclaim_high(struct mem_cgroup *memcg, unsigned int nr_pages, pf_gfp_t gfp_mask)
{
	unsigned long nr_reclaimed = 0;

	do {
		if (page_counter_read(&memcg->memory) <= PC_READ(memcg->memory.high))
			continue;
		memcg_memory_event(memcg, MEMCG_HIGH);
		nr_reclaimed += memcg_reclaim(memcg, nr_pages, gfp_mask, MEMCG_RECLAIM_MAY_SWAP);
	} while ((memcg = parent_mem_cgroup(memcg)) && !mem_cgroup_is_root(memcg));
	return nr_reclaimed;
}

/* the fixed-point scales of the throttling penalty (6.12) */
#define MEMCG_DELAY_PRECISION_SHIFT 20
#define MEMCG_DELAY_SCALING_SHIFT 14

/* calculate_overage (6.12): how far @usage is over @high, as a fraction of @high << 20 */
uint64_t calculate_overage(unsigned long usage, unsigned long high)
{
	uint64_t overage;

	if (usage <= high)
		return 0;
	if (high < 1)
		high = 1;	/* a high of 0 counts as one page */
	overage = usage - high;
	overage <<= MEMCG_DELAY_PRECISION_SHIFT;
	return overage / high;
}

/* mem_find_max_overage (6.12): the worst overage of the memcg and its ancestors below the root */
static uint64_t mem_find_max_overage(struct mem_cgroup *memcg)
{
	uint64_t overage, max_overage = 0;

	do {
		overage = calculate_overage(page_counter_read(&memcg->memory), PC_READ(memcg->memory.high));
		if (overage > max_overage)
			max_overage = overage;
	} while ((memcg = parent_mem_cgroup(memcg)) && !mem_cgroup_is_root(memcg));
	return max_overage;
}

/*
 * calculate_high_delay (6.12) - the jiffies an allocator over memory.high
 * sleeps: the square of the overage fraction times HZ, scaled down by
 * 2^(20 + 14), then in proportion to the pages this thread charged against
 * a batch of 64.
 */
unsigned long calculate_high_delay(struct mem_cgroup *memcg, unsigned int nr_pages, uint64_t max_overage)
{
	unsigned long penalty_jiffies;

	(void)memcg;
	if (!max_overage)
		return 0;
	penalty_jiffies = (unsigned long)(max_overage * max_overage * MEMCG_HZ);
	penalty_jiffies >>= MEMCG_DELAY_PRECISION_SHIFT;
	penalty_jiffies >>= MEMCG_DELAY_SCALING_SHIFT;
	return penalty_jiffies * nr_pages / MEMCG_CHARGE_BATCH;
}

/* the throttling sleep: the unit tests' hook, else the program's (pf_memcg_set_throttle_hook), else slept */
static void memcg_high_sleep(struct pf_machine *m, unsigned long penalty_jiffies)
{
	unsigned long long ns = (unsigned long long)penalty_jiffies * (1000000000ULL / MEMCG_HZ);
	void (*fn)(void *, unsigned long long) = __atomic_load_n(&m->memcg_throttle_fn, __ATOMIC_ACQUIRE);

	if (memcg_high_sleep_hook)
		memcg_high_sleep_hook(penalty_jiffies);
	else if (fn)
		fn(__atomic_load_n(&m->memcg_throttle_arg, __ATOMIC_RELAXED), ns);
	else
		pf_os_sleep_ns(ns);
}

void pf_memcg_set_throttle_hook(struct pf_machine *m, void (*fn)(void *arg, unsigned long long ns), void *arg)
{
	if (!m)
		return;
	__atomic_store_n(&m->memcg_throttle_arg, fn ? arg : NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&m->memcg_throttle_fn, fn, __ATOMIC_RELEASE);
}

/*
 * mem_cgroup_handle_over_high (6.12) - the thread charged pages while its
 * memcg (or an ancestor) was over memory.high: reclaim them back, and if
 * reclaim cannot keep up, sleep the penalty calculate_high_delay gives
 * (capped at 2 s, skipped under 10 ms), retrying reclaim first while it
 * makes progress or retries remain.  The kernel runs it on the way back
 * to user space; here at the end of the charging call, and directly from
 * try_charge_memcg past a batch, as the kernel.  The swap half of the
 * penalty is zero: memcgs have no swap counter here.
 */
void mem_cgroup_handle_over_high(pf_gfp_t gfp_mask)
{
	struct pf_task *tsk = current_task();
	unsigned long penalty_jiffies;
	unsigned long nr_reclaimed;
	unsigned int nr_pages = tsk->memcg_nr_pages_over_high;
	int nr_retries = MAX_RECLAIM_RETRIES;
	struct mem_cgroup *memcg;
	bool in_retry = false;

	if (likely(!nr_pages))
		return;
	tsk->memcg_nr_pages_over_high = 0;
	memcg = tsk->active_memcg;
	if (!memcg || mem_cgroup_is_root(memcg))
		return;
	css_get(memcg);

retry_reclaim:
	nr_reclaimed = reclaim_high(memcg, in_retry ? (unsigned int)SWAP_CLUSTER_MAX : nr_pages, gfp_mask);
	penalty_jiffies = calculate_high_delay(memcg, nr_pages, mem_find_max_overage(memcg));
	if (penalty_jiffies > MEMCG_MAX_HIGH_DELAY_JIFFIES)
		penalty_jiffies = MEMCG_MAX_HIGH_DELAY_JIFFIES;
	if (penalty_jiffies <= MEMCG_HZ / 100)
		goto out;
	if (nr_reclaimed || nr_retries--) {
		in_retry = true;
		goto retry_reclaim;
	}
	memcg_high_sleep(memcg->machine, penalty_jiffies);
out:
	css_put(memcg);
}

/* ---- try_charge ----------------------------------------------------------------------------- */

static inline bool gfpflags_allow_blocking(pf_gfp_t gfp)
{
	return (gfp & PF___GFP_DIRECT_RECLAIM) != 0;
}

/* get_order (6.12) of a size in bytes */
static int get_order_bytes(unsigned long size)
{
	int order = 0;
	size = (size - 1) >> PAGE_SHIFT;
	while (size) {
		order++;
		size >>= 1;
	}
	return order;
}

/*
 * try_charge_memcg (6.12) - charge @nr_pages to @memcg and its ancestors.
 *
 * From this CPU's stock if it can; else a batch of 64 (or @nr_pages if
 * larger) from the counters, the extra kept in the stock; else exactly
 * @nr_pages.  When a level is over its max: reclaimers (PF_MEMALLOC)
 * charge by force; requests that may not block fail; others count a max
 * event at the limiting memcg, reclaim from it, retry while the margin
 * came back, drain every stock once, give up early with __GFP_NORETRY,
 * retry up to MAX_RECLAIM_RETRIES times (at once while reclaim made
 * progress for small requests), give up with __GFP_RETRY_MAYFAIL, then
 * ask the memcg OOM killer and start over if it made progress.  A failed
 * request with __GFP_NOFAIL or __GFP_HIGH is charged by force, over max.
 * A charge that leaves a level over memory.high records the batch for
 * mem_cgroup_handle_over_high.
 *
 * Return: 0, or -ENOMEM.
 */
int try_charge_memcg(struct mem_cgroup *memcg, pf_gfp_t gfp_mask, unsigned int nr_pages)
{
	struct pf_task *tsk = current_task();
	unsigned int batch = nr_pages > MEMCG_CHARGE_BATCH ? nr_pages : MEMCG_CHARGE_BATCH;
	int nr_retries = MAX_RECLAIM_RETRIES;
	struct mem_cgroup *mem_over_limit;
	struct page_counter *counter;
	unsigned long nr_reclaimed;
	bool passed_oom = false;
	unsigned int reclaim_options = MEMCG_RECLAIM_MAY_SWAP;
	bool drained = false;
	bool raised_max_event = false;

retry:
	if (consume_stock(memcg, nr_pages))
		return 0;
	if (page_counter_try_charge(&memcg->memory, batch, &counter))
		goto done_restock;
	mem_over_limit = container_of(counter, struct mem_cgroup, memory);

	if (batch > nr_pages) {
		batch = nr_pages;
		goto retry;
	}
	/* a reclaimer's own allocations go through: reclaim must make progress */
	if (unlikely(tsk->flags & PF_MEMALLOC))
		goto force;
	if (!gfpflags_allow_blocking(gfp_mask))
		goto nomem;

	memcg_memory_event(mem_over_limit, MEMCG_MAX);
	raised_max_event = true;

	nr_reclaimed = memcg_reclaim(mem_over_limit, nr_pages, gfp_mask, reclaim_options);
	if (mem_cgroup_margin(mem_over_limit) >= nr_pages)
		goto retry;
	if (!drained) {
		drain_all_stock(mem_over_limit);
		drained = true;
		goto retry;
	}
	if (gfp_mask & PF___GFP_NORETRY)
		goto nomem;
	/* progress for a small request: try again before anything harsher */
	if (nr_reclaimed && nr_pages <= (1u << PAGE_ALLOC_COSTLY_ORDER))
		goto retry;
	if (nr_retries--)
		goto retry;
	if (gfp_mask & PF___GFP_RETRY_MAYFAIL)
		goto nomem;
	if (mem_cgroup_oom(mem_over_limit, gfp_mask, get_order_bytes((unsigned long)nr_pages * PAGE_SIZE))) {
		passed_oom = true;
		nr_retries = MAX_RECLAIM_RETRIES;
		goto retry;
	}
	(void)passed_oom;	/* the kernel's dying-task bail-out: no task dies here */
nomem:
	if (!(gfp_mask & (PF___GFP_NOFAIL | PF___GFP_HIGH)))
		return -ENOMEM;
force:
	if (!raised_max_event)
		memcg_memory_event(mem_over_limit, MEMCG_MAX);
	page_counter_charge(&memcg->memory, nr_pages);
	return 0;

done_restock:
	if (batch > nr_pages)
		refill_stock(memcg, batch - nr_pages);

	/* over memory.high anywhere up the tree: the thread pays for the batch later */
	do {
		bool mem_high = page_counter_read(&memcg->memory) > PC_READ(memcg->memory.high);

		if (tsk->in_interrupt) {
			/* the kernel queues high_work here; no worker runs it in pageframe */
			if (mem_high)
				break;
			continue;
		}
		if (mem_high) {
			tsk->memcg_nr_pages_over_high += batch;
			break;
		}
	} while ((memcg = parent_mem_cgroup(memcg)));

	if (tsk->memcg_nr_pages_over_high > MEMCG_CHARGE_BATCH && !(tsk->flags & PF_MEMALLOC) &&
	    gfpflags_allow_blocking(gfp_mask))
		mem_cgroup_handle_over_high(gfp_mask);
	return 0;
}

/* mem_cgroup_cancel_charge (6.12): undo a try_charge_memcg that was not committed */
void mem_cgroup_cancel_charge(struct mem_cgroup *memcg, unsigned int nr_pages)
{
	if (mem_cgroup_is_root(memcg))
		return;
	page_counter_uncharge(&memcg->memory, nr_pages);
}

/* ---- kmem pages ------------------------------------------------------------------------------- */

/*
 * current_obj_cgroup (6.12) - the objcg a kmem charge of the calling
 * thread goes to, with a reference: that of its memcg or, for a memcg
 * already destroyed, of the nearest ancestor still online; NULL for the
 * root, for no memcg, and for a memcg of another machine.
 */
static struct obj_cgroup *current_obj_cgroup(struct pf_machine *m)
{
	struct mem_cgroup *memcg = current_task()->active_memcg;
	struct obj_cgroup *objcg = NULL;

	if (!memcg || memcg->machine != m)
		return NULL;
	pf_spin_lock(&m->objcg_lock);
	for (; !mem_cgroup_is_root(memcg); memcg = parent_mem_cgroup(memcg)) {
		objcg = memcg->objcg;
		if (objcg) {
			obj_cgroup_get(objcg);
			break;
		}
	}
	pf_spin_unlock(&m->objcg_lock);
	return objcg;
}

/*
 * __memcg_kmem_charge_page (6.12) - charge a freshly allocated block of
 * 2^@order pages to the calling thread's memcg (obj_cgroup_charge_pages:
 * try_charge_memcg, then the "kernel" stat) and point the head's
 * memcg_data at the objcg, which the page keeps a reference to.  Then, as
 * the kernel does on the way back to user space, the thread pays for any
 * memory.high overage (only when the request may block; otherwise it
 * stays pending for the thread's next blocking charge).
 * Return: 0 (charged, or nothing to charge), or -ENOMEM.
 */
int __memcg_kmem_charge_page(struct pf_page *page, pf_gfp_t gfp, int order)
{
	struct pf_machine *m = page_machine(page);
	struct obj_cgroup *objcg = current_obj_cgroup(m);
	struct pf_task *tsk = current_task();
	int ret = 0;

	if (objcg) {
		struct mem_cgroup *memcg = get_mem_cgroup_from_objcg(objcg);
		ret = try_charge_memcg(memcg, gfp, 1u << order);
		if (!ret) {
			mod_memcg_state(memcg, MEMCG_KMEM, 1L << order);
			page->memcg_data = (unsigned long)objcg | MEMCG_DATA_KMEM;
			objcg = NULL;	/* the page keeps the reference */
		}
		css_put(memcg);
		if (objcg)
			obj_cgroup_put(objcg);
	}
	if (unlikely(tsk->memcg_nr_pages_over_high) && gfpflags_allow_blocking(gfp) && !tsk->in_interrupt &&
	    !(tsk->flags & PF_MEMALLOC))
		mem_cgroup_handle_over_high(PF_GFP_KERNEL);
	return ret;
}

/* obj_cgroup_uncharge_pages (6.12): the "kernel" stat down, the charge into the stock */
static void obj_cgroup_uncharge_pages(struct obj_cgroup *objcg, unsigned int nr_pages)
{
	struct mem_cgroup *memcg = get_mem_cgroup_from_objcg(objcg);

	mod_memcg_state(memcg, MEMCG_KMEM, -(long)nr_pages);
	refill_stock(memcg, nr_pages);
	css_put(memcg);
}

/*
 * __memcg_kmem_uncharge_page (6.12) - a kmem block of 2^@order pages is
 * being freed: uncharge it from whichever memcg its objcg belongs to now,
 * clear memcg_data and drop the page's objcg reference.
 */
void __memcg_kmem_uncharge_page(struct pf_page *page, int order)
{
	struct obj_cgroup *objcg;

	if (!PageMemcgKmem(page))
		return;
	objcg = __page_objcg(page);
	obj_cgroup_uncharge_pages(objcg, 1u << order);
	page->memcg_data = 0;
	obj_cgroup_put(objcg);
}

/*
 * memcg_kmem_uncharge_split (pageframe's own) - __free_pages is freeing
 * all but the first page of a non-compound block of 2^@order pages that
 * others still hold: uncharge those pages now; the first page keeps its
 * memcg_data and one page of charge until its last reference goes.
 * Deliberate difference: 6.12 leaves the freed pages' charge behind (it
 * uncharges one page when the first page is freed).
 */
void memcg_kmem_uncharge_split(struct pf_page *page, int order)
{
	if (!PageMemcgKmem(page) || !order)
		return;
	obj_cgroup_uncharge_pages(__page_objcg(page), (1u << order) - 1);
}

/*
 * mem_cgroup_charge_lru - __mem_cgroup_charge (6.12) for a page an owner
 * puts on the LRU (the kernel charges user pages when they are faulted
 * in, before they join the LRU): charge the calling thread's memcg (none
 * for the root) one page, with GFP_KERNEL's reclaim and OOM, and point
 * memcg_data at it (commit_charge, which holds a reference).  A page
 * already charged as kmem (allocated with __GFP_ACCOUNT) keeps its charge
 * and moves it to its memcg's LRU instead.  The memcg's anon or file stat
 * counts the page.  Return: 0, or -ENOMEM (the page was not charged).
 */
int mem_cgroup_charge_lru(struct pf_machine *m, struct pf_page *page, bool anon)
{
	struct mem_cgroup *memcg;
	int nid = pf_page_to_nid(page);

	if (!memcg_kmem_online(m))
		return 0;
	if (PageMemcgKmem(page)) {
		struct obj_cgroup *objcg = __page_objcg(page);
		memcg = get_mem_cgroup_from_objcg(objcg);
		mod_memcg_state(memcg, MEMCG_KMEM, -1);
		obj_cgroup_put(objcg);
	} else {
		memcg = get_mem_cgroup_from_current(m);
		if (!memcg)
			return 0;
		if (try_charge_memcg(memcg, PF_GFP_KERNEL, 1)) {
			css_put(memcg);
			return -ENOMEM;
		}
	}
	__atomic_store_n(&page->memcg_data, (unsigned long)memcg, __ATOMIC_RELEASE);	/* the reference stays */
	mod_memcg_lruvec_state(memcg, nid, anon ? NR_ANON_MAPPED : NR_FILE_PAGES, 1);
	if (unlikely(current_task()->memcg_nr_pages_over_high) && !current_task()->in_interrupt &&
	    !(current_task()->flags & PF_MEMALLOC))
		mem_cgroup_handle_over_high(PF_GFP_KERNEL);
	return 0;
}

/*
 * mem_cgroup_uncharge_lru - uncharge_folio / uncharge_batch (6.12) for a
 * page leaving its owner's LRU (removed, or reclaimed): the charge goes
 * back to the counters of the memcg it was charged to (an offline one's
 * included, which pass it up), memcg_data is cleared, the reference goes.
 */
void mem_cgroup_uncharge_lru(struct pf_page *page, bool anon)
{
	unsigned long data = __atomic_load_n(&page->memcg_data, __ATOMIC_ACQUIRE);
	struct mem_cgroup *memcg;

	if (!data || (data & MEMCG_DATA_KMEM))
		return;
	memcg = (struct mem_cgroup *)data;
	mod_memcg_lruvec_state(memcg, pf_page_to_nid(page), anon ? NR_ANON_MAPPED : NR_FILE_PAGES, -1);
	page_counter_uncharge(&memcg->memory, 1);
	__atomic_store_n(&page->memcg_data, 0UL, __ATOMIC_RELAXED);
	css_put(memcg);
}

/* mem_cgroup_lruvec's lookup (include/linux/memcontrol.h, 6.12): the memcg's lruvec on node @nid */
struct lruvec *memcg_lruvec(struct mem_cgroup *memcg, int nid)
{
	return &memcg->nodeinfo[nid]->lruvec;
}

/* folio_memcg (6.12) */
struct mem_cgroup *folio_memcg(struct pf_page *page)
{
	unsigned long data = __atomic_load_n(&page->memcg_data, __ATOMIC_RELAXED);
	if (!data)
		return NULL;
	if (data & MEMCG_DATA_KMEM)
		return ((struct obj_cgroup *)(data & ~MEMCG_DATA_FLAGS_MASK))->memcg;
	return (struct mem_cgroup *)(data & ~MEMCG_DATA_FLAGS_MASK);
}

/* get_mem_cgroup_from_current (6.12): the thread's memcg on @m with a reference; NULL for the root */
struct mem_cgroup *get_mem_cgroup_from_current(struct pf_machine *m)
{
	struct mem_cgroup *memcg = current_task()->active_memcg;
	if (!memcg || memcg->machine != m || mem_cgroup_is_root(memcg))
		return NULL;
	css_get(memcg);
	return memcg;
}

/* ---- reclaim's view: the walk and protection --------------------------------------------------- */

/* the memcg after @pos in a pre-order walk of @root's subtree.  Context: memcg_lock */
static struct mem_cgroup *next_descendant_pre(struct mem_cgroup *pos, struct mem_cgroup *root)
{
	if (!pos)
		return root;
	if (!list_empty(&pos->children))
		return list_first_entry(&pos->children, struct mem_cgroup, sibling);
	while (pos != root) {
		if (pos->sibling.next != &pos->parent->children)
			return list_entry(pos->sibling.next, struct mem_cgroup, sibling);
		pos = pos->parent;
	}
	return NULL;
}

/*
 * mem_cgroup_iter (6.12, without the shared reclaim cookie) - the memcg
 * after @prev in a pre-order walk of @root's subtree (@root first),
 * destroyed memcgs still holding references included; NULL at the end.
 * The returned memcg carries a reference (except @root, the caller's);
 * passing it back as @prev drops it, mem_cgroup_iter_break drops it when
 * the walk stops early.  @root NULL means the machine's root, which @m
 * names (for a NULL root only).
 */
struct mem_cgroup *mem_cgroup_iter(struct mem_cgroup *root, struct mem_cgroup *prev, bool shared, int nid)
{
	struct mem_cgroup *pos;
	struct pf_machine *m;

	(void)shared;
	(void)nid;
	if (!root)
		return NULL;
	m = root->machine;
	pf_spin_lock(&m->memcg_lock);
	pos = prev;
	for (;;) {
		pos = next_descendant_pre(pos, root);
		if (!pos || pos == root || css_tryget(pos))
			break;
	}
	pf_spin_unlock(&m->memcg_lock);
	if (prev && prev != root)
		css_put(prev);
	return pos;
}

void mem_cgroup_iter_break(struct mem_cgroup *root, struct mem_cgroup *prev)
{
	if (prev && prev != root)
		css_put(prev);
}

/*
 * mem_cgroup_calculate_protection (6.12): @memcg's emin and elow for a
 * reclaim of @root's subtree, inside a top-down walk.  cgroup v2 mounted
 * without memory_recursiveprot, as a default mount.
 */
void mem_cgroup_calculate_protection(struct mem_cgroup *root, struct mem_cgroup *memcg)
{
	if (!root)
		root = memcg->machine->root_mem_cgroup;
	page_counter_calculate_protection(&root->memory, &memcg->memory, false);
}

/*
 * mem_cgroup_online (include/linux/memcontrol.h, 6.12): not destroyed yet
 * (the root always is online).  Read without memcg_lock, as the kernel
 * reads CSS_ONLINE: reclaim asks for every memcg it walks.
 */
bool mem_cgroup_online(struct mem_cgroup *memcg)
{
	return __atomic_load_n(&memcg->online, __ATOMIC_ACQUIRE);
}

/* mem_cgroup_protection (6.12): the effective min and low; none for the reclaim's own target */
void mem_cgroup_protection(struct mem_cgroup *root, struct mem_cgroup *memcg, unsigned long *min,
			   unsigned long *low)
{
	*min = *low = 0;
	if (root == memcg)
		return;
	*min = PC_READ(memcg->memory.emin);
	*low = PC_READ(memcg->memory.elow);
}

static bool mem_cgroup_unprotected(struct mem_cgroup *target, struct mem_cgroup *memcg)
{
	return mem_cgroup_is_root(memcg) || memcg == target;
}

/* mem_cgroup_below_low (6.12): usage within the effective low protection */
bool mem_cgroup_below_low(struct mem_cgroup *target, struct mem_cgroup *memcg)
{
	if (mem_cgroup_unprotected(target, memcg))
		return false;
	return PC_READ(memcg->memory.elow) >= page_counter_read(&memcg->memory);
}

/* mem_cgroup_below_min (6.12): usage within the effective min protection */
bool mem_cgroup_below_min(struct mem_cgroup *target, struct mem_cgroup *memcg)
{
	if (mem_cgroup_unprotected(target, memcg))
		return false;
	return PC_READ(memcg->memory.emin) >= page_counter_read(&memcg->memory);
}

/* ---- public: create, destroy, attach ------------------------------------------------------------ */

/* mem_cgroup_path: "/a/b" for the memcg (cgroup_path); "/" for the root */
int mem_cgroup_path(struct mem_cgroup *memcg, char *buf, size_t len)
{
	const char *parts[64];
	int n = 0;
	size_t at = 0;

	for (; memcg && !mem_cgroup_is_root(memcg) && n < 64; memcg = memcg->parent)
		parts[n++] = memcg->name;
	if (!len)
		return 0;
	buf[0] = '\0';
	if (!n)
		return snprintf(buf, len, "/");
	while (n-- > 0 && at < len) {
		int w = snprintf(buf + at, len - at, "/%s", parts[n]);
		if (w < 0)
			break;
		at += (size_t)w;
	}
	return (int)at;
}

struct pf_memcg *pf_memcg_create(struct pf_machine *m, struct pf_memcg *parent_cg, const char *name)
{
	struct mem_cgroup *parent = (struct mem_cgroup *)parent_cg;
	struct mem_cgroup *memcg = NULL, *root;
	struct obj_cgroup *objcg;

	if (!m)
		return NULL;
	if (!name || !*name || strchr(name, '/')) {
		pf_printk(m, '4', "pageframe: memcg_create: bad name '%s' (non-empty, no '/')", name ? name : "(null)");
		return NULL;
	}
	if (parent && parent->machine != m) {
		pf_printk(m, '4', "pageframe: memcg_create: '%s': the parent belongs to another machine", name);
		return NULL;
	}
	objcg = obj_cgroup_alloc(m);
	if (!objcg)
		goto nomem;

	pf_spin_lock(&m->memcg_lock);
	if (!m->memcg_released.next)
		INIT_LIST_HEAD(&m->memcg_released);
	if (!m->memcg_stock) {
		m->memcg_stock = calloc((size_t)m->nr_cpus, sizeof *m->memcg_stock);
		if (!m->memcg_stock) {
			pf_spin_unlock(&m->memcg_lock);
			goto nomem;
		}
		for (int cpu = 0; cpu < m->nr_cpus; cpu++)
			pf_spin_lock_init(&m->memcg_stock[cpu].lock);
	}
	root = root_mem_cgroup_locked(m);
	if (!root) {
		pf_spin_unlock(&m->memcg_lock);
		goto nomem;
	}
	if (!parent)
		parent = root;
	if (!parent->online) {
		pf_spin_unlock(&m->memcg_lock);
		pf_printk(m, '4', "pageframe: memcg_create: '%s': the parent was destroyed (ENOENT)", name);
		free(objcg);
		return NULL;
	}
	memcg = mem_cgroup_alloc(m, parent, name);
	if (!memcg) {
		pf_spin_unlock(&m->memcg_lock);
		goto nomem;
	}
	memcg->id = ++m->memcg_last_id;
	css_get(parent);	/* a child holds its parent */
	/* memcg_online_kmem: the memcg's objcg */
	objcg->memcg = memcg;
	memcg->objcg = objcg;
	list_add_tail(&memcg->sibling, &parent->children);
	pf_spin_unlock(&m->memcg_lock);

	/* static_branch_enable(&memcg_kmem_online_key): the fast paths leave __GFP_ACCOUNT to the general path */
	if (!__atomic_load_n(&m->memcg_kmem_online_key, __ATOMIC_ACQUIRE)) {
		pf_spin_lock(&m->setup_lock);
		__atomic_store_n(&m->memcg_kmem_online_key, true, __ATOMIC_RELEASE);
		pf_fast_update(m);
		pf_spin_unlock(&m->setup_lock);
	}
	return (struct pf_memcg *)memcg;
nomem:
	free(objcg);
	pf_printk(m, '4', "pageframe: memcg_create: '%s': out of memory", name);
	return NULL;
}

/*
 * pf_memcg_destroy - rmdir: mem_cgroup_css_offline (6.12): drop the
 * protection, reparent the objcgs (and so the kmem charges) to the parent,
 * hand the memcg-aware shrinkers' marks and deferred work up, drain the stocks holding charge for it, drop the online reference.  LRU
 * pages charged to it keep it as an offline memcg until they go, as in
 * the kernel.
 */
void pf_memcg_destroy(struct pf_memcg *cg)
{
	struct mem_cgroup *memcg = (struct mem_cgroup *)cg;
	struct pf_machine *m;
	struct list_head *pos;

	if (!memcg)
		return;
	m = memcg->machine;
	if (mem_cgroup_is_root(memcg)) {
		pf_printk(m, '4', "pageframe: memcg_destroy: the root memcg cannot be destroyed (EBUSY)");
		return;
	}
	pf_spin_lock(&m->memcg_lock);
	if (!memcg->online) {
		pf_spin_unlock(&m->memcg_lock);
		pf_printk(m, '4', "pageframe: memcg_destroy: '%s' was already destroyed (ENOENT)", memcg->name);
		return;
	}
	list_for_each(pos, &memcg->children) {
		if (list_entry(pos, struct mem_cgroup, sibling)->online) {
			char path[256];
			pf_spin_unlock(&m->memcg_lock);
			mem_cgroup_path(memcg, path, sizeof path);
			pf_printk(m, '4', "pageframe: memcg_destroy: %s still has child memcgs (EBUSY)", path);
			return;
		}
	}
	__atomic_store_n(&memcg->online, false, __ATOMIC_RELEASE);	/* mem_cgroup_online reads it unlocked */
	pf_spin_unlock(&m->memcg_lock);

	page_counter_set_min(&memcg->memory, 0);
	page_counter_set_low(&memcg->memory, 0);
	memcg_reparent_objcgs(memcg, parent_mem_cgroup(memcg));
	reparent_shrinker_deferred(memcg);
	drain_all_stock(memcg);
	css_put(memcg);
}

/*
 * pf_memcg_attach - set_active_memcg (include/linux/sched/mm.h, 6.12) for
 * the calling thread, which keeps a reference to its memcg.
 */
struct pf_memcg *pf_memcg_attach(struct pf_memcg *cg)
{
	struct mem_cgroup *memcg = (struct mem_cgroup *)cg;
	struct pf_task *tsk = current_task();
	struct mem_cgroup *old = tsk->active_memcg;

	if (memcg && mem_cgroup_is_root(memcg))
		memcg = NULL;
	if (memcg)
		css_get(memcg);
	tsk->active_memcg = memcg;
	/* the previous memcg is handed back without the thread's reference; its memory lives as long as the machine */
	css_put(old);
	return (struct pf_memcg *)old;
}

/* ---- the cgroup files ------------------------------------------------------------------------ */

/* memory_stats[] (6.12): memory.stat's state lines, in the kernel's order, for its x86-64 distribution config */
struct memory_stat {
	const char *name;
	int idx;
};

static const struct memory_stat memory_stats[] = {
	{ "anon", NR_ANON_MAPPED },
	{ "file", NR_FILE_PAGES },
	{ "kernel", MEMCG_KMEM },
	{ "kernel_stack", NR_KERNEL_STACK_KB },
	{ "pagetables", NR_PAGETABLE },
	{ "sec_pagetables", NR_SECONDARY_PAGETABLE },
	{ "percpu", MEMCG_PERCPU_B },
	{ "sock", MEMCG_SOCK },
	{ "vmalloc", MEMCG_VMALLOC },
	{ "shmem", NR_SHMEM },
	{ "zswap", MEMCG_ZSWAP_B },
	{ "zswapped", MEMCG_ZSWAPPED },
	{ "file_mapped", NR_FILE_MAPPED },
	{ "file_dirty", NR_FILE_DIRTY },
	{ "file_writeback", NR_WRITEBACK },
	{ "swapcached", NR_SWAPCACHE },
	{ "anon_thp", NR_ANON_THPS },
	{ "file_thp", NR_FILE_THPS },
	{ "shmem_thp", NR_SHMEM_THPS },
	{ "inactive_anon", NR_INACTIVE_ANON },
	{ "active_anon", NR_ACTIVE_ANON },
	{ "inactive_file", NR_INACTIVE_FILE },
	{ "active_file", NR_ACTIVE_FILE },
	{ "unevictable", NR_UNEVICTABLE },
	{ "slab_reclaimable", NR_SLAB_RECLAIMABLE_B },
	{ "slab_unreclaimable", NR_SLAB_UNRECLAIMABLE_B },
	{ "workingset_refault_anon", WORKINGSET_REFAULT_ANON },
	{ "workingset_refault_file", WORKINGSET_REFAULT_FILE },
	{ "workingset_activate_anon", WORKINGSET_ACTIVATE_ANON },
	{ "workingset_activate_file", WORKINGSET_ACTIVATE_FILE },
	{ "workingset_restore_anon", WORKINGSET_RESTORE_ANON },
	{ "workingset_restore_file", WORKINGSET_RESTORE_FILE },
	{ "workingset_nodereclaim", WORKINGSET_NODERECLAIM },
	{ "pgdemote_kswapd", PGDEMOTE_KSWAPD },
	{ "pgdemote_direct", PGDEMOTE_DIRECT },
	{ "pgdemote_khugepaged", PGDEMOTE_KHUGEPAGED },
	{ "pgpromote_success", PGPROMOTE_SUCCESS },
};

/* memcg_vm_event_stat[] (6.12) without v1's pgpgin/pgpgout: memory.stat's event lines */
static const struct {
	enum vm_event_item idx;
	const char *name;
} memcg_vm_event_stat[] = {
	{ PGSCAN_KSWAPD, "pgscan_kswapd" },
	{ PGSCAN_DIRECT, "pgscan_direct" },
	{ PGSCAN_KHUGEPAGED, "pgscan_khugepaged" },
	{ PGSTEAL_KSWAPD, "pgsteal_kswapd" },
	{ PGSTEAL_DIRECT, "pgsteal_direct" },
	{ PGSTEAL_KHUGEPAGED, "pgsteal_khugepaged" },
	{ PGFAULT, "pgfault" },
	{ PGMAJFAULT, "pgmajfault" },
	{ PGREFILL, "pgrefill" },
	{ PGACTIVATE, "pgactivate" },
	{ PGDEACTIVATE, "pgdeactivate" },
	{ PGLAZYFREE, "pglazyfree" },
	{ PGLAZYFREED, "pglazyfreed" },
	{ SWPIN_ZERO, "swpin_zero" },
	{ SWPOUT_ZERO, "swpout_zero" },
	{ ZSWPIN, "zswpin" },
	{ ZSWPOUT, "zswpout" },
	{ ZSWPWB, "zswpwb" },
	{ THP_FAULT_ALLOC, "thp_fault_alloc" },
	{ THP_COLLAPSE_ALLOC, "thp_collapse_alloc" },
	{ THP_SWPOUT, "thp_swpout" },
	{ THP_SWPOUT_FALLBACK, "thp_swpout_fallback" },
	{ NUMA_PAGE_MIGRATE, "numa_pages_migrated" },
	{ NUMA_PTE_UPDATES, "numa_pte_updates" },
	{ NUMA_HINT_FAULTS, "numa_hint_faults" },
};

/* memcg_page_state_output_unit (6.12): bytes per unit of an item in memory.stat */
static unsigned long memcg_page_state_output_unit(int item)
{
	switch (item) {
	case MEMCG_PERCPU_B:
	case MEMCG_ZSWAP_B:
	case NR_SLAB_RECLAIMABLE_B:
	case NR_SLAB_UNRECLAIMABLE_B:
		return 1;
	case NR_KERNEL_STACK_KB:
		return 1024;
	/* counts of events, not sizes */
	case WORKINGSET_REFAULT_ANON:
	case WORKINGSET_REFAULT_FILE:
	case WORKINGSET_ACTIVATE_ANON:
	case WORKINGSET_ACTIVATE_FILE:
	case WORKINGSET_RESTORE_ANON:
	case WORKINGSET_RESTORE_FILE:
	case WORKINGSET_NODERECLAIM:
	case PGDEMOTE_KSWAPD:
	case PGDEMOTE_DIRECT:
	case PGDEMOTE_KHUGEPAGED:
	case PGPROMOTE_SUCCESS:
		return 1;
	default:
		return PAGE_SIZE;
	}
}

/* one line of memory.stat: to @out, or with @out NULL through the machine's printk (an OOM report) */
__attribute__((format(printf, 3, 4))) static void stat_line(FILE *out, struct mem_cgroup *memcg, const char *fmt, ...)
{
	char line[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (out)
		fprintf(out, "%s\n", line);
	else
		pf_printk(memcg->machine, '6', "%s", line);
}

/* memcg_stat_format (6.12): memory.stat */
static void memcg_stat_format(struct mem_cgroup *memcg, FILE *out)
{
	for (size_t i = 0; i < sizeof memory_stats / sizeof memory_stats[0]; i++) {
		unsigned long long size = (unsigned long long)memcg_page_state(memcg, memory_stats[i].idx) *
					  memcg_page_state_output_unit(memory_stats[i].idx);
		stat_line(out, memcg, "%s %llu", memory_stats[i].name, size);
		if (memory_stats[i].idx == NR_SLAB_UNRECLAIMABLE_B) {
			size += (unsigned long long)memcg_page_state(memcg, NR_SLAB_RECLAIMABLE_B);
			stat_line(out, memcg, "slab %llu", size);
		}
	}
	stat_line(out, memcg, "pgscan %lu",
		  memcg_events(memcg, PGSCAN_KSWAPD) + memcg_events(memcg, PGSCAN_DIRECT) +
			  memcg_events(memcg, PGSCAN_KHUGEPAGED));
	stat_line(out, memcg, "pgsteal %lu",
		  memcg_events(memcg, PGSTEAL_KSWAPD) + memcg_events(memcg, PGSTEAL_DIRECT) +
			  memcg_events(memcg, PGSTEAL_KHUGEPAGED));
	for (size_t i = 0; i < sizeof memcg_vm_event_stat / sizeof memcg_vm_event_stat[0]; i++)
		stat_line(out, memcg, "%s %lu", memcg_vm_event_stat[i].name,
			  memcg_events(memcg, memcg_vm_event_stat[i].idx));
}

/* memory_numa_stat_show (6.12): the node items of memory.stat, per node with memory */
static void memory_numa_stat_show(struct mem_cgroup *memcg, FILE *out)
{
	struct pf_machine *m = memcg->machine;

	for (size_t i = 0; i < sizeof memory_stats / sizeof memory_stats[0]; i++) {
		int idx = memory_stats[i].idx;
		if (idx >= NR_VM_NODE_STAT_ITEMS)
			continue;
		fprintf(out, "%s", memory_stats[i].name);
		for (int nid = 0; nid < m->nr_node_ids; nid++) {
			if (!m->node_data[nid] || !m->node_data[nid]->node_present_pages)
				continue;	/* for_each_node_state(N_MEMORY) */
			fprintf(out, " N%d=%llu", nid,
				(unsigned long long)memcg_lruvec_state(memcg, nid, (enum node_stat_item)idx) *
					memcg_page_state_output_unit(idx));
		}
		fputc('\n', out);
	}
}

/* seq_puts_memcg_tunable (6.12): "max" or the bytes */
static void seq_puts_memcg_tunable(FILE *out, unsigned long value)
{
	if (value == PAGE_COUNTER_MAX)
		fputs("max\n", out);
	else
		fprintf(out, "%llu\n", (unsigned long long)value * PAGE_SIZE);
}

/* __memory_events_show (6.12) */
static void memory_events_show(atomic_long *events, FILE *out)
{
	fprintf(out, "low %lu\n", (unsigned long)atomic_load(&events[MEMCG_LOW]));
	fprintf(out, "high %lu\n", (unsigned long)atomic_load(&events[MEMCG_HIGH]));
	fprintf(out, "max %lu\n", (unsigned long)atomic_load(&events[MEMCG_MAX]));
	fprintf(out, "oom %lu\n", (unsigned long)atomic_load(&events[MEMCG_OOM]));
	fprintf(out, "oom_kill %lu\n", (unsigned long)atomic_load(&events[MEMCG_OOM_KILL]));
	fprintf(out, "oom_group_kill %lu\n", (unsigned long)atomic_load(&events[MEMCG_OOM_GROUP_KILL]));
}

/* memory_max_write (6.12): the new max, then reclaim (and OOM) down to it, unless this thread is PF_MEMALLOC */
static void memory_max_write(struct mem_cgroup *memcg, unsigned long max)
{
	unsigned int nr_reclaims = MAX_RECLAIM_RETRIES;
	bool drained = false;

	__atomic_exchange_n(&memcg->memory.max, max, __ATOMIC_SEQ_CST);
	for (;;) {
		unsigned long nr_pages = page_counter_read(&memcg->memory);

		if (max != PC_READ(memcg->memory.max))
			break;
		if (nr_pages <= max)
			break;
		/*
		 * A reclaimer or an OOM callback (PF_MEMALLOC) stops here, with
		 * the limit set, as the kernel's write stops on a pending signal:
		 * its reclaim would recurse, and the memcg OOM would wait for
		 * oom_lock, which this thread may hold (pageframe's own rule).
		 */
		if (current_task()->flags & PF_MEMALLOC)
			break;
		if (!drained) {
			drain_all_stock(memcg);
			drained = true;
			continue;
		}
		if (nr_reclaims) {
			if (!memcg_reclaim(memcg, nr_pages - max, PF_GFP_KERNEL, MEMCG_RECLAIM_MAY_SWAP))
				nr_reclaims--;
			continue;
		}
		memcg_memory_event(memcg, MEMCG_OOM);
		if (!mem_cgroup_out_of_memory(memcg, PF_GFP_KERNEL, 0))
			break;
	}
}

/* memory_high_write (6.12): the new high, then reclaim down to it while it helps */
static void memory_high_write(struct mem_cgroup *memcg, unsigned long high)
{
	unsigned int nr_retries = MAX_RECLAIM_RETRIES;
	bool drained = false;

	page_counter_set_high(&memcg->memory, high);
	for (;;) {
		unsigned long nr_pages = page_counter_read(&memcg->memory);
		unsigned long reclaimed;

		if (high != PC_READ(memcg->memory.high))
			break;
		if (nr_pages <= high)
			break;
		if (!drained) {
			drain_all_stock(memcg);
			drained = true;
			continue;
		}
		reclaimed = memcg_reclaim(memcg, nr_pages - high, PF_GFP_KERNEL, MEMCG_RECLAIM_MAY_SWAP);
		if (!reclaimed && !nr_retries--)
			break;
	}
}

/* strstrip: the value without leading and trailing white space, in @buf */
static char *memcg_strstrip(const char *value, char *buf, size_t len)
{
	size_t n;

	while (*value == ' ' || *value == '\t' || *value == '\n' || *value == '\r' || *value == '\v' ||
	       *value == '\f')
		value++;
	n = strlen(value);
	while (n && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\n' || value[n - 1] == '\r' ||
		     value[n - 1] == '\v' || value[n - 1] == '\f'))
		n--;
	if (n >= len)
		return NULL;
	memcpy(buf, value, n);
	buf[n] = '\0';
	return buf;
}

/* the files of memory_files[] (6.12) this library has */
enum memcg_file {
	MF_CURRENT, MF_PEAK, MF_MIN, MF_LOW, MF_HIGH, MF_MAX, MF_EVENTS, MF_EVENTS_LOCAL, MF_STAT, MF_NUMA_STAT,
	MF_OOM_GROUP,
};

static const struct {
	const char *name;
	enum memcg_file file;
	bool not_on_root;	/* CFTYPE_NOT_ON_ROOT */
	bool writable;
} memory_files[] = {
	{ "memory.current", MF_CURRENT, true, false },
	{ "memory.peak", MF_PEAK, true, false },
	{ "memory.min", MF_MIN, true, true },
	{ "memory.low", MF_LOW, true, true },
	{ "memory.high", MF_HIGH, true, true },
	{ "memory.max", MF_MAX, true, true },
	{ "memory.events", MF_EVENTS, true, false },
	{ "memory.events.local", MF_EVENTS_LOCAL, true, false },
	{ "memory.stat", MF_STAT, false, false },
	{ "memory.numa_stat", MF_NUMA_STAT, false, false },
	{ "memory.oom.group", MF_OOM_GROUP, true, true },
};

static int memcg_file_lookup(struct mem_cgroup *memcg, const char *file, bool write)
{
	if (!file)
		return -1;
	for (size_t i = 0; i < sizeof memory_files / sizeof memory_files[0]; i++) {
		if (strcmp(file, memory_files[i].name))
			continue;
		if (memory_files[i].not_on_root && mem_cgroup_is_root(memcg))
			return -1;
		if (write && !memory_files[i].writable)
			return -1;
		return (int)memory_files[i].file;
	}
	return -1;
}

int pf_memcg_set(struct pf_memcg *cg, const char *file, const char *value)
{
	struct mem_cgroup *memcg = (struct mem_cgroup *)cg;
	char buf[128], *v;
	unsigned long nr_pages;
	int f, err;

	if (!memcg)
		return -EINVAL;
	f = memcg_file_lookup(memcg, file, true);
	if (f < 0 || !value || !(v = memcg_strstrip(value, buf, sizeof buf)))
		return -EINVAL;
	if (f == MF_OOM_GROUP) {
		/* memory_oom_group_write: kstrtoint, then 0 or 1 */
		char *end;
		long oom_group;
		if (!*v)
			return -EINVAL;
		errno = 0;
		oom_group = strtol(v, &end, 0);
		if (*end || errno || (oom_group != 0 && oom_group != 1))
			return -EINVAL;
		__atomic_store_n(&memcg->oom_group, (int)oom_group, __ATOMIC_RELAXED);
		return 0;
	}
	err = page_counter_memparse(v, "max", &nr_pages);
	if (err)
		return err;
	pf_spin_lock(&memcg->set_lock);
	switch (f) {
	case MF_MIN:
		page_counter_set_min(&memcg->memory, nr_pages);
		break;
	case MF_LOW:
		page_counter_set_low(&memcg->memory, nr_pages);
		break;
	case MF_HIGH:
		pf_spin_unlock(&memcg->set_lock);
		memory_high_write(memcg, nr_pages);
		return 0;
	case MF_MAX:
		pf_spin_unlock(&memcg->set_lock);
		memory_max_write(memcg, nr_pages);
		return 0;
	default:
		break;
	}
	pf_spin_unlock(&memcg->set_lock);
	return 0;
}

int pf_memcg_show(struct pf_memcg *cg, const char *file, FILE *out)
{
	struct mem_cgroup *memcg = (struct mem_cgroup *)cg;
	int f;

	if (!memcg || !out)
		return -EINVAL;
	f = memcg_file_lookup(memcg, file, false);
	if (f < 0)
		return -EINVAL;
	switch ((enum memcg_file)f) {
	case MF_CURRENT:
		fprintf(out, "%llu\n", (unsigned long long)page_counter_read(&memcg->memory) * PAGE_SIZE);
		break;
	case MF_PEAK:
		fprintf(out, "%llu\n", (unsigned long long)PC_READ(memcg->memory.watermark) * PAGE_SIZE);
		break;
	case MF_MIN:
		seq_puts_memcg_tunable(out, PC_READ(memcg->memory.min));
		break;
	case MF_LOW:
		seq_puts_memcg_tunable(out, PC_READ(memcg->memory.low));
		break;
	case MF_HIGH:
		seq_puts_memcg_tunable(out, PC_READ(memcg->memory.high));
		break;
	case MF_MAX:
		seq_puts_memcg_tunable(out, PC_READ(memcg->memory.max));
		break;
	case MF_EVENTS:
		memory_events_show(memcg->memory_events, out);
		break;
	case MF_EVENTS_LOCAL:
		memory_events_show(memcg->memory_events_local, out);
		break;
	case MF_STAT:
		memcg_stat_format(memcg, out);
		break;
	case MF_NUMA_STAT:
		memory_numa_stat_show(memcg, out);
		break;
	case MF_OOM_GROUP:
		fprintf(out, "%d\n", __atomic_load_n(&memcg->oom_group, __ATOMIC_RELAXED));
		break;
	}
	return 0;
}

/* ---- the machine going away ----------------------------------------------------------------- */

static void mem_cgroup_free_subtree(struct mem_cgroup *memcg)
{
	while (!list_empty(&memcg->children)) {
		struct mem_cgroup *child = list_first_entry(&memcg->children, struct mem_cgroup, sibling);
		list_del(&child->sibling);
		mem_cgroup_free_subtree(child);
	}
	if (memcg->objcg)
		free(memcg->objcg);
	while (!list_empty(&memcg->objcg_list)) {
		struct obj_cgroup *objcg = list_first_entry(&memcg->objcg_list, struct obj_cgroup, list);
		list_del(&objcg->list);
		free(objcg);
	}
	mem_cgroup_free(memcg);
}

/*
 * mem_cgroup_machine_exit - free every memcg, objcg and stock of a machine
 * being destroyed (its pages, and so their charges, go with it).  Threads
 * must not stay attached to its memcgs.
 */
void mem_cgroup_machine_exit(struct pf_machine *m)
{
	if (m->root_mem_cgroup)
		mem_cgroup_free_subtree(m->root_mem_cgroup);
	m->root_mem_cgroup = NULL;
	while (m->memcg_released.next && !list_empty(&m->memcg_released)) {
		struct mem_cgroup *memcg = list_first_entry(&m->memcg_released, struct mem_cgroup, sibling);
		list_del(&memcg->sibling);
		mem_cgroup_free_subtree(memcg);
	}
	free(m->memcg_stock);
	m->memcg_stock = NULL;
}
