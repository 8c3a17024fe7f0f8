/* SPDX-License-Identifier: MIT */
/*
 * page_isolation.c - MIGRATE_ISOLATE pageblocks: taking a pfn range out of
 * use so that a contiguous allocation can collect it (mm/page_isolation.c
 * of Linux 6.12).
 *
 * An isolated pageblock's free pages sit on the MIGRATE_ISOLATE lists,
 * which no allocation searches and NR_FREE_PAGES does not count; pages
 * freed into it later land there too (free_unref_page, free_pcppages_bulk
 * and split_large_buddy read the block's type).  Undoing the isolation
 * moves them back to the lists of the type asked for.
 *
 * Differences that hold for the whole file:
 *   - No memory hotplug: every pfn of a present section is "online"
 *     (pfn_to_online_page is pfn_valid), and no page is unaccepted.
 *   - No LRU and no hugetlb: a page in use is movable when its owner made
 *     it so (__PageMovable, migrate.h), otherwise unmovable.
 *   - No trace events (test_pages_isolated's tracepoint).
 */
#include "internal.h"
#include "migrate.h"

/* isolation flags (include/linux/page-isolation.h) */
#define MEMORY_OFFLINE	0x1	/* hwpoisoned and offline pages count as isolated */
#define REPORT_FAILURE	0x2	/* dump the page that makes isolation fail */

/* the largest compound order a shift can take (orders above MAX_PAGE_ORDER come from contiguous ranges) */
#define BITS_PER_LONG_ORDER	64

static inline unsigned long pageblock_start_pfn(unsigned long pfn)
{
	return pfn & ~(pageblock_nr_pages - 1);
}

static inline unsigned long pageblock_end_pfn(unsigned long pfn)
{
	return pageblock_start_pfn(pfn) + pageblock_nr_pages;
}

static inline unsigned long pageblock_align(unsigned long pfn)
{
	return (pfn + pageblock_nr_pages - 1) & ~(pageblock_nr_pages - 1);
}

/* pfn_to_online_page: the page of a pfn the memmap holds in a present section, else NULL. */
static inline struct pf_page *pfn_to_online_page(struct pf_machine *m, unsigned long pfn)
{
	if (pfn >= m->memmap_pfns || !pfn_valid(m, pfn))
		return NULL;
	return pfn_to_page(m, pfn);
}

/*
 * Peeks at pages other threads own (the kernel reads them racily too, and
 * validates what matters under zone->lock): fields read directly, in
 * functions outside the thread sanitizer's view, so a peek never calls an
 * instrumented accessor.
 */
static inline __data_race unsigned long peek_flags(const struct pf_page *page)
{
	return page->flags;
}

static inline __data_race bool peek_buddy(const struct pf_page *page)
{
	return (page->page_type >> 24) == PGTY_buddy;
}

static inline __data_race unsigned long peek_private(const struct pf_page *page)
{
	return page->private;
}

/* compound_head, and whether the page is part of a compound page */
static inline __data_race struct pf_page *peek_head(struct pf_page *page, bool *compound)
{
	unsigned long head = page->compound_head;
	if (head & 1) {
		*compound = true;
		return (struct pf_page *)(head - 1);
	}
	*compound = (page->flags >> PG_head) & 1;
	return page;
}

/* the order of a compound head (folio_order), read without holding the page */
static inline __data_race unsigned int peek_compound_order(const struct pf_page *head)
{
	if (!((head->flags >> PG_head) & 1))
		return 0;
	return (unsigned int)(head[1].flags & 0xff);
}

