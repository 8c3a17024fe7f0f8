/* SPDX-License-Identifier: MIT */
/*
 * mmzone.h - nodes, zones, free areas and zonelists, as
 * include/linux/mmzone.h of Linux 6.12 lays them out.
 *
 * Glossary
 *   pglist_data   one NUMA node: its zones, zonelists, memmap and counters.
 *   zone          a pfn range of a node with one addressing limit; owns the
 *                 buddy free lists (free_area) under zone->lock.
 *   free_area     per order: one free list per migratetype and nr_free, the
 *                 number of free blocks of that order.
 *   migratetype   the mobility class of a pageblock (unmovable, movable,
 *                 reclaimable, highatomic, CMA, isolate).
 *   pageblock     2^pageblock_order pages sharing one migratetype.
 *   zonelist      the ordered list of zones an allocation walks.
 *   managed       pages given to the buddy allocator (present - reserved).
 *
 * Nothing here touches the OS.
 */
#ifndef PF_MM_MMZONE_H
#define PF_MM_MMZONE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pageframe/pageframe.h>
#include <pageframe/page.h>
#include "list.h"
#include "../platform/platform.h"
#include "vmstat_items.h"

#define PAGE_SHIFT		PF_PAGE_SHIFT
#define PAGE_SIZE		PF_PAGE_SIZE
#define MAX_PAGE_ORDER		PF_MAX_PAGE_ORDER
#define NR_PAGE_ORDERS		(MAX_PAGE_ORDER + 1)
#define MAX_ORDER_NR_PAGES	(1UL << MAX_PAGE_ORDER)
#define pageblock_order		PF_PAGEBLOCK_ORDER
#define pageblock_nr_pages	(1UL << pageblock_order)
#define PAGE_ALLOC_COSTLY_ORDER	3

#define MAX_NUMNODES		64	/* nodes a machine may describe */
#define NR_CPUS_MAX		1024	/* CPUs a machine may describe */
#define NUMA_NO_NODE		(-1)
#define LOCAL_DISTANCE		10
#define REMOTE_DISTANCE		20

/* enum migratetype (mmzone.h, CONFIG_CMA and CONFIG_MEMORY_ISOLATION on). */
enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,	/* types below this one have their own pcp lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_CMA,
	MIGRATE_ISOLATE,	/* can't allocate from here */
	MIGRATE_TYPES
};

#define is_migrate_cma(mt)		((mt) == MIGRATE_CMA)
#define is_migrate_highatomic(mt)	((mt) == MIGRATE_HIGHATOMIC)
#define is_migrate_isolate(mt)		((mt) == MIGRATE_ISOLATE)
#define is_migrate_movable(mt)		((mt) == MIGRATE_CMA || (mt) == MIGRATE_MOVABLE)

/* migratetype_is_mergeable: isolate, CMA and highatomic blocks never merge with others. */
static inline bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

/* enum zone_type (x86-64: DMA, DMA32, Normal, Movable, Device; no HIGHMEM). */
enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_MOVABLE,
	ZONE_DEVICE,
	__MAX_NR_ZONES
};
#define MAX_NR_ZONES __MAX_NR_ZONES
#define MAX_NR_ZONES_LRU __MAX_NR_ZONES

/* Limits of the low zones on x86-64 (MAX_DMA_PFN, MAX_DMA32_PFN). */
#define MAX_DMA_PFN		((16UL * 1024 * 1024) >> PAGE_SHIFT)
#define MAX_DMA32_PFN		((4UL * 1024 * 1024 * 1024) >> PAGE_SHIFT)

/* reclaim rounds without progress before a node is unreclaimable or the slow path gives up (mmzone.h) */
#define MAX_RECLAIM_RETRIES	16

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	WMARK_PROMO,
	NR_WMARK
};

/* zone->flags bits (enum zone_flags). */
enum zone_flags {
	ZONE_BOOSTED_WATERMARK,
	ZONE_RECLAIM_ACTIVE,
	ZONE_BELOW_HIGH,
};

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;
};

