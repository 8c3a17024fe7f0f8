/* SPDX-License-Identifier: MIT */
/*
 * vmscan.h - the LRU, reclaim, swap and kswapd between their files
 * (vmscan.c, swap.c, workingset.c, swapfile.c) and their callers (the
 * allocation slow path in page_alloc.c, memcontrol.c, shrinker.c's
 * drop_caches), as include/linux/swap.h and mm/internal.h of Linux 6.12
 * declare them.  Classic LRU only (no MGLRU).
 */
#ifndef PF_MM_VMSCAN_H
#define PF_MM_VMSCAN_H

#include "internal.h"
#include "sched.h"

#define DEF_PRIORITY		12	/* scan size >> priority: 1/4096 of a list first */
#define SWAP_CLUSTER_MAX	32UL
#define MAX_SWAPPINESS		200

/* pgdat->flags bits (enum pgdat_flags) */
enum pgdat_flags {
	PGDAT_DIRTY,		/* reclaim met many dirty file pages at the tail of the LRU */
	PGDAT_WRITEBACK,	/* reclaim met many pages under writeback */
	PGDAT_RECLAIM_LOCKED,	/* one node_reclaim at a time */
};

/* node_reclaim_mode bits (mm/internal.h / uapi mempolicy.h) */
#define RECLAIM_ZONE	(1 << 0)	/* run node_reclaim at all */
#define RECLAIM_WRITE	(1 << 1)	/* write out dirty pages during it */
#define RECLAIM_UNMAP	(1 << 2)	/* unmap (swap) pages during it */
/* node_reclaim's answers (mm/internal.h) */
#define NODE_RECLAIM_NOSCAN	-2
#define NODE_RECLAIM_FULL	-1
#define NODE_RECLAIM_SOME	0
#define NODE_RECLAIM_SUCCESS	1

/* ---- the LRU (swap.c, include/linux/mm_inline.h) ----------------------------------- */

/*
 * mem_cgroup_lruvec (include/linux/memcontrol.h, 6.12): the lruvec of
 * @memcg on @pgdat.  For now every memcg (and NULL) gets the node's own
 * lruvec; the memory controller gives each cgroup its own here.
 */
struct lruvec *mem_cgroup_lruvec(struct mem_cgroup *memcg, struct pglist_data *pgdat);
/* folio_lruvec: the lruvec @page is (or would be) on */
struct lruvec *page_lruvec(struct pf_page *page);
static inline struct pglist_data *lruvec_pgdat(struct lruvec *lruvec)
{
	return lruvec->pgdat;
}
void lruvec_init(struct lruvec *lruvec, struct pglist_data *pgdat, struct mem_cgroup *memcg);

