/* test_isolation: MIGRATE_ISOLATE pageblocks as 6.12's mm/page_isolation.c makes them - start_isolate_page_range / test_pages_isolated / undo_isolate_page_range over a range, free pages moved to and from the Isolate lists (split and merged again around blocks larger than a pageblock), frees into an isolated block staying there, and a refused isolation leaving everything as it was; values worked by hand below. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include "mm/internal.h"

/*
 * One zone, DMA32 = pfn 0x1000..0x7fff (16 MiB..128 MiB): 28 order-10 blocks, every pageblock
 * MIGRATE_MOVABLE, NR_FREE_PAGES 28672.  pageblock_order 9, MAX_PAGE_ORDER 10.
 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x7ffffff\nthp never\n"
/* the same with ZONE_MOVABLE: movablecore=64M leaves kernelcore 28672 - 16384 = 12288 pages, Movable from 0x4000 */
#define MACHINE_MOVABLE "cpus 1\nmem 0 0x1000000-0x7ffffff\ncmdline movablecore=64M\nthp never\n"

static struct zone *zone_of(struct pf_machine *m, int zid)
{
	return &m->node_data[0]->node_zones[zid];
}

static bool on_list(struct zone *z, unsigned order, int mt, unsigned long pfn, struct pf_machine *m)
{
	struct list_head *head = &z->free_area[order].free_list[mt];
	for (struct list_head *e = head->next; e != head; e = e->next)
		if ((unsigned long)(list_entry(e, struct pf_page, buddy_list) - m->mem_map) == pfn)
			return true;
	return false;
}

static unsigned long list_len(struct zone *z, unsigned order, int mt)
{
	unsigned long n = 0;
	struct list_head *head = &z->free_area[order].free_list[mt];
	for (struct list_head *e = head->next; e != head; e = e->next)
		n++;
	return n;
}

static int mt_of(struct pf_machine *m, unsigned long pfn)
{
	return get_pageblock_migratetype(pf_pfn_to_page(m, pfn));
}

/*
 * Range [0x2000, 0x2400) = pageblocks 0x2000 and 0x2200, one free order-10 block.
 * start_isolate_page_range: isolate_single_pageblock(0x2000) -> set_migratetype_isolate ->
 * move_freepages_block_isolate: 0x2000 is PageBuddy of order 10 > pageblock_order, so the block
 * comes off the Movable list, pageblock 0x2000 becomes Isolate and split_large_buddy frees it
 * pageblock by pageblock: 0x2000 (order 9) to the Isolate list, 0x2200 (order 9) to the Movable
 * list (the buddy at 0x2000 is Isolate, not mergeable).  NR_FREE_PAGES 28672 - 1024 + 512.
 * Then isolate_single_pageblock(0x2400, before) isolates 0x2200: an order-9 block, moved whole
 * (__move_freepages_block): NR_FREE_PAGES 27648.  Lists: 27 order-10 Movable blocks, 2 order-9
 * Isolate blocks, nr_isolate_pageblock 2.  An order-10 request then finds only the 27 blocks.
 * undo_isolate_page_range: pageblock 0x2000 is an order-9 free block whose buddy 0x2200 is
 * isolated, so move_freepages_block_isolate moves it to Movable; pageblock 0x2200's buddy 0x2000
 * is then free and not isolated, so __isolate_free_page + __putback_isolated_page merge them:
 * 28 order-10 blocks again, no order-9 block.
 */