static inline __data_race bool peek_movable(const struct pf_page *page)
{
	return ((unsigned long)page->mapping & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_MOVABLE;
}

static inline __data_race int peek_refcount(const struct pf_page *page)
{
	return page->_refcount;
}

/* get_pfnblock_migratetype by pfn alone: the usemap, without reading the page */
static inline int block_mt(const struct pf_machine *m, unsigned long pfn)
{
	unsigned long idx = (pfn >> pageblock_order) * NR_PAGEBLOCK_BITS;
	unsigned long w = __atomic_load_n(&m->pageblock_flags[idx / 64], __ATOMIC_RELAXED);
	return (int)((w >> (idx & 63)) & MIGRATETYPE_MASK);
}

static inline bool is_migrate_isolate_page(const struct pf_machine *m, const struct pf_page *page)
{
	return is_migrate_isolate(block_mt(m, (unsigned long)(page - m->mem_map)));
}

/* __first_valid_page (6.12): the first online page of [pfn, pfn + nr_pages), or NULL. */
static struct pf_page *__first_valid_page(struct pf_machine *m, unsigned long pfn, unsigned long nr_pages)
{
	for (unsigned long i = 0; i < nr_pages; i++) {
		struct pf_page *page = pfn_to_online_page(m, pfn + i);
		if (page)
			return page;
	}
	return NULL;
}

/*
 * has_unmovable_pages (6.12) - the first page of [start_pfn, end_pfn), a
 * part of one pageblock, that neither is free nor could be migrated away;
 * NULL when there is none.  Free pages are PageBuddy blocks, or pages at
 * refcount 0 (on a per-CPU list, or tails of a non-compound block whose
 * head is checked); the caller drains the per-CPU lists afterwards, as
 * alloc_contig_range does.  Like the kernel's, the answer is a snapshot:
 * pages not locked by us may change right after.
 *
 * Deliberate difference: no PageLRU / PageHuge cases (pageframe has no
 * LRU or hugetlb); a compound page is movable when its head is.
 */
static __data_race struct pf_page *has_unmovable_pages(struct pf_machine *m, unsigned long start_pfn,
						       unsigned long end_pfn, int migratetype, int flags)
{
	struct pf_page *page = pfn_to_page(m, start_pfn);
	struct zone *zone = page_zone_peek(m, page);

	VM_BUG_ON(pageblock_start_pfn(start_pfn) != pageblock_start_pfn(end_pfn - 1));

	/* A CMA pageblock may be isolated only by a CMA request (cma_alloc). */
	if (is_migrate_cma(block_mt(m, start_pfn))) {
		if (is_migrate_cma(migratetype))
			return NULL;
		return page;
	}

	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn++) {
		page = pfn_to_page(m, pfn);

		unsigned long pflags = peek_flags(page);
		bool compound;

		/* boot reservations and holes */
		if ((pflags >> PG_reserved) & 1)
			return page;
		/* in ZONE_MOVABLE everything not reserved is taken to be movable, as the kernel does */
		if (zone_idx(zone) == ZONE_MOVABLE)
			continue;

		struct pf_page *head = peek_head(page, &compound);
		if (compound) {
			unsigned int order = peek_compound_order(head);
			/* a page being freed meanwhile may show no order that makes sense */
			if (!peek_movable(head) || order >= BITS_PER_LONG_ORDER)
				return page;
			/* the rest of the compound page moves with its head */
			pfn = (unsigned long)(head - m->mem_map) + (1UL << order) - 1;
			continue;
		}

		if (!peek_refcount(page)) {
			/* PageBuddy and its order are stable under zone->lock */
			if (peek_buddy(page))
				pfn += (1UL << peek_private(page)) - 1;
			continue;
		}

		if ((flags & MEMORY_OFFLINE) && ((pflags >> PG_hwpoison) & 1))
			continue;
		if ((flags & MEMORY_OFFLINE) && (page->page_type >> 24) == PGTY_offline)
			continue;

		if (peek_movable(page))
			continue;
		return page;
	}
	return NULL;
}

/*
 * set_migratetype_isolate (6.12) - make @page's pageblock MIGRATE_ISOLATE
 * when its part inside [start_pfn, end_pfn) holds nothing unmovable.
 * Return: 0, or -EBUSY (already isolated, unmovable page, block not
 * wholly in the zone).
 */
