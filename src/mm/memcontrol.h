/* SPDX-License-Identifier: MIT */
/*
 * memcontrol.h - memory cgroups inside the library: struct mem_cgroup (the
 * public struct pf_memcg), its page_counter, the obj_cgroup a kmem page
 * points at, and what the page allocator, reclaim and the OOM killer call
 * (include/linux/memcontrol.h and include/linux/page_counter.h, 6.12).
 *
 * Glossary
 *   memcg      a memory cgroup: a node of a per-machine tree under the
 *              root; it charges pages to itself and every ancestor.
 *   charge     pages counted against a memcg's page_counter (usage);
 *              limits (max, high) and protection (min, low) act on it.
 *   stock      pages charged ahead of need, kept per CPU for one memcg
 *              (MEMCG_CHARGE_BATCH), so most charges touch no shared line.
 *   objcg      obj_cgroup: what a kmem page's memcg_data points at; when
 *              its memcg goes away the objcg moves to the parent, and so
 *              do the charges of every page that points at it.
 *   offline    a destroyed memcg: no longer charged by kmem allocations,
 *              kept (a "zombie") while references to it remain.
 *
 * Only memcontrol.c, page_counter.c and the files that need a memcg's
 * fields (vmscan.c for its lruvecs and protection, oom_kill.c) include it.
 */
#ifndef PF_MM_MEMCONTROL_H
#define PF_MM_MEMCONTROL_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"
#include "vmscan.h"	/* MAX_RECLAIM_RETRIES, SWAP_CLUSTER_MAX, MEMCG_RECLAIM_*, struct lruvec */

/* ---- page_counter (include/linux/page_counter.h, page_counter.c) ------------ */

/*
 * struct page_counter - pages charged to one memcg and its limits, linked
 * to the parent's counter: a charge counts at every level up to the root.
 * usage and the *_usage sums change with atomics; the limits are written
 * by pf_memcg_set (serialised by the memcg's set_lock) and read racily,
 * as the kernel's READ_ONCE.
 */
struct page_counter {
	atomic_long usage;

	/* effective protection, computed top-down during reclaim */
	unsigned long emin;
	atomic_long min_usage;
	atomic_long children_min_usage;
	unsigned long elow;
	atomic_long low_usage;
	atomic_long children_low_usage;

	unsigned long watermark;	/* memory.peak */
	unsigned long local_watermark;
	unsigned long failcnt;		/* v1's failcnt: try_charge failures at this level */

	/* the settings */
	unsigned long min;
	unsigned long low;
	unsigned long high;
	unsigned long max;
	struct page_counter *parent;
	bool protection_support;	/* the memory counter tracks min/low usage */
};

/* PAGE_COUNTER_MAX (64-bit): the most pages a counter may hold ("max") */
#define PAGE_COUNTER_MAX (LONG_MAX / PAGE_SIZE)

#define PC_READ(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define PC_WRITE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static inline void page_counter_init(struct page_counter *counter, struct page_counter *parent,
				     bool protection_support)
{
	atomic_init(&counter->usage, 0);
	counter->max = PAGE_COUNTER_MAX;
	counter->high = PAGE_COUNTER_MAX;
	counter->parent = parent;
	counter->protection_support = protection_support;
}

static inline unsigned long page_counter_read(struct page_counter *counter)
{
	long v = atomic_load_explicit(&counter->usage, memory_order_relaxed);
	return v < 0 ? 0 : (unsigned long)v;
}

static inline void page_counter_set_high(struct page_counter *counter, unsigned long nr_pages)
{
	PC_WRITE(counter->high, nr_pages);
}

void page_counter_cancel(struct page_counter *counter, unsigned long nr_pages);
void page_counter_charge(struct page_counter *counter, unsigned long nr_pages);
bool page_counter_try_charge(struct page_counter *counter, unsigned long nr_pages, struct page_counter **fail);
void page_counter_uncharge(struct page_counter *counter, unsigned long nr_pages);
void page_counter_set_min(struct page_counter *counter, unsigned long nr_pages);
void page_counter_set_low(struct page_counter *counter, unsigned long nr_pages);
int page_counter_memparse(const char *buf, const char *max, unsigned long *nr_pages);
void page_counter_calculate_protection(struct page_counter *root, struct page_counter *counter,
				       bool recursive_protection);
unsigned long effective_protection(unsigned long usage, unsigned long parent_usage, unsigned long setting,
				   unsigned long parent_effective, unsigned long siblings_protected,
				   bool recursive_protection);

/* ---- struct mem_cgroup ------------------------------------------------------- */

#define MEMCG_CHARGE_BATCH	64U	/* pages a charge takes ahead into the per-CPU stock */
/* the kernel's HZ for the throttling arithmetic (Debian's CONFIG_HZ=250) */
#define MEMCG_HZ		250UL
#define MEMCG_MAX_HIGH_DELAY_JIFFIES (2UL * MEMCG_HZ)