static void isolate_and_undo_free_range(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = zone_of(m, ZONE_DMA32);

	assert_int_equal(test_pages_isolated(m, 0x2000, 0x2400, 0), -EBUSY);	/* not isolated yet */
	assert_int_equal(start_isolate_page_range(m, 0x2000, 0x2400, MIGRATE_MOVABLE, 0, 0), 0);
	assert_int_equal(mt_of(m, 0x2000), MIGRATE_ISOLATE);
	assert_int_equal(mt_of(m, 0x2200), MIGRATE_ISOLATE);
	assert_int_equal(mt_of(m, 0x2400), MIGRATE_MOVABLE);
	assert_int_equal(z->nr_isolate_pageblock, 2);
	assert_int_equal(z->free_area[10].nr_free, 27);
	assert_int_equal(list_len(z, 9, MIGRATE_ISOLATE), 2);
	assert_true(on_list(z, 9, MIGRATE_ISOLATE, 0x2000, m));
	assert_true(on_list(z, 9, MIGRATE_ISOLATE, 0x2200, m));
	assert_int_equal(list_len(z, 9, MIGRATE_MOVABLE), 0);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 27648);
	assert_int_equal(test_pages_isolated(m, 0x2000, 0x2400, 0), 0);
	pf_test_check(m, "range isolated");

	/* a second isolation over the range is refused: its blocks are isolated already */
	assert_int_equal(start_isolate_page_range(m, 0x2200, 0x2300, MIGRATE_MOVABLE, 0, 0), -EBUSY);
	assert_int_equal(z->nr_isolate_pageblock, 2);

	/*
	 * No allocation reaches the isolated pages.  min_free_kbytes = int_sqrt(28672 * 4 * 16) = 1354,
	 * min 338 pages, low 338 + max(338 / 4, 28672 * 10 / 10000) = 422.  An order-10 request
	 * needs NR_FREE_PAGES - 1023 > 422 (fast path) / 338 (slow path): with k blocks taken,
	 * 27648 - 1024k - 1023 > 338 holds for k <= 25, so 26 succeed, none of them in the range.
	 */
	struct pf_page *got[27];
	int n = 0;
	assert_int_equal(m->min_free_kbytes, 1354);
	while (n < 27 && (got[n] = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 10)) != NULL) {
		unsigned long pfn = pf_page_to_pfn(got[n]);
		assert_false(pfn >= 0x2000 && pfn < 0x2400);
		n++;
	}
	assert_int_equal(n, 26);
	for (int i = 0; i < n; i++)
		pf_free_pages(got[i], 10);

	undo_isolate_page_range(m, 0x2000, 0x2400, MIGRATE_MOVABLE);
	assert_int_equal(mt_of(m, 0x2000), MIGRATE_MOVABLE);
	assert_int_equal(mt_of(m, 0x2200), MIGRATE_MOVABLE);
	assert_int_equal(z->nr_isolate_pageblock, 0);
	assert_int_equal(z->free_area[10].nr_free, 28);
	assert_int_equal(z->free_area[9].nr_free, 0);
	assert_true(on_list(z, 10, MIGRATE_MOVABLE, 0x2000, m));
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 28672);
	assert_int_equal(test_pages_isolated(m, 0x2000, 0x2400, 0), -EBUSY);
	pf_test_check(m, "isolation undone");
	pf_machine_destroy(m);
}

/*
 * A range that is not pageblock-aligned: [0x2100, 0x2300) touches pageblocks 0x2000 and 0x2200;
 * both are isolated (start rounds down, end up), test_pages_isolated looks at the range only.
 */
static void isolate_unaligned_range(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = zone_of(m, ZONE_DMA32);
	assert_int_equal(start_isolate_page_range(m, 0x2100, 0x2300, MIGRATE_MOVABLE, 0, 0), 0);
	assert_int_equal(z->nr_isolate_pageblock, 2);
	assert_int_equal(mt_of(m, 0x2000), MIGRATE_ISOLATE);
	assert_int_equal(mt_of(m, 0x2200), MIGRATE_ISOLATE);
	/*
	 * 6.12's walk steps over free blocks from the range's start: 0x2100 lies inside the free
	 * order-9 block at 0x2000, is not PageBuddy itself, so the test says busy; from the block's
	 * start (what alloc_contig_range passes, find_large_buddy) it says isolated.
	 */
	assert_int_equal(test_pages_isolated(m, 0x2100, 0x2300, 0), -EBUSY);
	assert_int_equal(test_pages_isolated(m, 0x2000, 0x2300, 0), 0);
	pf_test_check(m, "unaligned range isolated");
	undo_isolate_page_range(m, 0x2100, 0x2300, MIGRATE_MOVABLE);
	assert_int_equal(z->nr_isolate_pageblock, 0);
	assert_int_equal(z->free_area[10].nr_free, 28);
	pf_test_check(m, "unaligned isolation undone");
	pf_machine_destroy(m);
}

/*
 * Frees into an isolated block stay on the Isolate list.  ZONE_MOVABLE (0x4000..0x7fff): in it
 * has_unmovable_pages takes every non-reserved page as movable (6.12), so a block in use may be
 * isolated.  An order-3 movable request refills the per-CPU list from the first free block of
 * the Movable zone; the block's range R = its order-10 block.  After isolation and a drain,
 * test_pages_isolated is -EBUSY while the page is held; pf_free_pages (free_unref_page: the
 * pageblock is Isolate -> free_one_page) puts it on the Isolate lists, where it merges with the
 * rest of its isolated pageblock and then with the other one (same type: they merge) into one
 * order-10 Isolate block.  NR_FREE_PAGES does not count it.  undo: 0x..000 is PageBuddy of
 * order 10 = MAX_PAGE_ORDER (no buddy look-up), so move_freepages_block_isolate splits it,
 * the second pageblock's half merges back when it is unset: one order-10 Movable block.
 */