static int set_migratetype_isolate(struct pf_machine *m, struct pf_page *page, int migratetype, int isol_flags,
				   unsigned long start_pfn, unsigned long end_pfn)
{
	struct zone *zone = page_zone_peek(m, page);
	struct pf_page *unmovable;
	unsigned long pfn = (unsigned long)(page - m->mem_map);

	pf_spin_lock(&zone->lock);
	/* isolated already: someone else is working on an overlapping range */
	if (is_migrate_isolate_page(m, page)) {
		pf_spin_unlock(&zone->lock);
		return -EBUSY;
	}
	/* only the part of the pageblock inside the range is looked at */
	unsigned long check_start = max_t(unsigned long, pfn, start_pfn);
	unsigned long check_end = min_t(unsigned long, pageblock_end_pfn(pfn), end_pfn);

	unmovable = has_unmovable_pages(m, check_start, check_end, migratetype, isol_flags);
	if (!unmovable) {
		if (!move_freepages_block_isolate(zone, page, MIGRATE_ISOLATE)) {
			pf_spin_unlock(&zone->lock);
			return -EBUSY;
		}
		zone->nr_isolate_pageblock++;
		pf_spin_unlock(&zone->lock);
		return 0;
	}
	pf_spin_unlock(&zone->lock);
	/* reported outside the lock, as the kernel does */
	if (isol_flags & REPORT_FAILURE)
		dump_page(unmovable, "unmovable page");
	return -EBUSY;
}

/*
 * unset_migratetype_isolate (6.12) - give an isolated pageblock
 * @migratetype again and its free pages back to that type's lists.  A
 * free block of pageblock order or more inside it could not merge with a
 * free buddy outside while isolated; it is taken off and freed again so
 * that it does now.
 *
 * Deliberate difference: without grouping by mobility a per-CPU type is
 * turned into MIGRATE_UNMOVABLE here, before anything uses it.  6.12
 * converts only the pageblock's type (set_pageblock_migratetype) and puts
 * the free pages on the lists of the type it was given (MIGRATE_MOVABLE
 * from alloc_contig_range): free pages on the Movable lists of an
 * Unmovable pageblock, which its own __add_to_free_list check warns about
 * on the putback below.
 */
static void unset_migratetype_isolate(struct pf_machine *m, struct pf_page *page, int migratetype)
{
	struct zone *zone = page_zone_peek(m, page);
	bool isolated_page = false;
	unsigned int order = 0;

	if (unlikely(m->page_group_by_mobility_disabled && migratetype < MIGRATE_PCPTYPES))
		migratetype = MIGRATE_UNMOVABLE;
	pf_spin_lock(&zone->lock);
	if (!is_migrate_isolate_page(m, page))
		goto out;

	if (peek_buddy(page)) {
		order = (unsigned int)peek_private(page);	/* stable under zone->lock once PageBuddy */
		if (order >= pageblock_order && order < MAX_PAGE_ORDER) {
			/* find_buddy_page_pfn: the buddy at this order, if it is a free block of the zone */
			unsigned long pfn = (unsigned long)(page - m->mem_map);
			unsigned long buddy_pfn = pfn ^ (1UL << order);
			struct pf_page *buddy = pfn_to_page(m, buddy_pfn);
			if (peek_buddy(buddy) && peek_private(buddy) == order &&
			    (peek_flags(buddy) >> PF_ZONES_PGSHIFT) == (peek_flags(page) >> PF_ZONES_PGSHIFT) &&
			    !is_migrate_isolate_page(m, buddy)) {
				isolated_page = __isolate_free_page(page, order) != 0;
				/* no watermark applies inside an isolated block: this cannot fail */
				VM_BUG_ON(!isolated_page);
			}
		}
	}

	if (!isolated_page) {
		/* isolating this block worked, so it lies inside the zone */
		int moved = move_freepages_block_isolate(zone, page, migratetype);
		VM_BUG_ON(!moved);
		(void)moved;
	} else {
		set_pageblock_migratetype(page, migratetype);
		__putback_isolated_page(page, order, migratetype);
	}
	zone->nr_isolate_pageblock--;
out:
	pf_spin_unlock(&zone->lock);
}

/*
 * isolate_single_pageblock (6.12) - isolate the pageblock just before
 * (@isolate_before) or at @boundary_pfn, where the range's edge may cut
 * through a free or in-use block larger than a pageblock.  A free block
 * across the edge was split by move_freepages_block_isolate; an in-use
 * compound page across it makes the isolation fail (6.12 migrates it only
 * for hugetlb, which pageframe does not have).  @skip_isolation: the
 * block is isolated already (the range is a single pageblock).
 */
