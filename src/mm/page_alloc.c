/* SPDX-License-Identifier: MIT */
/*
 * page_alloc.c - the zoned buddy allocator: allocation (fast and slow path),
 * freeing, buddy split and merge, migratetype fallback, watermarks, lowmem
 * reserves and per-CPU list sizing.
 *
 * Follows mm/page_alloc.c of Linux 6.12 LTS (6.12.117, which carries the
 * __rmqueue_claim / __rmqueue_steal rework of mainline 6.15).  Functions keep
 * the kernel's names; each says where it differs.  Differences that hold
 * for the whole file:
 *   - Pagesets are taken without preemption control: by rseq on the local
 *     CPU, by a membarrier protocol from anywhere else (pcp_spin_trylock).
 *   - Fast paths for the pcp orders 0..3 without __GFP_COMP (end of file)
 *     unroll the common case and hand everything else, unchanged, to the
 *     general paths (__alloc_pages; pf_free_pages_checked).
 *   - No reclaim, compaction or OOM killer: the slow path retries with the
 *     reserves gfp allows, then fails (user space has nothing to reclaim).
 *   - No cpusets, memory policies, KASAN, KMSAN.  __GFP_ACCOUNT pages are
 *     charged to memcgs (memcontrol.c) at the end of __alloc_pages.
 *   - Bad frees are refused before anything changes (see __free_pages).
 *
 * It must not call the OS: memory comes from platform.h via mm_init.c.
 */
#include "internal.h"
#include "cpuset.h"
#include "mempolicy.h"
#include "migrate.h"
#include "page_reporting.h"
#include "sched.h"
#include "oom.h"
#include "vmscan.h"

#include <stdlib.h>
#include <limits.h>
#include <string.h>

#define IS_ALIGNED_PFN(x, a) (((x) & ((a) - 1)) == 0)

/* ---- pageblock flags (pageblock-flags.h, page_alloc.c) ---------------------- */

static inline unsigned long *pfn_to_bitidx(struct pf_machine *m, unsigned long pfn, unsigned long *bitidx)
{
	unsigned long idx = (pfn >> pageblock_order) * NR_PAGEBLOCK_BITS;
	*bitidx = idx & 63;
	return &m->pageblock_flags[idx / 64];
}

/* get_pfnblock_migratetype: the migratetype bits of the block holding pfn. */
static inline __attribute__((always_inline)) int __get_pfnblock_migratetype(const struct pf_page *page,
									   unsigned long pfn)
{
	unsigned long bitidx;
	unsigned long *word = pfn_to_bitidx(page_machine(page), pfn, &bitidx);
	unsigned long w = __atomic_load_n(word, __ATOMIC_RELAXED);
	return (int)((w >> bitidx) & MIGRATETYPE_MASK);
}

int get_pfnblock_migratetype(const struct pf_page *page, unsigned long pfn)
{
	return __get_pfnblock_migratetype(page, pfn);
}
/* in this file (the buddy and per-CPU paths read it per page): always the inline body */
#define get_pfnblock_migratetype(page, pfn) __get_pfnblock_migratetype(page, pfn)

/* set_pfnblock_flags_mask with MIGRATETYPE_MASK (atomic read-modify-write as cmpxchg), by pfn alone. */
void set_pfnblock_migratetype(struct pf_machine *m, unsigned long pfn, int migratetype)
{
	unsigned long bitidx;
	/* without grouping by mobility the per-CPU types all become unmovable (6.12) */
	if (unlikely(m->page_group_by_mobility_disabled && migratetype < MIGRATE_PCPTYPES))
		migratetype = MIGRATE_UNMOVABLE;
	unsigned long *word = pfn_to_bitidx(m, pfn, &bitidx);
	unsigned long mask = MIGRATETYPE_MASK << bitidx;
	unsigned long flags = (unsigned long)migratetype << bitidx;
	unsigned long old = __atomic_load_n(word, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(word, &old, (old & ~mask) | flags, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

/*
 * set_pfnblock_migratetype_range - the same for every pageblock of
 * [start_pfn, end_pfn) (pageblock-aligned), whole words of the usemap at
 * a time: boot, before anyone else reads it.
 */
void set_pfnblock_migratetype_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn,
				    int migratetype)
{
	const unsigned long per_word = 64 / NR_PAGEBLOCK_BITS;	/* pageblocks a usemap word holds */
	unsigned long ones = 0;
	for (unsigned long i = 0; i < per_word; i++)
		ones |= 1UL << (i * NR_PAGEBLOCK_BITS);
	unsigned long b = start_pfn >> pageblock_order, e = end_pfn >> pageblock_order;
	if (unlikely(m->page_group_by_mobility_disabled && migratetype < MIGRATE_PCPTYPES))
		migratetype = MIGRATE_UNMOVABLE;
	for (; b < e && b % per_word; b++)
		set_pfnblock_migratetype(m, b << pageblock_order, migratetype);
	for (; b + per_word <= e; b += per_word) {
		unsigned long bitidx, *word = pfn_to_bitidx(m, b << pageblock_order, &bitidx);
		*word = (*word & ~(ones * MIGRATETYPE_MASK)) | ones * (unsigned long)migratetype;
	}
	for (; b < e; b++)
		set_pfnblock_migratetype(m, b << pageblock_order, migratetype);
}

/* set_pageblock_migratetype (6.12) */
void set_pageblock_migratetype(struct pf_page *page, int migratetype)
{
	set_pfnblock_migratetype(page_machine(page), page_to_pfn(page), migratetype);
}

/*
 * The compaction skip hint, PB_migrate_skip (get/set/clear_pageblock_skip,
 * pageblock-flags.h with CONFIG_COMPACTION): a block the scanners found
 * nothing in recently.  Racy by design, as in the kernel: an atomic
 * read-modify-write keeps it from clobbering the migratetype bits.
 */
bool get_pageblock_skip(const struct pf_page *page)
{
	unsigned long bitidx;
	unsigned long *word = pfn_to_bitidx(page_machine(page), page_to_pfn(page), &bitidx);
	return (__atomic_load_n(word, __ATOMIC_RELAXED) >> (bitidx + PB_migrate_skip)) & 1;
}

void set_pageblock_skip(struct pf_page *page)
{
	unsigned long bitidx;
	unsigned long *word = pfn_to_bitidx(page_machine(page), page_to_pfn(page), &bitidx);
	__atomic_fetch_or(word, 1UL << (bitidx + PB_migrate_skip), __ATOMIC_RELAXED);
}

void clear_pageblock_skip(struct pf_page *page)
{
	unsigned long bitidx;
	unsigned long *word = pfn_to_bitidx(page_machine(page), page_to_pfn(page), &bitidx);
	__atomic_fetch_and(word, ~(1UL << (bitidx + PB_migrate_skip)), __ATOMIC_RELAXED);
}

static void change_pageblock_range(struct pf_page *pageblock_page, int start_order, int migratetype)
{
	int nr_pageblocks = 1 << (start_order - pageblock_order);
	while (nr_pageblocks--) {
		set_pageblock_migratetype(pageblock_page, migratetype);
		pageblock_page += pageblock_nr_pages;
	}
}

/* ---- gfp ------------------------------------------------------------------------ */

/*
 * gfp_zone (gfp.h): GFP_ZONE_TABLE with GFP_ZONES_SHIFT 2 (ZONE_DEVICE
 * configured, MAX_NR_ZONES 5).  Bad combinations return -1 here; the
 * kernel's VM_BUG_ON becomes a refused allocation in __alloc_pages.
 */
#define GFP_ZONES_SHIFT 2
#define GFP_ZONE_TABLE ((ZONE_NORMAL << 0 * GFP_ZONES_SHIFT) |						\
			(ZONE_DMA << PF___GFP_DMA * GFP_ZONES_SHIFT) |					\
			(ZONE_NORMAL << PF___GFP_HIGHMEM * GFP_ZONES_SHIFT) |				\
			(ZONE_DMA32 << PF___GFP_DMA32 * GFP_ZONES_SHIFT) |				\
			(ZONE_NORMAL << PF___GFP_MOVABLE * GFP_ZONES_SHIFT) |				\
			(ZONE_DMA << (PF___GFP_MOVABLE | PF___GFP_DMA) * GFP_ZONES_SHIFT) |		\
			(ZONE_MOVABLE << (PF___GFP_MOVABLE | PF___GFP_HIGHMEM) * GFP_ZONES_SHIFT) |	\
			(ZONE_DMA32 << (PF___GFP_MOVABLE | PF___GFP_DMA32) * GFP_ZONES_SHIFT))
#define GFP_ZONE_BAD (1 << (PF___GFP_DMA | PF___GFP_HIGHMEM) | 1 << (PF___GFP_DMA | PF___GFP_DMA32) |		\
		      1 << (PF___GFP_DMA32 | PF___GFP_HIGHMEM) |						\
		      1 << (PF___GFP_DMA | PF___GFP_DMA32 | PF___GFP_HIGHMEM) |					\
		      1 << (PF___GFP_MOVABLE | PF___GFP_HIGHMEM | PF___GFP_DMA) |				\
		      1 << (PF___GFP_MOVABLE | PF___GFP_DMA32 | PF___GFP_DMA) |					\
		      1 << (PF___GFP_MOVABLE | PF___GFP_DMA32 | PF___GFP_HIGHMEM) |				\
		      1 << (PF___GFP_MOVABLE | PF___GFP_DMA32 | PF___GFP_DMA | PF___GFP_HIGHMEM))
_Static_assert(GFP_ZONE_TABLE == 0x1320122, "GFP_ZONE_TABLE of x86-64 with ZONE_DEVICE");

int gfp_zone(pf_gfp_t flags)
{
	unsigned bit = flags & PF_GFP_ZONEMASK;
	if ((GFP_ZONE_BAD >> bit) & 1)
		return -1;
	return (int)((GFP_ZONE_TABLE >> (bit * GFP_ZONES_SHIFT)) & ((1 << GFP_ZONES_SHIFT) - 1));
}

/* gfp_migratetype (gfp.h): mobility bits shifted; both set is refused (-1) here. */
int gfp_migratetype(pf_gfp_t flags)
{
	if ((flags & PF_GFP_MOVABLE_MASK) == PF_GFP_MOVABLE_MASK)
		return -1;
	return (int)((flags & PF_GFP_MOVABLE_MASK) >> PF_GFP_MOVABLE_SHIFT);
}

/* alloc_migratetype (internal.h): gfp_migratetype as a request of a machine without grouping by mobility sees it */

_Static_assert((PF___GFP_MOVABLE >> PF_GFP_MOVABLE_SHIFT) == MIGRATE_MOVABLE, "gfp mobility bits");
_Static_assert((PF___GFP_RECLAIMABLE >> PF_GFP_MOVABLE_SHIFT) == MIGRATE_RECLAIMABLE, "gfp mobility bits");

/* ---- free lists ------------------------------------------------------------------ */

/* The allocation record (pageframe's own): order + 1 at a live block's head. */
static inline void set_alloc_record(struct pf_machine *m, unsigned long pfn, unsigned char v)
{
	__atomic_store_n(&m->alloc_order[pfn], v, __ATOMIC_RELAXED);
}

/*
 * swap_alloc_record - the record at @pfn goes from @from to @to only if it
 * still says @from (compare-and-swap; release: a holder that reads the new
 * record after taking the count from us sees what we wrote before).
 * Return: whether it did.
 */
static inline bool swap_alloc_record(struct pf_machine *m, unsigned long pfn, unsigned char from, unsigned char to)
{
	return __atomic_compare_exchange_n(&m->alloc_order[pfn], &from, to, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

static inline void set_buddy_order(struct pf_page *page, unsigned int order)
{
	set_page_private(page, order);
	__SetPageBuddy(page);
}

/* account_freepages (6.10+): NR_FREE_PAGES, NR_FREE_CMA_PAGES and nr_free_highatomic. */
static inline void account_freepages(struct zone *zone, int nr_pages, int migratetype)
{
	if (is_migrate_isolate(migratetype))
		return;
	__mod_zone_page_state(zone, NR_FREE_PAGES, nr_pages);
	if (is_migrate_cma(migratetype))
		__mod_zone_page_state(zone, NR_FREE_CMA_PAGES, nr_pages);
	else if (is_migrate_highatomic(migratetype))
		__atomic_store_n(&zone->nr_free_highatomic, zone->nr_free_highatomic + (unsigned long)(long)nr_pages,
				 __ATOMIC_RELAXED);
}

static inline void __add_to_free_list(struct pf_page *page, struct zone *zone, unsigned int order,
				      int migratetype, bool tail)
{
	struct free_area *area = &zone->free_area[order];
	VM_BUG_ON_PAGE(get_pageblock_migratetype(page) != migratetype && order < pageblock_order, page);
	if (tail)
		list_add_tail(&page->buddy_list, &area->free_list[migratetype]);
	else
		list_add(&page->buddy_list, &area->free_list[migratetype]);
	__atomic_store_n(&area->nr_free, area->nr_free + 1, __ATOMIC_RELAXED);	/* WRITE_ONCE: read without the lock */
}

/* move_to_free_list: a free block changes list (and accounting) with its block's type. */
static inline void move_to_free_list(struct pf_page *page, struct zone *zone, unsigned int order, int old_mt,
				     int new_mt)
{
	struct free_area *area = &zone->free_area[order];
	/* a top-order block leaves its list: the next deferred block is queued first (deferred_init.c) */
	if (unlikely(order == MAX_PAGE_ORDER) && unlikely(zone->nr_deferred_blocks))
		deferred_refill(zone, page);
	list_move_tail(&page->buddy_list, &area->free_list[new_mt]);
	account_freepages(zone, -(1 << order), old_mt);
	account_freepages(zone, 1 << order, new_mt);
}

static inline void __del_page_from_free_list(struct pf_page *page, struct zone *zone, unsigned int order,
					     int migratetype)
{
	(void)migratetype;
	VM_BUG_ON_PAGE(!PageBuddy(page), page);
	/* a top-order block leaves its list: the next deferred block is queued first (deferred_init.c) */
	if (unlikely(order == MAX_PAGE_ORDER) && unlikely(zone->nr_deferred_blocks))
		deferred_refill(zone, page);
	list_del(&page->buddy_list);
	__ClearPageBuddy(page);
	set_page_private(page, 0);
	/* a reported block leaves the lists unreported (page_reporting.c); one test of a flags word at hand */
	if (unlikely(page->flags & (1UL << PG_reported)))
		__ClearPageReported(page);
	__atomic_store_n(&zone->free_area[order].nr_free, zone->free_area[order].nr_free - 1, __ATOMIC_RELAXED);
}

static inline void del_page_from_free_list(struct pf_page *page, struct zone *zone, unsigned int order,
					   int migratetype)
{
	__del_page_from_free_list(page, zone, order, migratetype);
	account_freepages(zone, -(1 << order), migratetype);
}

static inline struct pf_page *get_page_from_free_area(struct free_area *area, int migratetype)
{
	return list_first_entry_or_null(&area->free_list[migratetype], struct pf_page, buddy_list);
}

static inline bool free_area_empty(struct free_area *area, int migratetype)
{
	return list_empty(&area->free_list[migratetype]);
}

/* ---- the buddy merge ---------------------------------------------------------------- */

/*
 * page_is_buddy: @buddy is free (or a guard page of debug_pagealloc), of
 * the same order, in the same zone, so @page and @buddy can merge.
 */
static __data_race bool page_is_buddy(struct pf_page *page, struct pf_page *buddy, unsigned int order)
{
	/* Fields read directly (not through helpers) so the whole peek is the data_race() region. */
	if ((buddy->page_type >> 24) != PGTY_buddy &&	/* PageBuddy, or page_is_guard */
	    ((buddy->page_type >> 24) != PGTY_guard || !page_machine(page)->debug_guardpage_enabled))
		return false;
	if (buddy->private != order)			/* buddy_order */
		return false;
	/* same zone (and node): compared last, as the two tests above reject most candidates */
	if ((page->flags >> PF_ZONES_PGSHIFT) != (buddy->flags >> PF_ZONES_PGSHIFT))	/* page_zone_id */
		return false;
	VM_BUG_ON_PAGE(buddy->_refcount != 0, buddy);
	return true;
}

/* find_buddy_page_pfn: the block a 2^order block at pfn would merge with, if free. */
static inline struct pf_page *find_buddy_page_pfn(struct zone *zone, struct pf_page *page, unsigned long pfn,
						  unsigned int order, unsigned long *buddy_pfn)
{
	unsigned long __buddy_pfn = pfn ^ (1UL << order);
	/* the kernel sets *buddy_pfn whether or not the buddy is free: buddy_merge_likely relies on it */
	if (buddy_pfn)
		*buddy_pfn = __buddy_pfn;
	/* memmap_pfns is a multiple of PAGES_PER_SECTION, so a buddy inside a MAX_PAGE_ORDER block is in it */
	VM_BUG_ON(__buddy_pfn >= zone_machine(zone)->memmap_pfns);
	struct pf_page *buddy = page + ((long)__buddy_pfn - (long)pfn);
	if (page_is_buddy(page, buddy, order))
		return buddy;
	return NULL;
}

/*
 * buddy_merge_likely: if the next-higher buddy is free, the merged block is
 * likely to merge again soon, so the freed page goes to the tail of its list
 * where it will be allocated last.
 */
static inline bool buddy_merge_likely(struct zone *zone, unsigned long pfn, unsigned long buddy_pfn,
				      struct pf_page *page, unsigned int order)
{
	if (order >= MAX_PAGE_ORDER - 1)
		return false;
	unsigned long higher_page_pfn = buddy_pfn & pfn;
	struct pf_page *higher_page = page + ((long)higher_page_pfn - (long)pfn);
	return find_buddy_page_pfn(zone, higher_page, higher_page_pfn, order + 1, NULL) != NULL;
}

/*
 * __free_one_page - return a block to the buddy lists, merging with its buddies.
 *
 * The buddy system keeps, for each order, lists of free blocks of 2^order
 * pages aligned to their size.  A block's buddy is the block it was split
 * from: pfn ^ (1 << order).  When a block is freed and its buddy is also
 * free (PageBuddy, with that same order in page->private, in the same
 * zone), the two are taken off the lists and merged into one block of the
 * next order, whose pfn is pfn & buddy_pfn; this repeats until the buddy
 * is in use or MAX_PAGE_ORDER is reached.  At and above pageblock_order
 * the buddy lies in another pageblock: if either block's type must not mix
 * (isolate, CMA, highatomic) merging stops; otherwise the buddy's block is
 * re-typed to the freed block's migratetype.
 * The merged block goes to the head of its list, or to the tail when it is
 * likely to merge again (buddy_merge_likely) or the caller asks
 * (FPI_TO_TAIL, used at boot).
 *
 * Context: zone->lock held.
 */
static inline void __free_one_page_merge(struct pf_page *page, unsigned long pfn, struct zone *zone,
					 unsigned int order, int migratetype, fpi_t fpi_flags);

static void __free_one_page(struct pf_page *page, unsigned long pfn, struct zone *zone, unsigned int order,
			    int migratetype, fpi_t fpi_flags)
{
	account_freepages(zone, 1 << order, migratetype);
	__free_one_page_merge(page, pfn, zone, order, migratetype, fpi_flags);
}

/*
 * task_capc (mm/page_alloc.c, 6.12): the calling thread's capture control
 * when it is a direct compactor of @zone that has no block yet.
 */
static inline struct capture_control *task_capc(struct zone *zone)
{
	struct capture_control *capc = __atomic_load_n(&pf_current_task.capture_control, __ATOMIC_RELAXED);

	if (likely(!capc))
		return NULL;
	return !capc->page && capc->cc->zone == zone ? capc : NULL;
}

/*
 * compaction_capture (6.12): hand a block of the compactor's order to it,
 * unless it is CMA or isolated memory, or a movable block's piece wanted by
 * an unmovable or reclaimable request (no worse than a fallback would do,
 * but no better either).
 */
static inline bool compaction_capture(struct capture_control *capc, struct pf_page *page, unsigned int order,
				      int migratetype)
{
	if (!capc || (int)order != capc->cc->order)
		return false;
	if (is_migrate_cma(migratetype) || is_migrate_isolate(migratetype))
		return false;
	if (order < pageblock_order && migratetype == MIGRATE_MOVABLE && capc->cc->migratetype != MIGRATE_MOVABLE)
		return false;
	__atomic_store_n(&capc->page, page, __ATOMIC_RELEASE);
	return true;
}

/* __free_one_page after its account_freepages (free_pcppages_bulk accounts a run at once). */
static inline void __free_one_page_merge(struct pf_page *page, unsigned long pfn, struct zone *zone,
					 unsigned int order, int migratetype, fpi_t fpi_flags)
{
	unsigned long buddy_pfn = 0;
	unsigned long combined_pfn;
	struct pf_page *buddy;
	bool to_tail;

	struct capture_control *capc = task_capc(zone);

	lockdep_assert_held(&zone->lock);
	VM_BUG_ON(!zone->initialized);
	VM_BUG_ON(migratetype == -1);
	VM_BUG_ON(pfn & ((1UL << order) - 1));
	VM_BUG_ON(!zone_spans_pfn(zone, pfn));

	while (order < MAX_PAGE_ORDER) {
		int buddy_mt = migratetype;

		/* a direct compactor waits for exactly this block: it is not free, it is the compactor's */
		if (unlikely(capc) && compaction_capture(capc, page, order, migratetype)) {
			account_freepages(zone, -(1 << order), migratetype);
			return;
		}

		buddy = find_buddy_page_pfn(zone, page, pfn, order, &buddy_pfn);
		if (!buddy)
			goto done_merging;

		if (unlikely(order >= pageblock_order)) {
			/*
			 * The buddy is a whole other pageblock.  Isolate, CMA and
			 * highatomic blocks keep to themselves: merge two blocks of
			 * different types only when both are ordinary ones.
			 */
			buddy_mt = get_pfnblock_migratetype(buddy, buddy_pfn);
			if (migratetype != buddy_mt &&
			    (!migratetype_is_mergeable(migratetype) || !migratetype_is_mergeable(buddy_mt)))
				goto done_merging;
		}

		/* The buddy is free, or a guard page (free, kept off the lists): the pair is one block of order + 1. */
		if (page_is_guard(zone_machine(zone), buddy)) {
			clear_page_guard(zone_machine(zone), zone, buddy, order);
			account_freepages(zone, 1 << order, migratetype);
		} else {
			__del_page_from_free_list(buddy, zone, order, buddy_mt);
		}

		if (unlikely(buddy_mt != migratetype)) {
			/*
			 * The merged block goes on the freed block's list, so give
			 * the buddy's pageblock that type too: a later split
			 * (expand) then files both halves where their blocks say.
			 */
			set_pageblock_migratetype(buddy, migratetype);
		}

		combined_pfn = buddy_pfn & pfn;
		page = page + ((long)combined_pfn - (long)pfn);
		pfn = combined_pfn;
		order++;
	}

done_merging:
	set_buddy_order(page, order);

	if (fpi_flags & FPI_TO_TAIL)
		to_tail = true;
	else
		to_tail = buddy_merge_likely(zone, pfn, buddy_pfn, page, order);

	__add_to_free_list(page, zone, order, migratetype, to_tail);

	/* a block of page_reporting_order or more asks for a reporting pass (page_reporting.h) */
	if (!(fpi_flags & FPI_SKIP_REPORT_NOTIFY))
		page_reporting_notify_free(zone_machine(zone), order);
}

/*
 * split_large_buddy (6.12): free a block larger than a pageblock one
 * pageblock at a time, each with its own block's migratetype.
 */
static void split_large_buddy(struct zone *zone, struct pf_page *page, unsigned long pfn, int order, fpi_t fpi)
{
	unsigned long end = pfn + (1UL << order);

	VM_BUG_ON(!IS_ALIGNED_PFN(pfn, 1UL << order));
	/* the caller has already taken the block off its list and cleared PageBuddy */
	VM_BUG_ON_PAGE(PageBuddy(page), page);

	if (order > pageblock_order)
		order = pageblock_order;

	do {
		int mt = get_pfnblock_migratetype(page, pfn);
		__free_one_page(page, pfn, zone, (unsigned)order, mt, fpi);
		pfn += 1UL << order;
		if (pfn == end)
			break;
		page = pfn_to_page(page_machine(page), pfn);
	} while (1);
}

/*
 * ZONE_BELOW_HIGH is cleared, as free_unref_page_commit does in 6.12, once a
 * free brings the zone back above its high watermark.
 */
static void clear_below_high(struct zone *zone);

/* free_one_page: Context: takes zone->lock. */
static void free_one_page(struct zone *zone, struct pf_page *page, unsigned long pfn, unsigned int order,
			  fpi_t fpi_flags)
{
	pf_spin_lock(&zone->lock);
	split_large_buddy(zone, page, pfn, (int)order, fpi_flags);
	pf_spin_unlock(&zone->lock);
	__count_vm_events(zone_machine(zone), PGFREE, 1L << order);
	clear_below_high(zone);
}

/* ---- allocation: split ------------------------------------------------------------------ */

/*
 * expand - split a 2^high block down to 2^low, returning the upper halves
 * to the free lists at each step.  Return: pages added to the lists.
 */
static inline unsigned int expand(struct zone *zone, struct pf_page *page, int low, int high, int migratetype)
{
	unsigned int size = 1u << high;
	unsigned int nr_added = 0;

	while (high > low) {
		high--;
		size >>= 1;
		VM_BUG_ON(!zone_spans_pfn(zone, page_to_pfn(&page[size])));
		/* debug_pagealloc: a small enough half stays out as a guard page, unmapped (set_page_guard) */
		if (set_page_guard(zone_machine(zone), zone, &page[size], (unsigned)high))
			continue;
		__add_to_free_list(&page[size], zone, (unsigned)high, migratetype, false);
		set_buddy_order(&page[size], (unsigned)high);
		nr_added += size;
	}
	return nr_added;
}

static inline void page_del_and_expand(struct zone *zone, struct pf_page *page, int low, int high, int migratetype)
{
	int nr_pages = 1 << high;
	__del_page_from_free_list(page, zone, (unsigned)high, migratetype);
	nr_pages -= (int)expand(zone, page, low, high, migratetype);
	account_freepages(zone, -nr_pages, migratetype);
}

static inline bool pcp_allowed_order(const struct pf_machine *m, unsigned int order);

/* __rmqueue_smallest: the smallest free block of the migratetype that fits. Context: zone->lock. */
static inline struct pf_page *__rmqueue_smallest(struct zone *zone, unsigned int order, int migratetype)
{
	lockdep_assert_held(&zone->lock);
	for (unsigned int current_order = order; current_order < NR_PAGE_ORDERS; ++current_order) {
		struct free_area *area = &zone->free_area[current_order];
		struct pf_page *page = get_page_from_free_area(area, migratetype);
		if (!page)
			continue;
		page_del_and_expand(zone, page, (int)order, (int)current_order, migratetype);
		if (trace_enabled(zone_machine(zone), TRACE_MM_PAGE_ALLOC_ZONE_LOCKED))
			__trace_mm_page_alloc_zone_locked(page, order, migratetype,
							  pcp_allowed_order(zone_machine(zone), order) && migratetype < MIGRATE_PCPTYPES);
		return page;
	}
	return NULL;
}

/* ---- allocation: fallback between migratetypes ------------------------------------------- */

/*
 * Fallback, in the kernel's terms: when the preferred migratetype's lists
 * are empty, take from another type, preferring to claim a whole pageblock
 * (converting it) over stealing a single block, so that unmovable and
 * reclaimable allocations gather in few pageblocks instead of polluting
 * many movable ones.  __rmqueue_claim searches from the largest order down
 * and converts the block when the block is mostly free or compatible;
 * __rmqueue_steal takes the smallest suitable block without converting.
 */
static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE]   = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE   },
	[MIGRATE_MOVABLE]     = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE,   MIGRATE_MOVABLE   },
};

/*
 * __move_freepages_block: change a pageblock's type and move all its free
 * blocks to that type's lists.  Return: the number of pages moved.
 */