static void free_into_isolated_block(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE_MOVABLE);
	struct zone *zm = zone_of(m, ZONE_MOVABLE);
	assert_int_equal(zm->zone_start_pfn, 0x4000);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 3);
	assert_non_null(p);
	unsigned long pfn = pf_page_to_pfn(p);
	assert_true(pfn >= 0x4000);
	unsigned long s = pfn & ~1023UL, e = s + 1024;

	assert_int_equal(start_isolate_page_range(m, s, e, MIGRATE_MOVABLE, 0, 0), 0);
	pf_drain_all_pages(m);
	long free_before = pf_test_vmstat(m, "nr_free_pages");
	assert_int_equal(test_pages_isolated(m, s, e, 0), -EBUSY);
	pf_test_check(m, "isolated around a held page");

	pf_free_pages(p, 3);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), free_before);
	assert_true(on_list(zm, 10, MIGRATE_ISOLATE, s, m));
	assert_int_equal(test_pages_isolated(m, s, e, 0), 0);
	pf_test_check(m, "freed into the isolated block");

	unsigned long movable10 = list_len(zm, 10, MIGRATE_MOVABLE);
	undo_isolate_page_range(m, s, e, MIGRATE_MOVABLE);
	assert_int_equal(zm->nr_isolate_pageblock, 0);
	assert_int_equal(list_len(zm, 10, MIGRATE_MOVABLE), movable10 + 1);
	assert_true(on_list(zm, 10, MIGRATE_MOVABLE, s, m));
	assert_int_equal(zm->free_area[9].nr_free, 0);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), free_before + 1024);
	pf_test_check(m, "isolation undone after the free");
	pf_machine_destroy(m);
}

/*
 * An unmovable page refuses the isolation and nothing changes.  An order-10 movable request
 * takes 0x1000 (head of the list: boot frees to the tail in ascending order); an order-10
 * GFP_KERNEL request then claims 0x1400 from the Movable list (try_to_steal_block, whole
 * block: both pageblocks become Unmovable); 0x1000 is freed again.  R = [0x1200, 0x1a00):
 * isolate_single_pageblock(0x1200) finds 0x1200 inside the order-10 free block at 0x1000
 * (find_large_buddy) and splits it; isolate_single_pageblock(0x1a00, before) splits 0x1800;
 * then set_migratetype_isolate(0x1400) meets the held page -> -EBUSY, the two end blocks are
 * unset again, their halves merge back (unset_migratetype_isolate's putback).
 */
static void unmovable_page_refuses(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = zone_of(m, ZONE_DMA32);
	struct pf_page *mv = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 10);
	assert_int_equal(pf_page_to_pfn(mv), 0x1000);
	struct pf_page *u = pf_alloc_pages(m, PF_GFP_KERNEL, 10);
	assert_int_equal(pf_page_to_pfn(u), 0x1400);
	pf_free_pages(mv, 10);
	assert_int_equal(mt_of(m, 0x1400), MIGRATE_UNMOVABLE);

	char *before = pf_test_show_drained(m, "pagetypeinfo");
	long free_before = pf_test_vmstat(m, "nr_free_pages");
	assert_int_equal(start_isolate_page_range(m, 0x1200, 0x1a00, MIGRATE_MOVABLE, 0, 0), -EBUSY);
	for (unsigned long b = 0x1000; b < 0x2000; b += 512)
		assert_int_equal(mt_of(m, b), b == 0x1400 || b == 0x1600 ? MIGRATE_UNMOVABLE : MIGRATE_MOVABLE);
	assert_int_equal(z->nr_isolate_pageblock, 0);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), free_before);
	assert_int_equal(z->free_area[10].nr_free, 27);
	assert_int_equal(z->free_area[9].nr_free, 0);
	char *after = pf_test_show_drained(m, "pagetypeinfo");
	assert_string_equal(before, after);
	assert_int_equal(pf_page_count(u), 1);
	pf_test_check(m, "refused isolation");

	/* the page once gone, the same range isolates */
	pf_free_pages(u, 10);
	assert_int_equal(start_isolate_page_range(m, 0x1200, 0x1a00, MIGRATE_MOVABLE, 0, 0), 0);
	assert_int_equal(z->nr_isolate_pageblock, 4);
	pf_test_check(m, "isolated after the free");
	undo_isolate_page_range(m, 0x1200, 0x1a00, MIGRATE_MOVABLE);
	assert_int_equal(z->nr_isolate_pageblock, 0);
	pf_test_check(m, "undone");
	free(before);
	free(after);
	pf_machine_destroy(m);
}