/* folio_is_file_lru: file pages are the ones without PG_swapbacked */
static inline bool page_is_file_lru(const struct pf_page *page)
{
	return !PageSwapBacked(page);
}
/* folio_lru_list: the list a page belongs on by its flags */
static inline enum lru_list page_lru_list(const struct pf_page *page)
{
	if (PageUnevictable(page))
		return LRU_UNEVICTABLE;
	return (enum lru_list)((page_is_file_lru(page) ? LRU_FILE : LRU_BASE) + (PageActive(page) ? LRU_ACTIVE : 0));
}
/* lruvec_add_folio / lruvec_add_folio_tail / lruvec_del_folio; Context: lru_lock held */
void lruvec_add_page(struct lruvec *lruvec, struct pf_page *page);
void lruvec_add_page_tail(struct lruvec *lruvec, struct pf_page *page);
void lruvec_del_page(struct lruvec *lruvec, struct pf_page *page);
/* update_lru_size: list @lru of zone @zid changes by @nr pages; Context: lru_lock held */
void update_lru_size(struct lruvec *lruvec, enum lru_list lru, int zid, long nr);
/* node counters (vmstat.h): exact, atomic, never per-CPU */
static inline unsigned long node_page_state(struct pglist_data *pgdat, enum node_stat_item item)
{
	long x = atomic_load_explicit(&pgdat->vm_stat[item], memory_order_relaxed);
	return x < 0 ? 0 : (unsigned long)x;
}
static inline void mod_node_page_state(struct pglist_data *pgdat, enum node_stat_item item, long nr)
{
	atomic_fetch_add_explicit(&pgdat->vm_stat[item], nr, memory_order_relaxed);
}
/* the zone's LRU counters change under lru_lock, not zone->lock: kept exact, without per-CPU diffs */
static inline void mod_zone_lru_state(struct zone *zone, enum zone_stat_item item, long nr)
{
	atomic_fetch_add_explicit(&zone->vm_stat[item], nr, memory_order_relaxed);
}
/* lruvec_page_state: a node counter as the lruvec sees it (the node's own for the root lruvec) */
static inline unsigned long lruvec_page_state(struct lruvec *lruvec, enum node_stat_item idx)
{
	if ((int)idx <= (int)NR_UNEVICTABLE) {
		unsigned long sum = 0;
		for (int zid = 0; zid < MAX_NR_ZONES_LRU; zid++)
			sum += __atomic_load_n(&lruvec->nr_pages[idx][zid], __ATOMIC_RELAXED);
		return sum;
	}
	return node_page_state(lruvec->pgdat, idx);
}
/* lru_note_cost (swap.c): reclaim cost of @nr_io writes and @nr_rotated failures */
void lru_note_cost(struct lruvec *lruvec, bool file, unsigned int nr_io, unsigned int nr_rotated);
/* lru_note_cost_refault (swap.c) */
void lru_note_cost_refault(struct pf_page *page);
/*
 * lru_page_gone (swap.c): reclaim is done with isolated @page whose owner
 * removed it (pf_lru_del) or let it go: clear the LRU state and drop the
 * isolation reference plus @owner_refs references, freeing it at zero.
 */
void lru_page_gone(struct pf_page *page, int owner_refs);

/* ---- workingset.c ---------------------------------------------------------------------- */
unsigned long workingset_eviction(struct pf_page *page);
/* workingset_eviction's shadow without moving the clock: the caller ages it once the page is gone */
unsigned long workingset_eviction_peek(struct pf_page *page);
void workingset_refault(struct pf_page *page, unsigned long shadow);
void workingset_activation(struct pf_page *page);
void workingset_age_nonresident(struct lruvec *lruvec, unsigned long nr_pages);

/* ---- swapfile.c ------------------------------------------------------------------------ */
struct swap_info_struct;
/* get_nr_swap_pages / total_swap_pages */
static inline long get_nr_swap_pages(struct pf_machine *m)
{
	return atomic_load_explicit(&m->nr_swap_pages, memory_order_relaxed);
}
int swap_parse(struct pf_machine *m, const char *arg, char *err, size_t errlen);
int swapfile_init(struct pf_machine *m, char *err, size_t errlen);
void swapfile_release(struct pf_machine *m);
/* folio_alloc_swap: a free slot, 0 when none */
unsigned long get_swap_page(struct pf_machine *m);
/* swap_writepage: @page's contents to @entry's slot, and the shadow kept there */
void swap_writepage(struct pf_page *page, unsigned long entry, unsigned long shadow);
/* put_swap_folio: the slot of a page that was not written after all */
void put_swap_page(struct pf_machine *m, unsigned long entry);