static __data_race int __move_freepages_block(struct zone *zone, unsigned long start_pfn, int old_mt, int new_mt)
{
	struct pf_machine *m = zone_machine(zone);
	unsigned long pfn = start_pfn, end_pfn = start_pfn + pageblock_nr_pages;
	int pages_moved = 0;

	VM_BUG_ON(start_pfn & (pageblock_nr_pages - 1));
	while (pfn < end_pfn) {
		struct pf_page *page = pfn_to_page(m, pfn);
		if ((page->page_type >> 24) != PGTY_buddy) {	/* !PageBuddy: peeked racily, as the kernel */
			pfn++;
			continue;
		}
		/* the block must belong to the zone whose lock we hold */
		VM_BUG_ON_PAGE(page_zone(page) != zone, page);
		unsigned int order = (unsigned int)page->private;	/* buddy_order */
		move_to_free_list(page, zone, order, old_mt, new_mt);
		pfn += 1UL << order;
		pages_moved += 1 << order;
	}
	set_pageblock_migratetype(pfn_to_page(m, start_pfn), new_mt);
	return pages_moved;
}

/*
 * prep_move_freepages_block: the block's bounds within the zone, and how
 * many of its pages are free and how many are movable (PageLRU).
 */
static __data_race bool prep_move_freepages_block(struct zone *zone, struct pf_page *page, unsigned long *start_pfn,
				      int *num_free, int *num_movable)
{
	struct pf_machine *m = zone_machine(zone);
	unsigned long pfn = page_to_pfn(page), start, end;

	start = pfn & ~(pageblock_nr_pages - 1);
	end = start + pageblock_nr_pages;
	/*
	 * Only @zone's lock is held: a pageblock that reaches past either
	 * end of the zone is left alone.
	 */
	if (!zone_spans_pfn(zone, start))
		return false;
	if (!zone_spans_pfn(zone, end - 1))
		return false;
	*start_pfn = start;
	if (num_free) {
		*num_free = 0;
		*num_movable = 0;
		for (pfn = start; pfn < end;) {
			page = pfn_to_page(m, pfn);
			/* Fields read directly: pages of other owners are peeked racily, as the kernel does. */
			if ((page->page_type >> 24) == PGTY_buddy) {
				int nr = 1 << page->private;
				*num_free += nr;
				pfn += (unsigned long)nr;
				continue;
			}
			/* An in-use page on an LRU list counts as movable (it could be migrated). */
			if ((page->flags >> PG_lru) & 1)
				(*num_movable)++;
			pfn++;
		}
	}
	return true;
}

static int move_freepages_block(struct zone *zone, struct pf_page *page, int old_mt, int new_mt)
{
	unsigned long start_pfn;
	if (!prep_move_freepages_block(zone, page, &start_pfn, NULL, NULL))
		return -1;
	return __move_freepages_block(zone, start_pfn, old_mt, new_mt);
}

static bool can_steal_fallback(struct pf_machine *m, unsigned int order, int start_mt)
{
	if (order >= pageblock_order)
		return true;
	if (order >= pageblock_order / 2 || start_mt == MIGRATE_RECLAIMABLE || start_mt == MIGRATE_UNMOVABLE ||
	    m->page_group_by_mobility_disabled)
		return true;
	return false;
}

/* boost_watermark: raise the watermarks after a fallback so reclaim makes room (6.12). */
static inline bool boost_watermark(struct zone *zone)
{
	struct pf_machine *m = zone_machine(zone);
	unsigned long max_boost;

	if (!m->watermark_boost_factor)
		return false;
	/* A zone under four pageblocks is too small for a boost to help. */
	if ((pageblock_nr_pages * 4) > zone_managed_pages(zone))
		return false;
	/* mult_frac(high, watermark_boost_factor, 10000) */
	unsigned long high = zone->_watermark[WMARK_HIGH];
	max_boost = (high / 10000) * (unsigned long)m->watermark_boost_factor +
		    ((high % 10000) * (unsigned long)m->watermark_boost_factor) / 10000;
	if (!max_boost)
		return false;
	if (max_boost < pageblock_nr_pages)
		max_boost = pageblock_nr_pages;
	/* kswapd lowers the boost without zone->lock (balance_pgdat): one relaxed read */
	unsigned long boost = __atomic_load_n(&zone->watermark_boost, __ATOMIC_RELAXED);
	__atomic_store_n(&zone->watermark_boost,
			 boost + pageblock_nr_pages < max_boost ? boost + pageblock_nr_pages : max_boost,
			 __ATOMIC_RELAXED);
	return true;
}

/*
 * try_to_steal_block (6.12.117): claim the whole pageblock for start_type
 * if the block is at least half free or compatible.  Context: zone->lock.
 */
static struct pf_page *try_to_steal_block(struct zone *zone, struct pf_page *page, int current_order, int order,
					  int start_type, unsigned int alloc_flags)
{
	int free_pages, movable_pages, alike_pages;
	unsigned long start_pfn;
	int block_type = get_pageblock_migratetype(page);

	/* Never re-type a highatomic block here: nr_reserved_highatomic would go wrong. */
	if (is_migrate_highatomic(block_type))
		return NULL;

	/* A block of a pageblock or more: re-type all of it and split off the request. */
	if (current_order >= pageblock_order) {
		unsigned int nr_added;
		del_page_from_free_list(page, zone, (unsigned)current_order, block_type);
		change_pageblock_range(page, current_order, start_type);
		nr_added = expand(zone, page, order, current_order, start_type);
		account_freepages(zone, (int)nr_added, start_type);
		return page;
	}

	/*
	 * A fallback happened: raise the watermarks (the kernel does so to
	 * make kswapd free memory before more blocks get mixed).  The flag
	 * makes rmqueue wake kswapd, whose balance_pgdat drops the boost.
	 */
	if (boost_watermark(zone) && (alloc_flags & ALLOC_KSWAPD))
		__atomic_fetch_or(&zone->flags, 1UL << ZONE_BOOSTED_WATERMARK, __ATOMIC_RELAXED);

	/* the pageblock must lie wholly inside the zone to be counted and moved */
	if (!prep_move_freepages_block(zone, page, &start_pfn, &free_pages, &movable_pages))
		return NULL;

	if (start_type == MIGRATE_MOVABLE) {
		alike_pages = movable_pages;
	} else {
		/*
		 * Falling back an unmovable or reclaimable allocation into a
		 * movable block: count every non-movable page as compatible.
		 */
		if (block_type == MIGRATE_MOVABLE)
			alike_pages = (int)pageblock_nr_pages - (free_pages + movable_pages);
		else
			alike_pages = 0;
	}
	if (free_pages + alike_pages >= (1 << (pageblock_order - 1)) ||
	    zone_machine(zone)->page_group_by_mobility_disabled) {
		__move_freepages_block(zone, start_pfn, block_type, start_type);
		return __rmqueue_smallest(zone, (unsigned)order, start_type);
	}
	return NULL;
}

int find_suitable_fallback(struct pf_machine *m, struct free_area *area, unsigned int order,
				  int migratetype, bool only_stealable, bool *can_steal)
{
	/* READ_ONCE: __compact_finished asks without the zone lock, as the kernel's does */
	if (__atomic_load_n(&area->nr_free, __ATOMIC_RELAXED) == 0)
		return -1;
	*can_steal = false;
	for (int i = 0; i < MIGRATE_PCPTYPES - 1; i++) {
		int fallback_mt = fallbacks[migratetype][i];
		if (free_area_empty(area, fallback_mt))
			continue;
		if (can_steal_fallback(m, order, migratetype))
			*can_steal = true;
		if (!only_stealable)
			return fallback_mt;
		if (*can_steal)
			return fallback_mt;
	}
	return -1;
}

/* __rmqueue_claim: convert a whole block of another type, largest first. Context: zone->lock. */
static struct pf_page *__rmqueue_claim(struct zone *zone, int order, int start_migratetype, unsigned int alloc_flags)
{
	struct pf_machine *m = zone_machine(zone);
	int min_order = order;
	bool can_steal;

	/*
	 * Under ALLOC_NOFRAGMENT only whole pageblocks may be claimed, so a
	 * block of another type is never split and shared.  If that leaves
	 * every local zone short, get_page_from_freelist walks the zonelist
	 * again without the flag.
	 */
	if (order < pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = pageblock_order;

	for (int current_order = MAX_PAGE_ORDER; current_order >= min_order; --current_order) {
		struct free_area *area = &zone->free_area[current_order];
		int fallback_mt = find_suitable_fallback(m, area, (unsigned)current_order, start_migratetype, false,
							 &can_steal);
		if (fallback_mt == -1)
			continue;
		if (!can_steal)
			break;
		struct pf_page *page = get_page_from_free_area(area, fallback_mt);
		page = try_to_steal_block(zone, page, current_order, order, start_migratetype, alloc_flags);
		if (page) {
			if (trace_enabled(m, TRACE_MM_PAGE_ALLOC_EXTFRAG))
				__trace_mm_page_alloc_extfrag(page, (unsigned)order, current_order,
							      start_migratetype, fallback_mt);
			return page;
		}
	}
	return NULL;
}

/* __rmqueue_steal: take one block of another type, leaving its pageblock as it is. */
static struct pf_page *__rmqueue_steal(struct zone *zone, int order, int start_migratetype)
{
	struct pf_machine *m = zone_machine(zone);
	bool can_steal;

	for (int current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
		struct free_area *area = &zone->free_area[current_order];
		int fallback_mt = find_suitable_fallback(m, area, (unsigned)current_order, start_migratetype, false,
							 &can_steal);
		if (fallback_mt == -1)
			continue;
		struct pf_page *page = get_page_from_free_area(area, fallback_mt);
		page_del_and_expand(zone, page, order, current_order, fallback_mt);
		if (trace_enabled(m, TRACE_MM_PAGE_ALLOC_EXTFRAG))
			__trace_mm_page_alloc_extfrag(page, (unsigned)order, current_order, start_migratetype,
						      fallback_mt);
		return page;
	}
	return NULL;
}

enum rmqueue_mode {
	RMQUEUE_NORMAL,
	RMQUEUE_CMA,
	RMQUEUE_CLAIM,
	RMQUEUE_STEAL,
};

/*
 * __rmqueue (6.12.117): the preferred list, then CMA, then claiming a
 * block, then stealing one.  *mode remembers where the last call found
 * pages, so rmqueue_bulk's loop under one lock hold skips the searches
 * that already failed.  Context: zone->lock.
 */
static struct pf_page *__rmqueue(struct zone *zone, unsigned int order, int migratetype, unsigned int alloc_flags,
				 enum rmqueue_mode *mode)
{
	struct pf_page *page;

	lockdep_assert_held(&zone->lock);

	/*
	 * A request that may use CMA takes from the CMA lists first while
	 * CMA holds more than half of the zone's free pages, so CMA and
	 * ordinary movable memory drain at a similar pace.
	 */
	if ((alloc_flags & ALLOC_CMA) &&
	    zone_page_state(zone, NR_FREE_CMA_PAGES) > zone_page_state(zone, NR_FREE_PAGES) / 2) {
		page = __rmqueue_smallest(zone, order, MIGRATE_CMA);
		if (page)
			return page;
	}

	switch (*mode) {
	case RMQUEUE_NORMAL:
		page = __rmqueue_smallest(zone, order, migratetype);
		if (page)
			return page;
		/* fallthrough */
	case RMQUEUE_CMA:
		if (alloc_flags & ALLOC_CMA) {
			page = __rmqueue_smallest(zone, order, MIGRATE_CMA);
			if (page) {
				*mode = RMQUEUE_CMA;
				return page;
			}
		}
		/* fallthrough */
	case RMQUEUE_CLAIM:
		page = __rmqueue_claim(zone, (int)order, migratetype, alloc_flags);
		if (page) {
			/* a claimed block refilled our own list: the next call starts at NORMAL again */
			*mode = RMQUEUE_NORMAL;
			return page;
		}
		/* fallthrough */
	case RMQUEUE_STEAL:
		if (!(alloc_flags & ALLOC_NOFRAGMENT)) {
			page = __rmqueue_steal(zone, (int)order, migratetype);
			if (page) {
				*mode = RMQUEUE_STEAL;
				return page;
			}
		}
	}
	return NULL;
}

/* ---- page state checks ---------------------------------------------------------------------- */

/* page-flags.h (6.12): flags that must be clear when a page is freed, or when it is handed out. */
#define PAGE_FLAGS_CHECK_AT_FREE                                                                       \
	(1UL << PG_lru | 1UL << PG_locked | 1UL << PG_private | 1UL << PG_private_2 | 1UL << PG_writeback | \
	 1UL << PG_reserved | 1UL << PG_active | 1UL << PG_unevictable | 1UL << PG_mlocked)
#define __PG_HWPOISON (1UL << PG_hwpoison)
#define PAGE_FLAGS_CHECK_AT_PREP (PF_PAGEFLAGS_MASK & ~__PG_HWPOISON)
#define PAGE_FLAGS_SECOND (0xffUL | 1UL << PG_has_hwpoisoned | 1UL << PG_large_rmappable | 1UL << PG_partially_mapped)
#define TAIL_MAPPING ((void *)0x400)	/* POISON_POINTER_DELTA + 0x400 */

/* page_expected_state: one combined check of the fields a free page must have clear. */
static inline __attribute__((always_inline)) bool page_expected_state(const struct pf_page *page, unsigned long check_flags)
{
	if (unlikely(page->_mapcount != -1))
		return false;
	if (unlikely((unsigned long)page->mapping | (unsigned long)page_ref_count(page) | page->memcg_data |
		     (page->flags & check_flags)))
		return false;
	return true;
}

/* page_bad_reason: the last matching reason wins, as in the kernel. */
static const char *page_bad_reason(const struct pf_page *page, unsigned long flags)
{
	const char *bad_reason = NULL;

	if (unlikely(page->_mapcount != -1))
		bad_reason = "nonzero mapcount";
	if (unlikely(page->mapping != NULL))
		bad_reason = "non-NULL mapping";
	if (unlikely(page_ref_count(page) != 0))
		bad_reason = "nonzero _refcount";
	if (unlikely(page->flags & flags)) {
		if (flags == PAGE_FLAGS_CHECK_AT_PREP)
			bad_reason = "PAGE_FLAGS_CHECK_AT_PREP flag(s) set";
		else
			bad_reason = "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
	}
	if (unlikely(page->memcg_data))
		bad_reason = "page still charged to cgroup";
	return bad_reason;
}

/*
 * free_tail_page_check: free_tail_page_prepare's checks of one tail page,
 * without clearing anything.  Return: the reason, or NULL.
 */
static const char *free_tail_page_check(const struct pf_page *head_page, const struct pf_page *page)
{
	switch (page - head_page) {
	case 1:
		/* tail 1 holds the folio's mapcounts and pincount where ->mapping would be */
		if (unlikely(page->_entire_mapcount != -1))
			return "nonzero entire_mapcount";
		if (unlikely(page->_large_mapcount != -1))
			return "nonzero large_mapcount";
		if (unlikely(page->_nr_pages_mapped))
			return "nonzero nr_pages_mapped";
		if (unlikely(page->_pincount))
			return "nonzero pincount";
		break;
	case 2:
		/* the second tail page: deferred_list overlaps ->mapping (not modelled) */
		break;
	default:
		if (page->mapping != TAIL_MAPPING)
			return "corrupted mapping in tail page";
		break;
	}
	if (unlikely(!PageTail(page)))
		return "PageTail not set";
	if (unlikely(pf_compound_head(page) != head_page))
		return "compound_head not consistent";
	return NULL;
}

/*
 * free_pages_check - every check free_pages_prepare makes, done before
 * anything is changed.  Return: the first bad page and its reason, or NULL.
 *
 * Deliberate difference: the kernel reports every bad page it meets and
 * clears state as it goes (and bad_page clears PageBuddy); we report the
 * first bad page once and leave the whole block untouched, so a wrong free
 * can never corrupt a free list.
 */
/* __data_race: a speculative get_page_unless_zero may try (and fail) its CAS on the count meanwhile */
static __data_race struct pf_page *free_pages_check(struct pf_page *page, unsigned int order, const char **reason)
{
	bool compound = PageHead(page);
	unsigned long nr = 1UL << order;

	if (compound && compound_order(page) != order) {
		*reason = "compound page freed with the wrong order";
		return page;
	}
	for (unsigned long i = 1; i < nr; i++) {
		struct pf_page *p = page + i;
		if (compound) {
			*reason = free_tail_page_check(page, p);
			if (*reason)
				return p;
			/* what free_tail_page_prepare clears is checked as already clear */
			struct pf_page copy = *p;
			copy.mapping = NULL;
			copy.compound_head = 0;
			if (i == 1)
				copy.flags &= ~PAGE_FLAGS_SECOND;
			if (!page_expected_state(&copy, PAGE_FLAGS_CHECK_AT_FREE)) {
				*reason = page_bad_reason(&copy, PAGE_FLAGS_CHECK_AT_FREE);
				return p;
			}
		} else if (!page_expected_state(p, PAGE_FLAGS_CHECK_AT_FREE)) {
			*reason = page_bad_reason(p, PAGE_FLAGS_CHECK_AT_FREE);
			return p;
		}
	}
	/* the head: mapping flags (anon/movable) are cleared by free_pages_prepare */
	struct pf_page copy = *page;
	if ((unsigned long)copy.mapping & 3UL)	/* PAGE_MAPPING_FLAGS */
		copy.mapping = NULL;
	/* and a kmem charge is uncharged before the checks (free_checked) */
	if (PageMemcgKmem(&copy) && memcg_kmem_online(page_machine(page)))
		copy.memcg_data = 0;
	if (!page_expected_state(&copy, PAGE_FLAGS_CHECK_AT_FREE)) {
		*reason = page_bad_reason(&copy, PAGE_FLAGS_CHECK_AT_FREE);
		return page;
	}
	return NULL;
}

/*
 * free_pages_prepare (6.12, __always_inline there too): trace, then clear
 * what the allocator owns.  The checks ran already (free_pages_check).
 * Every free runs this one body, the fast paths included: they pass
 * FPI_HOOKS_OFF, having seen m->fast_off == 0, and the optional hooks
 * (tracing, init_on_free, and every later one: see FAST_OFF_* in
 * internal.h) fold away.  Return: true to free.
 */
static inline __attribute__((always_inline)) bool free_pages_prepare(struct pf_page *page, unsigned int order,
								     fpi_t fpi_flags)
{
	bool compound = order && PageCompound(page);

	VM_BUG_ON_PAGE(PageTail(page), page);
	if (!(fpi_flags & FPI_HOOKS_OFF) && trace_enabled(page_machine(page), TRACE_MM_PAGE_FREE))
		__trace_mm_page_free(page, order);

	if (unlikely(order)) {
		if (compound)
			page[1].flags &= ~PAGE_FLAGS_SECOND;
		for (unsigned long i = 1; i < (1UL << order); i++) {
			if (compound) {
				page[i].mapping = NULL;
				clear_compound_head(&page[i]);
			}
			page[i].flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
		}
	}
	if (unlikely((unsigned long)page->mapping & 3UL))
		page->mapping = NULL;
	/* page_cpupid_reset_last, and the flags a free block must not carry */
	page->flags = (page->flags | (PF_LAST_CPUPID_MASK << PF_LAST_CPUPID_PGSHIFT)) & ~PAGE_FLAGS_CHECK_AT_PREP;
	page->private = 0;
	if (!(fpi_flags & FPI_HOOKS_OFF)) {
		/*
		 * The page debugging hooks in the kernel's order: poison, zero,
		 * hide from the sanitizer, unmap; nothing may touch the contents
		 * after the unmapping.
		 */
		struct pf_machine *m = page_machine(page);
		reset_page_owner(m, page, order);	/* page_owner.c */
		if (m->base) {
			kernel_poison_pages(m, page, 1 << order);
			if (want_init_on_free(m))
				kernel_init_pages(m, page, 1 << order);
			kasan_poison_pages(m, page, order);
			asan_poison_pages(m, page, order);
			debug_pagealloc_unmap_pages(m, page, 1 << order);
		}
	}
#ifdef PF_ASAN_BUILD
	else {
		asan_poison_pages(page_machine(page), page, order);	/* the fast paths too, in ASan builds only */
	}
#endif
	return true;
}

/* __free_pages_ok: free a block straight to the buddy lists. */
static void __free_pages_ok(struct pf_page *page, unsigned int order, fpi_t fpi_flags)
{
	unsigned long pfn = page_to_pfn(page);
	struct zone *zone = page_zone(page);

	if (free_pages_prepare(page, order, fpi_flags))
		free_one_page(zone, page, pfn, order, fpi_flags);
}

/*
 * __free_pages_core (6.12): give boot memory to the buddy allocator: clear
 * PG_reserved, drop the initial reference, count it managed, free to the tail.
 */
void __free_pages_core(struct pf_page *page, unsigned int order)
{
	unsigned int nr_pages = 1u << order;
	struct pf_page *p = page;

	for (unsigned int loop = 0; loop < nr_pages; loop++, p++) {
		__ClearPageReserved(p);
		set_page_count(p, 0);
	}
	atomic_fetch_add(&page_zone(page)->managed_pages, (long)nr_pages);
	debug_pages_boot_free(page_machine(page), page, order);	/* poison, sanitizer, unmap (free_pages_prepare's part) */
	/* Boot frees are not traced or counted as pgfree (the kernel's are, once). */
	struct zone *zone = page_zone(page);
	pf_spin_lock(&zone->lock);
	split_large_buddy(zone, page, page_to_pfn(page), (int)order, FPI_TO_TAIL);
	pf_spin_unlock(&zone->lock);
}

/* ---- allocation: checks and prep ---------------------------------------------------------- */

static bool check_new_pages(struct pf_page *page, unsigned int order)
{
	struct pf_machine *m = page_machine(page);
	if (!m->check_pages)
		return false;
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct pf_page *p = page + i;
		if (likely(page_expected_state(p, PAGE_FLAGS_CHECK_AT_PREP | __PG_HWPOISON)))
			continue;
		/* check_new_page_bad */
		if (p->flags & __PG_HWPOISON)
			return true;	/* a hwpoisoned page is expected to look odd: no report */
		bad_page(p, page_bad_reason(p, PAGE_FLAGS_CHECK_AT_PREP));
		return true;
	}
	return false;
}

/* prep_compound_page (6.12): head flag, tails pointing at the head, folio fields on page[1]. */
static void prep_compound_page(struct pf_page *page, unsigned int order)
{
	unsigned long nr_pages = 1UL << order;

	__SetPageHead(page);
	for (unsigned long i = 1; i < nr_pages; i++) {
		struct pf_page *p = page + i;	/* prep_compound_tail */
		p->mapping = TAIL_MAPPING;
		set_compound_head(p, page);
		set_page_private(p, 0);
	}
	/* prep_compound_head: folio_set_order, mapcounts -1, pincount 0 */
	page[1].flags = (page[1].flags & ~0xffUL) | order;
	page[1]._folio_nr_pages = 1u << order;
	page[1]._large_mapcount = -1;
	page[1]._entire_mapcount = -1;
	page[1]._nr_pages_mapped = 0;
	page[1]._pincount = 0;
}

/*
 * post_alloc_hook (6.12): private 0; then, on hosted memory, the page
 * debugging hooks in the kernel's order - map the block back
 * (debug_pagealloc), give it back to the sanitizer, check its poison -
 * and last init_on_alloc / __GFP_ZERO, unless init_on_free zeroed it.
 */
static void post_alloc_hook(struct pf_page *page, unsigned int order, pf_gfp_t gfp_flags)
{
	struct pf_machine *m = page_machine(page);
	bool init = !free_pages_prezeroed(m) && want_init_on_alloc(m, gfp_flags) && !should_skip_init(gfp_flags);

	set_page_private(page, 0);
	set_page_owner(m, page, order, gfp_flags);	/* page_owner.c */
	if (!m->base)
		return;	/* backing none: no memory behind the pages */
	debug_pagealloc_map_pages(m, page, 1 << order);
	asan_unpoison_pages(m, page, order);
	kasan_unpoison_pages(m, page, order, init);
	/* the poison is checked before __GFP_ZERO overwrites it */
	kernel_unpoison_pages(m, page, 1 << order);
	if (init)
		kernel_init_pages(m, page, 1 << order);
}

/* prep_new_page: post_alloc_hook, refcount 1, compound set-up. */
static void prep_new_page(struct pf_page *page, unsigned int order, pf_gfp_t gfp_flags, unsigned int alloc_flags)
{
	(void)alloc_flags;	/* pfmemalloc is kept in page->lru.next by the kernel; not modelled */
	post_alloc_hook(page, order, gfp_flags);
	set_page_refcounted(page);
	if (order && (gfp_flags & PF___GFP_COMP))
		prep_compound_page(page, order);
	set_alloc_record(page_machine(page), page_to_pfn(page), (unsigned char)(order + 1));
}

/* ---- watermarks ------------------------------------------------------------------------------ */

static inline long __zone_watermark_unusable_free(struct zone *z, unsigned int order, unsigned int alloc_flags)
{
	long unusable_free = (1L << order) - 1;

	/* Without rights to the reserves, the highatomic reserve is unusable. */
	if (likely(!(alloc_flags & ALLOC_RESERVES)))
		unusable_free += (long)__atomic_load_n(&z->nr_free_highatomic, __ATOMIC_RELAXED);
	/* Without ALLOC_CMA, free CMA pages do not count either. */
	if (!(alloc_flags & ALLOC_CMA))
		unusable_free += zone_page_state(z, NR_FREE_CMA_PAGES);
	return unusable_free;
}

/*
 * __zone_watermark_ok (6.12): free pages above mark plus the lowmem reserve
 * for the allocation's highest zone, with the reserve discounts that
 * alloc_flags grant, and for order > 0 a free block of a usable type.
 */
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
				unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;

	/* free_pages is signed: going below zero just fails the test */
	free_pages -= __zone_watermark_unusable_free(z, order, alloc_flags);

	if (unlikely(alloc_flags & ALLOC_RESERVES)) {
		/* __GFP_HIGH (ALLOC_MIN_RESERVE): the mark drops to half of min. */
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			/* ...and a caller that cannot block (GFP_ATOMIC) gets a quarter off that. */
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		/* ALLOC_OOM halves what is left of the mark once more. */
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}

	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;

	/* order > 0: enough pages is not enough, a block of a usable type must exist */
	for (unsigned int o = order; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &z->free_area[o];
		if (!__atomic_load_n(&area->nr_free, __ATOMIC_RELAXED))
			continue;
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!free_area_empty(area, mt))
				return true;
		if ((alloc_flags & ALLOC_CMA) && !free_area_empty(area, MIGRATE_CMA))
			return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) && !free_area_empty(area, MIGRATE_HIGHATOMIC))
			return true;
	}
	return false;
}

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
			      unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, zone_page_state(z, NR_FREE_PAGES));
}

static inline bool zone_watermark_fast(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
				       unsigned int alloc_flags, pf_gfp_t gfp_mask)
{
	(void)gfp_mask;
	long free_pages = zone_page_state(z, NR_FREE_PAGES);

	/* Order 0 first tries a cheap test with no reserve discounts; only a miss takes the full check. */
	if (!order) {
		long usable_free = free_pages;
		long reserved = __zone_watermark_unusable_free(z, 0, alloc_flags);
		/* the unusable count can exceed what is free: clamp at zero */
		usable_free -= usable_free < reserved ? usable_free : reserved;
		if (usable_free > (long)mark + z->lowmem_reserve[highest_zoneidx])
			return true;
	}
	if (__zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free_pages))
		return true;
	/*
	 * An order-0 __GFP_HIGH request checked against min gets a second
	 * try with the boost left out: a boost is there to wake reclaim,
	 * not to fail urgent allocations.  The boost is read without
	 * zone->lock, which boost_watermark holds and kswapd does not.
	 */
	if (unlikely(!order && (alloc_flags & ALLOC_MIN_RESERVE) &&
		     __atomic_load_n(&z->watermark_boost, __ATOMIC_RELAXED) &&
		     ((alloc_flags & ALLOC_WMARK_MASK) == WMARK_MIN))) {
		mark = z->_watermark[WMARK_MIN];
		return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free_pages);
	}
	return false;
}