static bool any_isolate(struct pf_page *page, int mode)
{
	(void)page;
	(void)mode;
	return true;
}

static int any_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)dst;
	(void)src;
	(void)mode;
	return -EAGAIN;
}

static void any_putback(struct pf_page *page)
{
	(void)page;
}

static const struct pf_movable_operations any_ops = { any_isolate, any_migrate, any_putback };

/*
 * A movable compound page across the range's edge: an order-10 __GFP_COMP movable block at 0x1000
 * (head of the Movable list) made movable.  Isolating [0x1200, 0x1400): set_migratetype_isolate
 * finds only movable pages (tails of a movable head), then isolate_single_pageblock scans from
 * the MAX_PAGE_ORDER-aligned 0x1000 and meets the head at 0x1000, whose 1024 pages reach past
 * the boundary 0x1200: 6.12 does not expect movable folios above pageblock order there and gives
 * up (-EBUSY), undoing the pageblock it isolated.  The range [0x1000, 0x1400) covers the whole
 * page: no boundary crossed, it isolates.
 */
static void compound_across_the_edge(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = zone_of(m, ZONE_DMA32);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_COMP, 10);
	assert_int_equal(pf_page_to_pfn(p), 0x1000);
	pf_set_page_movable(p, &any_ops);
	assert_int_equal(start_isolate_page_range(m, 0x1200, 0x1400, MIGRATE_MOVABLE, 0, 0), -EBUSY);
	assert_int_equal(z->nr_isolate_pageblock, 0);
	assert_int_equal(mt_of(m, 0x1200), MIGRATE_MOVABLE);
	pf_test_check(m, "refused at the edge");
	assert_int_equal(start_isolate_page_range(m, 0x1000, 0x1400, MIGRATE_MOVABLE, 0, 0), 0);
	assert_int_equal(z->nr_isolate_pageblock, 2);
	undo_isolate_page_range(m, 0x1000, 0x1400, MIGRATE_MOVABLE);
	pf_clear_page_movable(p);
	pf_put_page(p);
	assert_int_equal(z->free_area[10].nr_free, 28);
	pf_test_check(m, "freed");
	pf_machine_destroy(m);
}

/* pf_check: a free block of an isolated pageblock found on the Movable list is a violation. */
static void check_catches_isolated_page_elsewhere(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = zone_of(m, ZONE_DMA32);
	char err[512];
	assert_int_equal(start_isolate_page_range(m, 0x2000, 0x2400, MIGRATE_MOVABLE, 0, 0), 0);
	struct pf_page *blk = pf_pfn_to_page(m, 0x2200);
	list_move_tail(&blk->buddy_list, &z->free_area[9].free_list[MIGRATE_MOVABLE]);
	assert_int_equal(pf_check(m, err, sizeof err), -EUCLEAN);
	assert_non_null(strstr(err, "isolat"));
	list_move_tail(&blk->buddy_list, &z->free_area[9].free_list[MIGRATE_ISOLATE]);
	pf_test_check(m, "put back");
	/* and a wrong nr_isolate_pageblock */
	z->nr_isolate_pageblock++;
	assert_int_equal(pf_check(m, err, sizeof err), -EUCLEAN);
	assert_non_null(strstr(err, "nr_isolate_pageblock"));
	z->nr_isolate_pageblock--;
	undo_isolate_page_range(m, 0x2000, 0x2400, MIGRATE_MOVABLE);
	pf_test_check(m, "undone");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_isolation", 10);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(isolate_and_undo_free_range),
		cmocka_unit_test(isolate_unaligned_range),
		cmocka_unit_test(free_into_isolated_block),
		cmocka_unit_test(unmovable_page_refuses),
		cmocka_unit_test(compound_across_the_edge),
		cmocka_unit_test(check_catches_isolated_page_elsewhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