static __data_race int isolate_single_pageblock(struct pf_machine *m, unsigned long boundary_pfn, int flags, pf_gfp_t gfp_flags,
				    bool isolate_before, bool skip_isolation, int migratetype)
{
	unsigned long isolate_pageblock, start_pfn, pfn;
	struct zone *zone;
	int ret;

	(void)gfp_flags;	/* the kernel's is for migrating hugetlb pages off the edge */
	VM_BUG_ON(boundary_pfn & (pageblock_nr_pages - 1));

	isolate_pageblock = isolate_before ? boundary_pfn - pageblock_nr_pages : boundary_pfn;

	/*
	 * Scan from the MAX_PAGE_ORDER-aligned start, so that a block larger
	 * than a pageblock that starts before ours is seen whole.
	 */
	zone = page_zone_peek(m, pfn_to_page(m, isolate_pageblock));
	start_pfn = max_t(unsigned long, isolate_pageblock & ~(MAX_ORDER_NR_PAGES - 1), zone->zone_start_pfn);

	if (skip_isolation) {
		VM_BUG_ON(!is_migrate_isolate(block_mt(m, isolate_pageblock)));
	} else {
		ret = set_migratetype_isolate(m, pfn_to_page(m, isolate_pageblock), migratetype, flags, isolate_pageblock,
					      isolate_pageblock + pageblock_nr_pages);
		if (ret)
			return ret;
	}

	/* nothing can cross the boundary when the other side is not memory */
	if (isolate_before) {
		if (!pfn_to_online_page(m, boundary_pfn))
			return 0;
	} else {
		if (!pfn_to_online_page(m, boundary_pfn - 1))
			return 0;
	}

	for (pfn = start_pfn; pfn < boundary_pfn;) {
		struct pf_page *page = __first_valid_page(m, pfn, boundary_pfn - pfn);

		VM_BUG_ON(!page);
		pfn = (unsigned long)(page - m->mem_map);

		if (peek_buddy(page)) {
			/* move_freepages_block_isolate split anything crossing the boundary */
			unsigned long order = peek_private(page);	/* read without zone->lock, as the kernel does */
			pfn += order < NR_PAGE_ORDERS ? 1UL << order : 1;
			continue;
		}

		bool compound;
		struct pf_page *head = peek_head(page, &compound);
		if (compound) {
			unsigned long head_pfn = (unsigned long)(head - m->mem_map);
			unsigned int order = peek_compound_order(head);
			if (order >= BITS_PER_LONG_ORDER)
				goto failed;	/* freed meanwhile: no order to trust */
			unsigned long nr_pages = 1UL << order;

			if (head_pfn + nr_pages <= boundary_pfn) {
				pfn = head_pfn + nr_pages;
				continue;
			}
			/* an in-use compound page across the boundary */
			goto failed;
		}
		pfn++;
	}
	return 0;
failed:
	if (!skip_isolation)
		unset_migratetype_isolate(m, pfn_to_page(m, isolate_pageblock), migratetype);
	return -EBUSY;
}

/*
 * start_isolate_page_range (6.12) - make every pageblock that
 * [start_pfn, end_pfn) touches MIGRATE_ISOLATE.  The range need not be
 * pageblock-aligned; the caller makes sure it lies in one zone.  Free
 * pages of the blocks move to the isolate lists and pages freed into them
 * later go there too.  The first and last blocks are isolated first
 * (isolate_single_pageblock), then those between.  @migratetype is what a
 * failure restores.  @flags: MEMORY_OFFLINE, REPORT_FAILURE.
 * Return: 0, or -EBUSY with nothing left isolated.
 */