static void clear_below_high(struct zone *zone)
{
	if (unlikely(__atomic_load_n(&zone->flags, __ATOMIC_RELAXED) & (1UL << ZONE_BELOW_HIGH)) &&
	    zone_watermark_ok(zone, 0, high_wmark_pages(zone), ZONE_MOVABLE, 0))
		__atomic_fetch_and(&zone->flags, ~(1UL << ZONE_BELOW_HIGH), __ATOMIC_RELAXED);
}

/* ---- the high-order atomic reserve -------------------------------------------------------------- */

/*
 * reserve_highatomic_pageblock (6.12): set aside the pageblock of a
 * high-order atomic allocation for later ones, up to ~1% of the zone.
 */
static void reserve_highatomic_pageblock(struct pf_page *page, int order, struct zone *zone)
{
	unsigned long max_managed;

	if ((zone_managed_pages(zone) / 100) < pageblock_nr_pages)
		return;
	max_managed = ((zone_managed_pages(zone) / 100) + pageblock_nr_pages - 1) & ~(pageblock_nr_pages - 1);
	if (zone->nr_reserved_highatomic >= max_managed)
		return;

	pf_spin_lock(&zone->lock);
	/* the limit was read unlocked above; another CPU may have reached it since */
	if (zone->nr_reserved_highatomic >= max_managed)
		goto out_unlock;
	int mt = get_pageblock_migratetype(page);
	/* only ordinary (mergeable) blocks become highatomic; not CMA or isolated ones */
	if (!migratetype_is_mergeable(mt))
		goto out_unlock;
	if (order < pageblock_order) {
		if (move_freepages_block(zone, page, mt, MIGRATE_HIGHATOMIC) == -1)
			goto out_unlock;
		zone->nr_reserved_highatomic += pageblock_nr_pages;
	} else {
		change_pageblock_range(page, order, MIGRATE_HIGHATOMIC);
		zone->nr_reserved_highatomic += 1UL << order;
	}
out_unlock:
	pf_spin_unlock(&zone->lock);
}

/* unreserve_highatomic_pageblock (6.12): give reserved blocks back when an allocation is about to fail. */
static bool unreserve_highatomic_pageblock(const struct alloc_context *ac, bool force)
{
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx, ac->nodemask) {
		/* Unless forced, a zone keeps its last reserved pageblock. */
		if (!force && zone->nr_reserved_highatomic <= pageblock_nr_pages)
			continue;
		pf_spin_lock(&zone->lock);
		for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
			struct free_area *area = &zone->free_area[order];
			struct pf_page *page = get_page_from_free_area(area, MIGRATE_HIGHATOMIC);
			int ret;
			if (!page)
				continue;
			int mt = get_pageblock_migratetype(page);
			if (is_migrate_highatomic(mt)) {
				unsigned long size = pageblock_nr_pages > (1UL << order) ? pageblock_nr_pages
											 : 1UL << order;
				if (size > zone->nr_reserved_highatomic)
					size = zone->nr_reserved_highatomic;
				zone->nr_reserved_highatomic -= size;
			}
			if (order < pageblock_order) {
				ret = move_freepages_block(zone, page, mt, ac->migratetype);
			} else {
				move_to_free_list(page, zone, order, mt, ac->migratetype);
				change_pageblock_range(page, (int)order, ac->migratetype);
				ret = 1;
			}
			if (ret > 0) {
				pf_spin_unlock(&zone->lock);
				return true;
			}
		}
		pf_spin_unlock(&zone->lock);
	}
	return false;
}

/* ---- rmqueue and the zonelist walk ----------------------------------------------------------------- */

/* rmqueue_buddy (6.12): take the block under zone->lock, then count it. */
static struct pf_page *rmqueue_buddy(struct zone *preferred_zone, struct zone *zone, unsigned int order,
				     unsigned int alloc_flags, int migratetype)
{
	struct pf_page *page;

	do {
		page = NULL;
		pf_spin_lock(&zone->lock);
		if (alloc_flags & ALLOC_HIGHATOMIC)
			page = __rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC);
		if (!page) {
			enum rmqueue_mode rmqm = RMQUEUE_NORMAL;
			page = __rmqueue(zone, order, migratetype, alloc_flags, &rmqm);
			/*
			 * Nothing else fits: ALLOC_OOM and non-blocking callers
			 * may dip into the highatomic reserve.
			 */
			if (!page && (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
				page = __rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC);
			if (!page) {
				pf_spin_unlock(&zone->lock);
				return NULL;
			}
		}
		pf_spin_unlock(&zone->lock);
	} while (check_new_pages(page, order));

	__count_vm_events(zone_machine(zone), PGALLOC_DMA + pf_page_zonenum(page), 1L << order);
	zone_statistics(preferred_zone, zone, 1);
	return page;
}

/* ---- per-CPU page lists: allocation --------------------------------------------------------------- */

/*
 * The per-CPU page lists, in the kernel's terms: each CPU keeps, per zone,
 * short lists of free pages of orders 0..PAGE_ALLOC_COSTLY_ORDER (one per
 * pcp migratetype) and of pageblock order (THP), so most allocations and
 * frees touch no shared lock.  A list is refilled from the buddy lists in
 * batches (rmqueue_bulk) and spilled back when it holds more than `high`
 * pages (free_pcppages_bulk).  Since 6.7 `high` moves between high_min and
 * high_max by itself: it grows while a CPU frees a lot and shrinks when the
 * zone runs low.  pcp->lock is only ever trylock'ed from the fast paths;
 * on failure the allocation or free goes to the zone instead.
 *
 * In user space a thread's CPU is the CPU it runs on (sched_getcpu, kept in
 * the thread's rseq area by glibc) folded onto the machine's CPU count, or
 * the CPU bound with pf_bind_cpu; a thread may be preempted or migrated
 * while it holds a pcp lock, which is why the lock is a real lock.
 */
#define PCPF_PREV_FREE_HIGH_ORDER	(1u << 0)
#define PCPF_FREE_HIGH_BATCH		(1u << 1)
#define CONFIG_PCP_BATCH_SCALE_MAX	5

_Thread_local int pf_bound_cpu __attribute__((tls_model("initial-exec"))) = -1;
/* sched.h: the calling thread as mm sees it (current) */
_Thread_local struct pf_task pf_current_task __attribute__((tls_model("initial-exec")));

/* The public allocation scopes (pageframe.h): sched/mm.h's save/restore pairs. */
unsigned int pf_memalloc_noio_save(void)
{
	return memalloc_flags_save(PF_MEMALLOC_NOIO);
}
void pf_memalloc_noio_restore(unsigned int flags)
{
	memalloc_flags_restore(flags & PF_MEMALLOC_NOIO);
}
unsigned int pf_memalloc_nofs_save(void)
{
	return memalloc_flags_save(PF_MEMALLOC_NOFS);
}
void pf_memalloc_nofs_restore(unsigned int flags)
{
	memalloc_flags_restore(flags & PF_MEMALLOC_NOFS);
}
unsigned int pf_memalloc_noreclaim_save(void)
{
	return memalloc_flags_save(PF_MEMALLOC);
}
void pf_memalloc_noreclaim_restore(unsigned int flags)
{
	memalloc_flags_restore(flags & PF_MEMALLOC);
}
unsigned int pf_memalloc_pin_save(void)
{
	return memalloc_flags_save(PF_MEMALLOC_PIN);
}
void pf_memalloc_pin_restore(unsigned int flags)
{
	memalloc_flags_restore(flags & PF_MEMALLOC_PIN);
}

int pf_bind_cpu(int cpu)
{
	if (cpu < -1)
		return -EINVAL;
	pf_bound_cpu = cpu;
	return 0;
}

/*
 * pcp_allowed_order (6.12) with the machine's profile: the kernel's orders
 * 0..PAGE_ALLOC_COSTLY_ORDER and pageblock order, and under the arena profile
 * every order up to pageblock order (m->pcp_max_order, docs/MACHINE.md).
 */
static inline bool pcp_allowed_order(const struct pf_machine *m, unsigned int order)
{
	if (order <= m->pcp_max_order)
		return true;
	if (order == pageblock_order)	/* HPAGE_PMD_ORDER with CONFIG_TRANSPARENT_HUGEPAGE */
		return true;
	return false;
}

_Static_assert(NR_PCP_LISTS == 29, "NR_PCP_LISTS: 6.12's 14 with THP, and the arena profile's orders 4..8");
_Static_assert(NR_LOWORDER_PCP_LISTS < NR_SMALL_PCP_LISTS, "the kernel's low-order lists come first among the small lists");

/* order_to_pindex (6.12); orders below pageblock order all index as the kernel's low orders do */
static inline unsigned int order_to_pindex(int migratetype, unsigned int order)
{
	if (order >= pageblock_order) {
		VM_BUG_ON(order != pageblock_order);
		return NR_SMALL_PCP_LISTS + (migratetype == MIGRATE_MOVABLE);
	}
	return (MIGRATE_PCPTYPES * order) + (unsigned)migratetype;
}

static inline unsigned int pindex_to_order(unsigned int pindex)
{
	unsigned int order = pindex / MIGRATE_PCPTYPES;
	if (pindex >= NR_SMALL_PCP_LISTS)
		order = pageblock_order;
	return order;
}

/*
 * Taking a pageset.  The kernel's pcp_spin_trylock is a spin_trylock with
 * preemption off.  Here, when the platform has rseq (platform.h), a thread
 * running on host CPU c takes CPU c's pageset with a restartable sequence
 * and no locked instruction; every other user (a thread bound with
 * pf_bind_cpu, a thread whose CPU is folded onto a smaller machine, a
 * drain of another CPU, pf_check) goes through the remote protocol:
 * remote_pending, a membarrier that restarts sequences in flight on c, then
 * an atomic exchange (pf_spin_trylock).  Pagesets no local sequence can reach (c beyond the
 * host's CPUs), and every pageset when rseq is off, use the lock as a plain
 * spinlock.
 */
static inline bool pcp_rseq_managed(struct pf_machine *m, int cpu)
{
	return m->pcp_rseq && cpu < pf_os_ncpus_possible();
}

static struct per_cpu_pages *pcp_remote_trylock(struct zone *zone, int cpu, bool wait)
{
	struct pf_machine *m = zone_machine(zone);
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

	if (!pcp_rseq_managed(m, cpu)) {
		if (wait)
			pf_spin_lock(&pcp->lock);
		else if (!pf_spin_trylock(&pcp->lock))
			return NULL;
		return pcp;
	}
	if (wait)
		pf_spin_lock(&pcp->remote_lock);
	else if (!pf_spin_trylock(&pcp->remote_lock))
		return NULL;
	__atomic_store_n(&pcp->remote_pending, 1, __ATOMIC_SEQ_CST);
	pf_os_membarrier_rseq(cpu);	/* no local sequence on cpu can commit from here on */
	while (!pf_spin_trylock(&pcp->lock)) {
		if (!wait) {
			__atomic_store_n(&pcp->remote_pending, 0, __ATOMIC_RELEASE);
			pf_spin_unlock(&pcp->remote_lock);
			return NULL;
		}
		pf_os_cpu_relax_or_yield(64);
	}
	pcp->remote_held = 1;
	return pcp;
}

/* pcp_spin_trylock(zone->per_cpu_pageset): this CPU's pageset, taken, or NULL if busy. */
static inline __attribute__((always_inline)) struct per_cpu_pages *pcp_spin_trylock(struct zone *zone)
{
	struct pf_machine *m = zone_machine(zone);

	if (likely(m->pcp_rseq) && likely(pf_bound_cpu < 0)) {
		int cpu = pf_os_current_cpu();
		/* only pagesets that pcp_rseq_managed() says are rseq-managed may be taken this way */
		if (likely(cpu < m->nr_cpus) && likely(cpu < pf_os_ncpus_possible())) {
			struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
			int r = pf_os_rseq_trylock((int *)&pcp->lock.locked, &pcp->remote_pending, cpu);
			if (likely(r == 1))
				return pcp;
			if (r == 0)
				return NULL;	/* busy: the caller goes to the zone, as on trylock failure */
			/* migrated mid-way: take whatever CPU we are on now the slow way */
		}
	}
	return pcp_remote_trylock(zone, pf_this_cpu(m), false);
}

/* pcp_spin_lock: wait for a pageset, local or not (drains, decay, pf_check). */
void pcp_spin_lock(struct zone *zone, struct per_cpu_pages *pcp)
{
	pcp_remote_trylock(zone, (int)(pcp - zone->per_cpu_pageset), true);
}

/* this_cpu_add on a counter of the pcp: plain arithmetic under pcp->lock, relaxed so readers may fold it. */
static inline __attribute__((always_inline)) void pcp_ev_add(unsigned long *c, unsigned long d)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + d, __ATOMIC_RELAXED);
}

/* zone_statistics (6.12) for an allocation from this pcp: counted per CPU as the kernel's __count_numa_events. */
static inline void pcp_zone_statistics(struct per_cpu_pages *pcp, struct zone *preferred_zone, struct zone *z,
				       long nr_account)
{
	struct pf_machine *m = zone_machine(z);
	int local_stat = NUMA_LOCAL;
	int cpu = (int)(pcp - z->per_cpu_pageset);

	if (m->nr_node_ids > 1 && zone_to_nid(z) != m->cpu_to_node[cpu])
		local_stat = NUMA_OTHER;
	if (zone_to_nid(z) == zone_to_nid(preferred_zone)) {
		pcp_ev_add(&pcp->ev_numa[NUMA_HIT], (unsigned long)nr_account);
	} else {
		pcp_ev_add(&pcp->ev_numa[NUMA_MISS], (unsigned long)nr_account);
		atomic_fetch_add_explicit(&preferred_zone->vm_numa_event[NUMA_FOREIGN], nr_account,
					  memory_order_relaxed);
	}
	pcp_ev_add(&pcp->ev_numa[local_stat], (unsigned long)nr_account);
}

/*
 * rmqueue_carve (pageframe's own) - what consecutive __rmqueue_smallest
 * calls of rmqueue_bulk do, done in one step.  When the smallest free block
 * of @migratetype that fits is a 2^k block B, the lists of that type below
 * order k are empty; each call then takes the lowest 2^order pages left of
 * B and leaves the rest of B on those lists as one block per order (the
 * upper halves expand() put back, or what is left of them), so n calls
 * take B's first n blocks in ascending order and leave [n << order, 2^k)
 * of B in its aligned decomposition, each piece at the head of its list.
 * That is done here directly: the taken heads go to @list as rmqueue_bulk
 * adds them, with the page_type and private the set_buddy_order /
 * __del_page_from_free_list pairs left them, and NR_FREE_PAGES moves as n
 * account_freepages calls would have moved it.  Return: blocks taken (0
 * when no block of the type fits).  Context: zone->lock.
 */
static unsigned long rmqueue_carve(struct zone *zone, unsigned int order, unsigned long count,
				   struct list_head *list, int migratetype)
{
	unsigned int k;
	struct pf_page *page = NULL;

	lockdep_assert_held(&zone->lock);
	for (k = order; k < NR_PAGE_ORDERS; k++) {
		page = get_page_from_free_area(&zone->free_area[k], migratetype);
		if (page)
			break;
	}
	if (!page)
		return 0;
	unsigned long blocks = 1UL << (k - order);
	unsigned long n = count < blocks ? count : blocks;
	__del_page_from_free_list(page, zone, k, migratetype);

	/* what is left of B: [n << order, 2^k), aligned blocks of rising order */
	unsigned long off = n << order, size = 1UL << k;
	while (off < size) {
		unsigned int j = (unsigned int)__builtin_ctzl(off);
		VM_BUG_ON(j >= k);
		__add_to_free_list(&page[off], zone, j, migratetype, false);
		set_buddy_order(&page[off], j);
		off += 1UL << j;
	}
	for (unsigned long i = 0; i < n; i++) {
		struct pf_page *p = &page[i << order];
		p->page_type = 0xffffffffu;	/* __ClearPageBuddy after set_buddy_order */
		set_page_private(p, 0);
		list_add_tail(&p->pcp_list, list);
	}
	__mod_zone_page_state_repeat(zone, NR_FREE_PAGES, -(1L << order), n);
	return n;
}

/*
 * rmqueue_bulk (6.12.117): @count blocks from the buddy lists onto @list
 * under one hold of zone->lock.  Return: how many were taken.  While
 * __rmqueue would go straight to __rmqueue_smallest of the asked type (no
 * CMA balancing, no zone-locked trace to emit), rmqueue_carve does the
 * same work a block at a time.
 */
static int rmqueue_bulk(struct zone *zone, unsigned int order, unsigned long count, struct list_head *list,
			int migratetype, unsigned int alloc_flags)
{
	enum rmqueue_mode rmqm = RMQUEUE_NORMAL;
	unsigned long i = 0;

	pf_spin_lock(&zone->lock);
	bool carve = !zone_machine(zone)->rmqueue_carve_off &&
		     !trace_enabled(zone_machine(zone), TRACE_MM_PAGE_ALLOC_ZONE_LOCKED) &&
		     !((alloc_flags & ALLOC_CMA) && zone_page_state(zone, NR_FREE_CMA_PAGES) > 0);
	while (i < count) {
		if (carve && rmqm == RMQUEUE_NORMAL) {
			unsigned long got = rmqueue_carve(zone, order, count - i, list, migratetype);
			if (got) {
				i += got;
				continue;
			}
		}
		struct pf_page *page = __rmqueue(zone, order, migratetype, alloc_flags, &rmqm);
		if (unlikely(page == NULL))
			break;
		/* Split buddy pages come in physical order; keep it on the list. */
		list_add_tail(&page->pcp_list, list);
		i++;
	}
	pf_spin_unlock(&zone->lock);
	return (int)i;
}

static inline int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* nr_pcp_alloc (6.12): how many blocks a refill takes; grows high and the batch while a CPU only allocates. */
static int nr_pcp_alloc(struct per_cpu_pages *pcp, struct zone *zone, int order)
{
	int high, base_batch, batch, max_nr_alloc;
	int high_max, high_min;

	base_batch = __atomic_load_n(&pcp->batch, __ATOMIC_RELAXED);
	high_min = __atomic_load_n(&pcp->high_min, __ATOMIC_RELAXED);
	high_max = __atomic_load_n(&pcp->high_max, __ATOMIC_RELAXED);
	high = pcp->high = clamp_int(pcp->high, high_min, high_max);

	/* high below a batch: the list is effectively off */
	if (unlikely(high < base_batch))
		return 1;
	if (order)
		batch = base_batch;
	else
		batch = base_batch << pcp->alloc_factor;

	/* A refill means high was too low to serve from the list: grow it by a batch (up to high_max). */
	if (high_min != high_max && !(__atomic_load_n(&zone->flags, __ATOMIC_RELAXED) & (1UL << ZONE_BELOW_HIGH)))
		high = pcp->high = high + batch < high_max ? high + batch : high_max;

	if (!order) {
		max_nr_alloc = high - pcp->count - base_batch;
		if (max_nr_alloc < base_batch)
			max_nr_alloc = base_batch;
		/* Back-to-back order-0 refills with no free between them double the batch each time. */
		if (batch <= max_nr_alloc && pcp->alloc_factor < CONFIG_PCP_BATCH_SCALE_MAX)
			pcp->alloc_factor++;
		batch = batch < max_nr_alloc ? batch : max_nr_alloc;
	}
	/*
	 * Count the batch in blocks of this order (at least 2) unless the
	 * list caches nothing (batch 1).
	 */
	if (batch > 1)
		batch = (batch >> order) > 2 ? batch >> order : 2;
	return batch;
}

/* __rmqueue_pcplist: take a block from the list, refilling it first if empty. Context: pcp->lock. */
static struct pf_page *__rmqueue_pcplist(struct zone *zone, unsigned int order, int migratetype,
					 unsigned int alloc_flags, struct per_cpu_pages *pcp, struct list_head *list)
{
	struct pf_page *page;

	lockdep_assert_held(&pcp->lock);

	do {
		if (list_empty(list)) {
			int batch = nr_pcp_alloc(pcp, zone, (int)order);
			int alloced = rmqueue_bulk(zone, order, (unsigned long)batch, list, migratetype, alloc_flags);
			pcp->count += alloced << order;
			if (unlikely(list_empty(list)))
				return NULL;
		}
		page = list_first_entry(list, struct pf_page, pcp_list);
		list_del(&page->pcp_list);
		pcp->count -= 1 << order;
	} while (check_new_pages(page, order));
	return page;
}

/* rmqueue_pcplist (6.12): Context: takes pcp->lock with trylock; NULL if it is busy. */
static struct pf_page *rmqueue_pcplist(struct zone *preferred_zone, struct zone *zone, unsigned int order,
				       int migratetype, unsigned int alloc_flags)
{
	struct per_cpu_pages *pcp;
	struct pf_page *page;

	/* busy when a drain or another thread holds it: the caller goes to the buddy lists */
	pcp = pcp_spin_trylock(zone);
	if (!pcp)
		return NULL;
	/* an allocation halves free_count, shrinking the next free batch */
	pcp->free_count >>= 1;
	struct list_head *list = &pcp->lists[order_to_pindex(migratetype, order)];
	page = __rmqueue_pcplist(zone, order, migratetype, alloc_flags, pcp, list);
	if (page) {
		pcp_ev_add(&pcp->ev_pgalloc, 1UL << order);
		pcp_zone_statistics(pcp, preferred_zone, zone, 1);
	}
	pcp_spin_unlock(pcp);
	return page;
}

static struct pf_page *rmqueue(struct zone *preferred_zone, struct zone *zone, unsigned int order,
			       pf_gfp_t gfp_flags, unsigned int alloc_flags, int migratetype)
{
	(void)gfp_flags;
	struct pf_page *page = NULL;

	if (likely(pcp_allowed_order(zone_machine(zone), order))) {
		page = rmqueue_pcplist(preferred_zone, zone, order, migratetype, alloc_flags);
		if (likely(page))
			goto out;
	}
	page = rmqueue_buddy(preferred_zone, zone, order, alloc_flags, migratetype);
out:

	/* plain load first: the atomic clear only runs when the flag is set */
	if ((alloc_flags & ALLOC_KSWAPD) &&
	    unlikely(__atomic_load_n(&zone->flags, __ATOMIC_RELAXED) & (1UL << ZONE_BOOSTED_WATERMARK))) {
		__atomic_fetch_and(&zone->flags, ~(1UL << ZONE_BOOSTED_WATERMARK), __ATOMIC_RELAXED);
		wakeup_kswapd(zone, 0, 0, (enum zone_type)zone_idx(zone));
	}
	return page;
}

/*
 * get_page_from_freelist (6.12): walk the zonelist from the preferred zone,
 * take the first zone whose watermark check passes.  ALLOC_NOFRAGMENT is
 * dropped (and the walk redone) before falling back to a remote node or
 * when no local zone had a block of the right type.  Zones the thread's
 * cpuset does not allow are passed over (ALLOC_CPUSET), and so are nodes
 * over their dirty limit for __GFP_WRITE requests (spread_dirty_pages,
 * node_dirty_ok asked once per node in a row).  Deferred struct page init,
 * unaccepted memory and node_reclaim are not modelled.
 */
static struct pf_page *get_page_from_freelist(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order,
					      unsigned int alloc_flags, const struct alloc_context *ac)
{
	struct zoneref *z;
	struct zone *zone;
	pg_data_t *last_pgdat = NULL;
	bool last_pgdat_dirty_ok = false;
	bool no_fallback;

retry:
	no_fallback = alloc_flags & ALLOC_NOFRAGMENT;
	z = ac->preferred_zoneref;
	for_next_zone_zonelist_nodemask(zone, z, ac->highest_zoneidx, ac->nodemask) {
		struct pf_page *page;
		unsigned long mark;

		if ((alloc_flags & ALLOC_CPUSET) && cpusets_enabled(m) && !__cpuset_zone_allowed(zone, gfp_mask))
			continue;
		/*
		 * Page cache about to be written goes to a node still under
		 * its share of the dirty limit; only on this first pass (the
		 * slow path clears spread_dirty_pages), so that nodes allowed
		 * together but too small for the global limit still serve.
		 */
		if (ac->spread_dirty_pages) {
			if (last_pgdat != zone->zone_pgdat) {
				last_pgdat = zone->zone_pgdat;
				last_pgdat_dirty_ok = node_dirty_ok(zone->zone_pgdat);
			}
			if (!last_pgdat_dirty_ok)
				continue;
		}

		if (no_fallback && m->nr_node_ids > 1 && zone != zonelist_zone(ac->preferred_zoneref)) {
			/*
			 * The walk is about to leave the local node: first redo
			 * it without ALLOC_NOFRAGMENT, since mixing pageblocks
			 * locally costs less than remote memory.
			 */
			int local_nid = zonelist_node_idx(ac->preferred_zoneref);
			if (zone_to_nid(zone) != local_nid) {
				alloc_flags &= ~ALLOC_NOFRAGMENT;
				goto retry;
			}
		}

		/* A zone known to be below high is checked against the allocation's own mark; else passing high is enough. */
		if (__atomic_load_n(&zone->flags, __ATOMIC_RELAXED) & (1UL << ZONE_BELOW_HIGH))
			goto check_alloc_wmark;
		mark = high_wmark_pages(zone);
		if (zone_watermark_fast(zone, order, mark, ac->highest_zoneidx, alloc_flags, gfp_mask))
			goto try_this_zone;
		__atomic_fetch_or(&zone->flags, 1UL << ZONE_BELOW_HIGH, __ATOMIC_RELAXED);

check_alloc_wmark:
		mark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);
		if (!zone_watermark_fast(zone, order, mark, ac->highest_zoneidx, alloc_flags, gfp_mask)) {
			if (alloc_flags & ALLOC_NO_WATERMARKS)
				goto try_this_zone;
			/* node_reclaim is off (node_reclaim_mode 0), as on distro kernels */
			continue;
		}

try_this_zone:
		page = rmqueue(zonelist_zone(ac->preferred_zoneref), zone, order, gfp_mask, alloc_flags,
			       ac->migratetype);
		if (page) {
			prep_new_page(page, order, gfp_mask, alloc_flags);
			/*
			 * A high-order atomic success may turn its pageblock
			 * into highatomic reserve for later such requests.
			 */
			if (unlikely(alloc_flags & ALLOC_HIGHATOMIC))
				reserve_highatomic_pageblock(page, (int)order, zone);
			return page;
		}
	}

	/*
	 * Every zone failed while whole-block claiming was required (a
	 * single-node machine never reaches the remote-node retry above):
	 * walk once more allowing fallbacks that mix pageblocks.
	 */
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	return NULL;
}

/* alloc_flags_nofragment (6.12): ALLOC_NOFRAGMENT when the preferred zone is Normal and DMA32 is populated. */
static unsigned int alloc_flags_nofragment(struct pf_machine *m, struct zone *zone, pf_gfp_t gfp_mask)
{
	/* the two bits are equal (static assert in internal.h), so a mask converts it */
	unsigned int alloc_flags = gfp_mask & PF___GFP_KSWAPD_RECLAIM;

	if (!zone)
		return alloc_flags;
	if (zone_idx(zone) != ZONE_NORMAL)
		return alloc_flags;
	/*
	 * zone - 1 is this node's DMA32 (zones are laid out DMA, DMA32,
	 * Normal).  NUMA: a node without DMA32 gets no ALLOC_NOFRAGMENT.
	 * One node: taken to have DMA32 whenever Normal exists.
	 */
	if (m->nr_node_ids > 1 && !populated_zone(zone - 1))
		return alloc_flags;
	return alloc_flags | ALLOC_NOFRAGMENT;
}

/* gfp_to_alloc_flags_cma: movable allocations may use CMA. */
static inline unsigned int gfp_to_alloc_flags_cma(const struct pf_machine *m, pf_gfp_t gfp_mask,
						  unsigned int alloc_flags)
{
	if (alloc_migratetype(m, gfp_mask) == MIGRATE_MOVABLE)
		alloc_flags |= ALLOC_CMA;
	return alloc_flags;
}