/*
 * struct per_cpu_pages (6.7+ fields): lists for orders 0..PAGE_ALLOC_COSTLY_ORDER
 * per pcp migratetype and two for pageblock order (THP), indexed by
 * order_to_pindex; high moves between high_min and high_max (nr_pcp_high).
 * pageframe's own: the lists are sized for the arena profile (docs/MACHINE.md),
 * which also keeps orders PAGE_ALLOC_COSTLY_ORDER+1..pageblock_order-1 on them;
 * those lists sit between the kernel's low-order and THP lists (pindex
 * MIGRATE_PCPTYPES * order + migratetype for every order below pageblock
 * order), so the kernel profile leaves them empty and its round-robin over
 * the non-empty lists visits them in the kernel's order.
 */
#define NR_PCP_THP		2	/* unmovable and movable THP lists */
#define NR_LOWORDER_PCP_LISTS	(MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))	/* the kernel's */
#define NR_SMALL_PCP_LISTS	(MIGRATE_PCPTYPES * pageblock_order)	/* orders 0..pageblock_order-1 */
#define NR_PCP_LISTS		(NR_SMALL_PCP_LISTS + NR_PCP_THP)

/* Each CPU's pageset on its own cache lines, as the kernel's per-CPU areas are. */
#define PF_CACHELINE 64

struct per_cpu_pages {
	_Alignas(PF_CACHELINE) pf_spinlock_t lock;	/* guards the lists and counts below (pcp_spin_trylock says how it is taken) */
	int remote_pending;	/* a non-local user wants the lock: local rseq takers back off */
	uint8_t remote_held;	/* the holder took it through the remote protocol */
	pf_spinlock_t remote_lock;	/* serialises non-local users of an rseq-managed pageset */
	int count;		/* pages on all the lists, in base pages */
	int high;		/* a free that brings count to it spills pages back */
	int high_min;		/* the lowest high may be tuned to */
	int high_max;		/* the highest high may be tuned to */
	int batch;		/* pages moved per refill or spill, before scaling */
	uint8_t flags;		/* PCPF_* (page_alloc.c), under the lock */
	uint8_t expire;		/* vmstat steps before a remote node's list is drained (pcp_expire_step) */
	uint8_t alloc_factor;	/* refills shift the batch left by this much */
	short free_count;	/* pages freed since the last allocation */
	struct list_head lists[NR_PCP_LISTS];
	/*
	 * Event counts of this CPU's list in this zone, protected by pcp->lock
	 * (the kernel's per-CPU vm_event_states and per_cpu_zonestats
	 * vm_numa_event, which it updates with preemption off); folded into
	 * the zone's and machine's counters when read.
	 */
	unsigned long ev_pgalloc;
	unsigned long ev_pgfree;
	unsigned long ev_local_hit;	/* the fast path's PGALLOC + NUMA_HIT + NUMA_LOCAL in one count */
	unsigned long ev_numa[NR_VM_NUMA_EVENT_ITEMS];
};

/*
 * struct per_cpu_zonestat (6.12): this CPU's not yet folded changes to the
 * zone's counters, and how far they may drift (vm stats threshold).  The
 * diffs change under zone->lock (every caller of __mod_zone_page_state holds
 * it) and are read without it when folding, hence relaxed atomics.
 */
struct per_cpu_zonestat {
	_Alignas(PF_CACHELINE) signed char vm_stat_diff[NR_VM_ZONE_STAT_ITEMS];
	signed char stat_threshold;
};

struct pglist_data;
struct mem_cgroup;

/*
 * The LRU lists (enum lru_list, mmzone.h, 6.12's classic LRU): inactive
 * and active lists of anonymous and of file pages, and the unevictable
 * list.  The order is the kernel's: LRU_FILE and LRU_ACTIVE are offsets.
 */
#define LRU_BASE	0
#define LRU_ACTIVE	1
#define LRU_FILE	2
enum lru_list {
	LRU_INACTIVE_ANON = LRU_BASE,
	LRU_ACTIVE_ANON = LRU_BASE + LRU_ACTIVE,
	LRU_INACTIVE_FILE = LRU_BASE + LRU_FILE,
	LRU_ACTIVE_FILE = LRU_BASE + LRU_FILE + LRU_ACTIVE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};
#define for_each_evictable_lru(lru) for (lru = 0; lru <= LRU_ACTIVE_FILE; lru++)
#define ANON_AND_FILE	2
enum { WORKINGSET_ANON = 0, WORKINGSET_FILE = 1 };

/* lruvec->flags bits (enum lruvec_flags) */
enum lruvec_flags {
	LRUVEC_CGROUP_CONGESTED,
	LRUVEC_NODE_CONGESTED,
};

