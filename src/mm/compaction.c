/* SPDX-License-Identifier: MIT */
/*
 * compaction.c - memory compaction as mm/compaction.c of Linux 6.12 does
 * it: a migrate scanner walks a zone upwards isolating movable pages, a
 * free scanner walks it downwards isolating free blocks, and migrate_pages
 * (migrate.c) moves the former into the latter until the two meet or a
 * block of the wanted order is free.  Also here: the scanners
 * alloc_contig_range uses (isolate_migratepages_range,
 * isolate_freepages_range), the pageblock skip hints and cached scanner
 * positions, deferral after failures, compaction_suitable with the
 * fragmentation index, direct compaction (try_to_compact_pages), the
 * compact_memory / compaction_proactiveness sysctls, and kcompactd with
 * proactive compaction.
 *
 * Functions keep the kernel's names; each names what it differs in.
 * Differences for the whole file:
 *   - The only pages that move are non-LRU movable ones (pf_set_page_movable,
 *     migrate.h): no LRU, no THP or hugetlb, no anonymous or file pages.
 *     So too_many_isolated (LRU counters), lru_add_drain and the LRU half of
 *     isolate_migratepages_block are gone; a pageblock is reset as a
 *     migration source when a sampled page is movable (the kernel samples
 *     PageLRU).
 *   - A movable block may be a non-compound high-order block: its order is
 *     its allocation record's, and it moves as one, like a large folio.
 *   - Capture control as 6.12: a direct compactor is handed the block its
 *     own frees (the drain of its per-CPU lists) merge up to its order.
 *   - One compactor per zone at a time (zone->compact_lock, pageframe's
 *     own) keeps the cached positions and deferral counts consistent without
 *     the kernel's tolerated data races; alloc_contig_range's scanners,
 *     which touch none of that state, do not take it.  Direct compaction
 *     only tries it (a taken zone is COMPACT_CONTENDED, retried by the slow
 *     path): its holder may wait in an owner's callback for a lock the
 *     allocating thread holds.
 *   - No signals, no need_resched: compaction never aborts for them.
 *   - kcompactd is a worker the caller steps (pf_kcompactd_run) or runs as
 *     threads (pf_kcompactd_start); one step stands for one 500 ms
 *     timeout or one wakeup.
 *   - vm.defrag_mode comes from Linux 6.15 (see kcompactd below).
 */
#include "internal.h"
#include "vmscan.h"
#include "migrate.h"
#include "sched.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#define pageblock_start_pfn(pfn)	((pfn) & ~(pageblock_nr_pages - 1))
#define pageblock_end_pfn(pfn)		(pageblock_start_pfn(pfn) + pageblock_nr_pages)
#define pageblock_aligned(pfn)		(((pfn) & (pageblock_nr_pages - 1)) == 0)
#define block_start_pfn(pfn, order)	((pfn) & ~((1UL << (order)) - 1))
#define block_end_pfn(pfn, order)	(((pfn) + (1UL << (order))) & ~((1UL << (order)) - 1))

/* HPAGE_PMD_ORDER of x86-64: the order proactive compaction scores against */
#define COMPACTION_HPAGE_ORDER	9

static inline void count_compact_events(struct pf_machine *m, enum vm_event_item item, long delta)
{
	if (delta)
		__count_vm_events(m, item, delta);
}

/* order -1 is compact_memory's and proactive compaction's: compact everything */
static inline bool is_via_compact_memory(int order)
{
	return order == -1;
}

/* ---- deferral (6.12) ---------------------------------------------------------- */

/*
 * defer_compaction (6.12): compaction of @order failed in @zone, so skip the
 * next 1 << compact_defer_shift attempts at this order or above (the shift
 * grows by one per failure, up to COMPACT_MAX_DEFER_SHIFT).
 * Context: zone->compact_lock (every deferral function below as well).
 */
void defer_compaction(struct zone *zone, int order)
{
	zone->compact_considered = 0;
	zone->compact_defer_shift++;
	if (order < zone->compact_order_failed)
		zone->compact_order_failed = order;
	if (zone->compact_defer_shift > COMPACT_MAX_DEFER_SHIFT)
		zone->compact_defer_shift = COMPACT_MAX_DEFER_SHIFT;
	if (trace_enabled(zone_machine(zone), TRACE_MM_COMPACTION_DEFER_COMPACTION))
		__trace_mm_compaction_defer(zone, TRACE_MM_COMPACTION_DEFER_COMPACTION, order);
}

/* compaction_deferred (6.12): true when this attempt is one to skip. */
bool compaction_deferred(struct zone *zone, int order)
{
	unsigned long defer_limit = 1UL << zone->compact_defer_shift;

	if (order < zone->compact_order_failed)
		return false;
	/* count the attempt; once the limit is reached compaction runs again */
	if (++zone->compact_considered >= defer_limit) {
		zone->compact_considered = (unsigned int)defer_limit;
		return false;
	}
	if (trace_enabled(zone_machine(zone), TRACE_MM_COMPACTION_DEFERRED))
		__trace_mm_compaction_defer(zone, TRACE_MM_COMPACTION_DEFERRED, order);
	return true;
}

/*
 * compaction_defer_reset (6.12): compaction of @order succeeded (or an
 * allocation did, @alloc_success): forget the failures.
 */
void compaction_defer_reset(struct zone *zone, int order, bool alloc_success)
{
	if (alloc_success) {
		zone->compact_considered = 0;
		zone->compact_defer_shift = 0;
	}
	if (order >= zone->compact_order_failed)
		zone->compact_order_failed = order + 1;
	if (trace_enabled(zone_machine(zone), TRACE_MM_COMPACTION_DEFER_RESET))
		__trace_mm_compaction_defer(zone, TRACE_MM_COMPACTION_DEFER_RESET, order);
}

/* compaction_restarting (6.12): the deferral ran its longest course and ended. */
bool compaction_restarting(struct zone *zone, int order)
{
	if (order < zone->compact_order_failed)
		return false;
	return zone->compact_defer_shift == COMPACT_MAX_DEFER_SHIFT &&
	       zone->compact_considered >= 1UL << zone->compact_defer_shift;
}

/* ---- skip hints and cached positions (6.12) ----------------------------------- */

static inline bool isolation_suitable(struct compact_control *cc, struct pf_page *page)
{
	if (cc->ignore_skip_hint)
		return true;
	return !get_pageblock_skip(page);
}

static void reset_cached_positions(struct zone *zone)
{
	zone->compact_cached_migrate_pfn[0] = zone->zone_start_pfn;
	zone->compact_cached_migrate_pfn[1] = zone->zone_start_pfn;
	zone->compact_cached_free_pfn = pageblock_start_pfn(zone_end_pfn(zone) - 1);
}

/*
 * Page tests inside the scanners' __data_race functions, which peek at
 * pages other threads own (the kernel reads them racily too): macros, so
 * they expand inside the uninstrumented caller (page.h's inline accessors
 * are instrumented, and a __data_race caller does not inline them).
 */
#define peek_PageHead(page)		((((page)->flags) >> PG_head) & 1)
#define peek_PageTail(page)		((page)->compound_head & 1)
#define peek_PageCompound(page)		(peek_PageHead(page) || peek_PageTail(page))
#define peek_compound_order(page)	(peek_PageHead(page) ? (unsigned int)((page)[1].flags & 0xff) : 0U)
#define peek_PageBuddy(page)		(((page)->page_type >> 24) == PGTY_buddy)
#define peek_PageIsolated(page)		((((page)->flags) >> PG_isolated) & 1)

/* The order a movable block moves with: its compound order, else its allocation record's. */
static __data_race unsigned int movable_block_order(struct pf_machine *m, const struct pf_page *page)
{
	if (peek_PageHead(page))
		return peek_compound_order(page);
	unsigned int rec = __atomic_load_n(&m->alloc_order[page - m->mem_map], __ATOMIC_RELAXED);
	return rec ? rec - 1 : 0;
}

/*
 * pageblock_skip_persistent (6.12): a compound page of pageblock order or
 * more fills its block, which is no use to either scanner until freed.
 * The page may be changing under us: the compound_head word is read once
 * (a second read could find the tail already cleared, 0, and follow -1),
 * and the head it names is followed only if it is a struct page of @m (the
 * word is a list link, or the owner's, while the page is not a tail).
 */
static __data_race bool pageblock_skip_persistent(struct pf_machine *m, struct pf_page *page)
{
	unsigned long head = __atomic_load_n(&page->compound_head, __ATOMIC_RELAXED);

	if (head & 1)
		page = (struct pf_page *)(head - 1);
	else if (!peek_PageHead(page))
		return false;
	/* the head and its first tail (which holds the order) are both in the memmap */
	if (!pf_page_in_memmap(m, page) || ((uintptr_t)page - (uintptr_t)m->mem_map) % sizeof(struct pf_page) ||
	    (unsigned long)(page - m->mem_map) + 1 >= m->memmap_pfns)
		return false;
	return peek_compound_order(page) >= pageblock_order;
}

/*
 * page_zone_id of a page others may be changing (allocating, locking,
 * freeing): its zone bits never change, the rest of the flags word is
 * peeked at as the kernel's data_race() reads do.  Out of ThreadSanitizer's
 * view (internal.h's page_zone_id is instrumented, and a __data_race caller
 * does not inline it).
 */
static inline __data_race int page_zone_id_peek(const struct pf_page *page)
{
	return (int)(page->flags >> PF_ZONES_PGSHIFT);
}

/*
 * pageblock_pfn_to_page (6.12): the first page of [start_pfn, end_pfn) when
 * both ends exist and lie in @zone, else NULL.
 */
static __data_race struct pf_page *pageblock_pfn_to_page(unsigned long start_pfn, unsigned long end_pfn, struct zone *zone)
{
	struct pf_machine *m = zone_machine(zone);

	end_pfn--;
	if (!pfn_valid(m, start_pfn) || !pfn_valid(m, end_pfn))
		return NULL;
	/* the scanners read and isolate these pages: a deferred block is written first (deferred_init.c) */
	if (unlikely(deferred_pfn(m, start_pfn)))
		deferred_init_range(m, start_pfn, start_pfn + 1);
	struct pf_page *start_page = pfn_to_page(m, start_pfn);
	if (page_zone_id_peek(start_page) != page_zone_id_peek(pfn_to_page(m, zone->zone_start_pfn)))
		return NULL;
	if (page_zone_id_peek(pfn_to_page(m, end_pfn)) != page_zone_id_peek(start_page))
		return NULL;
	return start_page;
}

/*
 * __reset_isolation_pfn (6.12): clear the skip hint of the block of @pfn
 * when a sample of its pages (every eighth) finds a possible migration
 * source (a movable page; the kernel looks for PageLRU) or target (a free
 * page).  Return: true when the block was, or now is, clear.
 */