/*
 * WARN_ON_ONCE_GFP (mm/internal.h, 6.12): the kernel's one-time warning,
 * skipped for __GFP_NOWARN requests.  Reported as "WARNING: CPU: c PID: p
 * at mm/page_alloc.c <function>: <condition>" through the report hook.
 */
static __attribute__((cold, noinline)) void warn_on_once_gfp(struct pf_machine *m, atomic_int *once, pf_gfp_t gfp,
							      const char *func, const char *cond)
{
	if ((gfp & PF___GFP_NOWARN) || atomic_exchange(once, 1))
		return;
	pf_printk(m, '4', "WARNING: CPU: %d PID: %d at mm/page_alloc.c %s: %s", pf_os_current_cpu() % m->nr_cpus,
		  pf_os_tid(), func, cond);
}

/*
 * warn_alloc_show_mem (6.12): the memory report after a failed allocation.
 * Nodes the request could not use are left out, unless the thread is a
 * reclaimer or cannot reclaim (then everything matters).
 */
static void warn_alloc_show_mem(struct pf_machine *m, pf_gfp_t gfp_mask, const nodemask_t *nodemask)
{
	unsigned int filter = SHOW_MEM_FILTER_NODES;

	if (current_task()->flags & PF_MEMALLOC)
		filter &= ~SHOW_MEM_FILTER_NODES;
	if (current_task()->in_interrupt || !(gfp_mask & PF___GFP_DIRECT_RECLAIM))
		filter &= ~SHOW_MEM_FILTER_NODES;
	__show_mem(m, filter, (nodemask_t *)nodemask, gfp_zone(gfp_mask));
}

/*
 * gfp_to_alloc_flags (6.12): the slow path's flags.  A request that cannot
 * sleep gets deeper into the reserves (ALLOC_NON_BLOCK, and the high-atomic
 * reserve when it is also __GFP_HIGH); a non-blocking __GFP_HIGH one ignores
 * the thread's cpuset rather than fail.  Deliberate difference: threads have
 * no real-time scheduling class here, so no ALLOC_MIN_RESERVE for them.
 */
static unsigned int gfp_to_alloc_flags(const struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	/* __GFP_HIGH is ALLOC_MIN_RESERVE, __GFP_KSWAPD_RECLAIM is ALLOC_KSWAPD */
	alloc_flags |= gfp_mask & (PF___GFP_HIGH | PF___GFP_KSWAPD_RECLAIM);

	if (!(gfp_mask & PF___GFP_DIRECT_RECLAIM)) {
		if (!(gfp_mask & PF___GFP_NOMEMALLOC)) {
			alloc_flags |= ALLOC_NON_BLOCK;
			if (order > 0 && (alloc_flags & ALLOC_MIN_RESERVE))
				alloc_flags |= ALLOC_HIGHATOMIC;
		}
		if (alloc_flags & ALLOC_MIN_RESERVE)
			alloc_flags &= ~ALLOC_CPUSET;
	}
	return gfp_to_alloc_flags_cma(m, gfp_mask, alloc_flags);
}

/*
 * __gfp_pfmemalloc_flags (6.12): who may ignore the watermarks altogether -
 * __GFP_MEMALLOC requests, and a thread inside a reclaim scope (PF_MEMALLOC,
 * memalloc_noreclaim_save) unless it is in atomic context; __GFP_NOMEMALLOC
 * forbids both.  Deliberate difference: no thread is an OOM victim (the OOM
 * killer's victims are registered tasks, not threads), so no ALLOC_OOM.
 */
static inline unsigned int __gfp_pfmemalloc_flags(pf_gfp_t gfp_mask)
{
	if (unlikely(gfp_mask & PF___GFP_NOMEMALLOC))
		return 0;
	if (gfp_mask & PF___GFP_MEMALLOC)
		return ALLOC_NO_WATERMARKS;
	if (!current_task()->in_interrupt && (current_task()->flags & PF_MEMALLOC))
		return ALLOC_NO_WATERMARKS;
	return 0;
}

static inline bool gfp_pfmemalloc_allowed(pf_gfp_t gfp_mask)
{
	return !!__gfp_pfmemalloc_flags(gfp_mask);
}

/*
 * warn_alloc (6.12): "<comm>: page allocation failure: order:N, mode:...,
 * nodemask=...", then the memory report (warn_alloc_show_mem), unless
 * __GFP_NOWARN; at most one report per 10 seconds per machine, as the
 * kernel's nopage ratelimit (interval 10 s, burst 1).
 */
static void warn_alloc(struct pf_machine *m, pf_gfp_t gfp_mask, const nodemask_t *nodemask, unsigned int order)
{
	if (gfp_mask & PF___GFP_NOWARN)
		return;
	unsigned long now = (unsigned long)(pf_os_now_ns() / 1000000000ull);
	unsigned long unshown;
	if (!pf_burst_limit_pass(&m->nopage_rs, 1, 10, now, &unshown))
		return;
	char names[512];
	pf_format_gfp_flags(gfp_mask, names, sizeof names);
	/* %*pbl: a node list in ranges ("0-1,3"), or "(null)" */
	char nm[64] = "(null)";
	if (nodemask)
		nodelist_print(nodemask, m->nr_node_ids, nm, sizeof nm);
	/*
	 * cpuset_print_current_mems_allowed: the thread's cpuset and nodes.
	 * pageframe's cpusets are per thread and have no cgroup path: the
	 * name printed is the root's, "/".
	 */
	char mems[64];
	nodelist_print(cpuset_current_mems_allowed(m), m->nr_node_ids, mems, sizeof mems);
	pf_printk(m, '4', "%s: page allocation failure: order:%u, mode:%#x(%s), nodemask=%s,cpuset=/,mems_allowed=%s",
		  pf_os_comm(), order, gfp_mask, names, nm, mems);
	warn_alloc_show_mem(m, gfp_mask, nodemask);
}

/*
 * should_compact_retry (mm/page_alloc.c, 6.12, CONFIG_COMPACTION) - after a
 * direct compaction that did not give the block: retry a few times when
 * compaction said it succeeded (a racing allocation took the block; a
 * quarter as often for costly orders), ask reclaim for free pages when
 * compaction was skipped for want of them, else raise the priority until
 * the order's floor (SYNC_LIGHT for costly orders, SYNC_FULL otherwise).
 */
#define MAX_COMPACT_RETRIES 16
static bool should_compact_retry(struct alloc_context *ac, unsigned int order, unsigned int alloc_flags,
				 enum compact_result compact_result, enum compact_priority *compact_priority,
				 int *compaction_retries)
{
	int max_retries = MAX_COMPACT_RETRIES;

	if (!order)
		return false;
	if (compact_result == COMPACT_SUCCESS) {
		if (order > PAGE_ALLOC_COSTLY_ORDER)
			max_retries /= 4;
		if (++(*compaction_retries) <= max_retries)
			return true;
		goto check_priority;
	}
	/*
	 * Skipped for lack of free pages to migrate into: more reclaim makes
	 * sense only while the free pages it would bring could pass the
	 * order-0 watermark compaction asks for.
	 */
	if (compact_result == COMPACT_SKIPPED)
		return compaction_zonelist_suitable(ac, (int)order, alloc_flags);

check_priority: ;
	enum compact_priority min_priority =
		order > PAGE_ALLOC_COSTLY_ORDER ? MIN_COMPACT_COSTLY_PRIORITY : MIN_COMPACT_PRIORITY;
	if (*compact_priority > min_priority) {
		(*compact_priority)--;
		*compaction_retries = 0;
		return true;
	}
	/*
	 * pageframe: at the last priority a contended result may mean only
	 * that another thread had the zone (try_to_compact_pages passes a
	 * taken compact_lock over, where 6.12's sync compaction would have
	 * compacted beside it): retry as often as after a success rather than
	 * go on to the OOM killer while that compactor is still at work.
	 */
	if (compact_result == COMPACT_CONTENDED &&
	    ++(*compaction_retries) <= (order > PAGE_ALLOC_COSTLY_ORDER ? max_retries / 4 : max_retries))
		return true;
	return false;
}

/*
 * wake_all_kswapds (6.12): wake the kswapd of each node the request may
 * use, once per node.
 */
static void wake_all_kswapds(unsigned int order, pf_gfp_t gfp_mask, const struct alloc_context *ac)
{
	struct zoneref *z;
	struct zone *zone;
	pg_data_t *last_pgdat = NULL;

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx, ac->nodemask) {
		if (!managed_zone(zone))
			continue;
		if (last_pgdat != zone->zone_pgdat) {
			wakeup_kswapd(zone, gfp_mask, (int)order, ac->highest_zoneidx);
			last_pgdat = zone->zone_pgdat;
		}
	}
}

/*
 * __perform_reclaim (6.12): direct reclaim in the reclaimer's scope
 * (PF_MEMALLOC), so allocations reclaim makes cannot recurse into it.
 */
static unsigned long __perform_reclaim(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order,
				       const struct alloc_context *ac)
{
	unsigned int noreclaim_flag = memalloc_noreclaim_save();
	unsigned long progress = try_to_free_pages(m, ac->zonelist, (int)order, gfp_mask, ac->nodemask);
	memalloc_noreclaim_restore(noreclaim_flag);
	return progress;
}

/*
 * __alloc_pages_direct_reclaim (6.12): reclaim, then try the free lists;
 * when that fails the pages may sit in per-CPU lists or the high-atomic
 * reserve: give those back once and try again.
 */
static struct pf_page *__alloc_pages_direct_reclaim(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order,
						    unsigned int alloc_flags, const struct alloc_context *ac,
						    unsigned long *did_some_progress)
{
	struct pf_page *page = NULL;
	bool drained = false;

	*did_some_progress = __perform_reclaim(m, gfp_mask, order, ac);
	/*
	 * pageframe's own: under the arena profile the per-CPU lists may hold
	 * most of the machine (pcp_high_max_fraction 1, every order below
	 * pageblock order), and a program's memory manager has little to
	 * reclaim, so they are drained even when reclaim made no progress
	 * rather than the kernel's going on to the OOM killer with them full.
	 */
	if (unlikely(!*did_some_progress) && m->profile != PF_PROFILE_ARENA)
		return NULL;
retry:
	page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac);
	if (!page && !drained) {
		unreserve_highatomic_pageblock(ac, false);
		drain_all_pages(m, NULL);
		drained = true;
		goto retry;
	}
	return page;
}

/*
 * should_reclaim_retry (6.12): keep reclaiming while it makes progress
 * (for costly orders progress does not count) and at most
 * MAX_RECLAIM_RETRIES rounds without it, and only while some zone would
 * pass its min watermark if everything reclaimable in it were freed.
 * Before saying no, the high-atomic reserve is handed back by force.
 */
static bool should_reclaim_retry(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order,
				 struct alloc_context *ac, unsigned int alloc_flags, bool did_some_progress,
				 int *no_progress_loops)
{
	struct zone *zone;
	struct zoneref *z;
	bool ret = false;

	if (did_some_progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		goto out;

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx, ac->nodemask) {
		unsigned long min_wmark = min_wmark_pages(zone);
		if (cpusets_enabled(m) && (alloc_flags & ALLOC_CPUSET) && !__cpuset_zone_allowed(zone, gfp_mask))
			continue;
		unsigned long reclaimable = zone_reclaimable_pages(zone);
		unsigned long available = reclaimable + (unsigned long)zone_page_state_snapshot(zone, NR_FREE_PAGES);
		bool wmark = __zone_watermark_ok(zone, order, min_wmark, ac->highest_zoneidx, alloc_flags,
						 (long)available);
		if (trace_enabled(m, TRACE_RECLAIM_RETRY_ZONE))
			__trace_reclaim_retry_zone(zone, (int)order, reclaimable, available, min_wmark,
						    *no_progress_loops, wmark);
		if (wmark) {
			ret = true;
			break;
		}
	}
	/*
	 * The kernel's cond_resched here gives the CPU away only when the
	 * scheduler asked for it; user-space threads are preempted anyway, so
	 * nothing is done (a sched_yield per round would cost a system call).
	 */
out:
	if (!ret)
		return unreserve_highatomic_pageblock(ac, true);
	return ret;
}

/*
 * check_retry_cpuset (6.12): go round again when the thread's cpuset
 * changed under the slow path, or when the request's nodemask (a BIND
 * policy's) no longer meets the thread's nodes - then with no nodemask,
 * as such a policy is to be ignored.
 */
static bool check_retry_cpuset(struct pf_machine *m, unsigned int cpuset_mems_cookie, struct alloc_context *ac)
{
	if (cpusets_enabled(m) && ac->nodemask && !cpuset_nodemask_valid_mems_allowed(m, ac->nodemask)) {
		ac->nodemask = NULL;
		return true;
	}
	return read_mems_allowed_retry(cpuset_mems_cookie);
}

/*
 * __alloc_pages_cpuset_fallback (6.12): first within the thread's cpuset,
 * then anywhere.
 */
static struct pf_page *__alloc_pages_cpuset_fallback(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order,
						     unsigned int alloc_flags, const struct alloc_context *ac)
{
	struct pf_page *page = get_page_from_freelist(m, gfp_mask, order, alloc_flags | ALLOC_CPUSET, ac);
	if (!page)
		page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac);
	return page;
}

/*
 * __alloc_pages_may_oom (6.12): with the machine's oom_lock, one more look
 * at the high watermark (another OOM may just have freed memory), then the
 * OOM killer - except for costly orders, __GFP_RETRY_MAYFAIL, __GFP_THISNODE
 * and requests below ZONE_NORMAL, whose callers are better off failing.
 * A __GFP_NOFAIL request gets the reserves after a kill.  Another thread
 * holding the lock counts as progress.
 */
static struct pf_page *__alloc_pages_may_oom(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order,
					     const struct alloc_context *ac, unsigned long *did_some_progress)
{
	struct oom_control oc = {
		.m = m,
		.zonelist = ac->zonelist,
		.nodemask = ac->nodemask,
		.memcg = NULL,
		.gfp_mask = gfp_mask,
		.order = (int)order,
	};
	struct pf_page *page = NULL;

	*did_some_progress = 0;
	if (!pf_spin_trylock(&m->oom_lock)) {
		*did_some_progress = 1;
		pf_os_sleep_ns(1000000);	/* schedule_timeout_uninterruptible(1) */
		return NULL;
	}
	page = get_page_from_freelist(m, (gfp_mask | PF___GFP_HARDWALL) & ~PF___GFP_DIRECT_RECLAIM, order,
				      ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac);
	if (page)
		goto out;
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		goto out;
	if (gfp_mask & (PF___GFP_RETRY_MAYFAIL | PF___GFP_THISNODE))
		goto out;
	if (ac->highest_zoneidx < ZONE_NORMAL)
		goto out;
	/*
	 * The OOM report goes through the machine's report hook with oom_lock
	 * held: should the hook allocate, the reclaimer's scope serves it from
	 * the reserves without reclaim, so it cannot come back here and wait
	 * for its own lock (the kernel's printk does not allocate).
	 */
	unsigned int noreclaim = memalloc_noreclaim_save();
	bool killed = out_of_memory(&oc);
	memalloc_noreclaim_restore(noreclaim);
	if (!killed && (gfp_mask & PF___GFP_NOFAIL))
		warn_on_once_gfp(m, &m->warned_nofail_oom, gfp_mask, "__alloc_pages_may_oom",
				 "gfp_mask & __GFP_NOFAIL");
	if (killed || (gfp_mask & PF___GFP_NOFAIL)) {
		*did_some_progress = 1;
		if (gfp_mask & PF___GFP_NOFAIL)
			page = __alloc_pages_cpuset_fallback(m, gfp_mask, order, ALLOC_NO_WATERMARKS, ac);
	}
out:
	pf_spin_unlock(&m->oom_lock);
	return page;
}

/*
 * __alloc_pages_slowpath (6.12): recompute the flags for the slow path,
 * wake kswapd, try the min watermark; costly or unmovable high orders try
 * async compaction first; then loop: reserves for PF_MEMALLOC/__GFP_MEMALLOC,
 * direct reclaim, direct compaction, should_reclaim_retry /
 * should_compact_retry, the OOM killer; __GFP_NORETRY gives up after one
 * round, costly orders unless __GFP_RETRY_MAYFAIL, and __GFP_NOFAIL never
 * does (it waits for memory, with the reserves above the min watermark).
 * The kernel's cpuset and zonelist retry cookies guard against placement
 * changing under the loop (check_retry_cpuset).
 */
static struct pf_page *__alloc_pages_slowpath(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order,
					      struct alloc_context *ac)
{
	bool can_direct_reclaim = gfp_mask & PF___GFP_DIRECT_RECLAIM;
	bool can_compact = gfp_compaction_allowed(gfp_mask);
	bool nofail = gfp_mask & PF___GFP_NOFAIL;
	const bool costly_order = order > PAGE_ALLOC_COSTLY_ORDER;
	struct pf_page *page = NULL;
	unsigned int alloc_flags, reserve_flags;
	unsigned long did_some_progress;
	enum compact_priority compact_priority;
	enum compact_result compact_result;
	int compaction_retries;
	int no_progress_loops;
	unsigned int cpuset_mems_cookie;

	if (unlikely(nofail)) {
		/* the kernel's three WARN_ON_ONCE of a __GFP_NOFAIL request */
		if (order > 1)
			warn_on_once_gfp(m, &m->warned_nofail_order, 0, "__alloc_pages_slowpath", "order > 1");
		if (!can_direct_reclaim)
			warn_on_once_gfp(m, &m->warned_nofail_reclaim, 0, "__alloc_pages_slowpath",
					 "!can_direct_reclaim");
		if (current_task()->flags & PF_MEMALLOC)
			warn_on_once_gfp(m, &m->warned_nofail_memalloc, 0, "__alloc_pages_slowpath",
					 "current->flags & PF_MEMALLOC");
	}

restart:
	compaction_retries = 0;
	no_progress_loops = 0;
	compact_result = COMPACT_SKIPPED;
	compact_priority = DEF_COMPACT_PRIORITY;
	cpuset_mems_cookie = read_mems_allowed_begin();

	alloc_flags = gfp_to_alloc_flags(m, gfp_mask, order);
	ac->preferred_zoneref = first_zones_zonelist(ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	if (!zonelist_zone(ac->preferred_zoneref))
		goto nopage;

	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(order, gfp_mask, ac);

	/* the slow path's flags may already be enough */
	page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac);
	if (page)
		goto got_pg;

	/*
	 * Costly orders, and high orders that are not movable, try an async
	 * direct compaction before anything else: free base pages are likely
	 * there, and reclaim would not make them contiguous.
	 */
	if (can_direct_reclaim && can_compact && (costly_order || (order > 0 && ac->migratetype != MIGRATE_MOVABLE)) &&
	    !gfp_pfmemalloc_allowed(gfp_mask)) {
		page = __alloc_pages_direct_compact(m, gfp_mask, order, alloc_flags, ac, INIT_COMPACT_PRIORITY,
						    &compact_result);
		if (page)
			goto got_pg;
		if (costly_order && (gfp_mask & PF___GFP_NORETRY)) {
			/* a THP-style request: compaction could not even start, or was deferred: give up */
			if (compact_result == COMPACT_SKIPPED || compact_result == COMPACT_DEFERRED)
				goto nopage;
			if (gfp_mask & PF___GFP_THISNODE)
				goto nopage;
			compact_priority = INIT_COMPACT_PRIORITY;	/* stay async */
		}
	}

retry:
	if (check_retry_cpuset(m, cpuset_mems_cookie, ac))
		goto restart;

	/* keep kswapd awake while this loop runs */
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(order, gfp_mask, ac);

	reserve_flags = __gfp_pfmemalloc_flags(gfp_mask);
	if (reserve_flags)
		alloc_flags = gfp_to_alloc_flags_cma(m, gfp_mask, reserve_flags) | (alloc_flags & ALLOC_KSWAPD);

	/* requests allowed to ignore cpusets or watermarks may use any node */
	if (!(alloc_flags & ALLOC_CPUSET) || reserve_flags) {
		ac->nodemask = NULL;
		ac->preferred_zoneref = first_zones_zonelist(ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	}

	page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac);
	if (page)
		goto got_pg;

	if (!can_direct_reclaim)
		goto nopage;
	/* a reclaimer does not reclaim again for its own allocations */
	if (current_task()->flags & PF_MEMALLOC)
		goto nopage;

	page = __alloc_pages_direct_reclaim(m, gfp_mask, order, alloc_flags, ac, &did_some_progress);
	if (page)
		goto got_pg;

	page = __alloc_pages_direct_compact(m, gfp_mask, order, alloc_flags, ac, compact_priority, &compact_result);
	if (page)
		goto got_pg;

	if (gfp_mask & PF___GFP_NORETRY)
		goto nopage;
	if (costly_order && (!can_compact || !(gfp_mask & PF___GFP_RETRY_MAYFAIL)))
		goto nopage;

	if (should_reclaim_retry(m, gfp_mask, order, ac, alloc_flags, did_some_progress > 0, &no_progress_loops))
		goto retry;

	/* compaction needs free pages: retrying it helps only while reclaim made some */
	if (did_some_progress > 0 && can_compact &&
	    should_compact_retry(ac, order, alloc_flags, compact_result, &compact_priority, &compaction_retries))
		goto retry;

	if (check_retry_cpuset(m, cpuset_mems_cookie, ac))
		goto restart;

	page = __alloc_pages_may_oom(m, gfp_mask, order, ac, &did_some_progress);
	if (page)
		goto got_pg;

	/* the OOM killer freed something (or another thread is at it): go round again */
	if (did_some_progress) {
		no_progress_loops = 0;
		goto retry;
	}

nopage:
	if (check_retry_cpuset(m, cpuset_mems_cookie, ac))
		goto restart;

	if (unlikely(nofail)) {
		/* without direct reclaim a __GFP_NOFAIL request cannot be helped: it fails */
		if (!can_direct_reclaim)
			goto fail;
		/* the min-reserve part of the reserves, never all of them */
		page = __alloc_pages_cpuset_fallback(m, gfp_mask, order, ALLOC_MIN_RESERVE, ac);
		if (page)
			goto got_pg;
		pf_os_yield();	/* cond_resched: let other threads free memory */
		goto retry;
	}
fail:
	warn_alloc(m, gfp_mask, ac->nodemask, order);
got_pg:
	return page;
}

/*
 * prepare_alloc_pages (6.12): the alloc_context and the should_fail hook.
 * A thread with a cpuset: the first attempt runs as __GFP_HARDWALL, its
 * nodes as the nodemask when the caller gave none (in the atomic scope,
 * or with a caller's nodemask, ALLOC_CPUSET checks each zone instead).
 */