/*
 * struct lruvec (mmzone.h, 6.12, without MGLRU's lrugen): the LRU lists of
 * one node (pgdat->__lruvec) or, with memory cgroups, of one cgroup on one
 * node.  Pages are linked through page->lru.  Reached only through
 * mem_cgroup_lruvec() (vmscan.h), so a per-cgroup lruvec is that
 * function's change alone.
 *
 * Locking: lru_lock guards the lists, the page counts of each list and
 * zone (nr_pages, mirrored in the zone and node vm_stat counters), the
 * reclaim costs and PG_lru of the pages on the lists; flags and
 * nonresident_age are atomic.
 */
struct lruvec {
	struct list_head lists[NR_LRU_LISTS];
	pf_spinlock_t lru_lock;
	unsigned long anon_cost;	/* pages scanned without success + written, anon (lru_note_cost) */
	unsigned long file_cost;	/* the same for file pages */
	atomic_long nonresident_age;	/* evictions and activations: the workingset clock */
	unsigned long refaults[ANON_AND_FILE];	/* WORKINGSET_ACTIVATE_* at the last reclaim cycle's end */
	unsigned long flags;		/* LRUVEC_* bits, atomic */
	unsigned long nr_pages[NR_LRU_LISTS][MAX_NR_ZONES_LRU];	/* pages per list and zone (lru_zone_size) */
	struct pglist_data *pgdat;	/* lruvec_pgdat */
	struct mem_cgroup *memcg;	/* NULL: the node's own lruvec */
};

/*
 * struct zone - mmzone.h.  Fields above lock are read-mostly; the free
 * lists and nr_free below are protected by zone->lock.
 */
struct zone {
	/* Read-mostly fields */
	unsigned long _watermark[NR_WMARK];	/* min/low/high/promo; read through *_wmark_pages(), which add the boost */
	unsigned long watermark_boost;
	unsigned long nr_reserved_highatomic;	/* protected by zone->lock */
	unsigned long nr_free_highatomic;	/* protected by zone->lock */
	/*
	 * lowmem_reserve[j]: pages of this zone that an allocation allowed to
	 * use the higher zone j must leave free (zone_watermark_ok adds it to
	 * the watermark).  A request that could be served higher up may pin
	 * what it takes, so lower zones keep a share for the requests that
	 * only they can serve.  Sized from lowmem_reserve_ratio by
	 * setup_per_zone_lowmem_reserve (page_alloc.c, 6.12).
	 */
	long lowmem_reserve[MAX_NR_ZONES];
	int node;
	struct pglist_data *zone_pgdat;
	struct per_cpu_pages *per_cpu_pageset;		/* one per CPU of the machine */
	struct per_cpu_zonestat *per_cpu_zonestats;	/* one per CPU of the machine */
	int pageset_high_min;
	int pageset_high_max;
	int pageset_batch;
	unsigned long zone_start_pfn;	/* first pfn of the zone: its start address >> PAGE_SHIFT */
	atomic_long managed_pages;	/* present_pages - reserved_pages */
	unsigned long spanned_pages;	/* zone_end_pfn - zone_start_pfn, holes included */
	unsigned long present_pages;	/* physical pages existing within the zone */
	unsigned long cma_pages;	/* pages of CMA pageblocks (init_cma_reserved_pageblock) */
	unsigned long nr_isolate_pageblock;	/* MIGRATE_ISOLATE pageblocks; zone->lock */
	unsigned long nr_deferred_blocks;	/* deferred_init.c: top-order blocks not written yet; zone->lock */
	unsigned long deferred_pfn;		/* deferred_init.c: no deferred block of the zone below this */
	const char *name;
	int initialized;
	int zone_idx;

	/* Write-intensive fields used from the page allocator (CACHELINE_PADDING(_pad1_) before them) */
	_Alignas(PF_CACHELINE) pf_spinlock_t lock;	/* guards free_area and the buddy state of free pages */
	struct free_area free_area[NR_PAGE_ORDERS];	/* one per order */
	unsigned long flags;		/* ZONE_* bits, set and cleared atomically */