static __data_race bool __reset_isolation_pfn(struct zone *zone, unsigned long pfn, bool check_source,
					      bool check_target)
{
	struct pf_machine *m = zone_machine(zone);
	struct pf_page *page, *end_page;
	unsigned long block_pfn;

	if (!pfn_valid(m, pfn))
		return false;
	/*
	 * An unwritten deferred block (deferred_init.c) is a free top-order
	 * movable block whose hint was never set: a target, never a source.
	 */
	if (deferred_pfn(m, pfn))
		return deferred_pfn_zone(m, pfn) == zone && check_target;
	page = pfn_to_page(m, pfn);
	if (page_zone_id_peek(page) != page_zone_id_peek(pfn_to_page(m, zone->zone_start_pfn)))
		return false;
	if (pageblock_skip_persistent(m, page))
		return false;

	/* both scanners already placed and the hint is clear: nothing to look at */
	if (check_source && check_target && !get_pageblock_skip(page))
		return true;
	/* a free scanner start must be a movable block */
	if (!check_source && check_target && get_pageblock_migratetype(page) != MIGRATE_MOVABLE)
		return false;

	block_pfn = pageblock_start_pfn(pfn);
	if (block_pfn < zone->zone_start_pfn)
		block_pfn = zone->zone_start_pfn;
	if (pfn_valid(m, block_pfn)) {
		page = pfn_to_page(m, block_pfn);
		pfn = block_pfn;
	}
	block_pfn = pageblock_end_pfn(pfn) - 1;
	if (block_pfn > zone_end_pfn(zone) - 1)
		block_pfn = zone_end_pfn(zone) - 1;
	if (!pfn_valid(m, block_pfn))
		return false;
	end_page = pfn_to_page(m, block_pfn);

	do {
		if (check_source && __PageMovable(page)) {
			clear_pageblock_skip(page);
			return true;
		}
		if (check_target && peek_PageBuddy(page)) {
			clear_pageblock_skip(page);
			return true;
		}
		page += 1 << PAGE_ALLOC_COSTLY_ORDER;
	} while (page <= end_page);
	return false;
}

/*
 * __reset_isolation_suitable (6.12): after a full direct compaction ended
 * (compact_blockskip_flush), walk the zone from both ends at once clearing
 * skip hints of blocks that may serve again, and restart the scanners at
 * the outermost such blocks.
 */
static void __reset_isolation_suitable(struct zone *zone)
{
	unsigned long migrate_pfn = zone->zone_start_pfn;
	unsigned long free_pfn = zone_end_pfn(zone) - 1;
	unsigned long reset_migrate = free_pfn;
	unsigned long reset_free = migrate_pfn;
	bool source_set = false;
	bool free_set = false;

	if (!zone->compact_blockskip_flush)
		return;
	zone->compact_blockskip_flush = false;

	for (; migrate_pfn < free_pfn; migrate_pfn += pageblock_nr_pages, free_pfn -= pageblock_nr_pages) {
		if (__reset_isolation_pfn(zone, migrate_pfn, true, source_set) && migrate_pfn < reset_migrate) {
			source_set = true;
			reset_migrate = migrate_pfn;
			zone->compact_init_migrate_pfn = reset_migrate;
			zone->compact_cached_migrate_pfn[0] = reset_migrate;
			zone->compact_cached_migrate_pfn[1] = reset_migrate;
		}
		if (__reset_isolation_pfn(zone, free_pfn, free_set, true) && free_pfn > reset_free) {
			free_set = true;
			reset_free = free_pfn;
			zone->compact_init_free_pfn = reset_free;
			zone->compact_cached_free_pfn = reset_free;
		}
	}
	/* nothing found worth scanning: leave the scanners met */
	if (reset_migrate >= reset_free) {
		zone->compact_cached_migrate_pfn[0] = migrate_pfn;
		zone->compact_cached_migrate_pfn[1] = migrate_pfn;
		zone->compact_cached_free_pfn = free_pfn;
	}
}

/* reset_isolation_suitable (6.12): every populated zone of the node (kswapd calls it before sleeping). */
void reset_isolation_suitable(pg_data_t *pgdat)
{
	for (int zoneid = 0; zoneid < MAX_NR_ZONES; zoneid++) {
		struct zone *zone = &pgdat->node_zones[zoneid];
		if (!populated_zone(zone))
			continue;
		pf_spin_lock(&zone->compact_lock);
		__reset_isolation_suitable(zone);
		pf_spin_unlock(&zone->compact_lock);
	}
}

/* update_cached_migrate (6.12): the migrate scanners resume past the block of @pfn. */
static void update_cached_migrate(struct compact_control *cc, unsigned long pfn)
{
	struct zone *zone = cc->zone;

	if (cc->no_set_skip_hint)
		return;
	pfn = pageblock_end_pfn(pfn);
	if (pfn > zone->compact_cached_migrate_pfn[0])
		zone->compact_cached_migrate_pfn[0] = pfn;
	if (cc->mode != MIGRATE_ASYNC && pfn > zone->compact_cached_migrate_pfn[1])
		zone->compact_cached_migrate_pfn[1] = pfn;
}

/* update_pageblock_skip (6.12): a block the free scanner emptied is skipped, and resumed below. */
static void update_pageblock_skip(struct compact_control *cc, struct pf_page *page, unsigned long pfn)
{
	struct zone *zone = cc->zone;

	if (cc->no_set_skip_hint)
		return;
	set_pageblock_skip(page);
	if (pfn < zone->compact_cached_free_pfn)
		zone->compact_cached_free_pfn = pfn;
}

/* ---- the free scanner (6.12) ----------------------------------------------------- */

/*
 * compact_lock_irqsave (6.12): async compaction tries the lock and records
 * contention before waiting for it; sync waits.  Always true.
 */
static bool compact_lock_irqsave(pf_spinlock_t *lock, struct compact_control *cc)
{
	if (cc->mode == MIGRATE_ASYNC && !cc->contended) {
		if (pf_spin_trylock(lock))
			return true;
		cc->contended = true;
	}
	pf_spin_lock(lock);
	return true;
}

/* compact_unlock_should_abort (6.12) without signals: drop the lock if held; never abort. */
static bool compact_unlock_should_abort(pf_spinlock_t *lock, bool *locked)
{
	if (*locked) {
		pf_spin_unlock(lock);
		*locked = false;
	}
	return false;
}

/*
 * isolate_freepages_block (6.12) - take the free blocks of
 * [*start_pfn, end_pfn) off the buddy lists onto @freelist (by order, each
 * with its order in page->private), looking at every @stride-th pfn.
 * Unless @strict, stop once as many free pages as pages to migrate are held.
 * @strict (alloc_contig_range): every pfn must be free, stride 1, else 0.
 * *start_pfn is left where the scan stopped.  Return: pages isolated.
 */
static __data_race unsigned long isolate_freepages_block(struct compact_control *cc, unsigned long *start_pfn,
							 unsigned long end_pfn, struct list_head *freelist,
							 unsigned int stride, bool strict)
{
	struct pf_machine *m = zone_machine(cc->zone);
	unsigned long nr_scanned = 0, total_isolated = 0;
	unsigned long blockpfn = *start_pfn;
	struct pf_page *page;
	bool locked = false;

	if (strict)
		stride = 1;
	page = pfn_to_page(m, blockpfn);

	for (; blockpfn < end_pfn; blockpfn += stride, page += stride) {
		unsigned long isolated;
		unsigned int order;

		if (!(blockpfn % COMPACT_CLUSTER_MAX) && compact_unlock_should_abort(&cc->zone->lock, &locked))
			break;
		nr_scanned++;

		/* a compound page is passed over whole (a racy order is bounded by the block) */
		if (peek_PageCompound(page)) {
			unsigned int corder = peek_compound_order(page);
			if (corder <= MAX_PAGE_ORDER && blockpfn + (1UL << corder) <= end_pfn) {
				blockpfn += (1UL << corder) - 1;
				page += (1UL << corder) - 1;
				nr_scanned += (1UL << corder) - 1;
			}
			goto isolate_fail;
		}
		if (!peek_PageBuddy(page))
			goto isolate_fail;
		if (!locked) {
			locked = compact_lock_irqsave(&cc->zone->lock, cc);
			/* what was seen unlocked may have changed */
			if (!PageBuddy(page))
				goto isolate_fail;
		}

		order = buddy_order(page);
		isolated = (unsigned long)__isolate_free_page(page, order);
		if (!isolated)
			break;
		set_page_private(page, order);

		nr_scanned += isolated - 1;
		total_isolated += isolated;
		cc->nr_freepages += (unsigned int)isolated;
		list_add_tail(&page->lru, &freelist[order]);

		if (!strict && cc->nr_migratepages <= cc->nr_freepages) {
			blockpfn += isolated;
			break;
		}
		blockpfn += isolated - 1;
		page += isolated - 1;
		continue;

isolate_fail:
		if (strict)
			break;
	}

	if (locked)
		pf_spin_unlock(&cc->zone->lock);
	/* a block bigger than the rest of the range must not carry the scan past it */
	if (unlikely(blockpfn > end_pfn))
		blockpfn = end_pfn;

	if (trace_enabled(m, TRACE_MM_COMPACTION_ISOLATE_FREEPAGES))
		__trace_mm_compaction_isolate(m, TRACE_MM_COMPACTION_ISOLATE_FREEPAGES, *start_pfn, blockpfn,
					      nr_scanned, total_isolated);
	*start_pfn = blockpfn;

	if (strict && blockpfn < end_pfn)
		total_isolated = 0;

	cc->total_free_scanned += nr_scanned;
	count_compact_events(m, COMPACTISOLATED, (long)total_isolated);
	return total_isolated;
}

/*
 * release_free_list (6.12): give every block of @freepages back to the
 * buddy allocator (made an allocated block first, then freed).
 * Return: the highest pfn given back, 0 when none.
 */
static unsigned long release_free_list(struct list_head *freepages)
{
	unsigned long high_pfn = 0;

	for (int order = 0; order < NR_PAGE_ORDERS; order++) {
		while (!list_empty(&freepages[order])) {
			struct pf_page *page = list_first_entry(&freepages[order], struct pf_page, lru);
			unsigned long pfn = page_to_pfn(page);

			list_del(&page->lru);
			mark_allocated(page, (unsigned int)order, PF___GFP_MOVABLE);
			__free_pages(page, (unsigned int)order);
			if (pfn > high_pfn)
				high_pfn = pfn;
		}
	}
	return high_pfn;
}

/*
 * isolate_freepages_range (6.12) - alloc_contig_range's free half: take
 * every page of [start_pfn, end_pfn) off the buddy lists into
 * cc->freepages (which it initialises).  Any pfn that is not free, missing,
 * or outside cc->zone undoes everything and returns 0; else the pfn after
 * the last isolated block (past end_pfn when a free block straddles it).
 */