static bool prepare_alloc_pages(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order, int preferred_nid,
				nodemask_t *nodemask, struct alloc_context *ac, pf_gfp_t *alloc_gfp,
				unsigned int *alloc_flags)
{
	ac->highest_zoneidx = (enum zone_type)gfp_zone(gfp_mask);
	ac->zonelist = node_zonelist(m, preferred_nid, gfp_mask);
	ac->nodemask = nodemask;
	ac->migratetype = alloc_migratetype(m, gfp_mask);
	if (cpusets_enabled(m)) {
		*alloc_gfp |= PF___GFP_HARDWALL;
		if (in_task() && !ac->nodemask)
			ac->nodemask = (nodemask_t *)cpuset_current_mems_allowed(m);
		else
			*alloc_flags |= ALLOC_CPUSET;
	}
	if (should_fail_alloc_page(m, gfp_mask, order))
		return false;
	*alloc_flags = gfp_to_alloc_flags_cma(m, gfp_mask, *alloc_flags);
	/* dirty zone balancing: the first attempt only */
	ac->spread_dirty_pages = gfp_mask & PF___GFP_WRITE;
	/*
	 * The zonelist walk starts at the preferred zone, and NUMA hit/miss
	 * statistics are counted against it.
	 */
	ac->preferred_zoneref = first_zones_zonelist(ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	return true;
}

/*
 * __alloc_pages - the allocator's entry (__alloc_pages_noprof, 6.12):
 * order check, gfp_allowed_mask, the fast attempt at the low watermark,
 * then the slow path; trace either way.
 *
 * Deliberate differences: contradictory zone modifiers (GFP_ZONE_BAD) and
 * __GFP_MOVABLE|__GFP_RECLAIMABLE, which the kernel catches only with
 * CONFIG_DEBUG_VM, are refused with a warning.
 */
struct pf_page *__alloc_pages(struct pf_machine *m, pf_gfp_t gfp, unsigned int order, int preferred_nid,
			      nodemask_t *nodemask)
{
	struct pf_page *page;
	unsigned int alloc_flags = ALLOC_WMARK_LOW;
	struct alloc_context ac;
	pf_gfp_t alloc_gfp;

	memset(&ac, 0, sizeof ac);
	/* WARN_ON_ONCE_GFP(order > MAX_PAGE_ORDER, gfp) */
	if (unlikely(order > MAX_PAGE_ORDER)) {
		if (!(gfp & PF___GFP_NOWARN) && !atomic_exchange(&m->warned_order, 1))
			pf_printk(m, '4', "WARNING: CPU: %d PID: %d at mm/page_alloc.c __alloc_pages_noprof: "
				  "order %u > MAX_PAGE_ORDER (%d)", pf_os_current_cpu() % m->nr_cpus, pf_os_tid(),
				  order, MAX_PAGE_ORDER);
		return NULL;
	}
	gfp &= m->gfp_allowed_mask;
	/* the thread's scopes (memalloc_noio_save, ...) apply to every request it makes */
	gfp = current_gfp_context(gfp);
	if (unlikely(gfp_zone(gfp) < 0 || gfp_migratetype(gfp) < 0)) {
		if (!(gfp & PF___GFP_NOWARN)) {
			char names[512];
			pf_format_gfp_flags(gfp, names, sizeof names);
			pf_printk(m, '4', "pageframe: refusing contradictory gfp flags %#x(%s): %s", gfp, names,
				  gfp_zone(gfp) < 0 ? "VM_BUG_ON((GFP_ZONE_BAD >> bit) & 1)"
						    : "VM_WARN_ON((gfp_flags & GFP_MOVABLE_MASK) == GFP_MOVABLE_MASK)");
		}
		return NULL;
	}
	if (unlikely(preferred_nid < 0 || preferred_nid >= m->nr_node_ids))
		preferred_nid = 0;
	alloc_gfp = gfp;
	if (!prepare_alloc_pages(m, gfp, order, preferred_nid, nodemask, &ac, &alloc_gfp, &alloc_flags))
		return NULL;

	/* The fast attempt may claim only whole pageblocks of another type until every local zone has been tried. */
	alloc_flags |= alloc_flags_nofragment(m, zonelist_zone(ac.preferred_zoneref), gfp);

	/* First allocation attempt */
	page = get_page_from_freelist(m, alloc_gfp, order, alloc_flags, &ac);
	if (likely(page))
		goto out;

	alloc_gfp = gfp;
	ac.spread_dirty_pages = false;
	ac.nodemask = nodemask;
	page = __alloc_pages_slowpath(m, alloc_gfp, order, &ac);
out:
	/* __GFP_ACCOUNT: charge the thread's memcg; over its limit the page goes back */
	if (memcg_kmem_online(m) && (gfp & PF___GFP_ACCOUNT) && page &&
	    unlikely(__memcg_kmem_charge_page(page, gfp, (int)order) != 0)) {
		__free_pages(page, order);
		page = NULL;
	}
	if (trace_enabled(m, TRACE_MM_PAGE_ALLOC))
		pf_trace_mm_page_alloc(m, page, order, alloc_gfp, ac.migratetype);
	return page;
}

/* ---- per-CPU page lists: freeing and draining -------------------------------------------------------- */

/* Expensive check (PF_DEBUG_VM 2): the pages on a pageset's lists, counted by walking them. */
static inline long pcp_count_pages(struct per_cpu_pages *pcp)
{
	long n = 0;
	for (unsigned int pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
		struct list_head *pos;
		list_for_each(pos, &pcp->lists[pindex])
			n += 1L << pindex_to_order(pindex);
	}
	return n;
}

/*
 * free_pcppages_bulk (6.12): return @count pages from the pcp lists to the
 * buddy lists, round-robin over the lists starting with @pindex.
 * Context: pcp->lock held; takes zone->lock.
 */
static void free_pcppages_bulk(struct zone *zone, int count, struct per_cpu_pages *pcp, int pindex)
{
	struct pf_machine *m = zone_machine(zone);
	bool trace = trace_enabled(m, TRACE_MM_PAGE_PCPU_DRAIN);

	lockdep_assert_held(&pcp->lock);
	/* never ask for more than the lists hold: the loop below would not end */
	if (count > pcp->count)
		count = pcp->count;
	/* the loop pre-increments: start one before @pindex so it goes first */
	pindex = pindex - 1;

	pf_spin_lock(&zone->lock);
	while (count > 0) {
		struct list_head *list;
		/* next non-empty list, wrapping after the last */
		do {
			if (++pindex > NR_PCP_LISTS - 1)
				pindex = 0;
			list = &pcp->lists[pindex];
		} while (list_empty(list));

		unsigned int order = pindex_to_order((unsigned)pindex);
		int nr_pages = 1 << order;
		/*
		 * __free_one_page's account_freepages adds nr_pages to
		 * NR_FREE_PAGES for every block of this list; the run is added
		 * at once after it (__mod_zone_page_state_repeat: the same
		 * counter and differential as call by call).  CMA, highatomic
		 * and isolated blocks keep their own accounting.
		 */
		unsigned long run = 0;
		do {
			struct pf_page *page = list_last_entry(list, struct pf_page, pcp_list);
			unsigned long pfn = (unsigned long)(page - m->mem_map);
			unsigned long bitidx;
			unsigned long *word = pfn_to_bitidx(m, pfn, &bitidx);
			int mt = (int)((__atomic_load_n(word, __ATOMIC_RELAXED) >> bitidx) & MIGRATETYPE_MASK);

			/*
			 * pageframe's own: start the cache misses of the next block
			 * and of its buddy now, while this one merges (a hint only).
			 */
			if (page->pcp_list.prev != list) {
				struct pf_page *next = list_entry(page->pcp_list.prev, struct pf_page, pcp_list);
				unsigned long next_pfn = (unsigned long)(next - m->mem_map);
				__builtin_prefetch(next, 1);
				__builtin_prefetch(&m->mem_map[next_pfn ^ (1UL << order)], 1);
			}

			/* off the pcp list before __free_one_page reuses its list links */
			list_del(&page->pcp_list);
			count -= nr_pages;
			pcp->count -= nr_pages;
			if (likely(mt < MIGRATE_PCPTYPES))
				run++;
			else
				account_freepages(zone, nr_pages, mt);
			__free_one_page_merge(page, pfn, zone, order, mt, FPI_NONE);
			if (unlikely(trace))
				__trace_mm_page_pcpu_drain(page, order, mt);
		} while (count > 0 && !list_empty(list));
		__mod_zone_page_state_repeat(zone, NR_FREE_PAGES, nr_pages, run);
	}
	pf_spin_unlock(&zone->lock);
	VM_BUG_ON_EXPENSIVE(pcp_count_pages(pcp) != pcp->count);
}

/* nr_pcp_free (6.12): how many pages a spill returns. */
static int nr_pcp_free(struct per_cpu_pages *pcp, int batch, int high, bool free_high)
{
	int min_nr_free, max_nr_free;

	/* free_high: spill all, up to the largest scaled batch */
	if (unlikely(free_high))
		return pcp->count < (batch << CONFIG_PCP_BATCH_SCALE_MAX) ? pcp->count
									: batch << CONFIG_PCP_BATCH_SCALE_MAX;
	/* high below a batch: the list is effectively off */
	if (unlikely(high < batch))
		return 1;
	/* spill at least a batch, at most high - batch (a full list keeps one batch) */
	min_nr_free = batch;
	max_nr_free = high - batch;
	/* within those bounds, spill as many as were freed in a row (free_count) */
	return clamp_int(pcp->free_count, min_nr_free, max_nr_free);
}

/* nr_pcp_high (6.12): the list's current high, tuned between high_min and high_max. */
static int nr_pcp_high(struct per_cpu_pages *pcp, struct zone *zone, int batch, bool free_high)
{
	int high, high_min, high_max;

	high_min = __atomic_load_n(&pcp->high_min, __ATOMIC_RELAXED);
	high_max = __atomic_load_n(&pcp->high_max, __ATOMIC_RELAXED);
	high = pcp->high = clamp_int(pcp->high, high_min, high_max);

	if (unlikely(!high))
		return 0;
	if (unlikely(free_high)) {
		pcp->high = high - (batch << CONFIG_PCP_BATCH_SCALE_MAX) > high_min
				    ? high - (batch << CONFIG_PCP_BATCH_SCALE_MAX) : high_min;
		return 0;
	}
	unsigned long zflags = __atomic_load_n(&zone->flags, __ATOMIC_RELAXED);
	/* ZONE_RECLAIM_ACTIVE: shrink high and cap what the list keeps at four batches */
	if (zflags & (1UL << ZONE_RECLAIM_ACTIVE)) {
		int free_count = pcp->free_count > batch ? pcp->free_count : batch;
		pcp->high = high - free_count > high_min ? high - free_count : high_min;
		return (batch << 2) < pcp->high ? batch << 2 : pcp->high;
	}
	if (high_min == high_max)
		return high;
	if (zflags & (1UL << ZONE_BELOW_HIGH)) {
		int free_count = pcp->free_count > batch ? pcp->free_count : batch;
		pcp->high = high - free_count > high_min ? high - free_count : high_min;
		high = pcp->count > high_min ? pcp->count : high_min;
	} else if (pcp->count >= high) {
		int need_high = pcp->free_count + batch;
		/* the list filled up: raise high so it holds the run being freed plus a batch */
		if (pcp->high < need_high)
			pcp->high = clamp_int(need_high, high_min, high_max);
	}
	return high;
}

/*
 * The end of free_unref_page_commit (6.12): retune high, and spill a batch
 * when the list reached it.  Out of line: the common free stays below high.
 * Context: pcp->lock.
 */
static __attribute__((noinline)) void free_unref_page_commit_high(struct zone *zone, struct per_cpu_pages *pcp,
								   int batch, bool free_high, int pindex)
{
	int high = nr_pcp_high(pcp, zone, batch, free_high);

	lockdep_assert_held(&pcp->lock);
	if (pcp->count >= high) {
		free_pcppages_bulk(zone, nr_pcp_free(pcp, batch, high, free_high), pcp, pindex);
		clear_below_high(zone);
	}
}

/*
 * free_unref_page_commit (6.12): put the block on this CPU's list, then
 * let the list's high decide whether a batch goes back to the buddy lists.
 * One body for the general path (free_unref_page) and the fast paths.
 *
 * nr_pcp_high changes nothing and returns pcp->high when high already lies
 * in [high_min, high_max], no high-order batch free is under way, and the
 * zone is neither reclaiming nor below its high watermark; then a list
 * still below high needs nothing more.  Only when one of those fails is
 * free_unref_page_commit_high called, which does all of it as the kernel
 * does.  Context: pcp->lock.
 */
static inline __attribute__((always_inline)) void free_unref_page_commit(struct zone *zone,
									   struct per_cpu_pages *pcp,
									   struct pf_page *page, int migratetype,
									   unsigned int order)
{
	int batch, pindex, high;
	bool free_high = false;

	/* a free ends any run of allocations: the next refill starts small again */
	pcp->alloc_factor >>= 1;
	pcp_ev_add(&pcp->ev_pgfree, 1UL << order);
	pindex = (int)order_to_pindex(migratetype, order);
	list_add(&page->pcp_list, &pcp->lists[pindex]);
	pcp->count += 1 << order;

	batch = __atomic_load_n(&pcp->batch, __ATOMIC_RELAXED);
	/*
	 * Small high-order blocks (not THP's) that keep coming back without
	 * allocations in between would sit on the list and fragment the zone:
	 * after a run of them, free_high makes the spill return them all.
	 */
	if (order && order <= PAGE_ALLOC_COSTLY_ORDER) {
		free_high = (pcp->free_count >= batch && (pcp->flags & PCPF_PREV_FREE_HIGH_ORDER) &&
			     (!(pcp->flags & PCPF_FREE_HIGH_BATCH) || pcp->count >= batch));
		pcp->flags |= PCPF_PREV_FREE_HIGH_ORDER;
	} else if (unlikely(pcp->flags & PCPF_PREV_FREE_HIGH_ORDER)) {
		pcp->flags &= (uint8_t)~PCPF_PREV_FREE_HIGH_ORDER;
	}
	if (pcp->free_count < (batch << CONFIG_PCP_BATCH_SCALE_MAX))
		pcp->free_count += (short)(1 << order);

	high = pcp->high;
	if (unlikely(free_high || pcp->count >= high || high < __atomic_load_n(&pcp->high_min, __ATOMIC_RELAXED) ||
		     high > __atomic_load_n(&pcp->high_max, __ATOMIC_RELAXED) ||
		     (__atomic_load_n(&zone->flags, __ATOMIC_RELAXED) &
		      ((1UL << ZONE_RECLAIM_ACTIVE) | (1UL << ZONE_BELOW_HIGH)))))
		free_unref_page_commit_high(zone, pcp, batch, free_high, pindex);
}

/*
 * free_unref_page (6.12): small orders go to this CPU's list, others (and
 * isolated pageblocks) straight to the buddy lists.
 */
static void free_unref_page(struct pf_page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	struct per_cpu_pages *pcp;
	struct zone *zone;
	int migratetype;

	if (!pcp_allowed_order(page_machine(page), order)) {
		__free_pages_ok(page, order, FPI_NONE);
		return;
	}
	if (!free_pages_prepare(page, order, FPI_NONE))
		return;
	/*
	 * The pcp lists exist for the first MIGRATE_PCPTYPES types only.  A
	 * page of an isolated block goes straight back to the buddy lists
	 * (its block is being taken out of use); HIGHATOMIC and CMA pages
	 * ride on the movable list, their block type still set.
	 */
	migratetype = get_pfnblock_migratetype(page, pfn);
	if (unlikely(migratetype >= MIGRATE_PCPTYPES)) {
		if (unlikely(is_migrate_isolate(migratetype))) {
			free_one_page(page_zone(page), page, pfn, order, FPI_NONE);
			return;
		}
		migratetype = MIGRATE_MOVABLE;
	}
	zone = page_zone(page);
	pcp = pcp_spin_trylock(zone);
	if (pcp) {
		free_unref_page_commit(zone, pcp, page, migratetype, order);
		pcp_spin_unlock(pcp);
	} else {
		free_one_page(zone, page, pfn, order, FPI_NONE);
	}
}

/* drain_pages_zone (6.12): empty one CPU's lists of a zone. Context: takes that pcp->lock. */
static void drain_pages_zone(int cpu, struct zone *zone)
{
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
	int count;

	do {
		pcp_spin_lock(zone, pcp);
		count = pcp->count;
		if (count) {
			int to_drain = count < (pcp->batch << CONFIG_PCP_BATCH_SCALE_MAX)
					       ? count : pcp->batch << CONFIG_PCP_BATCH_SCALE_MAX;
			free_pcppages_bulk(zone, to_drain, pcp, 0);
			count -= to_drain;
		}
		pcp_spin_unlock(pcp);
	} while (count);
}

/*
 * decay_pcp_high (6.12): shrink an idle list's high towards high_min and
 * spill what exceeds it; the kernel runs it from the vmstat worker every
 * second, pageframe from pf_vmstat_refresh.
 */
bool decay_pcp_high(struct zone *zone, struct per_cpu_pages *pcp)
{
	int high_min, to_drain, batch;
	bool todo = false;

	pcp_spin_lock(zone, pcp);
	high_min = pcp->high_min;
	batch = pcp->batch;
	if (pcp->high > high_min) {
		int a = pcp->count - (batch << CONFIG_PCP_BATCH_SCALE_MAX);
		int b = pcp->high - (pcp->high >> 3);
		int h = a > b ? a : b;
		pcp->high = h > high_min ? h : high_min;
		if (pcp->high > high_min)
			todo = true;
	}
	to_drain = pcp->count - pcp->high;
	while (to_drain > 0) {
		int n = to_drain < batch ? to_drain : batch;
		free_pcppages_bulk(zone, n, pcp, 0);
		todo = true;
		to_drain -= n;
	}
	pcp_spin_unlock(pcp);
	return todo;
}

/*
 * The remote-list step of refresh_cpu_vm_stats (mm/vmstat.c, 6.12,
 * CONFIG_NUMA) for @cpu's list of @zone, after decay_pcp_high: a fold of
 * any of the CPU's differentials of the zone in this step (@folded) starts
 * a count of three steps; a list of the CPU's own node stops it; a list of
 * another node still holding pages when it runs out gives back one batch
 * (drain_zone_pages).  Return: something was counted down or drained.
 */
bool pcp_expire_step(struct zone *zone, int cpu, bool folded)
{
	struct pf_machine *m = zone_machine(zone);
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
	bool changed = false;

	pcp_spin_lock(zone, pcp);
	if (folded)
		pcp->expire = 3;
	if (!pcp->expire || !pcp->count)
		goto out;
	if (zone_to_nid(zone) == m->cpu_to_node[cpu]) {
		pcp->expire = 0;
		goto out;
	}
	changed = true;
	if (--pcp->expire)
		goto out;
	/* drain_zone_pages: at most one batch */
	int to_drain = pcp->count < pcp->batch ? pcp->count : pcp->batch;
	if (to_drain > 0)
		free_pcppages_bulk(zone, to_drain, pcp, 0);
out:
	pcp_spin_unlock(pcp);
	return changed;
}

static void drain_pages(struct pf_machine *m, int cpu)
{
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (populated_zone(zone))
				drain_pages_zone(cpu, zone);
		}
}

/* drain_local_pages (6.12): this CPU's lists, of one zone or all. */
void drain_local_pages(struct pf_machine *m, struct zone *zone)
{
	int cpu = pf_this_cpu(m);
	if (zone)
		drain_pages_zone(cpu, zone);
	else
		drain_pages(m, cpu);
}

/*
 * drain_all_pages (6.12): every CPU's lists.  The kernel queues work on
 * each CPU; here the caller drains the other CPUs' lists itself under
 * their pcp locks, which is what the work would do.
 */
void drain_all_pages(struct pf_machine *m, struct zone *zone)
{
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		if (zone)
			drain_pages_zone(cpu, zone);
		else
			drain_pages(m, cpu);
	}
}

/* The block goes to free_unref_page: the per-CPU list or the buddy lists. */
static void free_the_page(struct pf_page *page, unsigned int order)
{
	set_alloc_record(page_machine(page), page_to_pfn(page), 0);
	free_unref_page(page, order);
}

/*
 * pf_bad_free - report a free that must not happen, in bad_page's words,
 * and count it.  Nothing of the page is changed.
 */
static void pf_bad_free(struct pf_page *page, const char *reason)
{
	bad_page(page, reason);
}

/*
 * put_page_testzero (include/linux/mm.h, 6.12) - drop one of the owner's
 * references.  Return: 1 when it was the last (the caller frees), 0 when
 * references remain, -1 when the owner held none: the page is free
 * already, or another thread's free of it has just won.
 *
 * Deliberate difference: the kernel decrements blindly (a double free
 * underflows the count, caught later by a VM_BUG_ON).  Here the count
 * moves by compare-and-swap and never below the owner's last reference,
 * so of two frees racing for one page exactly one sees the count go to
 * zero and the other is told it held nothing (pageframe.h's promise that a
 * double free is reported and changes nothing holds for racing frees too).
 */