/* memory.events (enum memcg_memory_event, 6.12) */
enum memcg_memory_event {
	MEMCG_LOW,
	MEMCG_HIGH,
	MEMCG_MAX,
	MEMCG_OOM,
	MEMCG_OOM_KILL,
	MEMCG_OOM_GROUP_KILL,
	MEMCG_SWAP_HIGH,
	MEMCG_SWAP_MAX,
	MEMCG_SWAP_FAIL,
	MEMCG_NR_MEMORY_EVENTS,
};

/* the memcg-only state items follow the node items (enum memcg_stat_item, 6.12) */
enum memcg_stat_item {
	MEMCG_SWAP = NR_VM_NODE_STAT_ITEMS,
	MEMCG_SOCK,
	MEMCG_PERCPU_B,
	MEMCG_VMALLOC,
	MEMCG_KMEM,
	MEMCG_ZSWAP_B,
	MEMCG_ZSWAPPED,
	MEMCG_NR_STAT,
};


/*
 * struct obj_cgroup (6.12) - the owner a kmem page names.  memcg is the
 * live memcg its charges belong to: its own until it is destroyed, then
 * the parent's (memcg_reparent_objcgs), and so on up.  memcg changes under
 * the machine's objcg_lock; readers take it to pin the memcg.
 */
struct obj_cgroup {
	struct mem_cgroup *memcg;	/* objcg_lock */
	atomic_long refcnt;		/* one per charged page, one while its memcg is online */
	struct list_head list;		/* on memcg->objcg_list once reparented (objcg_lock) */
	struct pf_machine *machine;
};

/*
 * struct shrinker_info (include/linux/memcontrol.h, 6.12, its units
 * folded into one fixed map): which memcg-aware shrinkers may hold
 * objects of this memcg on this node (a bit per shrinker id, set by
 * pf_shrinker_mark_memcg as list_lru_add sets it, cleared when the
 * shrinker counts SHRINK_EMPTY), and the work each left deferred here.
 * Only shrinker.c touches it.
 */
#define SHRINKER_MAP_WORDS ((SHRINKER_NR_MAX + 63) / 64)
struct shrinker_info {
	atomic_ulong map[SHRINKER_MAP_WORDS];
	atomic_long nr_deferred[SHRINKER_NR_MAX];
};

/* per memcg and node (struct mem_cgroup_per_node, 6.12): its LRU lists and their stats */
struct mem_cgroup_per_node {
	struct lruvec lruvec;		/* the memcg's LRU pages on this node (vmscan.c's lists) */
	atomic_long state[NR_VM_NODE_STAT_ITEMS];		/* subtree */
	atomic_long state_local[NR_VM_NODE_STAT_ITEMS];	/* this memcg only */
	struct mem_cgroup *iter_position;	/* the shared reclaim walk (memcg_lock) */
	unsigned int iter_generation;
	struct shrinker_info shrinker_info;	/* memcg-aware shrinkers (shrinker.c) */
};

/*
 * struct mem_cgroup - one memory cgroup (struct mem_cgroup, 6.12; the
 * public struct pf_memcg).  Linked into the machine's tree under
 * memcg_lock (parent, children, sibling); kept alive by refcnt (the
 * kernel's css reference): the online reference, the per-CPU stocks
 * caching it, LRU pages charged to it, threads attached to it, a reclaim
 * walk standing on it, and each child.  The stats and events are exact
 * sums: an update walks up the ancestors (the kernel's rstat flush gives
 * the same totals later).
 */
struct mem_cgroup {
	struct page_counter memory;	/* memory.current, memory.max/high/low/min */
	struct pf_machine *machine;
	struct mem_cgroup *parent;	/* NULL for the root */
	struct list_head children;	/* memcg_lock */
	struct list_head sibling;	/* memcg_lock */
	atomic_long refcnt;
	bool online;			/* false once destroyed (written under memcg_lock, atomically: mem_cgroup_online) */
	bool released;			/* off the tree, on m->memcg_released (memcg_lock) */
	int oom_group;			/* memory.oom.group */
	unsigned long id;
	char *name;

	struct obj_cgroup *objcg;	/* NULL once offline (objcg_lock) */
	struct list_head objcg_list;	/* objcgs reparented to here (objcg_lock) */
	pf_spinlock_t set_lock;		/* serialises writes of the limits */

	atomic_long memory_events[MEMCG_NR_MEMORY_EVENTS];	/* memory.events: subtree */
	atomic_long memory_events_local[MEMCG_NR_MEMORY_EVENTS];
	atomic_long state[MEMCG_NR_STAT];		/* memory.stat: subtree */
	atomic_long state_local[MEMCG_NR_STAT];
	atomic_long events[NR_VM_EVENT_ITEMS];	/* memory.stat's event counters: subtree */
	atomic_long events_local[NR_VM_EVENT_ITEMS];

	struct mem_cgroup_per_node *nodeinfo[MAX_NUMNODES];
};

/*
 * struct memcg_stock_pcp (6.12) - one CPU's cache of charge for one memcg.
 * Context: lock (the kernel's local_lock; here threads share a CPU number,
 * so it is a spinlock).
 */