unsigned long isolate_freepages_range(struct compact_control *cc, unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long isolated, pfn, block_start_pfn, block_end_pfn;

	for (int order = 0; order < NR_PAGE_ORDERS; order++)
		INIT_LIST_HEAD(&cc->freepages[order]);

	pfn = start_pfn;
	block_start_pfn = pageblock_start_pfn(pfn);
	if (block_start_pfn < cc->zone->zone_start_pfn)
		block_start_pfn = cc->zone->zone_start_pfn;
	block_end_pfn = pageblock_end_pfn(pfn);

	for (; pfn < end_pfn; pfn += isolated, block_start_pfn = block_end_pfn, block_end_pfn += pageblock_nr_pages) {
		unsigned long isolate_start_pfn = pfn;

		/* a free block above pageblock order carried pfn past this block */
		if (pfn >= block_end_pfn) {
			block_start_pfn = pageblock_start_pfn(pfn);
			block_end_pfn = pageblock_end_pfn(pfn);
		}
		if (block_end_pfn > end_pfn)
			block_end_pfn = end_pfn;
		if (!pageblock_pfn_to_page(block_start_pfn, block_end_pfn, cc->zone))
			break;
		isolated = isolate_freepages_block(cc, &isolate_start_pfn, block_end_pfn, cc->freepages, 0, true);
		if (!isolated)
			break;
	}

	if (pfn < end_pfn) {
		release_free_list(cc->freepages);
		return 0;
	}
	return pfn;
}

/* ---- the migrate scanner (6.12) -------------------------------------------------- */

/*
 * skip_isolation_on_order (6.12): a block of @order is not worth moving for
 * a @target_order request it is at least as big as (compact_memory aside),
 * nor when it fills a pageblock or more.
 */
static bool skip_isolation_on_order(int order, int target_order)
{
	if (!is_via_compact_memory(target_order) && order >= target_order)
		return true;
	return order >= pageblock_order;
}

/*
 * isolate_migratepages_block (6.12) - isolate the movable pages of
 * [low_pfn, end_pfn), one pageblock at most, onto cc->migratepages;
 * cc->migrate_pfn is left where the scan stopped.
 *
 * Differences: only non-LRU movable pages (isolate_movable_page); an
 * isolated block of order n advances the scan by 2^n, as a large LRU folio
 * does in the kernel; a non-compound block of order n counts as a folio of
 * that order for skip_isolation_on_order.  Return: 0 (the kernel's -EINTR
 * and -ENOMEM cannot happen without signals or hugetlb).
 */
static __data_race int isolate_migratepages_block(struct compact_control *cc, unsigned long low_pfn,
						  unsigned long end_pfn, isolate_mode_t mode)
{
	struct pf_machine *m = zone_machine(cc->zone);
	unsigned long nr_scanned = 0, nr_isolated = 0;
	struct pf_page *page = NULL, *valid_page = NULL;
	unsigned long start_pfn = low_pfn;
	bool skip_on_failure = false;
	unsigned long next_skip_pfn = 0;

	cc->migrate_pfn = low_pfn;

	/* async direct compaction gives up on an order-aligned block at its first failure */
	if (cc->direct_compaction && cc->mode == MIGRATE_ASYNC) {
		skip_on_failure = true;
		next_skip_pfn = block_end_pfn(low_pfn, cc->order);
	}

	for (; low_pfn < end_pfn; low_pfn++) {
		if (skip_on_failure && low_pfn >= next_skip_pfn) {
			/* the previous order-aligned block was fully isolated: migrate it now */
			if (nr_isolated)
				break;
			next_skip_pfn = block_end_pfn(low_pfn, cc->order);
		}

		nr_scanned++;
		page = pfn_to_page(m, low_pfn);

		/* the skip hint is checked once, at the block's first pfn */
		if (!valid_page && (pageblock_aligned(low_pfn) || low_pfn == cc->zone->zone_start_pfn)) {
			if (!isolation_suitable(cc, page)) {
				low_pfn = end_pfn;
				goto isolate_abort;
			}
			valid_page = page;
		}

		/* free: pass the whole buddy block (an order read unlocked is used only if sane) */
		if (peek_PageBuddy(page)) {
			unsigned long freepage_order = page->private;	/* a peek: a plain read (TSan tracks atomics even here) */
			if (freepage_order > 0 && freepage_order <= MAX_PAGE_ORDER) {
				low_pfn += (1UL << freepage_order) - 1;
				nr_scanned += (1UL << freepage_order) - 1;
			}
			continue;
		}

		/* compound pages too big for the target are passed over whole */
		if (peek_PageCompound(page) && !cc->alloc_contig) {
			unsigned int order = peek_compound_order(page);
			if (skip_isolation_on_order((int)order, cc->order)) {
				if (order <= MAX_PAGE_ORDER) {
					low_pfn += (1UL << order) - 1;
					nr_scanned += (1UL << order) - 1;
				}
				goto isolate_fail;
			}
		}

		if (__PageMovable(page) && !peek_PageIsolated(page)) {
			unsigned int order = movable_block_order(m, page);
			unsigned long nr_pages = 1UL << order;

			if (!cc->alloc_contig && !peek_PageHead(page) && order && skip_isolation_on_order((int)order, cc->order))
				goto isolate_fail;
			if (isolate_movable_page(page, mode)) {
				list_add(&page->lru, &cc->migratepages);
				cc->nr_migratepages += (unsigned int)nr_pages;
				nr_isolated += nr_pages;
				nr_scanned += nr_pages - 1;
				low_pfn += nr_pages - 1;
				/* enough for one round unless the block is to be finished */
				if (cc->nr_migratepages >= COMPACT_CLUSTER_MAX && !cc->finish_pageblock && !cc->contended) {
					++low_pfn;
					break;
				}
				continue;
			}
		}

isolate_fail:
		if (!skip_on_failure)
			continue;
		/* this order-aligned block cannot become free: put back what it gave */
		if (nr_isolated) {
			putback_movable_pages(&cc->migratepages);
			cc->nr_migratepages = 0;
			nr_isolated = 0;
		}
		if (low_pfn < next_skip_pfn) {
			low_pfn = next_skip_pfn - 1;
			next_skip_pfn += 1UL << cc->order;
		}
	}

	/* a buddy or movable block may have carried the scan past the range */
	if (unlikely(low_pfn > end_pfn))
		low_pfn = end_pfn;

isolate_abort:
	/* a block scanned to its end and nothing isolated (or finished on purpose) is skipped next time */
	if (low_pfn == end_pfn && (!nr_isolated || cc->finish_pageblock)) {
		if (!cc->no_set_skip_hint && valid_page)
			set_pageblock_skip(valid_page);
		update_cached_migrate(cc, low_pfn);
	}

	if (trace_enabled(m, TRACE_MM_COMPACTION_ISOLATE_MIGRATEPAGES))
		__trace_mm_compaction_isolate(m, TRACE_MM_COMPACTION_ISOLATE_MIGRATEPAGES, start_pfn, low_pfn,
					      nr_scanned, nr_isolated);
	cc->total_migrate_scanned += nr_scanned;
	count_compact_events(m, COMPACTISOLATED, (long)nr_isolated);
	cc->migrate_pfn = low_pfn;
	return 0;
}

/*
 * isolate_migratepages_range (6.12) - alloc_contig_range's migrate half:
 * isolate movable pages of [start_pfn, end_pfn) block by block
 * (ISOLATE_UNEVICTABLE), stopping after COMPACT_CLUSTER_MAX pages;
 * cc->migrate_pfn says where to go on.  Return: 0 or the block's error.
 */
int isolate_migratepages_range(struct compact_control *cc, unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long pfn, block_start_pfn, block_end_pfn;
	int ret = 0;

	pfn = start_pfn;
	block_start_pfn = pageblock_start_pfn(pfn);
	if (block_start_pfn < cc->zone->zone_start_pfn)
		block_start_pfn = cc->zone->zone_start_pfn;
	block_end_pfn = pageblock_end_pfn(pfn);

	for (; pfn < end_pfn; pfn = block_end_pfn, block_start_pfn = block_end_pfn,
	     block_end_pfn += pageblock_nr_pages) {
		if (block_end_pfn > end_pfn)
			block_end_pfn = end_pfn;
		if (!pageblock_pfn_to_page(block_start_pfn, block_end_pfn, cc->zone))
			continue;
		ret = isolate_migratepages_block(cc, pfn, block_end_pfn, ISOLATE_UNEVICTABLE);
		if (ret)
			break;
		if (cc->nr_migratepages >= COMPACT_CLUSTER_MAX)
			break;
	}
	return ret;
}

/* suitable_migration_source (6.12): async direct compaction keeps to blocks of its own mobility. */
static bool suitable_migration_source(struct compact_control *cc, struct pf_page *page)
{
	int block_mt;

	if (pageblock_skip_persistent(zone_machine(cc->zone), page))
		return false;
	if (cc->mode != MIGRATE_ASYNC || !cc->direct_compaction)
		return true;
	block_mt = get_pageblock_migratetype(page);
	if (cc->migratetype == MIGRATE_MOVABLE)
		return is_migrate_movable(block_mt);
	return block_mt == cc->migratetype;
}

/*
 * suitable_migration_target (6.12): a movable or CMA block not starting
 * with a free block of the wanted order (or pageblock order) already.
 */
static __data_race bool suitable_migration_target(struct compact_control *cc, struct pf_page *page)
{
	if (peek_PageBuddy(page)) {
		int order = cc->order > 0 ? cc->order : pageblock_order;
		/* read without zone->lock: at worst a usable block is passed over */
		if (page->private >= (unsigned long)order)	/* a peek */
			return false;
	}
	if (cc->ignore_block_suitable)
		return true;
	return is_migrate_movable(get_pageblock_migratetype(page));
}

/* freelist_scan_limit (6.12): how many free-list entries a fast search looks at, shrinking on failures */
static inline unsigned int freelist_scan_limit(struct compact_control *cc)
{
	unsigned short shift = 63;
	unsigned short fails = cc->fast_search_fail < shift ? cc->fast_search_fail : shift;
	/* SWAP_CLUSTER_MAX is an unsigned long in the kernel: shifts up to 63 are defined */
	return (unsigned int)((unsigned long)COMPACT_CLUSTER_MAX >> fails) + 1;
}

/* compact_scanners_met (6.12): the free scanner reached the migrate scanner's block or below */
static inline bool compact_scanners_met(struct compact_control *cc)
{
	return (cc->free_pfn >> pageblock_order) <= (cc->migrate_pfn >> pageblock_order);
}

/*
 * move_freelist_head / move_freelist_tail (6.12): rotate a free list so the
 * entries a search has passed are looked at last next time (freepage first,
 * resp. last).  Done here by moving the list head within the ring, which is
 * what the kernel's cut-and-splice amounts to.
 */
static void move_freelist_head(struct list_head *freelist, struct pf_page *freepage)
{
	if (freelist->next != &freepage->buddy_list) {
		__list_del(freelist->prev, freelist->next);
		__list_add(freelist, freepage->buddy_list.prev, &freepage->buddy_list);
	}
}

static void move_freelist_tail(struct list_head *freelist, struct pf_page *freepage)
{
	if (freelist->prev != &freepage->buddy_list) {
		__list_del(freelist->prev, freelist->next);
		__list_add(freelist, &freepage->buddy_list, freepage->buddy_list.next);
	}
}