int start_isolate_page_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn, int migratetype,
			     int flags, pf_gfp_t gfp_flags)
{
	unsigned long isolate_start = pageblock_start_pfn(start_pfn);
	unsigned long isolate_end = pageblock_align(end_pfn);
	bool skip_isolation = false;
	int ret;

	/* the free blocks around and inside the range are read and moved: write deferred ones (deferred_init.c) */
	deferred_init_range(m, isolate_start & ~(MAX_ORDER_NR_PAGES - 1), isolate_end);
	ret = isolate_single_pageblock(m, isolate_start, flags, gfp_flags, false, skip_isolation, migratetype);
	if (ret)
		return ret;

	if (isolate_start == isolate_end - pageblock_nr_pages)
		skip_isolation = true;

	ret = isolate_single_pageblock(m, isolate_end, flags, gfp_flags, true, skip_isolation, migratetype);
	if (ret) {
		unset_migratetype_isolate(m, pfn_to_page(m, isolate_start), migratetype);
		return ret;
	}

	/* the blocks between the first and the last */
	for (unsigned long pfn = isolate_start + pageblock_nr_pages; pfn < isolate_end - pageblock_nr_pages;
	     pfn += pageblock_nr_pages) {
		struct pf_page *page = __first_valid_page(m, pfn, pageblock_nr_pages);
		if (page && set_migratetype_isolate(m, page, migratetype, flags, start_pfn, end_pfn)) {
			undo_isolate_page_range(m, isolate_start, pfn, migratetype);
			unset_migratetype_isolate(m, pfn_to_page(m, isolate_end - pageblock_nr_pages), migratetype);
			return -EBUSY;
		}
	}
	return 0;
}

/*
 * undo_isolate_page_range (6.12) - every MIGRATE_ISOLATE pageblock that
 * [start_pfn, end_pfn) touches becomes @migratetype again.
 */
void undo_isolate_page_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn, int migratetype)
{
	unsigned long isolate_start = pageblock_start_pfn(start_pfn);
	unsigned long isolate_end = pageblock_align(end_pfn);

	for (unsigned long pfn = isolate_start; pfn < isolate_end; pfn += pageblock_nr_pages) {
		struct pf_page *page = __first_valid_page(m, pfn, pageblock_nr_pages);
		if (!page || !is_migrate_isolate_page(m, page))
			continue;
		unset_migratetype_isolate(m, page, migratetype);
	}
}

/*
 * __test_page_isolated_in_pageblock (6.12): walk [pfn, end_pfn) over free
 * blocks (and, for MEMORY_OFFLINE, hwpoisoned and released offline pages);
 * the pfn where the walk stopped.  Context: zone->lock held.
 */
static __data_race unsigned long __test_page_isolated_in_pageblock(struct pf_machine *m, unsigned long pfn, unsigned long end_pfn,
						       int flags)
{
	while (pfn < end_pfn) {
		struct pf_page *page = pfn_to_page(m, pfn);
		if (peek_buddy(page))
			pfn += 1UL << peek_private(page);	/* on the isolate lists: pf_check verifies that */
		else if ((flags & MEMORY_OFFLINE) && ((peek_flags(page) >> PG_hwpoison) & 1))
			pfn++;
		else if ((flags & MEMORY_OFFLINE) && (page->page_type >> 24) == PGTY_offline && !peek_refcount(page))
			pfn++;
		else
			break;
	}
	return pfn;
}

/*
 * test_pages_isolated (6.12) - are all pageblocks of [start_pfn, end_pfn)
 * isolated and all its pages free?  The range lies in one zone.
 * Return: 0, or -EBUSY.
 */
int test_pages_isolated(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn, int isol_flags)
{
	unsigned long pfn;
	struct pf_page *page;
	struct zone *zone;

	/* the block type first: free blocks need not be pageblock-aligned */
	for (pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages) {
		page = __first_valid_page(m, pfn, pageblock_nr_pages);
		if (page && !is_migrate_isolate_page(m, page))
			break;
	}
	page = __first_valid_page(m, start_pfn, end_pfn - start_pfn);
	if (pfn < end_pfn || !page)
		return -EBUSY;

	zone = page_zone_peek(m, page);
	pf_spin_lock(&zone->lock);
	pfn = __test_page_isolated_in_pageblock(m, start_pfn, end_pfn, isol_flags);
	pf_spin_unlock(&zone->lock);
	return pfn < end_pfn ? -EBUSY : 0;
}