static inline int put_page_testzero(struct pf_page *page)
{
	int c = __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED);
	do {
		if (unlikely(c <= 0 || !(c & (PAGE_REF_SPECULATIVE - 1))))
			return -1;
	/* acq_rel: the last dropper sees every earlier holder's writes; ours reach the next one */
	} while (!__atomic_compare_exchange_n(&page->_refcount, &c, c - 1, true, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return c == 1;
}

/* The double free a lost race turns into: reported as a sequential one is (__free_pages, put_page). */
#define BAD_FREE_REFCOUNT_ZERO "VM_BUG_ON_PAGE(page_ref_count(page) == 0)"

/* The page is an allocation's head; returns its recorded order + 1, 0 if none. */
static inline unsigned alloc_record(struct pf_page *page)
{
	return __atomic_load_n(&page_machine(page)->alloc_order[page_to_pfn(page)], __ATOMIC_RELAXED);
}

/*
 * free_checked - free a block whose last reference just went, after
 * checking all of it.  On a bad block the reference is restored and the
 * block kept out of the free lists.
 */
static void free_checked(struct pf_page *page, unsigned int order)
{
	const char *reason = NULL;
	struct pf_machine *m = page_machine(page);
	struct pf_page *bad = NULL;

	/* One combined check of a plain order-0 page (page_expected_state); the full walk otherwise. */
	if (m->check_pages && !(order == 0 && page_expected_state(page, PAGE_FLAGS_CHECK_AT_FREE | (1UL << PG_head))))
		bad = free_pages_check(page, order, &reason);
	if (unlikely(bad)) {
		set_page_count(page, 1);	/* keep it allocated: nothing is lost */
		pf_bad_free(bad, reason);
		return;
	}
	/*
	 * free_pages_prepare (6.12) uncharges a kmem page before its checks;
	 * here the checks ran first (with the kmem charge let through) so that a
	 * refused free leaves the charge too.
	 */
	if (memcg_kmem_online(m) && PageMemcgKmem(page))
		__memcg_kmem_uncharge_page(page, (int)order);
	free_the_page(page, order);
}

/*
 * __free_pages (6.12) - drop a reference to a block; free it at zero.
 *
 * The kernel's rule for a non-compound high-order block that still has
 * references: the holder of the last reference will free only the first
 * page (put_page), so the rest is freed now, in blocks of order-1 .. 0.
 *
 * Deliberate differences, so that a bad free loses nothing: the page is
 * checked against its allocation record before its count is touched; a
 * page at refcount 0 (double free), a tail page, a page that is not an
 * allocation's head, or an order that is not the allocated one is
 * reported once through bad_page and changes nothing.
 */
void __free_pages(struct pf_page *page, unsigned int order)
{
	unsigned rec = alloc_record(page);

	/* the owner's references: a migration's speculative one does not make a second free right */
	if (unlikely(page_owner_refs(page) <= 0)) {
		pf_bad_free(page, BAD_FREE_REFCOUNT_ZERO);
		return;
	}
	if (unlikely(!rec)) {
		pf_bad_free(page, PageTail(page) ? "freed a tail page of a compound page"
						 : "freed a page the page allocator did not hand out");
		return;
	}
	if (unlikely(rec != order + 1)) {
		char why[96];
		snprintf(why, sizeof why, "freed with order %u, allocated with order %u", order, rec - 1);
		pf_bad_free(page, why);
		return;
	}

	struct pf_machine *m = page_machine(page);
	/*
	 * Deliberate differences for blocks others may hold references to
	 * (migrate.c): a movable block (PAGE_MAPPING_MOVABLE, which stays set
	 * after pf_clear_page_movable) is never split: the migration holding
	 * it frees it whole.  Before a split the first page's record already
	 * says order 0, published by the release of our decrement, so a
	 * speculative holder who drops the last reference (put_page_refs)
	 * frees only that page, as the kernel's folio_put would.
	 */
	/*
	 * PageHead (what we need of the page) is read before our reference
	 * goes, and only for a block of order > 0: an order-0 free reads
	 * nothing but the count and the record until put_page_testzero has
	 * made it the page's only freer (a racing second free reads no field
	 * the winner is rewriting).
	 */
	bool split = order && !PageHead(page) &&
		     ((unsigned long)__atomic_load_n(&page->mapping, __ATOMIC_RELAXED) & 3UL) != 2UL;
	unsigned long pfn = (unsigned long)(page - m->mem_map);
	/*
	 * Only one holder splits the block: another holder's __free_pages at
	 * the same order, racing with ours, finds the record changed and is
	 * refused as a sequential one after ours would be (the block is order
	 * 0 now); its reference stays, for put_page.
	 */
	if (split && unlikely(!swap_alloc_record(m, pfn, (unsigned char)(order + 1), 1))) {
		char why[96];
		snprintf(why, sizeof why, "freed with order %u, allocated with order %u", order,
			 alloc_record(page) ? alloc_record(page) - 1 : 0);
		pf_bad_free(page, why);
		return;
	}
	int last = put_page_testzero(page);
	if (unlikely(last < 0)) {
		/* a racing free of the same page won (and may have freed it): ours is the double free */
		if (split)
			(void)swap_alloc_record(m, pfn, 1, (unsigned char)(order + 1));
		pf_bad_free(page, BAD_FREE_REFCOUNT_ZERO);
		return;
	}
	if (last) {
		if (split)
			set_alloc_record(m, (unsigned long)(page - m->mem_map), (unsigned char)(order + 1));
		free_checked(page, order);
	} else if (split) {
		/* the pages freed now take their part of a kmem charge with them (memcontrol.c) */
		if (memcg_kmem_online(m) && PageMemcgKmem(page))
			memcg_kmem_uncharge_split(page, (int)order);
		/* the first page lives on at order 0 */
		while (order-- > 0) {
			struct pf_page *p = page + (1UL << order);
			set_alloc_record(m, (unsigned long)(p - m->mem_map), (unsigned char)(order + 1));
			free_checked(p, order);
		}
	}
}

/*
 * put_page (folio_put, 6.12) - drop a reference to the page's folio; free
 * it at zero, with its compound order.
 *
 * Deliberate difference: a non-compound high-order block whose last
 * reference goes through put_page is freed whole (the kernel frees only
 * the first page and leaks the rest), with a warning once per machine.
 */
/*
 * folio_head_peek - page_folio of a page a racing free of the same page
 * may be putting on a list right now (its ->lru shares the word with
 * ->compound_head): an allocation's head is its own head, known from the
 * record without reading the page; otherwise the word is read as the
 * kernel's READ_ONCE would, outside ThreadSanitizer's view.
 */
static __data_race struct pf_page *folio_head_peek(struct pf_page *page)
{
	if (alloc_record(page))
		return page;
	unsigned long head = *(volatile unsigned long *)&page->compound_head;
	return (head & 1) ? (struct pf_page *)(head - 1) : page;
}

void put_page(struct pf_page *page)
{
	struct pf_page *head = folio_head_peek(page);

	if (unlikely(page_owner_refs(head) <= 0)) {
		pf_bad_free(head, BAD_FREE_REFCOUNT_ZERO);
		return;
	}
	unsigned rec = alloc_record(head);
	if (unlikely(!rec)) {
		pf_bad_free(head, "put_page on a page the page allocator did not hand out");
		return;
	}
	int last = put_page_testzero(head);
	if (unlikely(last < 0)) {
		pf_bad_free(head, BAD_FREE_REFCOUNT_ZERO);	/* a racing free won */
		return;
	}
	if (last) {
		/*
		 * The record again, now that the count is ours: another holder's
		 * __free_pages may have split the block since it was read above
		 * (its first page then says order 0, and only that page is left
		 * to free).  The split's store comes before its decrement, which
		 * ours followed.
		 */
		rec = alloc_record(head);
		unsigned int order = PageHead(head) ? compound_order(head) : 0;
		if (unlikely(!PageHead(head) && rec > 1)) {
			struct pf_machine *m = page_machine(head);
			order = rec - 1;
			if (!atomic_exchange(&m->warned_put_page, 1))
				pf_printk(m, '4', "pageframe: put_page freed a non-compound order-%u block at pfn %#lx "
					  "whole; the kernel frees only its first page (use __GFP_COMP)",
					  order, page_to_pfn(head));
		}
		free_checked(head, order);
	}
}

/*
 * put_page_refs (pageframe's own) - drop @nr references a holder that does
 * not own the block took (isolate_movable_page, migrate_pages).  Whoever
 * takes the count to zero frees the block: a compound one with its
 * compound order, a plain one with the order its allocation record holds
 * once the count is zero (__free_pages leaves movable blocks whole and
 * marks a block it splits first).  Nothing is checked first: the caller
 * holds the references it drops.
 */
void put_page_refs(struct pf_page *page, int nr)
{
	int left = __atomic_sub_fetch(&page->_refcount, nr, __ATOMIC_ACQ_REL);
	VM_BUG_ON_PAGE(left < 0, page);
	if (left == 0) {
		unsigned rec = alloc_record(page);
		free_checked(page, PageHead(page) ? compound_order(page) : rec ? rec - 1 : 0);
	}
}

/* get_page: VM_BUG_ON_PAGE(page_ref_zero_or_close_to_overflow(page)) becomes a report. */
void get_page(struct pf_page *page)
{
	struct pf_page *head = pf_compound_head(page);
	/*
	 * Deliberate difference: the owner's references are capped at
	 * PAGE_REF_OWNER_MAX (internal.h), which keeps them apart from a
	 * migration's; one more is refused as an overflow.
	 */
	int owned = page_owner_refs(head);
	if (unlikely(owned <= 0 || owned >= PAGE_REF_OWNER_MAX)) {
		pf_bad_free(head, "VM_BUG_ON_PAGE(page_ref_zero_or_close_to_overflow(page))");
		return;
	}
	page_ref_inc(head);
}

/* ---- isolating free blocks for compaction ------------------------------------------------------------- */

/*
 * __isolate_free_page (6.12) - take a free block off the buddy lists for
 * compaction's free scanner or for a range being isolated.  Outside an
 * isolated pageblock the zone must stay above its min watermark plus the
 * block, as an allocation of it would.  A block of at least half a
 * pageblock makes its pageblocks MOVABLE, unless they are of a type that
 * keeps to itself (isolate, CMA, highatomic).  The block is left neither
 * PageBuddy nor on a list, refcount 0, private 0.
 * Return: the pages taken (1 << order), or 0 when the watermark says no.
 * Context: zone->lock held.
 */
int __isolate_free_page(struct pf_page *page, unsigned int order)
{
	struct zone *zone = page_zone(page);
	int mt = get_pageblock_migratetype(page);

	lockdep_assert_held(&zone->lock);
	if (!is_migrate_isolate(mt)) {
		/* an order-0 test against a mark raised by the block stands for the order test */
		unsigned long watermark = zone->_watermark[WMARK_MIN] + (1UL << order);
		if (!zone_watermark_ok(zone, 0, watermark, 0, ALLOC_CMA))
			return 0;
	}

	del_page_from_free_list(page, zone, order, mt);

	if (order >= pageblock_order - 1) {
		struct pf_page *endpage = page + (1UL << order) - 1;
		for (; page < endpage; page += pageblock_nr_pages) {
			int bmt = get_pageblock_migratetype(page);
			if (migratetype_is_mergeable(bmt))
				move_freepages_block(zone, page, bmt, MIGRATE_MOVABLE);
		}
	}
	return 1 << order;
}

/*
 * mark_allocated (compaction.c's helper in 6.12, here beside prep_new_page):
 * a block __isolate_free_page took becomes an allocated block of @order,
 * as prep_new_page leaves one - private cleared, init_on_alloc, refcount 1,
 * compound with __GFP_COMP, and pageframe's allocation record - so it can
 * be handed to a page's owner or freed with __free_pages.
 */
void mark_allocated(struct pf_page *page, unsigned int order, pf_gfp_t gfp_flags)
{
	prep_new_page(page, order, gfp_flags & (pf_gfp_t)~PF___GFP_ZERO, 0);
}

/*
 * free_pages_prepare_isolated - compaction_free's half (6.12: folio_put_testzero
 * then free_pages_prepare): drop the reference mark_allocated gave; at zero
 * clear the allocation record and the block's state, so it may go back on
 * compaction's private list.  Return: true when it may.
 */
bool free_pages_prepare_isolated(struct pf_page *page, unsigned int order)
{
	if (put_page_testzero(page) <= 0)
		return false;
	set_alloc_record(page_machine(page), page_to_pfn(page), 0);
	return free_pages_prepare(page, order, FPI_NONE);
}

/* ---- isolation and contiguous ranges ------------------------------------------------------------------------ */

/*
 * find_large_buddy (6.12): the free block that holds @start_pfn while
 * starting below it, looked for at every order up to MAX_PAGE_ORDER;
 * @start_pfn itself when there is none.
 */
static __data_race unsigned long find_large_buddy(struct pf_machine *m, unsigned long start_pfn)
{
	int order = 0;
	struct pf_page *page;
	unsigned long pfn = start_pfn;

	/* fields read directly: the pages looked at may be other threads' */
	while (((page = pfn_to_page(m, pfn))->page_type >> 24) != PGTY_buddy) {
		if (++order > MAX_PAGE_ORDER)
			return start_pfn;
		pfn &= ~0UL << order;
	}
	/* a free block below us that ends before start_pfn does not hold it */
	if (page->private < NR_PAGE_ORDERS && pfn + (1UL << page->private) > start_pfn)
		return pfn;
	return start_pfn;
}

/*
 * move_freepages_block_isolate (6.12) - give @page's pageblock @migratetype
 * (MIGRATE_ISOLATE, or back from it) and move its free pages to that
 * type's lists.  A free block larger than a pageblock that holds this one
 * (from its start or from below) is split into pageblocks first, so only
 * this pageblock's part changes list.  Return: false when the pageblock
 * is not wholly inside the zone.  Context: zone->lock held.
 *
 * Deliberate difference: returns int (1/0) as internal.h declares it.
 */
/*
 * The pageblock type by pfn alone (get_pfnblock_migratetype and
 * set_pfnblock_flags_mask without reading the page, which may be another
 * thread's).
 */
static int pfnblock_mt(struct pf_machine *m, unsigned long pfn)
{
	unsigned long bitidx;
	unsigned long *word = pfn_to_bitidx(m, pfn, &bitidx);
	return (int)((__atomic_load_n(word, __ATOMIC_RELAXED) >> bitidx) & MIGRATETYPE_MASK);
}

static void set_pfnblock_mt(struct pf_machine *m, unsigned long pfn, int migratetype)
{
	unsigned long bitidx;
	unsigned long *word = pfn_to_bitidx(m, pfn, &bitidx);
	unsigned long mask = MIGRATETYPE_MASK << bitidx;
	unsigned long old = __atomic_load_n(word, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(word, &old, (old & ~mask) | ((unsigned long)migratetype << bitidx), false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* PageBuddy and buddy_order of a page that may be another thread's (stable under zone->lock when free) */
static __data_race unsigned int peek_buddy_order(const struct pf_page *page)
{
	return (page->page_type >> 24) == PGTY_buddy ? (unsigned int)page->private + 1 : 0;
}

int move_freepages_block_isolate(struct zone *zone, struct pf_page *page, int migratetype)
{
	struct pf_machine *m = zone_machine(zone);
	unsigned long start_pfn, pfn;
	unsigned int bo;

	lockdep_assert_held(&zone->lock);
	if (!prep_move_freepages_block(zone, page, &start_pfn, NULL, NULL))
		return 0;

	/* pageblock_order < MAX_PAGE_ORDER here, so free blocks may span several pageblocks */
	pfn = find_large_buddy(m, start_pfn);
	if (pfn != start_pfn) {
		/* this pageblock is a later part of a larger free block */
		struct pf_page *buddy = pfn_to_page(m, pfn);
		unsigned int order = buddy_order(buddy);

		del_page_from_free_list(buddy, zone, order, pfnblock_mt(m, pfn));
		set_pfnblock_mt(m, start_pfn, migratetype);
		split_large_buddy(zone, buddy, pfn, (int)order, FPI_NONE);
		return 1;
	}
	bo = peek_buddy_order(page);
	if (bo && bo - 1 > pageblock_order) {
		/* this pageblock starts a larger free block */
		unsigned int order = bo - 1;

		/* the kernel passes pfn here, which equals start_pfn on this path */
		del_page_from_free_list(page, zone, order, pfnblock_mt(m, start_pfn));
		set_pfnblock_mt(m, start_pfn, migratetype);
		split_large_buddy(zone, page, start_pfn, (int)order, FPI_NONE);
		return 1;
	}
	__move_freepages_block(zone, start_pfn, pfnblock_mt(m, start_pfn), migratetype);
	return 1;
}

/* __isolate_free_page: see "isolating free blocks for compaction" above. */

/*
 * __putback_isolated_page (6.12) - return a block __isolate_free_page took
 * to the tail of the free lists of @mt, merging as a free does.
 * Context: zone->lock held.
 */
void __putback_isolated_page(struct pf_page *page, unsigned int order, int mt)
{
	struct zone *zone = page_zone(page);

	lockdep_assert_held(&zone->lock);
	__free_one_page(page, page_to_pfn(page), zone, order, mt, FPI_SKIP_REPORT_NOTIFY | FPI_TO_TAIL);
}

/*
 * split_free_pages (6.12): the free blocks alloc_contig_range isolated
 * (cc->freepages, by order) become order-0 pages, each refcounted and, as
 * pageframe's own, in the allocation record as an order-0 allocation so a
 * pf_free_pages(page, 0) of any of them is checked like any other.
 */
static void split_free_pages(struct list_head *list, pf_gfp_t gfp_mask)
{
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
		unsigned long nr_pages = 1UL << order;
		struct list_head *pos, *next;

		for (pos = list[order].next; pos != &list[order]; pos = next) {
			next = pos->next;
			struct pf_page *page = list_entry(pos, struct pf_page, lru);
			struct pf_machine *m = page_machine(page);
			unsigned long pfn = page_to_pfn(page);

			post_alloc_hook(page, order, gfp_mask);
			set_page_refcounted(page);
			set_alloc_record(m, pfn, 1);
			if (!order)
				continue;
			/* split_page: every page its own reference and record */
			split_page_owner(m, page, (int)order, 0);
			for (unsigned long i = 1; i < nr_pages; i++) {
				set_page_refcounted(page + i);
				set_alloc_record(m, pfn + i, 1);
			}
			/* the pages go on the order-0 list, in order */
			list_del(&page->lru);
			for (unsigned long i = 0; i < nr_pages; i++)
				list_add_tail(&page[i].lru, &list[0]);
		}
	}
}

/*
 * __alloc_contig_verify_gfp_mask (6.12): zone, node and mobility bits are
 * dropped (the range is given); besides reclaim flags only a few action
 * flags are allowed.  *@gfp_cc_mask is what migration allocates with.
 */
static int __alloc_contig_verify_gfp_mask(pf_gfp_t gfp_mask, pf_gfp_t *gfp_cc_mask)
{
	const pf_gfp_t reclaim_mask = PF___GFP_IO | PF___GFP_FS | PF___GFP_RECLAIM;
	const pf_gfp_t action_mask = PF___GFP_COMP | PF___GFP_RETRY_MAYFAIL | PF___GFP_NOWARN | PF___GFP_ZERO |
				     PF___GFP_ZEROTAGS | PF___GFP_SKIP_ZERO | PF___GFP_SKIP_KASAN;
	const pf_gfp_t cc_action_mask = PF___GFP_RETRY_MAYFAIL | PF___GFP_NOWARN;

	gfp_mask &= ~(pf_gfp_t)(PF_GFP_ZONEMASK | PF___GFP_RECLAIMABLE | PF___GFP_WRITE | PF___GFP_HARDWALL |
				PF___GFP_THISNODE | PF___GFP_MOVABLE);
	if (gfp_mask & ~(reclaim_mask | action_mask))
		return -EINVAL;
	*gfp_cc_mask = (gfp_mask & (reclaim_mask | cc_action_mask)) | PF___GFP_HARDWALL | PF___GFP_MOVABLE |
		       PF___GFP_RETRY_MAYFAIL;
	return 0;
}

/*
 * __alloc_contig_migrate_range (6.12) - migrate the movable pages of
 * [start, end) away, as compact_zone does: isolate a batch
 * (isolate_migratepages_range), migrate it to pages outside the isolated
 * range (alloc_migration_target), retry what failed up to 5 times, then
 * -EBUSY.  What is left isolated goes back to its owners.  The kernel's
 * reclaim of clean page cache and its trace event do not apply.
 */
static int __alloc_contig_migrate_range(struct compact_control *cc, unsigned long start, unsigned long end)
{
	struct pf_machine *m = zone_machine(cc->zone);
	unsigned long pfn = start;
	unsigned int tries = 0;
	int ret = 0;
	struct migration_target_control mtc = {
		.nid = zone_to_nid(cc->zone),
		.nmask = NULL,
		.gfp_mask = cc->gfp_mask,
		.reason = MR_CONTIG_RANGE,
	};

	while (pfn < end || !list_empty(&cc->migratepages)) {
		if (list_empty(&cc->migratepages)) {
			cc->nr_migratepages = 0;
			ret = isolate_migratepages_range(cc, pfn, end);
			if (ret && ret != -EAGAIN)
				break;
			pfn = cc->migrate_pfn;
			tries = 0;
		} else if (++tries == 5) {
			ret = -EBUSY;
			break;
		}
		ret = migrate_pages(m, &cc->migratepages, alloc_migration_target, NULL, (unsigned long)&mtc,
				    (enum migrate_mode)cc->mode, MR_CONTIG_RANGE, NULL);
		/* no page to migrate into: retrying will not help */
		if (ret == -ENOMEM)
			break;
	}
	if (ret < 0)
		putback_movable_pages(&cc->migratepages);	/* (the kernel's page dump is dynamic debug, off) */
	return ret < 0 ? ret : 0;
}

/*
 * alloc_contig_range (6.12 alloc_contig_range_noprof) - allocate every page
 * of [start, end), which lies in one zone, for the caller.  The pageblocks
 * it touches become MIGRATE_ISOLATE (start_isolate_page_range), the per-CPU
 * lists are drained, movable pages are migrated away, and once every page
 * is free (test_pages_isolated) they are taken (isolate_freepages_range)
 * from the first free block holding @start (find_large_buddy) to the end
 * of the block holding end - 1.  The pages outside the range go back; the
 * range becomes order-0 pages, or with __GFP_COMP one compound page when
 * it is 2^n pages at a 2^n boundary.  Last, the isolation is undone, which
 * returns free pages to @migratetype (MIGRATE_MOVABLE, or MIGRATE_CMA for
 * cma_alloc).  Return: 0, -EINVAL, -EBUSY (something would not move or is
 * isolated already), -ENOMEM.
 *
 * Deliberate differences: no current_gfp_context (no task flags); the
 * __GFP_COMP mismatch the kernel WARNs about is reported through pf_printk.
 */
int alloc_contig_range(struct pf_machine *m, unsigned long start, unsigned long end, int migratetype,
		       pf_gfp_t gfp_mask)
{
	unsigned long outer_start, outer_end;
	int ret = 0;
	/* its pages are about to be read: deferred blocks of the range written first (deferred_init.c) */
	deferred_init_range(m, start, end);
	struct compact_control cc = {
		.nr_migratepages = 0,
		.order = -1,
		.zone = page_zone_peek(m, pfn_to_page(m, start)),
		.mode = MIGRATE_SYNC,
		.ignore_skip_hint = true,
		.no_set_skip_hint = true,
		.alloc_contig = true,
	};
	INIT_LIST_HEAD(&cc.migratepages);
	for (int order = 0; order < NR_PAGE_ORDERS; order++)
		INIT_LIST_HEAD(&cc.freepages[order]);

	if (__alloc_contig_verify_gfp_mask(gfp_mask, &cc.gfp_mask))
		return -EINVAL;

	/*
	 * Deliberate difference: a failed isolation returns at once (6.12 goes
	 * to its undo, which would re-type pageblocks another caller - a
	 * cma_alloc - isolated); start_isolate_page_range already undid its
	 * own partial work.
	 */
	ret = start_isolate_page_range(m, start, end, migratetype, 0, gfp_mask);
	if (ret)
		return ret;

	drain_all_pages(m, cc.zone);

	/*
	 * -EBUSY from the migration is not final: the pages may have been
	 * freed meanwhile, and test_pages_isolated below decides.
	 */
	ret = __alloc_contig_migrate_range(&cc, start, end);
	if (ret && ret != -EBUSY)
		goto done;
	ret = 0;

	/*
	 * The range is isolated and free, but its first and last pages may lie
	 * inside larger free blocks: take those whole and free what lies
	 * outside the range afterwards.
	 */
	outer_start = find_large_buddy(m, start);
	if (test_pages_isolated(m, outer_start, end, 0)) {
		ret = -EBUSY;
		goto done;
	}
	outer_end = isolate_freepages_range(&cc, outer_start, end);
	if (!outer_end) {
		ret = -EBUSY;
		goto done;
	}

	if (!(gfp_mask & PF___GFP_COMP)) {
		split_free_pages(cc.freepages, gfp_mask);
		if (start != outer_start)
			free_contig_range(m, outer_start, start - outer_start);
		if (end != outer_end)
			free_contig_range(m, end, outer_end - end);
	} else if (start == outer_start && end == outer_end && !((end - start) & (end - start - 1))) {
		struct pf_page *head = pfn_to_page(m, start);
		unsigned int order = (unsigned int)__builtin_ctzl(end - start);

		check_new_pages(head, order);
		prep_new_page(head, order, gfp_mask, 0);
	} else {
		ret = -EINVAL;
		pf_printk(m, '4', "WARNING: alloc_contig_range: PFN range: requested [%lu, %lu), allocated [%lu, %lu)",
			  start, end, outer_start, outer_end);
		/* pageframe's own: give the taken blocks back rather than leak them */
		split_free_pages(cc.freepages, 0);
		free_contig_range(m, outer_start, outer_end - outer_start);
	}
done:
	undo_isolate_page_range(m, start, end, migratetype);
	return ret;
}

/*
 * pf_contig_range_ok - pageframe's own check of a public range: inside the
 * memmap, not empty, its first and last pages present and in one zone.
 * Reports what is wrong.
 */
static bool pf_contig_range_ok(struct pf_machine *m, unsigned long start, unsigned long end, const char *caller)
{
	const char *why = NULL;

	if (start >= end)
		why = "is empty or ends before it starts";
	else if (end > m->memmap_pfns || !pfn_valid(m, start) || !pfn_valid(m, end - 1))
		why = "is not memory of the machine";
	else if (page_zone_peek(m, pfn_to_page(m, start)) != page_zone_peek(m, pfn_to_page(m, end - 1)))
		why = "spans more than one zone";
	else if (zone_idx(page_zone_peek(m, pfn_to_page(m, start))) == ZONE_DEVICE)
		why = "is device memory";
	if (!why)
		return true;
	pf_printk(m, '4', "pageframe: %s: pfn range [%#lx, %#lx) %s", caller, start, end, why);
	return false;
}

int pf_alloc_contig_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn, pf_gfp_t gfp)
{
	if (!m)
		return -EINVAL;
	if (start_pfn < end_pfn && end_pfn <= m->memmap_pfns)
		deferred_init_range(m, start_pfn, end_pfn);	/* the check reads the pages (deferred_init.c) */
	if (!pf_contig_range_ok(m, start_pfn, end_pfn, "pf_alloc_contig_range"))
		return -EINVAL;
	int ret = alloc_contig_range(m, start_pfn, end_pfn, MIGRATE_MOVABLE, gfp);
	if (ret == -EINVAL && !(gfp & PF___GFP_NOWARN))
		pf_printk(m, '4', "pageframe: pf_alloc_contig_range: gfp %#x is not allowed for a contiguous range "
			  "(or __GFP_COMP without a 2^n range at a 2^n boundary)", gfp);
	return ret;
}

/* pfn_range_valid_contig (6.12): every page present, in @z, not reserved (no hugetlb here). */
static __data_race bool pfn_range_valid_contig(struct zone *z, unsigned long start_pfn, unsigned long nr_pages)
{
	struct pf_machine *m = zone_machine(z);
	for (unsigned long i = start_pfn; i < start_pfn + nr_pages; i++) {
		if (!pfn_valid(m, i))
			return false;
		/*
		 * an unwritten free top-order block (deferred_init.c): present, in
		 * its zone, not reserved.  Asked at every pfn, not only at a block's
		 * start: a candidate range may begin inside one (after a range that
		 * held a reserved page), and its struct pages must not be read.
		 */
		if (deferred_pfn(m, i)) {
			if (deferred_pfn_zone(m, i) != z)
				return false;
			i |= MAX_ORDER_NR_PAGES - 1;
			continue;
		}
		struct pf_page *page = pfn_to_page(m, i);
		if (page_zone_peek(m, page) != z)
			return false;
		if ((page->flags >> PG_reserved) & 1)	/* PageReserved, read directly: a peek */
			return false;
	}
	return true;
}

static bool zone_spans_last_pfn(const struct zone *zone, unsigned long start_pfn, unsigned long nr_pages)
{
	return zone_spans_pfn(zone, start_pfn + nr_pages - 1);
}

/*
 * alloc_contig_pages (6.12 alloc_contig_pages_noprof) - walk the zones of
 * @nid's zonelist that @gfp_mask allows; in each, try ranges of @nr_pages
 * starting at ALIGN(zone_start_pfn, nr_pages) and every @nr_pages after
 * (naturally aligned for a power of two) with alloc_contig_range.
 * Return: the first page of the range, or NULL.
 */
static struct pf_page *alloc_contig_pages(struct pf_machine *m, unsigned long nr_pages, pf_gfp_t gfp_mask, int nid)
{
	struct zonelist *zonelist = node_zonelist(m, nid, gfp_mask);
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, zonelist, gfp_zone(gfp_mask), NULL) {
		pf_spin_lock(&zone->lock);
		/* ALIGN: (x + a - 1) & ~(a - 1), power of two or not, as the kernel computes it */
		unsigned long pfn = (zone->zone_start_pfn + nr_pages - 1) & ~(nr_pages - 1);
		while (nr_pages <= zone->spanned_pages && pfn >= zone->zone_start_pfn &&
		       zone_spans_last_pfn(zone, pfn, nr_pages)) {
			if (pfn_range_valid_contig(zone, pfn, nr_pages)) {
				/* alloc_contig_range takes the lock itself */
				pf_spin_unlock(&zone->lock);
				if (!alloc_contig_range(m, pfn, pfn + nr_pages, MIGRATE_MOVABLE, gfp_mask))
					return pfn_to_page(m, pfn);
				pf_spin_lock(&zone->lock);
			}
			pfn += nr_pages;
		}
		pf_spin_unlock(&zone->lock);
	}
	return NULL;
}

struct pf_page *pf_alloc_contig_pages(struct pf_machine *m, unsigned long nr_pages, pf_gfp_t gfp, int nid)
{
	if (!m)
		return NULL;
	if (nid == -1)
		nid = numa_mem_id(m);
	if (nid < 0 || nid >= m->nr_node_ids || !nr_pages || gfp_zone(gfp) < 0 || nr_pages > m->memmap_pfns) {
		if (!(gfp & PF___GFP_NOWARN))
			pf_printk(m, '4', "pageframe: pf_alloc_contig_pages: bad request (%lu pages, node %d, gfp %#x)",
				  nr_pages, nid, gfp);
		return NULL;
	}
	return alloc_contig_pages(m, nr_pages, gfp, nid);
}

/*
 * free_contig_range (6.12) - free the pages of [pfn, pfn + nr_pages): one
 * compound page of exactly that size, or order-0 pages one by one; warn
 * about pages still referenced elsewhere.  Deliberate difference: the
 * whole range is checked first, and a range that is not wholly such pages
 * (a page not handed out at order 0, a tail, a compound page of another
 * size, a free page) is reported once through bad_page and nothing is
 * freed.  Return: whether it freed.
 */
bool free_contig_range(struct pf_machine *m, unsigned long pfn, unsigned long nr_pages)
{
	unsigned long count = 0;
	struct pf_page *page;

	if (!nr_pages || pfn >= m->memmap_pfns || nr_pages > m->memmap_pfns - pfn || !pfn_valid(m, pfn)) {
		pf_printk(m, '4', "pageframe: free_contig_range: pfn range [%#lx, +%lu) is not memory of the machine",
			  pfn, nr_pages);
		return false;
	}
	page = pfn_to_page(m, pfn);
	if (PageHead(page) && __atomic_load_n(&m->alloc_order[pfn], __ATOMIC_RELAXED)) {
		unsigned long expected = 1UL << compound_order(page);
		if (nr_pages != expected) {
			pf_printk(m, '4', "WARNING: free_contig_range: PFN %lu: nr_pages %lu != expected %lu", pfn, nr_pages,
				  expected);
			return false;
		}
		put_page(page);	/* folio_put */
		return true;
	}
	for (unsigned long i = 0; i < nr_pages; i++) {
		struct pf_page *p = page + i;
		const char *why = NULL;
		if (!pfn_valid(m, pfn + i)) {
			/* no memmap there: nothing to dump, say so plainly */
			pf_printk(m, '4', "pageframe: free_contig_range: pfn %#lx in [%#lx, +%lu) has no memmap (a hole)",
				  pfn + i, pfn, nr_pages);
			atomic_fetch_add(&m->nr_bad_pages, 1);
			return false;
		}
		if (PageTail(p) || PageHead(p))
			why = "free_contig_range: the page is not an order-0 page of a contiguous allocation";
		else if (page_owner_refs(p) <= 0)
			why = "VM_BUG_ON_PAGE(page_ref_count(page) == 0)";
		else if (__atomic_load_n(&m->alloc_order[pfn + i], __ATOMIC_RELAXED) != 1)
			why = "free_contig_range: the page is not an order-0 page of a contiguous allocation";
		if (why) {
			bad_page(p, why);
			return false;
		}
	}
	for (unsigned long i = 0; i < nr_pages; i++) {
		count += page_owner_refs(page + i) != 1;
		__free_pages(page + i, 0);
	}
	if (count)
		pf_printk(m, '4', "WARNING: free_contig_range: %lu pages are still in use!", count);
	return true;
}

void pf_free_contig_range(struct pf_machine *m, unsigned long pfn, unsigned long nr_pages)
{
	if (!m)
		return;
	/* pages pf_cma_alloc handed out go back through pf_cma_release, which also clears the area's bitmap */
	if (nr_pages && pfn < m->memmap_pfns && nr_pages <= m->memmap_pfns - pfn && cma_range_allocated(m, pfn, nr_pages)) {
		pf_printk(m, '4', "pageframe: free_contig_range: [%#lx, +%lu) holds pages of a CMA allocation; "
			  "release them with pf_cma_release", pfn, nr_pages);
		atomic_fetch_add(&m->nr_bad_pages, 1);
		return;
	}
	free_contig_range(m, pfn, nr_pages);
}

/*
 * init_cma_reserved_pageblock (mm/mm_init.c, 6.12) - a reserved pageblock
 * of a CMA area becomes MIGRATE_CMA and is freed to the buddy lists, its
 * pages counted managed and in zone->cma_pages.  It lives here because it
 * frees through this file's free path.  Deliberate difference: the block
 * goes straight to the buddy lists (free_one_page); the kernel's
 * __free_pages may park an order-9 block on the per-CPU list of whichever
 * CPU boots, where pageframe's boot keeps nothing.
 */
void init_cma_reserved_pageblock(struct pf_page *page)
{
	struct zone *zone = page_zone(page);
	unsigned long pfn = page_to_pfn(page);

	for (unsigned long i = 0; i < pageblock_nr_pages; i++) {
		__ClearPageReserved(&page[i]);
		set_page_count(&page[i], 0);
	}
	set_pageblock_migratetype(page, MIGRATE_CMA);
	debug_pages_boot_free(zone_machine(zone), page, pageblock_order);	/* free_pages_prepare's part */
	free_one_page(zone, page, pfn, pageblock_order, FPI_NONE);
	/* adjust_managed_page_count */
	atomic_fetch_add(&zone->managed_pages, (long)pageblock_nr_pages);
	zone->cma_pages += pageblock_nr_pages;
}

/*
 * __alloc_pages_direct_compact (6.12) - the slow path's direct compaction:
 * try_to_compact_pages in the PF_MEMALLOC scope, then the free lists.  A run that was not skipped
 * counts compact_stall, then compact_success (resetting the zone's
 * deferral) or compact_fail.  __alloc_pages_slowpath calls it (with
 * should_compact_retry); no captured page, no psi or delay accounting.
 */
struct pf_page *__alloc_pages_direct_compact(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order,
					     unsigned int alloc_flags, const struct alloc_context *ac,
					     enum compact_priority prio, enum compact_result *compact_result)
{
	struct pf_page *page = NULL;

	if (!order)
		return NULL;
	/* the reclaimer's scope, as the kernel's: migration callbacks' allocations take the reserves */
	unsigned int noreclaim_flag = memalloc_noreclaim_save();
	*compact_result = try_to_compact_pages(m, gfp_mask, order, alloc_flags, ac, prio, &page);
	memalloc_noreclaim_restore(noreclaim_flag);
	if (*compact_result == COMPACT_SKIPPED)
		return NULL;
	__count_vm_events(m, COMPACTSTALL, 1);
	if (page)
		prep_new_page(page, order, gfp_mask, alloc_flags);
	if (!page)
		page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac);
	if (page) {
		struct zone *zone = page_zone(page);
		/*
		 * Only tried, as try_to_compact_pages tries it: the zone's
		 * compactor may wait in an owner's callback for a lock our
		 * caller holds.  A busy zone keeps its deferral state (6.12
		 * writes these hints without a lock, racing alike).
		 */
		if (pf_spin_trylock(&zone->compact_lock)) {
			zone->compact_blockskip_flush = false;
			compaction_defer_reset(zone, (int)order, true);
			pf_spin_unlock(&zone->compact_lock);
		}
		__count_vm_events(m, COMPACTSUCCESS, 1);
		return page;
	}
	__count_vm_events(m, COMPACTFAIL, 1);
	return NULL;
}

/* ---- zone set-up: watermarks, reserves, per-CPU sizing -------------------------------------------------- */

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, b = 1UL << (sizeof(long) * 8 - 2);
	while (b > x)
		b >>= 2;
	while (b) {
		if (x >= r + b) {
			x -= r + b;
			r = (r >> 1) + b;
		} else {
			r >>= 1;
		}
		b >>= 2;
	}
	return r;
}

/*
 * calculate_min_free_kbytes (6.12): 4 * sqrt(lowmem_kbytes), clamped to
 * [128, 262144], unless the user's value is larger.
 */
void calculate_min_free_kbytes(struct pf_machine *m)
{
	unsigned long lowmem_kbytes = nr_free_buffer_pages(m) * (PAGE_SIZE >> 10);
	long new_min_free_kbytes = (long)int_sqrt(lowmem_kbytes * 16);

	if (new_min_free_kbytes > m->user_min_free_kbytes)
		m->min_free_kbytes = (int)(new_min_free_kbytes < 128 ? 128
					   : new_min_free_kbytes > 262144 ? 262144 : new_min_free_kbytes);
	else
		pf_printk(m, '4', "min_free_kbytes is not updated to %ld because user defined value %d is preferred",
			  new_min_free_kbytes, m->user_min_free_kbytes);
}

#define for_each_zone_of(m, zone)									\
	for (int __nid = 0; __nid < (m)->nr_node_ids; __nid++)						\
		for (struct zone *zone = (m)->node_data[__nid]->node_zones;				\
		     zone < (m)->node_data[__nid]->node_zones + MAX_NR_ZONES; zone++)

/* calculate_totalreserve_pages (6.12): the largest lowmem reserve plus the high watermark. */
static void calculate_totalreserve_pages(struct pf_machine *m)
{
	unsigned long reserve_pages = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		pgdat->totalreserve_pages = 0;
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = pgdat->node_zones + i;
			long max = 0;
			unsigned long managed_pages = zone_managed_pages(zone);
			for (int j = i; j < MAX_NR_ZONES; j++)
				if (zone->lowmem_reserve[j] > max)
					max = zone->lowmem_reserve[j];
			/* the high watermark counts as reserved too, capped at the zone's size */
			max += (long)high_wmark_pages(zone);
			if ((unsigned long)max > managed_pages)
				max = (long)managed_pages;
			pgdat->totalreserve_pages += (unsigned long)max;
			reserve_pages += (unsigned long)max;
		}
	}
	m->totalreserve_pages = reserve_pages;
}