/* fast_isolate_around (6.12): after a fast pick, also take the free pages of its pageblock. */
static void fast_isolate_around(struct compact_control *cc, unsigned long pfn)
{
	unsigned long start_pfn, end_pfn;
	struct pf_page *page;

	if (cc->nr_freepages >= cc->nr_migratepages)
		return;
	if (cc->direct_compaction && cc->mode == MIGRATE_ASYNC)
		return;

	start_pfn = pageblock_start_pfn(pfn);
	if (start_pfn < cc->zone->zone_start_pfn)
		start_pfn = cc->zone->zone_start_pfn;
	end_pfn = pageblock_end_pfn(pfn);
	if (end_pfn > zone_end_pfn(cc->zone))
		end_pfn = zone_end_pfn(cc->zone);

	page = pageblock_pfn_to_page(start_pfn, end_pfn, cc->zone);
	if (!page)
		return;
	isolate_freepages_block(cc, &start_pfn, end_pfn, cc->freepages, 1, false);
	/* full or nearly so: skip it from now on */
	if (start_pfn == end_pfn && !cc->no_set_skip_hint)
		set_pageblock_skip(page);
}

/* next_search_order (6.12): orders below cc->order round-robin; -1 once all were tried. */
static int next_search_order(struct compact_control *cc, int order)
{
	order--;
	if (order < 0)
		order = cc->order - 1;
	if (order == cc->search_order) {
		cc->search_order--;
		if (cc->search_order < 0)
			cc->search_order = (short)(cc->order - 1);
		return -1;
	}
	return order;
}

/*
 * fast_isolate_freepages (6.12) - before a linear free scan, look at the
 * tails of the movable free lists below cc->order for a block in the top
 * quarter of the space between the scanners (top half as a fallback);
 * take it and the free pages of its pageblock.
 */
static void fast_isolate_freepages(struct compact_control *cc)
{
	struct pf_machine *m = zone_machine(cc->zone);
	unsigned int limit = freelist_scan_limit(cc) >> 1;
	unsigned int nr_scanned = 0, total_isolated = 0;
	unsigned long low_pfn, min_pfn, highest = 0;
	unsigned long nr_isolated = 0;
	unsigned long distance;
	struct pf_page *page = NULL;
	bool scan_start = false;
	int order;

	if (limit < 1)
		limit = 1;
	if (cc->order <= 0)
		return;

	/* at the start of a scan search deeper, and keep the highest pfn seen */
	if (cc->free_pfn >= cc->zone->compact_init_free_pfn) {
		limit = pageblock_nr_pages >> 1;
		scan_start = true;
	}

	distance = cc->free_pfn - cc->migrate_pfn;
	low_pfn = pageblock_start_pfn(cc->free_pfn - (distance >> 2));
	min_pfn = pageblock_start_pfn(cc->free_pfn - (distance >> 1));
	if (min_pfn > low_pfn)
		low_pfn = min_pfn;

	cc->search_order = (short)min_t(unsigned int, (unsigned int)(cc->order - 1), (unsigned int)cc->search_order);

	for (order = cc->search_order; !page && order >= 0; order = next_search_order(cc, order)) {
		struct free_area *area = &cc->zone->free_area[order];
		struct list_head *freelist, *pos;
		struct pf_page *freepage = NULL;
		unsigned int order_scanned = 0;
		unsigned long high_pfn = 0;

		if (!__atomic_load_n(&area->nr_free, __ATOMIC_RELAXED))
			continue;

		pf_spin_lock(&cc->zone->lock);
		freelist = &area->free_list[MIGRATE_MOVABLE];
		for (pos = freelist->prev; pos != freelist; pos = pos->prev) {
			unsigned long pfn;

			freepage = list_entry(pos, struct pf_page, buddy_list);
			order_scanned++;
			nr_scanned++;
			pfn = page_to_pfn(freepage);

			if (pfn >= highest) {
				highest = pageblock_start_pfn(pfn);
				if (highest < cc->zone->zone_start_pfn)
					highest = cc->zone->zone_start_pfn;
			}
			if (pfn >= low_pfn) {
				cc->fast_search_fail = 0;
				cc->search_order = (short)order;
				page = freepage;
				break;
			}
			if (pfn >= min_pfn && pfn > high_pfn) {
				high_pfn = pfn;
				/* a candidate shortens the search */
				limit >>= 1;
			}
			if (order_scanned >= limit)
				break;
		}

		if (!page && high_pfn) {
			page = pfn_to_page(m, high_pfn);
			freepage = page;
		}
		/* the kernel rotates at the last entry seen (the list head itself when none) */
		if (freepage)
			move_freelist_head(freelist, freepage);

		if (page) {
			if (__isolate_free_page(page, (unsigned int)order)) {
				set_page_private(page, (unsigned long)order);
				nr_isolated = 1UL << order;
				nr_scanned += (unsigned int)nr_isolated - 1;
				total_isolated += (unsigned int)nr_isolated;
				cc->nr_freepages += (unsigned int)nr_isolated;
				list_add_tail(&page->lru, &cc->freepages[order]);
				count_compact_events(m, COMPACTISOLATED, (long)nr_isolated);
			} else {
				/* the watermark said no: stop searching */
				order = cc->search_order + 1;
				page = NULL;
			}
		}
		pf_spin_unlock(&cc->zone->lock);

		if (cc->nr_freepages >= cc->nr_migratepages)
			break;
		if (order_scanned >= limit) {
			limit >>= 1;
			if (limit < 1)
				limit = 1;
		}
	}

	if (trace_enabled(m, TRACE_MM_COMPACTION_FAST_ISOLATE_FREEPAGES))
		__trace_mm_compaction_isolate(m, TRACE_MM_COMPACTION_FAST_ISOLATE_FREEPAGES, min_pfn, cc->free_pfn,
					      nr_scanned, total_isolated);

	if (!page) {
		cc->fast_search_fail++;
		if (scan_start) {
			/* no preferred block: start the linear scan at the highest one seen, or at min_pfn */
			if (highest >= min_pfn) {
				page = pfn_to_page(m, highest);
				cc->free_pfn = highest;
			} else if (cc->direct_compaction && pfn_valid(m, min_pfn)) {
				unsigned long end = pageblock_end_pfn(min_pfn);
				if (end > zone_end_pfn(cc->zone))
					end = zone_end_pfn(cc->zone);
				page = pageblock_pfn_to_page(min_pfn, end, cc->zone);
				if (page && !suitable_migration_target(cc, page))
					page = NULL;
				cc->free_pfn = min_pfn;
			}
		}
	}

	if (highest && highest >= cc->zone->compact_cached_free_pfn) {
		highest -= pageblock_nr_pages;
		cc->zone->compact_cached_free_pfn = highest;
	}

	cc->total_free_scanned += nr_scanned;
	if (!page)
		return;
	fast_isolate_around(cc, page_to_pfn(page));
}

/*
 * isolate_freepages (6.12) - the free scanner: after a fast search, walk
 * pageblocks down from cc->free_pfn to the migrate scanner's block,
 * isolating free pages from suitable blocks until there are as many as
 * pages to migrate; async scans sample every 32nd pfn until a block gives.
 */
static void isolate_freepages(struct compact_control *cc)
{
	struct zone *zone = cc->zone;
	struct pf_page *page;
	unsigned long block_start_pfn, isolate_start_pfn, block_end_pfn, low_pfn;
	unsigned int stride;

	fast_isolate_freepages(cc);
	if (cc->nr_freepages)
		return;

	isolate_start_pfn = cc->free_pfn;
	block_start_pfn = pageblock_start_pfn(isolate_start_pfn);
	block_end_pfn = block_start_pfn + pageblock_nr_pages;
	if (block_end_pfn > zone_end_pfn(zone))
		block_end_pfn = zone_end_pfn(zone);
	low_pfn = pageblock_end_pfn(cc->migrate_pfn);
	stride = cc->mode == MIGRATE_ASYNC ? COMPACT_CLUSTER_MAX : 1;

	for (; block_start_pfn >= low_pfn; block_end_pfn = block_start_pfn, block_start_pfn -= pageblock_nr_pages,
	     isolate_start_pfn = block_start_pfn) {
		unsigned long nr_isolated;

		page = pageblock_pfn_to_page(block_start_pfn, block_end_pfn, zone);
		if (!page)
			continue;
		if (!suitable_migration_target(cc, page))
			continue;
		if (!isolation_suitable(cc, page))
			continue;

		nr_isolated = isolate_freepages_block(cc, &isolate_start_pfn, block_end_pfn, cc->freepages, stride,
						      false);
		/* scanned to its end: skip the block, resume in the one below */
		if (isolate_start_pfn == block_end_pfn)
			update_pageblock_skip(cc, page, block_start_pfn - pageblock_nr_pages);

		if (cc->nr_freepages >= cc->nr_migratepages) {
			/* the block is done: next time start at the one below */
			if (isolate_start_pfn >= block_end_pfn)
				isolate_start_pfn = block_start_pfn - pageblock_nr_pages;
			break;
		} else if (isolate_start_pfn < block_end_pfn) {
			/* isolation failed early (watermark): stop */
			break;
		}
		if (nr_isolated) {
			stride = 1;
			continue;
		}
		stride = stride << 1 < COMPACT_CLUSTER_MAX ? stride << 1 : COMPACT_CLUSTER_MAX;
	}
	cc->free_pfn = isolate_start_pfn;
}

/*
 * compaction_alloc (6.12) - migrate_pages' destination: a block of the
 * source's order from cc->freepages, split from a larger isolated block
 * when needed (upper halves back on the private lists), the free scanner
 * run once when the lists are empty.  The block becomes an allocated one,
 * compound when the source is.  Return: NULL when no free page is left.
 */
static struct pf_page *compaction_alloc(struct pf_page *src, unsigned long data)
{
	struct compact_control *cc = (struct compact_control *)data;
	unsigned int order = movable_block_order(zone_machine(cc->zone), src);
	bool has_isolated_pages = false;
	unsigned int start_order;
	struct pf_page *freepage;
	unsigned long size;

again:
	for (start_order = order; start_order < NR_PAGE_ORDERS; start_order++)
		if (!list_empty(&cc->freepages[start_order]))
			break;
	if (start_order == NR_PAGE_ORDERS) {
		if (has_isolated_pages)
			return NULL;
		isolate_freepages(cc);
		has_isolated_pages = true;
		goto again;
	}

	freepage = list_first_entry(&cc->freepages[start_order], struct pf_page, lru);
	size = 1UL << start_order;
	list_del(&freepage->lru);
	while (start_order > order) {
		start_order--;
		size >>= 1;
		list_add(&freepage[size].lru, &cc->freepages[start_order]);
		set_page_private(&freepage[size], start_order);
	}

	mark_allocated(freepage, order, PF___GFP_MOVABLE | (PageHead(src) ? PF___GFP_COMP : 0));
	cc->nr_freepages -= 1u << order;
	cc->nr_migratepages -= 1u << order;
	return freepage;
}

/* compaction_free (6.12): a destination migrate_pages did not use goes back on the private list. */
static void compaction_free(struct pf_page *dst, unsigned long data)
{
	struct compact_control *cc = (struct compact_control *)data;
	unsigned int order = movable_block_order(zone_machine(cc->zone), dst);

	if (free_pages_prepare_isolated(dst, order)) {
		list_add(&dst->lru, &cc->freepages[order]);
		cc->nr_freepages += 1u << order;
	}
	cc->nr_migratepages += 1u << order;
}