	/*
	 * Compaction state (CONFIG_COMPACTION fields of 6.12's struct zone),
	 * guarded by compact_lock (compaction.c): where the free and migrate
	 * scanners resume, where a full scan starts, and the deferral counts.
	 */
	pf_spinlock_t compact_lock;	/* pageframe's own: one compactor of the zone at a time */
	unsigned long compact_cached_free_pfn;		/* the free scanner resumes below this */
	unsigned long compact_cached_migrate_pfn[2];	/* [0] async, [1] sync migrate scanner resume point */
	unsigned long compact_init_migrate_pfn;	/* first block a reset found worth a migrate scan */
	unsigned long compact_init_free_pfn;		/* last block a reset found worth a free scan */
	unsigned int compact_considered;	/* attempts skipped since the last deferral */
	unsigned int compact_defer_shift;	/* skip up to 1 << this many attempts */
	int compact_order_failed;		/* lowest order that failed since the last success */
	bool compact_blockskip_flush;		/* a full direct run ended: clear skip bits at next reset */

	/* Zone statistics (vm_stat), updated atomically; folded on read (CACHELINE_PADDING(_pad3_)) */
	_Alignas(PF_CACHELINE) atomic_long vm_stat[NR_VM_ZONE_STAT_ITEMS];
	atomic_long vm_numa_event[NR_VM_NUMA_EVENT_ITEMS];
};

static inline unsigned long zone_end_pfn(const struct zone *zone)
{
	return zone->zone_start_pfn + zone->spanned_pages;
}

static inline unsigned long zone_managed_pages(const struct zone *zone)
{
	return (unsigned long)atomic_load_explicit(&zone->managed_pages, memory_order_relaxed);
}

static inline bool zone_spans_pfn(const struct zone *zone, unsigned long pfn)
{
	return zone->zone_start_pfn <= pfn && pfn < zone_end_pfn(zone);
}

static inline bool populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

static inline bool managed_zone(const struct zone *zone)
{
	return zone_managed_pages(zone) != 0;
}

static inline bool zone_is_empty(const struct zone *zone)
{
	return zone->spanned_pages == 0;
}

#define wmark_pages(z, i)	((z)->_watermark[i] + __atomic_load_n(&(z)->watermark_boost, __ATOMIC_RELAXED))
#define min_wmark_pages(z)	wmark_pages(z, WMARK_MIN)
#define low_wmark_pages(z)	wmark_pages(z, WMARK_LOW)
#define high_wmark_pages(z)	wmark_pages(z, WMARK_HIGH)
#define promo_wmark_pages(z)	wmark_pages(z, WMARK_PROMO)

/* Zonelists (mmzone.h). */
enum {
	ZONELIST_FALLBACK,	/* every node's zones, nearest first */
	ZONELIST_NOFALLBACK,	/* this node's zones only, for __GFP_THISNODE */
	MAX_ZONELISTS
};

#define MAX_ZONES_PER_ZONELIST (MAX_NUMNODES * MAX_NR_ZONES)

struct zoneref {
	struct zone *zone;	/* the zone this entry stands for */
	int zone_idx;		/* zone_idx(zoneref->zone) */
};

struct zonelist {
	struct zoneref _zonerefs[MAX_ZONES_PER_ZONELIST + 1];
};

/* A node mask: one bit per node of the machine. */
typedef struct {
	unsigned long bits[(MAX_NUMNODES + 63) / 64];
} nodemask_t;

static inline bool node_isset(int nid, const nodemask_t *m)
{
	return (m->bits[nid / 64] >> (nid % 64)) & 1;
}

static inline void node_set(int nid, nodemask_t *m)
{
	m->bits[nid / 64] |= 1UL << (nid % 64);
}

/*
 * struct pglist_data - one node (mmzone.h typedef pg_data_t).
 */
typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	struct zonelist node_zonelists[MAX_ZONELISTS];
	int nr_zones;			/* zones up to the node's highest populated one */
	struct pf_page *node_mem_map;	/* memmap of this node: pfn_to_page(node_start_pfn) */
	unsigned long node_start_pfn;
	unsigned long node_present_pages;	/* pages that exist on the node, holes left out */
	unsigned long node_spanned_pages;	/* pfns from node start to node end, holes counted */
	int node_id;
	unsigned long totalreserve_pages;	/* pages not available to userspace allocations */
	struct pf_machine *machine;
	atomic_long vm_stat[NR_VM_NODE_STAT_ITEMS];

	/*
	 * kcompactd (6.12's CONFIG_COMPACTION node fields), guarded by
	 * kcompactd_lock; the worker itself is compaction.c's.
	 */
	pf_spinlock_t kcompactd_lock;
	int kcompactd_max_order;		/* largest order a wakeup asked for, 0: none */
	enum zone_type kcompactd_highest_zoneidx;	/* lowest highest_zoneidx a wakeup asked for */
	bool proactive_compact_trigger;	/* compaction_proactiveness was written: check now */
	unsigned int kcompactd_sleep_periods;	/* pageframe's own: 500 ms periods left to sleep */
	struct pf_os_worker *kcompactd;	/* the running thread (platform.h), or NULL */

	/*
	 * LRU and kswapd (vmscan.c, 6.12's pglist_data fields).  __lruvec is
	 * the node's LRU lists.  kswapd_lock guards the wakeup request
	 * (kswapd_order, kswapd_highest_zoneidx, kswapd_woken) and the thread
	 * handle; kswapd_failures and flags are atomic.
	 */
	struct lruvec __lruvec;
	pf_spinlock_t kswapd_lock;
	int kswapd_order;		/* largest order a wakeup asked for */
	enum zone_type kswapd_highest_zoneidx;	/* MAX_NR_ZONES: no request */
	bool kswapd_woken;		/* pageframe's own: a wakeup not yet served (the wait queue's wake) */
	bool kswapd_asleep;		/* pageframe's own: kswapd waits in kswapd_try_to_sleep (waitqueue_active) */
	int kswapd_failures;		/* balance_pgdat runs that reclaimed nothing */
	unsigned long flags;		/* PGDAT_* bits (vmscan.h) */
	unsigned long min_unmapped_pages;	/* node_reclaim's floor of page cache (min_unmapped_ratio 1 %) */
	unsigned long min_slab_pages;	/* node_reclaim's floor of reclaimable slab (min_slab_ratio 5 %) */
	struct pf_os_worker *kswapd;	/* the running thread, or NULL (stepped by pf_kswapd_run) */
} pg_data_t;

static inline unsigned long pgdat_end_pfn(const pg_data_t *pgdat)
{
	return pgdat->node_start_pfn + pgdat->node_spanned_pages;
}

#define zone_idx(zone)		((zone)->zone_idx)
#define zone_to_nid(zone)	((zone)->node)

static inline struct zone *zonelist_zone(struct zoneref *zoneref)
{
	return zoneref->zone;
}

static inline int zonelist_zone_idx(struct zoneref *zoneref)
{
	return zoneref->zone_idx;
}

static inline int zonelist_node_idx(struct zoneref *zoneref)
{
	return zone_to_nid(zoneref->zone);
}

/* next_zones_zonelist / first_zones_zonelist (mmzone.c). */
struct zoneref *__next_zones_zonelist(struct zoneref *z, enum zone_type highest_zoneidx,
				      const nodemask_t *nodes);

static inline struct zoneref *next_zones_zonelist(struct zoneref *z, enum zone_type highest_zoneidx,
						  const nodemask_t *nodes)
{
	if (!nodes && zonelist_zone_idx(z) <= (int)highest_zoneidx)
		return z;
	return __next_zones_zonelist(z, highest_zoneidx, nodes);
}

static inline struct zoneref *first_zones_zonelist(struct zonelist *zonelist, enum zone_type highest_zoneidx,
						   const nodemask_t *nodes)
{
	return next_zones_zonelist(zonelist->_zonerefs, highest_zoneidx, nodes);
}

#define for_next_zone_zonelist_nodemask(zone, z, highidx, nodemask)			\
	for (zone = zonelist_zone(z); zone;						\
	     z = next_zones_zonelist(++z, highidx, nodemask), zone = zonelist_zone(z))

#define for_each_zone_zonelist_nodemask(zone, z, zlist, highidx, nodemask)		\
	for (z = first_zones_zonelist(zlist, highidx, nodemask), zone = zonelist_zone(z);	\
	     zone;									\
	     z = next_zones_zonelist(++z, highidx, nodemask), zone = zonelist_zone(z))

/* Pageblock flags (pageblock-flags.h): 3 migratetype bits and the compaction skip bit. */
enum pageblock_bits {
	PB_migrate,
	PB_migrate_end = PB_migrate + 3 - 1,	/* MIGRATE_TYPES fits in three bits */
	PB_migrate_skip,	/* compaction's hint to pass this block over */
	NR_PAGEBLOCK_BITS
};
#define MIGRATETYPE_MASK ((1UL << (PB_migrate_end + 1)) - 1)

#endif /* PF_MM_MMZONE_H */