/* ---- vmscan.c --------------------------------------------------------------------------- */
/* struct scan_control (mm/vmscan.c, 6.12) */
struct scan_control {
	unsigned long nr_to_reclaim;	/* how many pages this reclaim wants */
	nodemask_t *nodemask;		/* nodes allowed, NULL: all */
	struct mem_cgroup *target_mem_cgroup;	/* memcg reclaim, NULL: global */
	unsigned long anon_cost;
	unsigned long file_cost;
	unsigned int may_deactivate : 2;
	unsigned int force_deactivate : 1;
	unsigned int skipped_deactivate : 1;
	unsigned int may_writepage : 1;
	unsigned int may_unmap : 1;
	unsigned int may_swap : 1;
	unsigned int proactive : 1;
	unsigned int memcg_low_reclaim : 1;
	unsigned int memcg_low_skipped : 1;
	unsigned int memcg_full_walk : 1;
	unsigned int compaction_ready : 1;
	unsigned int cache_trim_mode : 1;
	unsigned int cache_trim_mode_failed : 1;
	unsigned int no_cache_trim_mode : 1;
	unsigned int file_is_tiny : 1;
	signed char order;
	signed char priority;
	signed char reclaim_idx;
	pf_gfp_t gfp_mask;
	unsigned long nr_scanned;
	unsigned long nr_reclaimed;
	struct {
		unsigned int dirty;
		unsigned int unqueued_dirty;
		unsigned int congested;
		unsigned int writeback;
		unsigned int immediate;
		unsigned int file_taken;
		unsigned int taken;
	} nr;
	struct pf_machine *m;
	int *swappiness;		/* memcg reclaim's override, or NULL */
};

/* struct reclaim_stat (include/linux/vmstat.h, 6.12): what shrink_folio_list met */
struct reclaim_stat {
	unsigned int nr_dirty;
	unsigned int nr_unqueued_dirty;
	unsigned int nr_congested;
	unsigned int nr_writeback;
	unsigned int nr_immediate;
	unsigned int nr_pageout;
	unsigned int nr_activate[ANON_AND_FILE];
	unsigned int nr_ref_keep;
	unsigned int nr_unmap_fail;
	unsigned int nr_lazyfree_fail;
	unsigned int nr_demoted;
};

/* get_scan_count / inactive_is_low (6.12), for tests and the memory controller */
void get_scan_count(struct lruvec *lruvec, struct scan_control *sc, unsigned long *nr);
bool inactive_is_low(struct lruvec *lruvec, enum lru_list inactive_lru);
unsigned long try_to_free_pages(struct pf_machine *m, struct zonelist *zonelist, int order, pf_gfp_t gfp_mask,
				nodemask_t *nodemask);
unsigned long try_to_free_mem_cgroup_pages(struct pf_machine *m, struct mem_cgroup *memcg, unsigned long nr_pages,
					   pf_gfp_t gfp_mask, unsigned int reclaim_options, int *swappiness);
#ifndef MEMCG_RECLAIM_MAY_SWAP	/* memcontrol.h has them too */
#define MEMCG_RECLAIM_MAY_SWAP	(1 << 1)
#define MEMCG_RECLAIM_PROACTIVE	(1 << 2)
#endif
unsigned long zone_reclaimable_pages(struct zone *zone);
/* wakeup_kswapd: ask node's kswapd to balance up to @highest_zoneidx for @order */
void wakeup_kswapd(struct zone *zone, pf_gfp_t gfp_flags, int order, enum zone_type highest_zoneidx);
/* node_reclaim (get_page_from_freelist's, 6.12): NODE_RECLAIM_* */
int node_reclaim(struct pglist_data *pgdat, pf_gfp_t gfp_mask, unsigned int order);
/* drop_pagecache (fs/drop_caches.c, bit 1 of vm.drop_caches): clean unmapped page cache; Return: pages freed */
unsigned long drop_pagecache(struct pf_machine *m);
/* pgdat_balanced / kswapd internals other files may test */
bool pgdat_balanced(struct pglist_data *pgdat, int order, int highest_zoneidx);
void vmscan_init(struct pf_machine *m);
int vmscan_late_init(struct pf_machine *m, char *err, size_t errlen);
int swappiness_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
/* current_is_kswapd (include/linux/swap.h) */
static inline bool current_is_kswapd(void)
{
	return current_task()->flags & PF_KSWAPD;
}

#endif /* PF_MM_VMSCAN_H */