/* ---- choosing the migration source (6.12) ----------------------------------------- */

typedef enum {
	ISOLATE_ABORT,
	ISOLATE_NONE,
	ISOLATE_SUCCESS,
} isolate_migrate_t;

static inline void update_fast_start_pfn(struct compact_control *cc, unsigned long pfn)
{
	if (cc->fast_start_pfn == ULONG_MAX)
		return;
	if (!cc->fast_start_pfn)
		cc->fast_start_pfn = pfn;
	if (pfn < cc->fast_start_pfn)
		cc->fast_start_pfn = pfn;
}

static inline unsigned long reinit_migrate_pfn(struct compact_control *cc)
{
	if (!cc->fast_start_pfn || cc->fast_start_pfn == ULONG_MAX)
		return cc->migrate_pfn;
	cc->migrate_pfn = cc->fast_start_pfn;
	cc->fast_start_pfn = ULONG_MAX;
	return cc->migrate_pfn;
}

/*
 * fast_find_migrateblock (6.12) - for costly orders of movable (or
 * kcompactd) requests at a block boundary: pick as migration source a
 * block low in the zone that already has a free block of order
 * PAGE_ALLOC_COSTLY_ORDER..cc->order-1 on the movable lists, so fewer pages
 * need moving.  Return: the pfn to scan from.
 */
static unsigned long fast_find_migrateblock(struct compact_control *cc)
{
	unsigned int limit = freelist_scan_limit(cc);
	unsigned int nr_scanned = 0;
	unsigned long distance;
	unsigned long pfn = cc->migrate_pfn;
	unsigned long high_pfn;
	bool found_block = false;

	if (cc->ignore_skip_hint)
		return pfn;
	if (cc->finish_pageblock)
		return pfn;
	/* inside a block: a scan resumed after COMPACT_CLUSTER_MAX pages */
	if (pfn != cc->zone->zone_start_pfn && pfn != pageblock_start_pfn(pfn))
		return pfn;
	if (cc->order <= PAGE_ALLOC_COSTLY_ORDER)
		return pfn;
	if (cc->direct_compaction && cc->migratetype != MIGRATE_MOVABLE)
		return pfn;

	/* first half of the space when starting, first eighth later */
	distance = (cc->free_pfn - cc->migrate_pfn) >> 1;
	if (cc->migrate_pfn != cc->zone->zone_start_pfn)
		distance >>= 2;
	high_pfn = pageblock_start_pfn(cc->migrate_pfn + distance);

	for (int order = cc->order - 1; order >= PAGE_ALLOC_COSTLY_ORDER && !found_block && nr_scanned < limit;
	     order--) {
		struct free_area *area = &cc->zone->free_area[order];
		struct list_head *freelist, *pos;

		if (!__atomic_load_n(&area->nr_free, __ATOMIC_RELAXED))
			continue;

		pf_spin_lock(&cc->zone->lock);
		freelist = &area->free_list[MIGRATE_MOVABLE];
		for (pos = freelist->next; pos != freelist; pos = pos->next) {
			struct pf_page *freepage = list_entry(pos, struct pf_page, buddy_list);
			unsigned long free_pfn;

			if (nr_scanned++ >= limit) {
				move_freelist_tail(freelist, freepage);
				break;
			}
			free_pfn = page_to_pfn(freepage);
			if (free_pfn < high_pfn) {
				if (get_pageblock_skip(freepage))
					continue;
				move_freelist_tail(freelist, freepage);
				update_fast_start_pfn(cc, free_pfn);
				pfn = pageblock_start_pfn(free_pfn);
				if (pfn < cc->zone->zone_start_pfn)
					pfn = cc->zone->zone_start_pfn;
				cc->fast_search_fail = 0;
				found_block = true;
				break;
			}
		}
		pf_spin_unlock(&cc->zone->lock);
	}

	cc->total_migrate_scanned += nr_scanned;
	if (!found_block) {
		cc->fast_search_fail++;
		pfn = reinit_migrate_pfn(cc);
	}
	return pfn;
}

/*
 * isolate_migratepages (6.12) - from the fast pick or cc->migrate_pfn,
 * find the first suitable pageblock below the free scanner and isolate its
 * movable pages.  Return: ISOLATE_SUCCESS when some are isolated,
 * ISOLATE_NONE when none, ISOLATE_ABORT on an isolation error.
 */
static isolate_migrate_t isolate_migratepages(struct compact_control *cc)
{
	struct pf_machine *m = zone_machine(cc->zone);
	unsigned long block_start_pfn, block_end_pfn, low_pfn;
	struct pf_page *page;
	const isolate_mode_t isolate_mode = (m->sysctl_compact_unevictable_allowed ? ISOLATE_UNEVICTABLE : 0) |
					    (cc->mode != MIGRATE_SYNC ? ISOLATE_ASYNC_MIGRATE : 0);
	bool fast_find_block;

	low_pfn = fast_find_migrateblock(cc);
	block_start_pfn = pageblock_start_pfn(low_pfn);
	if (block_start_pfn < cc->zone->zone_start_pfn)
		block_start_pfn = cc->zone->zone_start_pfn;
	/* the fast search already checked the skip hint of its block */
	fast_find_block = low_pfn != cc->migrate_pfn && !cc->fast_search_fail;
	block_end_pfn = pageblock_end_pfn(low_pfn);

	for (; block_end_pfn <= cc->free_pfn; fast_find_block = false, cc->migrate_pfn = low_pfn = block_end_pfn,
	     block_start_pfn = block_end_pfn, block_end_pfn += pageblock_nr_pages) {
		/* an unwritten deferred block is free: nothing to migrate, left unwritten (deferred_init.c) */
		if (unlikely(deferred_pfn(m, block_start_pfn)))
			continue;
		page = pageblock_pfn_to_page(block_start_pfn, block_end_pfn, cc->zone);
		if (!page)
			continue;
		/* the skip hint is looked at once per block, at its start */
		if ((pageblock_aligned(low_pfn) || low_pfn == cc->zone->zone_start_pfn) && !fast_find_block &&
		    !isolation_suitable(cc, page))
			continue;
		if (!suitable_migration_source(cc, page)) {
			update_cached_migrate(cc, block_end_pfn);
			continue;
		}
		if (isolate_migratepages_block(cc, low_pfn, block_end_pfn, isolate_mode))
			return ISOLATE_ABORT;
		break;
	}
	return cc->nr_migratepages ? ISOLATE_SUCCESS : ISOLATE_NONE;
}

/* ---- fragmentation score, proactive compaction (6.12) ---------------------------------- */

/* fragmentation_score_zone (6.12): extfrag_for_order at the huge page order, 0..100 */
unsigned int fragmentation_score_zone(struct zone *zone)
{
	return extfrag_for_order(zone, COMPACTION_HPAGE_ORDER);
}

/* fragmentation_score_zone_weighted (6.12): the zone's score scaled by its share of the node */
static unsigned int fragmentation_score_zone_weighted(struct zone *zone)
{
	unsigned long score = zone->present_pages * fragmentation_score_zone(zone);
	return (unsigned int)(score / (zone->zone_pgdat->node_present_pages + 1));
}

/* fragmentation_score_node (6.12): the weighted scores of the node's populated zones, summed */
unsigned int fragmentation_score_node(pg_data_t *pgdat)
{
	unsigned int score = 0;
	for (int zoneid = 0; zoneid < MAX_NR_ZONES; zoneid++) {
		struct zone *zone = &pgdat->node_zones[zoneid];
		if (!populated_zone(zone))
			continue;
		score += fragmentation_score_zone_weighted(zone);
	}
	return score;
}

/* fragmentation_score_wmark (6.12): low = max(100 - proactiveness, 5); high = min(low + 10, 100) */
unsigned int fragmentation_score_wmark(struct pf_machine *m, bool low)
{
	unsigned int wmark_low = 100U - (unsigned int)m->sysctl_compaction_proactiveness;
	if (wmark_low < 5U)
		wmark_low = 5U;
	return low ? wmark_low : (wmark_low + 10 < 100U ? wmark_low + 10 : 100U);
}

/*
 * should_proactive_compact_node (6.12): proactiveness on and the node's
 * score above the high mark.  (kswapd never runs long enough here to be
 * "running", so that test of the kernel's is always false.)
 */
bool should_proactive_compact_node(pg_data_t *pgdat)
{
	struct pf_machine *m = pgdat->machine;
	if (!m->sysctl_compaction_proactiveness)
		return false;
	return fragmentation_score_node(pgdat) > fragmentation_score_wmark(m, false);
}

/* ---- when to stop, whether to start (6.12) -------------------------------------------- */

/*
 * Free pages in whole free pageblocks, outside isolated ones (6.15's
 * NR_FREE_PAGES_BLOCKS, counted), the deferred blocks included: free movable
 * top-order blocks on no list yet (deferred_init.c).
 */
static unsigned long zone_free_pages_blocks(struct zone *zone)
{
	unsigned long nr = 0;
	pf_spin_lock(&zone->lock);
	nr += zone->nr_deferred_blocks << MAX_PAGE_ORDER;
	for (unsigned int o = pageblock_order; o < NR_PAGE_ORDERS; o++)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct list_head *pos;
			if (is_migrate_isolate(mt))
				continue;
			for (pos = zone->free_area[o].free_list[mt].next; pos != &zone->free_area[o].free_list[mt];
			     pos = pos->next)
				nr += 1UL << o;
		}
	pf_spin_unlock(&zone->lock);
	return nr;
}

static enum compact_result __compact_finished(struct compact_control *cc)
{
	struct pf_machine *m = zone_machine(cc->zone);
	const int migratetype = cc->migratetype;
	enum compact_result ret;

	if (compact_scanners_met(cc)) {
		reset_cached_positions(cc->zone);
		/* only a direct compactor's full pass asks for the skip hints to be flushed */
		if (cc->direct_compaction)
			cc->zone->compact_blockskip_flush = true;
		return cc->whole_zone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED;
	}

	if (cc->proactive_compaction) {
		unsigned int score = fragmentation_score_zone(cc->zone);
		unsigned int wmark_low = fragmentation_score_wmark(m, true);
		ret = score > wmark_low ? COMPACT_CONTINUE : COMPACT_SUCCESS;
		goto out;
	}

	if (is_via_compact_memory(cc->order))
		return COMPACT_CONTINUE;

	/* a pageblock is always finished, to keep fallbacks into it rare */
	if (!pageblock_aligned(cc->migrate_pfn))
		return COMPACT_CONTINUE;

	/*
	 * Linux 6.15, vm.defrag_mode: kcompactd goes on until the high
	 * watermark is met by free pages in whole free pageblocks.
	 */
	if (m->defrag_mode && !cc->direct_compaction) {
		if (__zone_watermark_ok(cc->zone, (unsigned int)cc->order, high_wmark_pages(cc->zone),
					cc->highest_zoneidx, cc->alloc_flags, (long)zone_free_pages_blocks(cc->zone)))
			return COMPACT_SUCCESS;
		return COMPACT_CONTINUE;
	}