/* __setup_per_zone_wmarks (6.12): min in proportion to each lowmem zone's size; low/high/promo steps. */
static void __setup_per_zone_wmarks(struct pf_machine *m)
{
	unsigned long pages_min = (unsigned long)m->min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;

	/* lowmem: managed pages of every zone except Movable (x86-64 has no HighMem) */
	for_each_zone_of(m, zone)
		if (zone_idx(zone) != ZONE_MOVABLE)
			lowmem_pages += zone_managed_pages(zone);

	for_each_zone_of(m, zone) {
		uint64_t tmp;
		unsigned long managed = zone_managed_pages(zone);

		pf_spin_lock(&zone->lock);
		tmp = (uint64_t)pages_min * managed;
		tmp = lowmem_pages ? tmp / lowmem_pages : 0;
		if (zone_idx(zone) == ZONE_MOVABLE) {
			/*
			 * Movable gets no share of min_free_kbytes: its min is
			 * managed / 1024 clamped to 32..128 pages, since the
			 * urgent requests that dip below min seldom may use it.
			 */
			unsigned long min_pages = managed / 1024;
			min_pages = min_pages < 32 ? 32 : min_pages > 128 ? 128 : min_pages;	/* SWAP_CLUSTER_MAX */
			zone->_watermark[WMARK_MIN] = min_pages;
		} else {
			/* other zones: their share of min_free_kbytes by managed size */
			zone->_watermark[WMARK_MIN] = (unsigned long)tmp;
		}
		/*
		 * The gap min->low->high is the larger of min / 4 and
		 * managed * watermark_scale_factor / 10000 (mult_frac), so
		 * small zones still get some distance.
		 */
		unsigned long wsf = (unsigned long)m->watermark_scale_factor;
		uint64_t scaled = (managed / 10000) * wsf + ((managed % 10000) * wsf) / 10000;
		tmp = (tmp >> 2) > scaled ? (tmp >> 2) : scaled;

		__atomic_store_n(&zone->watermark_boost, 0UL, __ATOMIC_RELAXED);
		zone->_watermark[WMARK_LOW] = min_wmark_pages(zone) + (unsigned long)tmp;
		zone->_watermark[WMARK_HIGH] = low_wmark_pages(zone) + (unsigned long)tmp;
		zone->_watermark[WMARK_PROMO] = high_wmark_pages(zone) + (unsigned long)tmp;
		pf_spin_unlock(&zone->lock);
	}
	calculate_totalreserve_pages(m);
}

/* setup_per_zone_wmarks: watermarks, then the pcp sizes that depend on them. */
void setup_per_zone_wmarks(struct pf_machine *m)
{
	__setup_per_zone_wmarks(m);
	for_each_zone_of(m, zone)
		zone_pcp_update(zone, 0);
}

/* setup_per_zone_lowmem_reserve (6.12): managed pages of the zones above, divided by the ratio. */
void setup_per_zone_lowmem_reserve(struct pf_machine *m)
{
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		for (int i = 0; i < MAX_NR_ZONES - 1; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			int ratio = m->lowmem_reserve_ratio[i];
			bool clear = !ratio || !zone_managed_pages(zone);
			unsigned long managed_pages = 0;

			for (int j = i + 1; j < MAX_NR_ZONES; j++) {
				struct zone *upper_zone = &pgdat->node_zones[j];
				managed_pages += zone_managed_pages(upper_zone);
				zone->lowmem_reserve[j] = clear ? 0 : (long)(managed_pages / (unsigned long)ratio);
			}
		}
	}
	calculate_totalreserve_pages(m);
}

/* set_recommended_min_free_kbytes (mm/khugepaged.c, 6.12). */
void set_recommended_min_free_kbytes(struct pf_machine *m)
{
	int nr_zones = 0;
	unsigned long recommended_min;

	for_each_zone_of(m, zone) {
		/* only zones GFP_USER can use count: Movable holds movable pages only, so it cannot fragment */
		if (!populated_zone(zone) || zone_idx(zone) > ZONE_NORMAL)	/* gfp_zone(GFP_USER) */
			continue;
		nr_zones++;
	}
	/* two free pageblocks per counted zone, so fallbacks can claim whole blocks */
	recommended_min = pageblock_nr_pages * (unsigned long)nr_zones * 2;
	/* at least two pageblocks almost free of another type, for the 3 types we care about */
	recommended_min += pageblock_nr_pages * (unsigned long)nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
	/* capped at 5% of the lowmem buffer pages */
	unsigned long cap = nr_free_buffer_pages(m) / 20;
	if (recommended_min > cap)
		recommended_min = cap;
	recommended_min <<= (PAGE_SHIFT - 10);

	if (recommended_min > (unsigned long)m->min_free_kbytes) {
		if (m->user_min_free_kbytes >= 0)
			pf_printk(m, '6', "raising min_free_kbytes from %d to %lu to help transparent hugepage allocations",
				  m->min_free_kbytes, recommended_min);
		m->min_free_kbytes = (int)recommended_min;
	}
	setup_per_zone_wmarks(m);
}

/* init_per_zone_wmark_min (6.12 postcore_initcall). */
void init_per_zone_wmark_min(struct pf_machine *m)
{
	/* page_group_by_mobility_disabled (build_all_zonelists): too little memory to group by mobility */
	unsigned long vm_total_pages = 0;
	for_each_zone_of(m, zone)
		vm_total_pages += zone->present_pages;
	m->page_group_by_mobility_disabled =
		m->mobility_grouping_off || vm_total_pages < pageblock_nr_pages * MIGRATE_TYPES;
	/* the kernel decides in build_all_zonelists; ours ran before, so the fast path's table is redone */
	if (m->page_group_by_mobility_disabled)
		build_fast_gfp_table(m);

	calculate_min_free_kbytes(m);
	setup_per_zone_wmarks(m);
	refresh_zone_stat_thresholds(m);
	setup_per_zone_lowmem_reserve(m);
}

/*
 * The vm sysctl handlers (6.12) that redo zone set-up; sysctl.c's table
 * calls them for a write (pf_sysctl_set, or a description's sysctl line
 * once the machine has booted), with setup_lock held.
 */

/* min_free_kbytes_sysctl_handler: the written value becomes the user's, then the watermarks follow. */
int min_free_kbytes_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	int rc = proc_dointvec_minmax(m, table, buffer);
	if (rc)
		return rc;
	m->user_min_free_kbytes = m->min_free_kbytes;
	setup_per_zone_wmarks(m);
	return 0;
}

/* watermark_scale_factor_sysctl_handler: the watermark gaps follow the new factor. */
int watermark_scale_factor_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	int rc = proc_dointvec_minmax(m, table, buffer);
	if (rc)
		return rc;
	setup_per_zone_wmarks(m);
	return 0;
}

/*
 * lowmem_reserve_ratio_sysctl_handler: the kernel does not look at the
 * parser's answer, so the entries read before a bad one stay written and
 * the write succeeds; ratios below 1 become 0 (no reserve).
 */
int lowmem_reserve_ratio_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	(void)proc_dointvec_minmax(m, table, buffer);
	for (int i = 0; i < MAX_NR_ZONES; i++)
		if (m->lowmem_reserve_ratio[i] < 1)
			m->lowmem_reserve_ratio[i] = 0;
	setup_per_zone_lowmem_reserve(m);
	return 0;
}

/*
 * percpu_pagelist_high_fraction_sysctl_handler: 0 (the default sizing) or
 * at least MIN_PERCPU_PAGELIST_HIGH_FRACTION; a smaller one is refused and
 * the old value kept.  Populated zones are resized only on a change.
 */
int percpu_pagelist_high_fraction_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table,
						 const char *buffer)
{
	int old_percpu_pagelist_high_fraction = m->percpu_pagelist_high_fraction;
	int ret = proc_dointvec_minmax(m, table, buffer);
	if (ret < 0)
		return ret;
	if (m->percpu_pagelist_high_fraction &&
	    m->percpu_pagelist_high_fraction < MIN_PERCPU_PAGELIST_HIGH_FRACTION) {
		m->percpu_pagelist_high_fraction = old_percpu_pagelist_high_fraction;
		return -EINVAL;
	}
	if (m->percpu_pagelist_high_fraction == old_percpu_pagelist_high_fraction)
		return 0;
	for_each_zone_of(m, zone)
		zone_pcp_update(zone, 0);	/* populated zones only */
	return 0;
}

/*
 * zone_batchsize (6.12): about 0.1% of the zone or 1 MiB, whichever is
 * smaller, divided by 4 and clamped to 2^n - 1.  (The 2025 rework,
 * min(managed >> 12, 256K / PAGE_SIZE) with the same clamp, gives the same
 * numbers.)
 */
int zone_batchsize(struct zone *zone)
{
	int batch;
	unsigned long b = zone_managed_pages(zone) >> 10;
	if (b > (1024 * 1024) / PAGE_SIZE)
		b = (1024 * 1024) / PAGE_SIZE;
	batch = (int)b;
	batch /= 4;		/* a quarter of that figure */
	if (batch < 1)
		batch = 1;
	/* Round to one less than a power of two: rounddown_pow_of_two(batch + batch/2) - 1. */
	int x = batch + batch / 2;
	int p = 1;
	while (p * 2 <= x)
		p *= 2;
	return p - 1;
}

static int cpus_of_node(struct pf_machine *m, int nid)
{
	int n = 0;
	for (int c = 0; c < m->nr_cpus; c++)
		if (m->cpu_to_node[c] == nid)
			n++;
	return n;
}

/* zone_highsize (6.12): the low watermark (or managed / fraction) split over the node's CPUs. */
static int zone_highsize(struct zone *zone, int batch, int cpu_online, int high_fraction)
{
	struct pf_machine *m = zone_machine(zone);
	unsigned long total_pages;
	int high, nr_split_cpus;

	if (!high_fraction)
		total_pages = low_wmark_pages(zone);
	else
		total_pages = zone_managed_pages(zone) / (unsigned long)high_fraction;

	nr_split_cpus = cpus_of_node(m, zone_to_nid(zone)) + cpu_online;
	if (!nr_split_cpus)
		nr_split_cpus = m->nr_cpus;
	high = (int)(total_pages / (unsigned long)nr_split_cpus);
	/* Ensure high is at least batch*4. */
	if (high < batch << 2)
		high = batch << 2;
	return high;
}

#define BOOT_PAGESET_HIGH 0
#define BOOT_PAGESET_BATCH 1

/* zone_set_pageset_high_and_batch (6.12) with pageset_update for every CPU. */
static void zone_set_pageset_high_and_batch(struct zone *zone, int cpu_online)
{
	struct pf_machine *m = zone_machine(zone);
	int new_high_min, new_high_max, new_batch;

	new_batch = zone_batchsize(zone);
	if (new_batch < 1)
		new_batch = 1;
	if (m->percpu_pagelist_high_fraction) {
		new_high_min = zone_highsize(zone, new_batch, cpu_online, m->percpu_pagelist_high_fraction);
		/* PCP high is tuned manually, disable auto-tuning */
		new_high_max = new_high_min;
	} else {
		new_high_min = zone_highsize(zone, new_batch, cpu_online, 0);
		/* MIN_PERCPU_PAGELIST_HIGH_FRACTION unless the description says pcp_high_max_fraction */
		new_high_max = zone_highsize(zone, new_batch, cpu_online, m->pcp_high_max_fraction);
	}
	if (zone->pageset_high_min == new_high_min && zone->pageset_high_max == new_high_max &&
	    zone->pageset_batch == new_batch)
		return;
	zone->pageset_high_min = new_high_min;
	zone->pageset_high_max = new_high_max;
	zone->pageset_batch = new_batch;
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
		__atomic_store_n(&pcp->batch, new_batch, __ATOMIC_RELAXED);
		__atomic_store_n(&pcp->high_min, new_high_min, __ATOMIC_RELAXED);
		__atomic_store_n(&pcp->high_max, new_high_max, __ATOMIC_RELAXED);
	}
}

/* per_cpu_pages_init: the boot pageset values (high 0, batch 1). */
static void per_cpu_pages_init(struct per_cpu_pages *pcp, struct per_cpu_zonestat *pzstats)
{
	memset(pcp, 0, sizeof *pcp);
	memset(pzstats, 0, sizeof *pzstats);
	pf_spin_lock_init(&pcp->lock);
	pf_spin_lock_init(&pcp->remote_lock);
	for (int pindex = 0; pindex < NR_PCP_LISTS; pindex++)
		INIT_LIST_HEAD(&pcp->lists[pindex]);
	pcp->high_min = BOOT_PAGESET_HIGH;
	pcp->high_max = BOOT_PAGESET_HIGH;
	pcp->batch = BOOT_PAGESET_BATCH;
	pcp->free_count = 0;
}

/* zone_pcp_init: the zone starts with boot pageset values. */
void zone_pcp_init(struct zone *zone)
{
	struct pf_machine *m = zone_machine(zone);
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		per_cpu_pages_init(&zone->per_cpu_pageset[cpu], &zone->per_cpu_zonestats[cpu]);
	zone->pageset_high_min = BOOT_PAGESET_HIGH;
	zone->pageset_high_max = BOOT_PAGESET_HIGH;
	zone->pageset_batch = BOOT_PAGESET_BATCH;
}

/* setup_zone_pageset: populated zones get their real sizes. */
void setup_zone_pageset(struct zone *zone)
{
	if (populated_zone(zone))
		zone_set_pageset_high_and_batch(zone, 0);
}

/* zone_pcp_update: recompute after a watermark or sysctl change (populated zones). */
void zone_pcp_update(struct zone *zone, int cpu_online)
{
	if (!populated_zone(zone))
		return;
	zone_set_pageset_high_and_batch(zone, cpu_online);
}

/*
 * alloc_pages_bulk (alloc_pages_bulk_noprof, 6.12): up to @nr_pages order-0
 * pages from one zone's per-CPU list under one pcp lock hold; falls back to
 * a single __alloc_pages when no local zone meets the low watermark plus
 * @nr_pages, or the pcp lock is busy.  Pages go into the NULL slots of
 * @page_array, or onto @page_list (through page->lru).
 * Return: the number of pages in the array, or added to the list.
 */
unsigned long alloc_pages_bulk(struct pf_machine *m, pf_gfp_t gfp, int preferred_nid, nodemask_t *nodemask,
			       int nr_pages, struct list_head *page_list, struct pf_page **page_array)
{
	struct pf_page *page;
	struct zone *zone;
	struct zoneref *z;
	struct per_cpu_pages *pcp;
	struct list_head *pcp_list;
	struct alloc_context ac;
	unsigned int alloc_flags = ALLOC_WMARK_LOW;
	int nr_populated = 0, nr_account = 0;

	memset(&ac, 0, sizeof ac);
	/* slots already holding a page are kept; count them first */
	while (page_array && nr_populated < nr_pages && page_array[nr_populated])
		nr_populated++;
	if (unlikely(nr_pages <= 0))
		goto out;
	if (unlikely(page_array && nr_pages - nr_populated == 0))
		goto out;
	/* just one page wanted: __alloc_pages does it (the failed: path) */
	if (nr_pages - nr_populated == 1)
		goto failed;
	/* the bulk allocator does not charge memcgs: one page the usual way, charged */
	if (memcg_kmem_online(m) && (gfp & PF___GFP_ACCOUNT))
		goto failed;
	/* page_owner saves a stack per page: one page at a time, as 6.12 does */
	if (unlikely(m->page_owner_enabled))
		goto failed;
	gfp &= m->gfp_allowed_mask;
	if (unlikely(gfp_zone(gfp) < 0 || gfp_migratetype(gfp) < 0))
		goto failed;	/* __alloc_pages reports it */
	pf_gfp_t alloc_gfp = gfp;
	if (!prepare_alloc_pages(m, gfp, 0, preferred_nid, nodemask, &ac, &alloc_gfp, &alloc_flags))
		goto out;
	gfp = alloc_gfp;

	/* the first local zone with room for all nr_pages above its low mark */
	z = ac.preferred_zoneref;
	for_next_zone_zonelist_nodemask(zone, z, ac.highest_zoneidx, ac.nodemask) {
		if ((alloc_flags & ALLOC_CPUSET) && cpusets_enabled(m) && !__cpuset_zone_allowed(zone, gfp))
			continue;
		if (m->nr_node_ids > 1 && zone != zonelist_zone(ac.preferred_zoneref) &&
		    zone_to_nid(zone) != zonelist_node_idx(ac.preferred_zoneref))
			goto failed;
		unsigned long mark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK) + (unsigned long)nr_pages;
		if (zone_watermark_fast(zone, 0, mark, zonelist_zone_idx(ac.preferred_zoneref), alloc_flags, gfp))
			break;
	}
	/* No allowed local zone meets the watermarks: allocate one page the usual way. */
	if (unlikely(!zone))
		goto failed;

	pcp = pcp_spin_trylock(zone);
	if (!pcp)
		goto failed;
	/* prep_new_page's post_alloc_hook, worked out once for the batch */
	struct pf_machine *pm = zone_machine(zone);
	bool init = !pm->init_on_free && (pm->init_on_alloc || (gfp & PF___GFP_ZERO)) && pm->base;
	/* a hook post_alloc_hook runs (prepare_alloc_pages applied the placement; __GFP_ACCOUNT went above) */
	bool hooks = (__atomic_load_n(&pm->fast_off, __ATOMIC_RELAXED) & ~(FAST_OFF_PLACEMENT | FAST_OFF_MEMCG)) != 0;
	bool check = pm->check_pages;
	/* take pages from the pcp list until the array or list is full */
	pcp_list = &pcp->lists[order_to_pindex(ac.migratetype, 0)];
	while (nr_populated < nr_pages) {
		/* Skip existing pages */
		if (page_array && page_array[nr_populated]) {
			nr_populated++;
			continue;
		}
		if (likely(!list_empty(pcp_list))) {
			/* __rmqueue_pcplist's pop, inline while the list has pages */
			page = list_first_entry(pcp_list, struct pf_page, pcp_list);
			list_del(&page->pcp_list);
			pcp->count--;
			if (check && unlikely(!page_expected_state(page, PAGE_FLAGS_CHECK_AT_PREP | __PG_HWPOISON)) &&
			    check_new_pages(page, 0))
				continue;	/* reported and kept out, as __rmqueue_pcplist's loop drops it */
		} else {
			page = __rmqueue_pcplist(zone, 0, ac.migratetype, alloc_flags, pcp, pcp_list);	/* a refill */
		}
		if (unlikely(!page)) {
			/* not even one page from the list: fall back to a single allocation */
			if (!nr_account) {
				pcp_spin_unlock(pcp);
				goto failed;
			}
			break;
		}
		nr_account++;
		/* prep_new_page for order 0 without __GFP_COMP */
		unsigned long pfn = (unsigned long)(page - pm->mem_map);
		if (unlikely(hooks)) {
			post_alloc_hook(page, 0, gfp);	/* a hook is on: the whole of it */
		} else {
			set_page_private(page, 0);
			asan_unpoison_pages(pm, page, 0);	/* ASan builds only */
			if (unlikely(init))
				memset(pm->base + pfn * PAGE_SIZE, 0, PAGE_SIZE);
		}
		set_page_refcounted(page);
		set_alloc_record(pm, pfn, 1);
		if (page_list)
			list_add(&page->lru, page_list);
		else
			page_array[nr_populated] = page;
		nr_populated++;
	}
	pcp_ev_add(&pcp->ev_pgalloc, (unsigned long)nr_account);
	pcp_zone_statistics(pcp, zonelist_zone(ac.preferred_zoneref), zone, nr_account);
	pcp_spin_unlock(pcp);
	if (trace_enabled(m, TRACE_MM_PAGE_ALLOC))
		for (int i = nr_populated - nr_account; page_array && i < nr_populated; i++)
			pf_trace_mm_page_alloc(m, page_array[i], 0, gfp, ac.migratetype);
out:
	return (unsigned long)nr_populated;

failed:
	page = __alloc_pages(m, gfp, 0, preferred_nid, nodemask);
	if (page) {
		if (page_list)
			list_add(&page->lru, page_list);
		else
			page_array[nr_populated] = page;
		nr_populated++;
	}
	goto out;
}

/* ---- public entry points (pageframe.h) beside what they call ----------------------------------------------- */

/* alloc_pages_node / alloc_pages */
struct pf_page *pf_alloc_pages_node(struct pf_machine *m, int nid, pf_gfp_t gfp, unsigned order)
{
	if (!m)
		return NULL;
	if (nid == NUMA_NO_NODE)
		nid = numa_mem_id(m);
	if (unlikely(nid < 0 || nid >= m->nr_node_ids)) {
		pf_printk(m, '4', "pageframe: alloc_pages_node: node %d does not exist (0..%d)", nid, m->nr_node_ids - 1);
		return NULL;
	}
	if (likely(order == 0))
		return __alloc_pages_fastpath(m, gfp, nid);	/* falls back to __alloc_pages itself */
	return __alloc_pages(m, gfp, order, nid, NULL);
}

/* __free_pages, the general path: pointer check, then the kernel's __free_pages. */
void pf_free_pages_checked(struct pf_page *page, unsigned order)
{
	struct pf_machine *m = pf_page_checked(page, "__free_pages");
	if (!m)
		return;
	if (unlikely(order > MAX_PAGE_ORDER)) {
		bad_page(page, "freed with an order above MAX_PAGE_ORDER");
		return;
	}
	__free_pages(page, order);
}

/* get_page */
void pf_get_page(struct pf_page *page)
{
	if (pf_page_checked(page, "get_page"))
		get_page(page);
}

/* put_page */
void pf_put_page(struct pf_page *page)
{
	if (pf_page_checked(page, "put_page"))
		put_page(page);
}

/* page_count */
int pf_page_count(const struct pf_page *page)
{
	if (!pf_page_checked(page, "page_count"))
		return 0;
	return page_owner_refs(pf_compound_head(page));	/* without speculative references (internal.h) */
}

void pf_drain_local_pages(struct pf_machine *m)
{
	if (m)
		drain_local_pages(m, NULL);
}

void pf_drain_all_pages(struct pf_machine *m)
{
	if (m)
		drain_all_pages(m, NULL);
}

/* alloc_pages_bulk_array / alloc_pages_bulk_list */
unsigned long pf_alloc_pages_bulk(struct pf_machine *m, pf_gfp_t gfp, unsigned long nr_pages,
				  struct pf_page **page_array)
{
	if (!m || !page_array || nr_pages > INT_MAX)
		return 0;
	int nid = numa_mem_id(m);
	return alloc_pages_bulk(m, gfp, nid, NULL, (int)nr_pages, NULL, page_array);
}

unsigned long pf_alloc_pages_bulk_list(struct pf_machine *m, pf_gfp_t gfp, unsigned long nr_pages,
				       struct pf_list_head *page_list)
{
	if (!m || !page_list || nr_pages > INT_MAX)
		return 0;
	int nid = numa_mem_id(m);
	return alloc_pages_bulk(m, gfp, nid, NULL, (int)nr_pages, page_list, NULL);
}

/* ---- the fast paths (orders 0..3) ------------------------------------------------------------------------- */

/*
 * pf_fast_update: recompute fast_off after tracing, fail_page_alloc,
 * init_on_* or a thread's placement (cpuset.c) changed.  Placement changes
 * come from any thread at any time, so updates are serialised: the last
 * one to store has seen every change made before it began.
 */
static pf_spinlock_t fast_update_lock;	/* zero: unlocked */
void pf_fast_update(struct pf_machine *m)
{
	unsigned int off = 0;

	pf_spin_lock(&fast_update_lock);
	if (m->trace)
		off |= FAST_OFF_TRACE;
	if (__atomic_load_n(&m->fail_page_alloc.probability, __ATOMIC_RELAXED))
		off |= FAST_OFF_FAIL;
	if (m->init_on_alloc || m->init_on_free)
		off |= FAST_OFF_INIT;
	if (m->fast_forced_off)
		off |= FAST_OFF_FORCED;
	if (memcg_kmem_online(m))
		off |= FAST_OFF_MEMCG;
	if (placement_fast_off(m))
		off |= FAST_OFF_PLACEMENT;
	if (m->page_poisoning)
		off |= FAST_OFF_POISON;
	if (m->debug_pagealloc)
		off |= FAST_OFF_DEBUG_PAGEALLOC;
	if (m->sanitize_valgrind)
		off |= FAST_OFF_SANITIZE;
	if (m->page_owner_enabled)
		off |= FAST_OFF_OWNER;
	__atomic_store_n(&m->fast_off, off, __ATOMIC_RELAXED);
	pf_spin_unlock(&fast_update_lock);
}

/* pf_fast_force_off: send every allocation and free through the general path (test_fastpath_diff). */
void pf_fast_force_off(struct pf_machine *m, bool off)
{
	m->fast_forced_off = off;
	pf_fast_update(m);
}

/*
 * build_fast_gfp_table - what the allocation fast path would otherwise
 * work out per request: for each node and each value of the gfp zone and
 * mobility bits, the first zone of the node's fallback zonelist at or below
 * gfp_zone, the migratetype, and the alloc_flags __alloc_pages prepares
 * (ALLOC_WMARK_LOW, then gfp_to_alloc_flags_cma and alloc_flags_nofragment,
 * the same functions the general path calls, so the rules live once).
 * Values gfp_zone or gfp_migratetype refuse keep a NULL zone and go to the
 * general path, which reports them.  Run when the zonelists are built.
 */
void build_fast_gfp_table(struct pf_machine *m)
{
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		pg_data_t *pgdat = NODE_DATA(m, nid);
		for (int z = 0; z < MAX_NR_ZONES; z++)
			m->zone_of_id[(nid << PF_ZONES_WIDTH) | z] = &pgdat->node_zones[z];
		for (unsigned bits = 0; bits <= FAST_GFP_MASK; bits++) {
			struct pf_fast_gfp *f = &m->fast_gfp[nid][bits];
			int hz = gfp_zone((pf_gfp_t)bits);
			int mt = gfp_migratetype((pf_gfp_t)bits);
			memset(f, 0, sizeof *f);
			if (hz < 0 || mt < 0)
				continue;
			struct zoneref *z = first_zones_zonelist(&pgdat->node_zonelists[ZONELIST_FALLBACK],
								 (enum zone_type)hz, NULL);
			struct zone *zone = z->zone;
			if (!zone)
				continue;
			f->zone = zone;
			f->highest_zoneidx = (unsigned char)hz;
			f->migratetype = (unsigned char)alloc_migratetype(m, (pf_gfp_t)bits);
			f->znid = (unsigned char)zone_to_nid(zone);
			/* without __GFP_KSWAPD_RECLAIM: the fast path adds the request's own bit */
			f->alloc_flags = gfp_to_alloc_flags_cma(m, (pf_gfp_t)bits, ALLOC_WMARK_LOW) |
					 alloc_flags_nofragment(m, zone, 0);
		}
	}
}

/*
 * pcp_trylock_fast - pcp_spin_trylock for the fast paths, which know their
 * CPU: the rseq sequence when pagesets are rseq-managed and the thread is
 * not bound, the plain spinlock when rseq is off.  NULL when the list is
 * busy, the thread migrated, or the remote protocol would be needed: the
 * fast path then hands the request to the general path, whose
 * pcp_spin_trylock does what the kernel does in each case.
 */
static inline __attribute__((always_inline)) struct per_cpu_pages *pcp_trylock_fast(struct pf_machine *m,
										   struct zone *zone, int cpu)
{
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

	if (likely(m->pcp_rseq)) {
		if (likely(pf_bound_cpu < 0) &&
		    likely(pf_os_rseq_trylock((int *)&pcp->lock.locked, &pcp->remote_pending, cpu) == 1))
			return pcp;
		return NULL;
	}
	return pf_spin_trylock(&pcp->lock) ? pcp : NULL;
}