struct memcg_stock_pcp {
	pf_spinlock_t lock;
	struct mem_cgroup *cached;	/* holds a reference */
	unsigned int nr_pages;
};

static inline bool mem_cgroup_is_root(const struct mem_cgroup *memcg)
{
	return memcg->parent == NULL;
}

static inline struct mem_cgroup *parent_mem_cgroup(struct mem_cgroup *memcg)
{
	return memcg->parent;
}

/* mem_cgroup_is_descendant (6.12): @memcg is @root or lies below it */
static inline bool mem_cgroup_is_descendant(struct mem_cgroup *memcg, struct mem_cgroup *root)
{
	for (; memcg; memcg = memcg->parent)
		if (memcg == root)
			return true;
	return false;
}

static inline struct obj_cgroup *__page_objcg(const struct pf_page *page)
{
	return (struct obj_cgroup *)(page->memcg_data & ~MEMCG_DATA_FLAGS_MASK);
}

/*
 * folio_memcg (6.12): the memcg a charged page belongs to: a kmem page's
 * objcg's memcg, an LRU page's memcg itself; NULL when not charged.  The
 * caller keeps the page (and so its objcg) alive.
 */
struct mem_cgroup *folio_memcg(struct pf_page *page);

/* css_get / css_put: the memcg's reference; the last put frees it (memcontrol.c) */
static inline void css_get(struct mem_cgroup *memcg)
{
	atomic_fetch_add_explicit(&memcg->refcnt, 1, memory_order_relaxed);
}
void css_put(struct mem_cgroup *memcg);

/* ---- memcontrol.c: the rest of what other files call --------------------------- */
void memcg_memory_event(struct mem_cgroup *memcg, enum memcg_memory_event event);
void mod_memcg_state(struct mem_cgroup *memcg, int idx, long val);
void mod_memcg_lruvec_state(struct mem_cgroup *memcg, int nid, enum node_stat_item idx, long val);
void count_memcg_events(struct mem_cgroup *memcg, enum vm_event_item idx, unsigned long count);
unsigned long memcg_page_state(struct mem_cgroup *memcg, int idx);
unsigned long memcg_page_state_local(struct mem_cgroup *memcg, int idx);
unsigned long memcg_events(struct mem_cgroup *memcg, enum vm_event_item idx);
unsigned long memcg_lruvec_state(struct mem_cgroup *memcg, int nid, enum node_stat_item idx);
unsigned long mem_cgroup_margin(struct mem_cgroup *memcg);
unsigned long mem_cgroup_size(struct mem_cgroup *memcg);
int try_charge_memcg(struct mem_cgroup *memcg, pf_gfp_t gfp_mask, unsigned int nr_pages);
void mem_cgroup_cancel_charge(struct mem_cgroup *memcg, unsigned int nr_pages);
void mem_cgroup_handle_over_high(pf_gfp_t gfp_mask);
unsigned long calculate_high_delay(struct mem_cgroup *memcg, unsigned int nr_pages, uint64_t max_overage);
uint64_t calculate_overage(unsigned long usage, unsigned long high);
void drain_all_stock(struct mem_cgroup *root_memcg);
struct mem_cgroup *mem_cgroup_iter(struct mem_cgroup *root, struct mem_cgroup *prev, bool shared, int nid);
void mem_cgroup_iter_break(struct mem_cgroup *root, struct mem_cgroup *prev);
void mem_cgroup_calculate_protection(struct mem_cgroup *root, struct mem_cgroup *memcg);
void mem_cgroup_protection(struct mem_cgroup *root, struct mem_cgroup *memcg, unsigned long *min,
			   unsigned long *low);
bool mem_cgroup_below_low(struct mem_cgroup *target, struct mem_cgroup *memcg);
bool mem_cgroup_online(struct mem_cgroup *memcg);
bool mem_cgroup_below_min(struct mem_cgroup *target, struct mem_cgroup *memcg);
struct mem_cgroup *get_mem_cgroup_from_current(struct pf_machine *m);
struct mem_cgroup *mem_cgroup_get_oom_group(struct mem_cgroup *victim_memcg, struct mem_cgroup *oom_domain);
int mem_cgroup_path(struct mem_cgroup *memcg, char *buf, size_t len);
unsigned long mem_cgroup_get_max(struct mem_cgroup *memcg);
void mem_cgroup_print_oom_meminfo(struct mem_cgroup *memcg);
/* LRU pages (swap.c, vmscan.c): charged while an owner keeps them on the LRU */
int mem_cgroup_charge_lru(struct pf_machine *m, struct pf_page *page, bool anon);
void mem_cgroup_uncharge_lru(struct pf_page *page, bool anon);
struct lruvec *memcg_lruvec(struct mem_cgroup *memcg, int nid);
/*
 * The test hook for memory.high's throttling sleep (white-box tests
 * record the penalty instead of sleeping); NULL sleeps for real.
 */
extern void (*memcg_high_sleep_hook)(unsigned long penalty_jiffies);

#endif /* PF_MM_MEMCONTROL_H */