	ret = COMPACT_NO_SUITABLE_PAGE;
	for (unsigned int order = (unsigned int)cc->order; order < NR_PAGE_ORDERS; order++) {
		struct free_area *area = &cc->zone->free_area[order];
		bool can_steal;

		if (!list_empty(&area->free_list[migratetype]))
			return COMPACT_SUCCESS;
		if (migratetype == MIGRATE_MOVABLE && !list_empty(&area->free_list[MIGRATE_CMA]))
			return COMPACT_SUCCESS;
		/* a fallback would take it without polluting a new block */
		if (find_suitable_fallback(m, area, order, migratetype, true, &can_steal) != -1)
			return COMPACT_SUCCESS;
	}

out:
	if (cc->contended)
		ret = COMPACT_CONTENDED;
	return ret;
}

/* compact_finished (6.12): __compact_finished, traced, with NO_SUITABLE_PAGE meaning go on */
static enum compact_result compact_finished(struct compact_control *cc)
{
	enum compact_result ret = __compact_finished(cc);
	if (trace_enabled(zone_machine(cc->zone), TRACE_MM_COMPACTION_FINISHED))
		__trace_mm_compaction_suitable(cc->zone, TRACE_MM_COMPACTION_FINISHED, cc->order, (int)ret);
	if (ret == COMPACT_NO_SUITABLE_PAGE)
		ret = COMPACT_CONTINUE;
	return ret;
}

/*
 * __compaction_suitable (6.12): enough order-0 pages above the min mark
 * (the low mark for costly orders) plus compact_gap(order) = 2 << order for
 * the free scanner to isolate targets, counted with ALLOC_CMA and the
 * lowmem reserve of @highest_zoneidx, out of @wmark_target free pages.
 */
bool __compaction_suitable(struct zone *zone, int order, int highest_zoneidx, unsigned long wmark_target)
{
	unsigned long watermark = order > PAGE_ALLOC_COSTLY_ORDER ? low_wmark_pages(zone) : min_wmark_pages(zone);
	watermark += compact_gap((unsigned int)order);
	return __zone_watermark_ok(zone, 0, watermark, highest_zoneidx, ALLOC_CMA, (long)wmark_target);
}

/*
 * compaction_suitable (6.12): __compaction_suitable with NR_FREE_PAGES; for
 * costly orders also a fragmentation index of at least 0 that is not above
 * vm.extfrag_threshold means the failure is lack of memory, not
 * fragmentation, so compaction would not help.
 */
bool compaction_suitable(struct zone *zone, int order, int highest_zoneidx)
{
	struct pf_machine *m = zone_machine(zone);
	enum compact_result compact_result;
	bool suitable;

	suitable = __compaction_suitable(zone, order, highest_zoneidx, (unsigned long)zone_page_state(zone, NR_FREE_PAGES));
	if (suitable) {
		compact_result = COMPACT_CONTINUE;
		if (order > PAGE_ALLOC_COSTLY_ORDER) {
			int fragindex = fragmentation_index(zone, (unsigned int)order);
			if (fragindex >= 0 && fragindex <= m->sysctl_extfrag_threshold) {
				suitable = false;
				compact_result = COMPACT_NOT_SUITABLE_ZONE;
			}
		}
	} else {
		compact_result = COMPACT_SKIPPED;
	}
	if (trace_enabled(m, TRACE_MM_COMPACTION_SUITABLE))
		__trace_mm_compaction_suitable(zone, TRACE_MM_COMPACTION_SUITABLE, order, (int)compact_result);
	return suitable;
}

/*
 * compaction_suit_allocation_order (6.12): SUCCESS when the allocation's own
 * watermark test already passes, SKIPPED when compaction is not suitable,
 * else CONTINUE.  @kcompactd with 6.15's defrag_mode counts only free pages
 * in whole free pageblocks.
 */
static enum compact_result compaction_suit_allocation_order(struct zone *zone, unsigned int order,
							    int highest_zoneidx, unsigned int alloc_flags,
							    bool kcompactd)
{
	unsigned long watermark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);

	if (kcompactd && zone_machine(zone)->defrag_mode) {
		if (__zone_watermark_ok(zone, order, watermark, highest_zoneidx, alloc_flags,
					(long)zone_free_pages_blocks(zone)))
			return COMPACT_SUCCESS;
	} else if (zone_watermark_ok(zone, order, watermark, highest_zoneidx, alloc_flags)) {
		return COMPACT_SUCCESS;
	}
	if (!compaction_suitable(zone, (int)order, highest_zoneidx))
		return COMPACT_SKIPPED;
	return COMPACT_CONTINUE;
}

/* ---- compact_zone (6.12) ----------------------------------------------------------- */

/*
 * compact_zone (6.12) - one compaction run over cc->zone: isolate a
 * batch of movable pages, migrate them into isolated free pages, until
 * compact_finished says stop; then give unused free pages back.
 * The pages freed by migration are drained from this CPU's per-CPU lists
 * (lru_add_drain_cpu_zone's drain_local_pages) when the scanner leaves an
 * order-aligned block, as in the kernel; a direct compactor (@capc set)
 * stops as soon as a free handed it its block.
 * Context: zone->compact_lock held.
 */
enum compact_result compact_zone(struct compact_control *cc, struct capture_control *capc)
{
	struct pf_machine *m = zone_machine(cc->zone);
	enum compact_result ret;
	unsigned long start_pfn = cc->zone->zone_start_pfn;
	unsigned long end_pfn = zone_end_pfn(cc->zone);
	unsigned long last_migrated_pfn;
	const bool sync = cc->mode != MIGRATE_ASYNC;
	bool update_cached;
	unsigned int nr_succeeded = 0, nr_migratepages;

	cc->total_migrate_scanned = 0;
	cc->total_free_scanned = 0;
	cc->nr_migratepages = 0;
	cc->nr_freepages = 0;
	for (int order = 0; order < NR_PAGE_ORDERS; order++)
		INIT_LIST_HEAD(&cc->freepages[order]);
	INIT_LIST_HEAD(&cc->migratepages);

	/* 6.12's gfp_migratetype, which says unmovable while grouping by mobility is off */
	cc->migratetype = alloc_migratetype(m, cc->gfp_mask);

	if (!is_via_compact_memory(cc->order)) {
		ret = compaction_suit_allocation_order(cc->zone, (unsigned int)cc->order, cc->highest_zoneidx,
						       cc->alloc_flags, !cc->direct_compaction && !cc->proactive_compaction);
		if (ret != COMPACT_CONTINUE)
			return ret;
	}

	/* after the longest deferral ran out, start without skip hints */
	if (compaction_restarting(cc->zone, cc->order))
		__reset_isolation_suitable(cc->zone);

	cc->fast_start_pfn = 0;
	if (cc->whole_zone) {
		cc->migrate_pfn = start_pfn;
		cc->free_pfn = pageblock_start_pfn(end_pfn - 1);
	} else {
		cc->migrate_pfn = cc->zone->compact_cached_migrate_pfn[sync];
		cc->free_pfn = cc->zone->compact_cached_free_pfn;
		if (cc->free_pfn < start_pfn || cc->free_pfn >= end_pfn) {
			cc->free_pfn = pageblock_start_pfn(end_pfn - 1);
			cc->zone->compact_cached_free_pfn = cc->free_pfn;
		}
		if (cc->migrate_pfn < start_pfn || cc->migrate_pfn >= end_pfn) {
			cc->migrate_pfn = start_pfn;
			cc->zone->compact_cached_migrate_pfn[0] = cc->migrate_pfn;
			cc->zone->compact_cached_migrate_pfn[1] = cc->migrate_pfn;
		}
		if (cc->migrate_pfn <= cc->zone->compact_init_migrate_pfn)
			cc->whole_zone = true;
	}

	last_migrated_pfn = 0;
	/* async keeps both cached migrate positions together until a block gives pages */
	update_cached = !sync && cc->zone->compact_cached_migrate_pfn[0] == cc->zone->compact_cached_migrate_pfn[1];

	if (trace_enabled(m, TRACE_MM_COMPACTION_BEGIN))
		__trace_mm_compaction_begin_end(cc, TRACE_MM_COMPACTION_BEGIN, start_pfn, end_pfn, sync, 0);

	while ((ret = compact_finished(cc)) == COMPACT_CONTINUE) {
		int err;
		unsigned long iteration_start_pfn = cc->migrate_pfn;

		/* a block revisited right after migrating from it is scanned to its end */
		cc->finish_pageblock = false;
		if (pageblock_start_pfn(last_migrated_pfn) == pageblock_start_pfn(iteration_start_pfn))
			cc->finish_pageblock = true;

rescan:
		switch (isolate_migratepages(cc)) {
		case ISOLATE_ABORT:
			ret = COMPACT_CONTENDED;
			putback_movable_pages(&cc->migratepages);
			cc->nr_migratepages = 0;
			goto out;
		case ISOLATE_NONE:
			if (update_cached)
				cc->zone->compact_cached_migrate_pfn[1] = cc->zone->compact_cached_migrate_pfn[0];
			goto check_drain;
		case ISOLATE_SUCCESS:
			update_cached = false;
			last_migrated_pfn = pageblock_start_pfn(cc->migrate_pfn - 1);
			if (last_migrated_pfn < cc->zone->zone_start_pfn)
				last_migrated_pfn = cc->zone->zone_start_pfn;
		}

		nr_migratepages = cc->nr_migratepages;
		err = migrate_pages(m, &cc->migratepages, compaction_alloc, compaction_free, (unsigned long)cc,
				    (enum migrate_mode)cc->mode, MR_COMPACTION, &nr_succeeded);
		if (trace_enabled(m, TRACE_MM_COMPACTION_MIGRATEPAGES))
			__trace_mm_compaction_migratepages(m, nr_migratepages, nr_succeeded);

		cc->nr_migratepages = 0;
		if (err) {
			putback_movable_pages(&cc->migratepages);
			/* out of targets before the scanners met */
			if (err == -ENOMEM && !compact_scanners_met(cc)) {
				ret = COMPACT_CONTENDED;
				goto out;
			}
			/* a failure inside a block: scan the rest of it once, so it gets its skip hint */
			if (!pageblock_aligned(cc->migrate_pfn) && !cc->ignore_skip_hint && !cc->finish_pageblock &&
			    cc->mode < MIGRATE_SYNC) {
				cc->finish_pageblock = true;
				if (cc->order == COMPACTION_HPAGE_ORDER)
					last_migrated_pfn = 0;
				goto rescan;
			}
		}

		/* a free merged the block this direct compactor wanted: done */
		if (capc && __atomic_load_n(&capc->page, __ATOMIC_RELAXED)) {
			ret = COMPACT_SUCCESS;
			break;
		}

check_drain:
		/* left the order-aligned block migrated from: let its freed pages merge */
		if (cc->order > 0 && last_migrated_pfn) {
			unsigned long current_block_start = block_start_pfn(cc->migrate_pfn, cc->order);
			if (last_migrated_pfn < current_block_start) {
				drain_local_pages(m, cc->zone);
				last_migrated_pfn = 0;
			}
		}
	}

out:
	/* give back unused free pages; the free scanner resumes no lower than the highest */
	if (cc->nr_freepages > 0) {
		unsigned long free_pfn = release_free_list(cc->freepages);

		cc->nr_freepages = 0;
		VM_BUG_ON(free_pfn == 0);
		free_pfn = pageblock_start_pfn(free_pfn);
		if (free_pfn > cc->zone->compact_cached_free_pfn)
			cc->zone->compact_cached_free_pfn = free_pfn;
	}