/*
 * The allocation fast path is __alloc_pages for the common case unrolled:
 * a request of order 0 (or 1..3 without __GFP_COMP) whose preferred zone is above its high
 * watermark (or its allocation watermark once below high) and whose
 * per-CPU list can be taken.  It is exactly what the general path does for
 * that case - prepare_alloc_pages, the first zone of get_page_from_freelist,
 * zone_watermark_fast, rmqueue_pcplist, zone_statistics, prep_new_page -
 * with what the machine's fast_gfp table already worked out looked up.
 * Anything else (a failed check, a busy list, tracing, fault injection,
 * init_on_*, __GFP_THISNODE, __GFP_WRITE, a thread with a cpuset or
 * policy...) goes to __alloc_pages.  The uncommon turns are separate
 * functions reached by tail calls, so that the common path makes no call
 * and needs no stack frame.
 */
static __attribute__((noinline)) struct pf_page *alloc_fast_general(struct pf_machine *m, pf_gfp_t gfp,
								    unsigned int order, int nid)
{
	if (nid < 0)
		return alloc_pages_noprof(m, gfp, order);	/* pf_alloc_pages: the thread's mempolicy */
	return __alloc_pages(m, gfp, order, nid, NULL);
}

/* __GFP_ZERO's clearing in post_alloc_hook, then the rest of alloc_fast_prep */
static __attribute__((noinline)) struct pf_page *alloc_fast_zero(struct pf_machine *m, struct pf_page *page,
								 unsigned int order)
{
	unsigned long pfn = (unsigned long)(page - m->mem_map);
	asan_unpoison_pages(m, page, order);	/* ASan builds only */
	memset(m->base + pfn * PAGE_SIZE, 0, PAGE_SIZE << order);
	set_page_refcounted(page);
	set_alloc_record(m, pfn, (unsigned char)(order + 1));
	return page;
}

/* prep_new_page for a block without __GFP_COMP (init_on_* took the general path) */
static inline struct pf_page *alloc_fast_prep(struct pf_machine *m, struct pf_page *page, pf_gfp_t gfp,
					      unsigned int order)
{
	unsigned long pfn = (unsigned long)(page - m->mem_map);
	page->private = 0;
	if (unlikely(gfp & PF___GFP_ZERO) && m->base)
		return alloc_fast_zero(m, page, order);
	asan_unpoison_pages(m, page, order);	/* ASan builds only (compiled out otherwise) */
	set_page_refcounted(page);
	set_alloc_record(m, pfn, (unsigned char)(order + 1));
	return page;
}

static struct pf_page *alloc_pages_fast_order(struct pf_machine *m, pf_gfp_t gfp, unsigned int order, int nid);
static struct pf_page *alloc_fast_off(struct pf_machine *m, pf_gfp_t gfp, unsigned int order, int nid);
#define alloc_pages_fast(m, gfp, order, nid) alloc_pages_fast_mask(m, gfp, order, nid, ~0u)

/* the CPU could not be read without a call: read it, then take the fast path again */
static __attribute__((noinline)) struct pf_page *alloc_fast_cpu(struct pf_machine *m, pf_gfp_t gfp,
								unsigned int order, int nid)
{
	(void)m;
	(void)pf_os_current_cpu_slow();	/* refresh the cached CPU (pf_os_current_cpu_nocall) */
	return order ? alloc_pages_fast_order(m, gfp, order, nid) : __alloc_pages_fastpath(m, gfp, nid);
}

/* rmqueue's kswapd wake-up for a boosted zone, then prep_new_page */
static __attribute__((noinline)) struct pf_page *alloc_fast_boosted(struct pf_machine *m, struct zone *zone,
								    struct pf_page *page, pf_gfp_t gfp,
								    unsigned int order)
{
	__atomic_fetch_and(&zone->flags, ~(1UL << ZONE_BOOSTED_WATERMARK), __ATOMIC_RELAXED);
	wakeup_kswapd(zone, 0, 0, (enum zone_type)zone_idx(zone));
	return alloc_fast_prep(m, page, gfp, order);
}

/*
 * check_new_pages found the block taken from the list bad: it is reported
 * and stays out, as __rmqueue_pcplist's loop drops it; the general path
 * then takes the next block, with free_count as it was (it halves it once).
 */
static __attribute__((noinline)) struct pf_page *alloc_fast_bad(struct pf_machine *m, struct per_cpu_pages *pcp,
								struct pf_page *page, short free_count, pf_gfp_t gfp,
								unsigned int order, int nid)
{
	check_new_pages(page, order);
	pcp->free_count = free_count;
	pcp_spin_unlock(pcp);
	return alloc_fast_general(m, gfp, order, nid);
}

/*
 * alloc_pages_fast - the fast path for a pcp order (0..3) without
 * __GFP_COMP.  Always inlined: the order-0 copy has its order folded in.
 * @nid: the preferred node, or NUMA_NO_NODE for this CPU's.
 * @off_mask: the fast_off bits that send the request elsewhere: all of
 * them (alloc_fast_off then sorts out FAST_OFF_PLACEMENT and
 * FAST_OFF_MEMCG), or all but those two for a request alloc_fast_off
 * found concerned by neither.
 */
static inline __attribute__((always_inline)) struct pf_page *alloc_pages_fast_mask(struct pf_machine *m, pf_gfp_t gfp,
										    unsigned int order, int nid,
										    unsigned int off_mask)
{
	int cpu = pf_this_cpu_nocall(m);
	if (unlikely(cpu < 0))
		return alloc_fast_cpu(m, gfp, order, nid);
	int pnid = nid < 0 ? m->cpu_to_node[cpu] : nid;
	/* a thread in a pin scope (sched.h TASK_FAST_OFF_PIN) loses __GFP_MOVABLE: the general path applies it */
	if (unlikely((gfp & (~m->gfp_allowed_mask | PF___GFP_THISNODE | PF___GFP_WRITE)) |
		     (__atomic_load_n(&m->fast_off, __ATOMIC_RELAXED) & off_mask) | pf_current_task.fast_off)) {
		/* __GFP_THISNODE walks the no-fallback zonelist; __GFP_WRITE asks node_dirty_ok */
		if ((off_mask & FAST_OFF_PLACEMENT) && !pf_current_task.fast_off)
			return alloc_fast_off(m, gfp, order, nid);
		return alloc_fast_general(m, gfp, order, nid);
	}
	const struct pf_fast_gfp *f = &m->fast_gfp[pnid][gfp & FAST_GFP_MASK];
	struct zone *zone = f->zone;
	if (unlikely(!zone))
		return alloc_fast_general(m, gfp, order, nid);
	unsigned int alloc_flags = f->alloc_flags | (gfp & PF___GFP_KSWAPD_RECLAIM);	/* ALLOC_KSWAPD */

	/* get_page_from_freelist: ZONE_BELOW_HIGH, then zone_watermark_fast */
	unsigned long zflags = __atomic_load_n(&zone->flags, __ATOMIC_RELAXED);
	unsigned long mark = (zflags & (1UL << ZONE_BELOW_HIGH)) ? low_wmark_pages(zone) : high_wmark_pages(zone);
	long free_pages = zone_page_state(zone, NR_FREE_PAGES);
	if (order == 0) {
		long reserved = __zone_watermark_unusable_free(zone, 0, alloc_flags);
		free_pages -= free_pages < reserved ? free_pages : reserved;
		if (unlikely(free_pages <= (long)mark + zone->lowmem_reserve[f->highest_zoneidx]))
			return alloc_fast_general(m, gfp, order, nid);
	} else if (!__zone_watermark_ok(zone, order, mark, f->highest_zoneidx, alloc_flags, free_pages)) {
		return alloc_fast_general(m, gfp, order, nid);
	}

	/* rmqueue_pcplist */
	struct per_cpu_pages *pcp = pcp_trylock_fast(m, zone, cpu);
	if (unlikely(!pcp))
		return alloc_fast_general(m, gfp, order, nid);
	struct list_head *list = &pcp->lists[MIGRATE_PCPTYPES * order + f->migratetype];	/* order_to_pindex */
	if (unlikely(list_empty(list))) {
		/*
		 * A refill: the general path does it (rmqueue_pcplist, and when
		 * rmqueue_bulk finds nothing, rmqueue_buddy and the next zones),
		 * with nothing changed here.
		 */
		pcp_spin_unlock(pcp);
		return alloc_fast_general(m, gfp, order, nid);
	}
	short free_count = pcp->free_count;
	pcp->free_count = free_count >> 1;
	struct pf_page *page = list_first_entry(list, struct pf_page, pcp_list);
	struct list_head *next = page->pcp_list.next;
	list_del(&page->pcp_list);
	__builtin_prefetch(next->next, 1);	/* the list's next-but-one, whose prev the next pop writes (a hint) */
	pcp->count -= 1 << order;
	if (unlikely(m->check_pages)) {
		/* check_new_pages */
		for (unsigned long i = 0; i < (1UL << order); i++)
			if (unlikely(!page_expected_state(page + i, PAGE_FLAGS_CHECK_AT_PREP | __PG_HWPOISON)))
				return alloc_fast_bad(m, pcp, page, free_count, gfp, order, nid);
	}
	/* __count_zid_vm_events(PGALLOC, 1 << order) and zone_statistics(1): the preferred zone itself, a hit */
	if (likely(f->znid == m->cpu_to_node[cpu])) {	/* pcp_trylock_fast took this CPU's pageset */
		pcp_ev_add(&pcp->ev_local_hit, 1);
		if (order)
			pcp_ev_add(&pcp->ev_pgalloc, (1UL << order) - 1);
	} else {
		pcp_ev_add(&pcp->ev_pgalloc, 1UL << order);
		pcp_ev_add(&pcp->ev_numa[NUMA_HIT], 1);
		pcp_ev_add(&pcp->ev_numa[NUMA_OTHER], 1);
	}
	pcp_spin_unlock(pcp);
	/* rmqueue's test after the list: the flag as it is now */
	if (unlikely(__atomic_load_n(&zone->flags, __ATOMIC_RELAXED) & (1UL << ZONE_BOOSTED_WATERMARK)) &&
	    (alloc_flags & ALLOC_KSWAPD))
		return alloc_fast_boosted(m, zone, page, gfp, order);
	return alloc_fast_prep(m, page, gfp, order);
}

/* orders 1..m->pcp_max_order without __GFP_COMP */
static __attribute__((noinline)) struct pf_page *alloc_pages_fast_order(struct pf_machine *m, pf_gfp_t gfp,
									unsigned int order, int nid)
{
	return alloc_pages_fast(m, gfp, order, nid);
}

/*
 * the fast path for a request alloc_fast_off found to need neither the
 * thread's placement nor a memcg charge while other threads or requests do
 */
static __attribute__((noinline)) struct pf_page *alloc_pages_fast_others(struct pf_machine *m, pf_gfp_t gfp,
									 unsigned int order, int nid)
{
	return alloc_pages_fast_mask(m, gfp, order, nid, ~(FAST_OFF_PLACEMENT | FAST_OFF_MEMCG));
}

/* its order-0 copy, with the order folded in as in the first copy */
static __attribute__((noinline)) struct pf_page *alloc_pages_fast_others0(struct pf_machine *m, pf_gfp_t gfp, int nid)
{
	return alloc_pages_fast_mask(m, gfp, 0, nid, ~(FAST_OFF_PLACEMENT | FAST_OFF_MEMCG));
}

/*
 * alloc_fast_off - a fast_off bit was set (or the gfp needs the general
 * path).  Two bits concern only some requests: FAST_OFF_PLACEMENT those of
 * a thread with a cpuset or policy on @m, FAST_OFF_MEMCG those with
 * __GFP_ACCOUNT (the only ones charged at allocation; a charged page is
 * known at free by its memcg_data).  When no other bit is set and neither
 * concerns this request, it is the fast path's after all; else the general
 * path, which applies the placement and charges.
 */
static __attribute__((noinline)) struct pf_page *alloc_fast_off(struct pf_machine *m, pf_gfp_t gfp,
								unsigned int order, int nid)
{
	unsigned int off = __atomic_load_n(&m->fast_off, __ATOMIC_RELAXED);
	if (!(off & ~(FAST_OFF_PLACEMENT | FAST_OFF_MEMCG)) &&
	    !(gfp & (~m->gfp_allowed_mask | PF___GFP_THISNODE | PF___GFP_WRITE)) &&
	    !((off & FAST_OFF_MEMCG) && (gfp & PF___GFP_ACCOUNT)) && !((off & FAST_OFF_PLACEMENT) && placement_for(m)))
		return order ? alloc_pages_fast_others(m, gfp, order, nid) : alloc_pages_fast_others0(m, gfp, nid);
	return alloc_fast_general(m, gfp, order, nid);
}

/* alloc_pages (gfp.h): pcp orders take the fast path, which falls back to __alloc_pages itself. */
struct pf_page *pf_alloc_pages(struct pf_machine *m, pf_gfp_t gfp, unsigned order)
{
	if (likely(order == 0) && likely(m))
		return alloc_pages_fast(m, gfp, 0, NUMA_NO_NODE);
	/* orders 1..pcp_max_order: PAGE_ALLOC_COSTLY_ORDER, or pageblock_order - 1 under the arena profile */
	if (m && order <= m->pcp_max_order && !(gfp & PF___GFP_COMP))
		return alloc_pages_fast_order(m, gfp, order, NUMA_NO_NODE);
	if (!m)
		return NULL;
	return alloc_pages_noprof(m, gfp, order);	/* the thread's mempolicy (mempolicy.c) */
}

/* __alloc_pages_node's order-0 case for pf_alloc_pages_node (@nid checked). */
struct pf_page *__alloc_pages_fastpath(struct pf_machine *m, pf_gfp_t gfp, int nid)
{
	return alloc_pages_fast(m, gfp, 0, nid);
}

/*
 * The free fast path is __free_pages(page, order) for the common case, a
 * few checks in front of the general path's own bodies: a pointer into a
 * live machine's memmap, the last reference to a block of order 0..3
 * allocated without __GFP_COMP, every page in the state a free page must
 * be in, going to this CPU's list.  Then free_pages_prepare and
 * free_unref_page_commit, the very functions free_unref_page runs, inlined
 * with FPI_HOOKS_OFF.  Anything else goes to pf_free_pages_checked, the
 * general path, before anything has changed.
 */
static __attribute__((noinline)) void free_pages_fast_order(struct pf_machine *m, struct pf_page *page,
							    unsigned int order);

/* the CPU could not be read without a call: read it, then take the fast path again */
static __attribute__((noinline)) void free_fast_cpu(struct pf_page *page, unsigned int order)
{
	(void)pf_os_current_cpu_slow();	/* refresh the cached CPU (pf_os_current_cpu_nocall) */
	pf_free_pages(page, order);
}

/*
 * The fast path took the last reference and then met something it leaves
 * to the general path: the reference is given back (release: the next
 * holder sees the page as we found it) and the general path frees, or
 * reports, from the start.
 */
static __attribute__((noinline)) void free_fast_undo(struct pf_page *page, unsigned int order)
{
	__atomic_store_n(&page->_refcount, 1, __ATOMIC_RELEASE);
	pf_free_pages_checked(page, order);
}

static inline __attribute__((always_inline)) void free_pages_fast(struct pf_machine *m, struct pf_page *page,
								   unsigned int order)
{
	unsigned long pfn = (unsigned long)(page - m->mem_map);

	/* __free_pages' allocation record, put_page_testzero's last reference, the switch */
	if (unlikely(__atomic_load_n(&m->alloc_order[pfn], __ATOMIC_RELAXED) != order + 1 ||
		     (__atomic_load_n(&m->fast_off, __ATOMIC_RELAXED) & ~(FAST_OFF_PLACEMENT | FAST_OFF_MEMCG))))
		return pf_free_pages_checked(page, order);	/* (placement has nothing to do with freeing; a charged page has memcg_data) */
	int cpu = pf_this_cpu_nocall(m);
	if (unlikely(cpu < 0))
		return free_fast_cpu(page, order);
	/*
	 * put_page_testzero: the last reference goes 1 -> 0 by compare-and-swap
	 * before any other field of the page is read, so that of two frees
	 * racing for the page exactly one goes on; the other finds 0 (or a
	 * count a speculative holder raised) and the general path reports or
	 * drops it.  From here the page is ours alone; a check that fails
	 * gives the reference back before handing the free to the general
	 * path, which reports.
	 */
	int one = 1;
	if (unlikely(!__atomic_compare_exchange_n(&page->_refcount, &one, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)))
		return pf_free_pages_checked(page, order);
	/*
	 * A block of order > 0: the record again, now that the count is ours.
	 * Another holder's __free_pages may have split the block since it was
	 * read above (its first page then says order 0, and its other pages
	 * are already free); its split came before its decrement, which our
	 * compare-and-swap followed.  Order 0 has nothing to re-read: no split
	 * changes an order-0 record.
	 */
	if (order && unlikely(__atomic_load_n(&m->alloc_order[pfn], __ATOMIC_RELAXED) != order + 1))
		return free_fast_undo(page, order);
	/* free_page_is_bad on the head (a compound head is the general path's), then the tails */
	unsigned long flags = __atomic_load_n(&page->flags, __ATOMIC_RELAXED);	/* isolators may set bits meanwhile */
	if (unlikely(page->_mapcount != -1 || page->mapping || page->memcg_data ||
		     (flags & (PAGE_FLAGS_CHECK_AT_FREE | (1UL << PG_head)))))
		return free_fast_undo(page, order);
	if (order && m->check_pages)
		for (unsigned long i = 1; i < (1UL << order); i++)
			if (unlikely(!page_expected_state(page + i, PAGE_FLAGS_CHECK_AT_FREE)))
				return free_fast_undo(page, order);
	/* get_pfnblock_migratetype and page_zone with the machine already in hand */
	unsigned long bitidx;
	unsigned long *word = pfn_to_bitidx(m, pfn, &bitidx);
	int migratetype = (int)((__atomic_load_n(word, __ATOMIC_RELAXED) >> bitidx) & MIGRATETYPE_MASK);
	struct zone *zone = m->zone_of_id[(flags >> PF_ZONES_PGSHIFT) & ((MAX_NUMNODES << PF_ZONES_WIDTH) - 1)];
	if (unlikely(migratetype >= MIGRATE_PCPTYPES) || unlikely(!zone))
		return free_fast_undo(page, order);
	struct per_cpu_pages *pcp = pcp_trylock_fast(m, zone, cpu);
	if (unlikely(!pcp))
		return free_fast_undo(page, order);

	/* the record goes; then free_unref_page's own steps */
	set_alloc_record(m, pfn, 0);
	free_pages_prepare(page, order, FPI_HOOKS_OFF);
	free_unref_page_commit(zone, pcp, page, migratetype, order);
	pcp_spin_unlock(pcp);
}

/* orders 1..m->pcp_max_order: the same body, out of line */
static __attribute__((noinline)) void free_pages_fast_order(struct pf_machine *m, struct pf_page *page,
							    unsigned int order)
{
	free_pages_fast(m, page, order);
}

/*
 * Orders above PAGE_ALLOC_COSTLY_ORDER: the fast path for the arena profile's
 * per-CPU orders (up to m->pcp_max_order), else the general path.  Out of
 * line, so that reading the machine's profile costs pf_free_pages nothing.
 */
static __attribute__((noinline)) void free_pages_high_order(struct pf_machine *m, struct pf_page *page,
							    unsigned int order)
{
	if (order <= m->pcp_max_order)
		return free_pages_fast_order(m, page, order);
	pf_free_pages_checked(page, order);
}

/* __free_pages: pcp orders take the fast path, which falls back to the general path itself. */
void pf_free_pages(struct pf_page *page, unsigned order)
{
	struct pf_machine *m;
	if (unlikely(!(m = pf_page_machine_fast(page))))
		return pf_free_pages_checked(page, order);
	if (likely(order == 0))
		return free_pages_fast(m, page, 0);
	if (order <= PAGE_ALLOC_COSTLY_ORDER)
		return free_pages_fast_order(m, page, order);
	return free_pages_high_order(m, page, order);
}

/* ---- release_pages: a batch of frees under one per-CPU list hold ------------------------------------------ */

/* How many pages one hold of the per-CPU list takes at most (the kernel's PAGEVEC_SIZE). */
#define RELEASE_BATCH 31

/*
 * free_unref_folios (mm/page_alloc.c, 6.12), second half: pages already
 * prepared (reference gone, allocation record cleared, free_pages_prepare
 * run) go onto the per-CPU list of their zone, all under one hold of the
 * list.  @zone is every page's zone; @mts their pcp migratetypes.  When the
 * list cannot be taken, each page goes straight to the buddy lists, as the
 * kernel's trylock failure does.
 */
static void free_unref_pages_commit_batch(struct pf_machine *m, struct zone *zone, int cpu,
					  struct pf_page *const *batch, const unsigned char *mts, int n)
{
	struct per_cpu_pages *pcp = cpu >= 0 ? pcp_trylock_fast(m, zone, cpu) : NULL;
	if (!pcp)
		pcp = pcp_spin_trylock(zone);	/* a bound thread, the remote protocol: the general rules */
	if (unlikely(!pcp)) {
		for (int i = 0; i < n; i++)
			free_one_page(zone, batch[i], page_to_pfn(batch[i]), 0, FPI_NONE);
		return;
	}
	bool traced = trace_enabled(m, TRACE_MM_PAGE_FREE_BATCHED);
	int batch_size = __atomic_load_n(&pcp->batch, __ATOMIC_RELAXED);
	int high = pcp->high;
	if (likely(!traced) && pcp->count + n < high && high >= __atomic_load_n(&pcp->high_min, __ATOMIC_RELAXED) &&
	    high <= __atomic_load_n(&pcp->high_max, __ATOMIC_RELAXED) &&
	    !(__atomic_load_n(&zone->flags, __ATOMIC_RELAXED) & ((1UL << ZONE_RECLAIM_ACTIVE) | (1UL << ZONE_BELOW_HIGH)))) {
		/*
		 * No page of the run takes free_unref_page_commit past its
		 * first test (the list stays below high, high in its bounds,
		 * the zone neither reclaiming nor below high): the n commits
		 * summed - the same lists, in the same order, and the same
		 * counters as n calls would leave.
		 */
		for (int i = 0; i < n; i++)
			list_add(&batch[i]->pcp_list, &pcp->lists[order_to_pindex(mts[i], 0)]);
		pcp->alloc_factor >>= n;	/* n <= RELEASE_BATCH, below the type's width */
		pcp_ev_add(&pcp->ev_pgfree, (unsigned long)n);
		pcp->count += n;
		pcp->flags &= (uint8_t)~PCPF_PREV_FREE_HIGH_ORDER;
		int cap = batch_size << CONFIG_PCP_BATCH_SCALE_MAX;
		if (pcp->free_count < cap)
			pcp->free_count = (short)(pcp->free_count + n < cap ? pcp->free_count + n : cap);
	} else {
		for (int i = 0; i < n; i++) {
			if (unlikely(traced))
				__trace_mm_page_free_batched(batch[i]);
			free_unref_page_commit(zone, pcp, batch[i], mts[i], 0);
		}
	}
	pcp_spin_unlock(pcp);
}

/*
 * release_pages (mm/swap.c, 6.12) for pages of one machine: a reference of
 * each page is dropped; the order-0 pages whose last reference that was are
 * freed as free_unref_folios frees them, in runs of one zone under one per-
 * CPU list hold.  Everything else - a count above one, a block of higher
 * order or a compound page, a page in a bad state, an isolated pageblock,
 * a hook that needs the general path (memcg charges, poisoning, page_owner,
 * debug_pagealloc...) - goes through put_page one page at a time, which
 * reports what is wrong.  Tracing alone keeps the batch: each page gives
 * mm_page_free from free_pages_prepare and mm_page_free_batched at the
 * commit, as in the kernel.  @pages[0] is a page of @m.  Return: how
 * many entries of @pages were consumed (at least one): the run stops at a
 * page outside @m's memmap.
 */
static int release_pages_machine(struct pf_machine *m, struct pf_page **pages, int nr)
{
	struct pf_page *batch[RELEASE_BATCH];
	unsigned char mts[RELEASE_BATCH];
	struct zone *zone = NULL;
	int n = 0, i;
	uintptr_t memmap_bytes = m->memmap_pfns * sizeof(struct pf_page);
	unsigned long mid = page_machine_id(pages[0]);	/* the caller found @m from it: its slot */
	/* placement has nothing to do with freeing, a charged page has memcg_data, tracing is done here */
	unsigned int off = __atomic_load_n(&m->fast_off, __ATOMIC_RELAXED) &
			   ~(FAST_OFF_PLACEMENT | FAST_OFF_MEMCG | FAST_OFF_TRACE);
	int cpu = pf_this_cpu_nocall(m);
	if (unlikely(cpu < 0)) {
		(void)pf_os_current_cpu_slow();
		cpu = pf_this_cpu_nocall(m);
	}

	for (i = 0; i < nr; i++) {
		struct pf_page *page = pages[i];
		if (!page)
			continue;	/* an empty slot, as pf_alloc_pages_bulk leaves them */
		/* pf_page_machine_fast's test against the machine in hand */
		uintptr_t off_bytes = (uintptr_t)page - (uintptr_t)m->mem_map;
		if (off_bytes >= memmap_bytes)
			break;	/* another machine's page, or none: the caller looks */
		unsigned long pfn = off_bytes / sizeof(struct pf_page);
		int one = 1;
		/*
		 * The allocation record of a plain order-0 page, then its last
		 * reference by compare-and-swap (see free_pages_fast); a
		 * misaligned pointer fails the first test.
		 */
		if (unlikely(off) || unlikely(off_bytes % sizeof(struct pf_page)) ||
		    __atomic_load_n(&m->alloc_order[pfn], __ATOMIC_RELAXED) != 1 ||
		    !__atomic_compare_exchange_n(&page->_refcount, &one, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			goto one_by_one;
		/* free_page_is_bad, the pageblock's type and the zone, as free_pages_fast reads them */
		unsigned long flags = __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
		unsigned long bitidx;
		unsigned long *word = pfn_to_bitidx(m, pfn, &bitidx);
		int mt = (int)((__atomic_load_n(word, __ATOMIC_RELAXED) >> bitidx) & MIGRATETYPE_MASK);
		struct zone *z = m->zone_of_id[(flags >> PF_ZONES_PGSHIFT) & ((MAX_NUMNODES << PF_ZONES_WIDTH) - 1)];
		if (unlikely(page->_mapcount != -1 || page->mapping || page->memcg_data ||
			     (flags & (PAGE_FLAGS_CHECK_AT_FREE | (1UL << PG_head))) || mt >= MIGRATE_PCPTYPES || !z ||
			     ((flags >> PF_MACHINE_PGSHIFT) & PF_MACHINE_MASK) != mid)) {
			__atomic_store_n(&page->_refcount, 1, __ATOMIC_RELEASE);	/* given back: put_page decides */
			goto one_by_one;
		}
		if (z != zone || n == RELEASE_BATCH) {
			if (n)
				free_unref_pages_commit_batch(m, zone, cpu, batch, mts, n);
			zone = z;
			n = 0;
		}
		set_alloc_record(m, pfn, 0);
		/* with tracing on, mm_page_free as the general path gives it; nothing else is on here */
		if (unlikely(m->trace))
			free_pages_prepare(page, 0, FPI_NONE);
		else
			free_pages_prepare(page, 0, FPI_HOOKS_OFF);
		batch[n] = page;
		mts[n++] = (unsigned char)mt;
		continue;
one_by_one:
		/*
		 * A count above one, a higher order or compound page, a double
		 * free, a bad page, a hook: put_page, after the pages gathered
		 * so far, so that every free happens in the array's order.
		 */
		if (n)
			free_unref_pages_commit_batch(m, zone, cpu, batch, mts, n);
		n = 0;
		pf_put_page(page);
	}
	if (n)
		free_unref_pages_commit_batch(m, zone, cpu, batch, mts, n);
	return i ? i : 1;
}

/* release_pages */
void pf_release_pages(struct pf_page **pages, int nr)
{
	if (!pages || nr <= 0)
		return;
	for (int i = 0; i < nr;) {
		struct pf_page *page = pages[i];
		struct pf_machine *m = page ? pf_page_machine_fast(page) : NULL;
		if (!m) {
			if (page)
				pf_put_page(page);	/* the full check explains a bad pointer */
			i++;
			continue;
		}
		i += release_pages_machine(m, pages + i, nr - i);
	}
}