	count_compact_events(m, COMPACTMIGRATE_SCANNED, (long)cc->total_migrate_scanned);
	count_compact_events(m, COMPACTFREE_SCANNED, (long)cc->total_free_scanned);

	if (trace_enabled(m, TRACE_MM_COMPACTION_END))
		__trace_mm_compaction_begin_end(cc, TRACE_MM_COMPACTION_END, start_pfn, end_pfn, sync, (int)ret);

	VM_BUG_ON(!list_empty(&cc->migratepages));
	return ret;
}

/*
 * compact_zone_order (6.12): a direct compactor's run over one zone, its
 * mode and hint handling from @prio, with a capture control published in
 * the thread's task for its duration: *capture is the block it was handed.
 * Context: zone->compact_lock held.
 */
static enum compact_result compact_zone_order(struct zone *zone, int order, pf_gfp_t gfp_mask,
					      enum compact_priority prio, unsigned int alloc_flags,
					      int highest_zoneidx, struct pf_page **capture)
{
	struct compact_control cc;

	memset(&cc, 0, sizeof cc);
	cc.order = order;
	cc.search_order = (short)order;
	cc.gfp_mask = gfp_mask;
	cc.zone = zone;
	cc.mode = prio == COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC : MIGRATE_SYNC_LIGHT;
	cc.alloc_flags = alloc_flags;
	cc.highest_zoneidx = highest_zoneidx;
	cc.direct_compaction = true;
	cc.whole_zone = prio == MIN_COMPACT_PRIORITY;
	cc.ignore_skip_hint = prio == MIN_COMPACT_PRIORITY;
	cc.ignore_block_suitable = prio == MIN_COMPACT_PRIORITY;

	struct capture_control capc = { .cc = &cc, .page = NULL };
	struct pf_task *t = current_task();
	/* a signal handler of this thread that frees pages may capture from here on */
	__atomic_store_n(&t->capture_control, &capc, __ATOMIC_RELEASE);
	enum compact_result ret = compact_zone(&cc, &capc);
	/* withdraw the claim before reading it, so no later free can slip a block in unseen */
	__atomic_store_n(&t->capture_control, NULL, __ATOMIC_RELEASE);
	*capture = __atomic_load_n(&capc.page, __ATOMIC_ACQUIRE);
	/* a block captured even though compaction ended otherwise still counts as success */
	if (*capture)
		ret = COMPACT_SUCCESS;
	return ret;
}

/*
 * compaction_zonelist_suitable (6.12): would some zone of the request pass
 * __compaction_suitable once reclaim has run?  Only a 1/order share of the
 * reclaimable pages is counted: reclaiming everything for one high-order
 * request would thrash.
 */
bool compaction_zonelist_suitable(struct alloc_context *ac, int order, unsigned int alloc_flags)
{
	struct zone *zone;
	struct zoneref *z;

	(void)alloc_flags;
	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx, ac->nodemask) {
		unsigned long available = zone_reclaimable_pages(zone) / (unsigned long)order;
		available += (unsigned long)zone_page_state_snapshot(zone, NR_FREE_PAGES);
		if (__compaction_suitable(zone, order, ac->highest_zoneidx, available))
			return true;
	}
	return false;
}

/*
 * try_to_compact_pages (6.12) - direct compaction for a failed allocation
 * of @order: each zone of the allocation's zonelist that is not deferred
 * is compacted until one says SUCCESS (its deferral is then reset as
 * "expected to succeed"); sync runs that scanned without success defer.
 * Return: the highest result, *capture the block a zone's run captured.
 * Differences: no cpusets; the kernel's gfp_compaction_allowed is the test
 * for __GFP_IO.  A zone another thread is compacting (its compact_lock
 * taken) is passed over as COMPACT_CONTENDED, never waited for: that
 * compactor may be inside an owner's isolate_page or migrate_page waiting
 * for a lock our caller holds while it allocates (where the kernel, without
 * this lock, would compact the zone beside it).  The slow path then treats
 * the attempt as withdrawn and retries at a higher priority.
 */
enum compact_result try_to_compact_pages(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order,
					 unsigned int alloc_flags, const struct alloc_context *ac,
					 enum compact_priority prio, struct pf_page **capture)
{
	struct zoneref *z;
	struct zone *zone;
	enum compact_result rc = COMPACT_SKIPPED;

	*capture = NULL;
	if (!(gfp_mask & PF___GFP_IO))
		return COMPACT_SKIPPED;
	if (trace_enabled(m, TRACE_MM_COMPACTION_TRY_TO_COMPACT_PAGES))
		__trace_mm_compaction_try_to_compact_pages(m, (int)order, gfp_mask, (int)prio);

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx, ac->nodemask) {
		enum compact_result status;

		if (!pf_spin_trylock(&zone->compact_lock)) {
			if (rc < COMPACT_CONTENDED)
				rc = COMPACT_CONTENDED;
			continue;
		}
		if (prio > MIN_COMPACT_PRIORITY && compaction_deferred(zone, (int)order)) {
			pf_spin_unlock(&zone->compact_lock);
			if (rc < COMPACT_DEFERRED)
				rc = COMPACT_DEFERRED;
			continue;
		}
		status = compact_zone_order(zone, (int)order, gfp_mask, prio, alloc_flags, (int)ac->highest_zoneidx,
					    capture);
		if (status > rc)
			rc = status;
		if (status == COMPACT_SUCCESS) {
			/* likely, not certain: the caller resets with true once it has its page */
			compaction_defer_reset(zone, (int)order, false);
			pf_spin_unlock(&zone->compact_lock);
			break;
		}
		if (prio != COMPACT_PRIO_ASYNC && (status == COMPACT_COMPLETE || status == COMPACT_PARTIAL_SKIPPED))
			defer_compaction(zone, (int)order);
		pf_spin_unlock(&zone->compact_lock);
	}
	return rc;
}

/* ---- compact_memory and the sysctls (6.12) ------------------------------------------------ */

/*
 * compact_node (6.12): every populated zone of the node, whole, ignoring
 * skip hints; proactive runs stop at the low score mark and count as
 * kcompactd's scanning.
 */
int compact_node(pg_data_t *pgdat, bool proactive)
{
	struct pf_machine *m = pgdat->machine;
	struct compact_control cc;

	memset(&cc, 0, sizeof cc);
	cc.order = -1;
	cc.mode = proactive ? MIGRATE_SYNC_LIGHT : MIGRATE_SYNC;
	cc.ignore_skip_hint = true;
	cc.whole_zone = true;
	cc.gfp_mask = PF_GFP_KERNEL;
	cc.proactive_compaction = proactive;

	for (int zoneid = 0; zoneid < MAX_NR_ZONES; zoneid++) {
		struct zone *zone = &pgdat->node_zones[zoneid];
		if (!populated_zone(zone))
			continue;
		cc.zone = zone;
		pf_spin_lock(&zone->compact_lock);
		compact_zone(&cc, NULL);
		pf_spin_unlock(&zone->compact_lock);
		if (proactive) {
			count_compact_events(m, KCOMPACTD_MIGRATE_SCANNED, (long)cc.total_migrate_scanned);
			count_compact_events(m, KCOMPACTD_FREE_SCANNED, (long)cc.total_free_scanned);
		}
	}
	return 0;
}

/* compact_nodes (6.12): compact_memory's work, every node in turn */
int compact_nodes(struct pf_machine *m)
{
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		int ret = compact_node(m->node_data[nid], false);
		if (ret)
			return ret;
	}
	return 0;
}

/* compaction_proactiveness_sysctl_handler (6.12): a write of a non-zero value asks every node's kcompactd to check now. */
int compaction_proactiveness_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table,
					    const char *buffer)
{
	int rc = proc_dointvec_minmax(m, table, buffer);
	if (rc)
		return rc;
	if (m->sysctl_compaction_proactiveness) {
		for (int nid = 0; nid < m->nr_node_ids; nid++) {
			pg_data_t *pgdat = m->node_data[nid];
			struct pf_os_worker *k;

			pf_spin_lock(&pgdat->kcompactd_lock);
			if (pgdat->proactive_compact_trigger) {
				pf_spin_unlock(&pgdat->kcompactd_lock);
				continue;
			}
			pgdat->proactive_compact_trigger = true;
			k = pgdat->kcompactd;
			pf_spin_unlock(&pgdat->kcompactd_lock);
			if (trace_enabled(m, TRACE_MM_COMPACTION_WAKEUP_KCOMPACTD))
				__trace_mm_compaction_kcompactd(m, TRACE_MM_COMPACTION_WAKEUP_KCOMPACTD, nid, -1,
								pgdat->nr_zones - 1);
			if (k)
				pf_os_worker_wake(k);
		}
	}
	return 0;
}

/*
 * sysctl_compaction_handler (6.12): compact_memory takes any integer, but
 * only 1 compacts (every zone of every node); anything else is -EINVAL.
 */
int sysctl_compaction_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	int ret = proc_dointvec_minmax(m, table, buffer);
	if (ret)
		return ret;
	if (m->sysctl_compact_memory != 1)
		return -EINVAL;
	return compact_nodes(m);
}

/* ---- kcompactd (6.12) ------------------------------------------------------------------- */

/*
 * kcompactd as a worker.  The kernel's thread sleeps until woken with work
 * (wakeup_kcompactd recorded an order) or HPAGE_FRAG_CHECK_INTERVAL_MSEC
 * passed, then either compacts for the recorded order (kcompactd_do_work)
 * or, on a timeout or a proactiveness write, runs proactive compaction when
 * the node's fragmentation score is above the high mark; a proactive run
 * that does not lower the score lengthens the next sleep 64 times.
 *
 * Here pf_kcompactd_run is one pass of that loop: a pending wakeup is
 * served, otherwise one 500 ms period is taken to have passed
 * (kcompactd_sleep_periods counts the periods left of a sleep, so a
 * back-off lasts 64 passes).  pf_kcompactd_start runs the same pass in a
 * thread per node with real timeouts.  Nothing else differs.
 *
 * vm.defrag_mode (Linux 6.15, later than the 6.12 we follow): kcompactd
 * judges a zone by the free pages held in whole free pageblocks against
 * the high watermark (kcompactd_node_suitable, compaction_suit_allocation_order,
 * __compact_finished).  6.15's allocator side (fallbacks held back until
 * reclaim and compaction fail) is not built.
 */
static bool kcompactd_work_requested(pg_data_t *pgdat)
{
	return pgdat->kcompactd_max_order > 0 || pgdat->proactive_compact_trigger;
}

/*
 * kcompactd_node_suitable (6.12): some zone up to the wakeup's highest
 * index would gain from compaction.  The request (@order,
 * @highest_zoneidx) is the one the caller read under kcompactd_lock.
 */
static bool kcompactd_node_suitable(pg_data_t *pgdat, int order, enum zone_type highest_zoneidx)
{
	unsigned int alloc_flags = pgdat->machine->defrag_mode ? ALLOC_WMARK_HIGH : ALLOC_WMARK_MIN;

	for (int zoneid = 0; zoneid <= (int)highest_zoneidx; zoneid++) {
		struct zone *zone = &pgdat->node_zones[zoneid];
		if (!populated_zone(zone))
			continue;
		if (compaction_suit_allocation_order(zone, (unsigned int)order, (int)highest_zoneidx, alloc_flags,
						     true) == COMPACT_CONTINUE)
			return true;
	}
	return false;
}

/*
 * kcompactd_do_work (6.12): compact each zone up to the wakeup's highest
 * index for the wakeup's order, skipping deferred and unsuitable zones;
 * success resets deferral, a full failed pass drains the per-CPU lists and
 * defers.  The recorded request is then cleared unless a bigger one came.
 */
static void kcompactd_do_work(pg_data_t *pgdat)
{
	struct pf_machine *m = pgdat->machine;
	struct compact_control cc;

	memset(&cc, 0, sizeof cc);
	pf_spin_lock(&pgdat->kcompactd_lock);
	cc.order = pgdat->kcompactd_max_order;
	cc.highest_zoneidx = (int)pgdat->kcompactd_highest_zoneidx;
	pf_spin_unlock(&pgdat->kcompactd_lock);
	cc.search_order = (short)cc.order;
	cc.mode = MIGRATE_SYNC_LIGHT;
	cc.gfp_mask = PF_GFP_KERNEL;
	if (m->defrag_mode)
		cc.alloc_flags = ALLOC_WMARK_HIGH;

	if (trace_enabled(m, TRACE_MM_COMPACTION_KCOMPACTD_WAKE))
		__trace_mm_compaction_kcompactd(m, TRACE_MM_COMPACTION_KCOMPACTD_WAKE, pgdat->node_id, cc.order,
						cc.highest_zoneidx);
	__count_vm_events(m, KCOMPACTD_WAKE, 1);

	for (int zoneid = 0; zoneid <= cc.highest_zoneidx; zoneid++) {
		struct zone *zone = &pgdat->node_zones[zoneid];
		enum compact_result status;

		if (!populated_zone(zone))
			continue;
		pf_spin_lock(&zone->compact_lock);
		if (compaction_deferred(zone, cc.order)) {
			pf_spin_unlock(&zone->compact_lock);
			continue;
		}
		if (compaction_suit_allocation_order(zone, (unsigned int)cc.order, zoneid,
						     m->defrag_mode ? ALLOC_WMARK_HIGH : ALLOC_WMARK_MIN,
						     true) != COMPACT_CONTINUE) {
			pf_spin_unlock(&zone->compact_lock);
			continue;
		}
		cc.zone = zone;
		status = compact_zone(&cc, NULL);
		if (status == COMPACT_SUCCESS) {
			compaction_defer_reset(zone, cc.order, false);
		} else if (status == COMPACT_PARTIAL_SKIPPED || status == COMPACT_COMPLETE) {
			/* pages stranded on per-CPU lists may complete a block; then defer as sync direct does */
			drain_all_pages(m, zone);
			defer_compaction(zone, cc.order);
		}
		pf_spin_unlock(&zone->compact_lock);
		count_compact_events(m, KCOMPACTD_MIGRATE_SCANNED, (long)cc.total_migrate_scanned);
		count_compact_events(m, KCOMPACTD_FREE_SCANNED, (long)cc.total_free_scanned);
	}

	pf_spin_lock(&pgdat->kcompactd_lock);
	if (pgdat->kcompactd_max_order <= cc.order)
		pgdat->kcompactd_max_order = 0;
	if ((int)pgdat->kcompactd_highest_zoneidx >= cc.highest_zoneidx)
		pgdat->kcompactd_highest_zoneidx = (enum zone_type)(pgdat->nr_zones - 1);
	pf_spin_unlock(&pgdat->kcompactd_lock);
}

/*
 * wakeup_kcompactd (6.12): record a wanted @order (the largest asked for)
 * and @highest_zoneidx (the lowest), and wake kcompactd when compaction
 * would help.  kswapd's call of it is not wired yet (no kswapd).
 * Difference: a stepped worker counts as always waiting.
 */
void wakeup_kcompactd(pg_data_t *pgdat, int order, int highest_zoneidx)
{
	struct pf_machine *m = pgdat->machine;
	struct pf_os_worker *k;
	int req_order;
	enum zone_type req_zoneidx;

	if (!order)
		return;
	pf_spin_lock(&pgdat->kcompactd_lock);
	if (pgdat->kcompactd_max_order < order)
		pgdat->kcompactd_max_order = order;
	if ((int)pgdat->kcompactd_highest_zoneidx > highest_zoneidx)
		pgdat->kcompactd_highest_zoneidx = (enum zone_type)highest_zoneidx;
	/* a kcompactd pass may clear the request meanwhile: judge the one recorded here */
	req_order = pgdat->kcompactd_max_order;
	req_zoneidx = pgdat->kcompactd_highest_zoneidx;
	k = pgdat->kcompactd;
	pf_spin_unlock(&pgdat->kcompactd_lock);

	if (!kcompactd_node_suitable(pgdat, req_order, req_zoneidx))
		return;
	if (trace_enabled(m, TRACE_MM_COMPACTION_WAKEUP_KCOMPACTD))
		__trace_mm_compaction_kcompactd(m, TRACE_MM_COMPACTION_WAKEUP_KCOMPACTD, pgdat->node_id, order,
						highest_zoneidx);
	if (k)
		pf_os_worker_wake(k);
}

/*
 * kcompactd_pass - the body of 6.12's kcompactd() loop after its wait:
 * @timed_out says the sleep ran its full length.  Return: PF_KCOMPACTD_*.
 */
static int kcompactd_pass(pg_data_t *pgdat, bool timed_out)
{
	struct pf_machine *m = pgdat->machine;
	int ret = PF_KCOMPACTD_IDLE;
	bool work, trigger;

	pf_spin_lock(&pgdat->kcompactd_lock);
	work = kcompactd_work_requested(pgdat);
	trigger = pgdat->proactive_compact_trigger;
	pf_spin_unlock(&pgdat->kcompactd_lock);

	if (work && !trigger) {
		kcompactd_do_work(pgdat);
		/* the back-off of an earlier proactive run is dropped */
		pgdat->kcompactd_sleep_periods = 1;
		return PF_KCOMPACTD_WORK;
	}
	if (!trigger && !timed_out)
		return PF_KCOMPACTD_IDLE;

	pgdat->kcompactd_sleep_periods = 1;
	if (should_proactive_compact_node(pgdat)) {
		unsigned int prev_score = fragmentation_score_node(pgdat), score;

		compact_node(pgdat, true);
		score = fragmentation_score_node(pgdat);
		/* no progress: sleep 64 periods before trying again */
		if (unlikely(score >= prev_score))
			pgdat->kcompactd_sleep_periods = 1u << COMPACT_MAX_DEFER_SHIFT;
		ret = PF_KCOMPACTD_PROACTIVE;
	}
	pf_spin_lock(&pgdat->kcompactd_lock);
	pgdat->proactive_compact_trigger = false;
	pf_spin_unlock(&pgdat->kcompactd_lock);
	if (trace_enabled(m, TRACE_MM_COMPACTION_KCOMPACTD_SLEEP))
		__trace_mm_compaction_kcompactd(m, TRACE_MM_COMPACTION_KCOMPACTD_SLEEP, pgdat->node_id, 0, 0);
	return ret;
}

/*
 * kcompactd_init: at boot, compaction's sysctls get 6.12's defaults
 * (proactiveness 20, extfrag_threshold 500, compact_unevictable_allowed 1)
 * and each node the request state kcompactd() gives it when it starts.
 */
void kcompactd_init(struct pf_machine *m)
{
	m->sysctl_compaction_proactiveness = 20;
	m->sysctl_extfrag_threshold = 500;
	m->sysctl_compact_unevictable_allowed = 1;
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		pgdat->kcompactd_max_order = 0;
		pgdat->kcompactd_highest_zoneidx = (enum zone_type)(pgdat->nr_zones - 1);
		pgdat->kcompactd_sleep_periods = 1;
	}
}

int pf_kcompactd_run(struct pf_machine *m, int nid)
{
	if (!m || nid < 0 || nid >= m->nr_node_ids || !m->node_data[nid])
		return -EINVAL;
	pg_data_t *pgdat = m->node_data[nid];
	if (__atomic_load_n(&pgdat->kcompactd, __ATOMIC_ACQUIRE))
		return -EBUSY;
	bool timed_out = false;
	/* without proactiveness the sleep has no timeout (MAX_SCHEDULE_TIMEOUT) */
	if (m->sysctl_compaction_proactiveness && pgdat->kcompactd_sleep_periods && !--pgdat->kcompactd_sleep_periods)
		timed_out = true;
	return kcompactd_pass(pgdat, timed_out);
}

/* kcompactd (6.12): the thread's loop; pf_os_worker_wait is wait_event_freezable_timeout. */
static void kcompactd_thread(void *arg)
{
	pg_data_t *pgdat = arg;
	struct pf_machine *m = pgdat->machine;
	struct pf_os_worker *w;

	/* pf_kcompactd_start holds the lock until the handle is published */
	pf_spin_lock(&pgdat->kcompactd_lock);
	w = pgdat->kcompactd;
	pf_spin_unlock(&pgdat->kcompactd_lock);

	while (!pf_os_worker_should_stop(w)) {
		long timeout_ms = -1;
		bool work;

		if (m->sysctl_compaction_proactiveness)
			timeout_ms = (long)HPAGE_FRAG_CHECK_INTERVAL_MSEC * pgdat->kcompactd_sleep_periods;
		pf_spin_lock(&pgdat->kcompactd_lock);
		work = kcompactd_work_requested(pgdat);
		pf_spin_unlock(&pgdat->kcompactd_lock);
		if (!work && !pf_os_worker_wait(w, timeout_ms) && pf_os_worker_should_stop(w))
			break;
		kcompactd_pass(pgdat, true);
	}
}

int pf_kcompactd_start(struct pf_machine *m)
{
	if (!m)
		return -EINVAL;
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		if (__atomic_load_n(&pgdat->kcompactd, __ATOMIC_ACQUIRE))
			continue;
		/* the thread reads its handle from the node: node_worker_start publishes it first */
		char name[16];
		snprintf(name, sizeof name, "kcompactd%d", nid);
		if (!node_worker_start(&pgdat->kcompactd, &pgdat->kcompactd_lock, kcompactd_thread, pgdat, name)) {
			pf_kcompactd_stop(m);
			return -EAGAIN;
		}
	}
	return 0;
}

void pf_kcompactd_stop(struct pf_machine *m)
{
	if (!m)
		return;
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		if (pgdat)
			node_worker_stop(&pgdat->kcompactd, &pgdat->kcompactd_lock);
	}
}
