/* test_mobility_off: with grouping by mobility off (6.12's page_group_by_mobility_disabled: below pageblock_nr_pages * MIGRATE_TYPES pages, or the description's "mobility_grouping off") every request is unmovable, on the general and the fast path, pageblocks are re-typed only to unmovable, and the boot pageblocks stay movable as memmap_init set them before the decision. */
#include <errno.h>
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

/* 16 MiB in DMA32 (8 pageblocks, 4096 pages): above the kernel's 512 * 6 = 3072 pages */
#define BIG "cpus 1\nmem 0 0x1000000-0x1ffffff\nthp never\n"
/* 8 MiB (2048 pages): below it, so the kernel turns grouping off itself */
#define SMALL "cpus 1\nmem 0 0x1000000-0x17fffff\nthp never\n"

static int block_type(struct pf_machine *m, struct pf_page *p)
{
	(void)m;
	return get_pfnblock_migratetype(p, pf_page_to_pfn(p));
}

static void test_decision(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(BIG);
	assert_int_equal(m->page_group_by_mobility_disabled, 0);
	pf_machine_destroy(m);
	m = pf_test_boot(BIG "mobility_grouping off\n");
	assert_int_equal(m->page_group_by_mobility_disabled, 1);
	pf_machine_destroy(m);
	m = pf_test_boot(SMALL);
	assert_int_equal(m->page_group_by_mobility_disabled, 1);
	pf_machine_destroy(m);
	/* "on" leaves the kernel's decision: a small machine still has it off */
	m = pf_test_boot(SMALL "mobility_grouping on\n");
	assert_int_equal(m->page_group_by_mobility_disabled, 1);
	pf_machine_destroy(m);

	char err[256];
	assert_null(pf_machine_create(BIG "mobility_grouping maybe\n", err, sizeof err));
	assert_string_equal(err, "line 4: mobility_grouping: expected on or off, got 'maybe'");
	assert_null(pf_machine_create(BIG "mobility_grouping off now\n", err, sizeof err));
}

/* Boot: every pageblock is still Movable (memmap_init runs before build_all_zonelists decides). */
static void test_boot_blocks_movable(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(BIG "mobility_grouping off\n");
	char *s = pf_test_show(m, "pagetypeinfo");
	assert_non_null(strstr(s, "Node 0, zone    DMA32            0            8            0            0            0"
				  "            0 \n"));
	free(s);
	pf_machine_destroy(m);
}

/*
 * A movable request, order 0 (fast path, then refill) and order 4 (general
 * path), is unmovable: it falls back from the Movable lists and claims the
 * whole order-10 block at 0x1000 (try_to_steal_block claims whatever the
 * count when grouping is off; at order >= pageblock_order it re-types the
 * range), which becomes Unmovable - both of its pageblocks.
 */
static void test_requests_unmovable(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(BIG "mobility_grouping off\n");
	/* the fast path's table agrees with the general path */
	for (unsigned bits = 0; bits < 32; bits++)
		if (m->fast_gfp[0][bits].zone)
			assert_int_equal(m->fast_gfp[0][bits].migratetype, MIGRATE_UNMOVABLE);
	struct pf_page *a = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(a);
	assert_int_equal(pf_page_to_pfn(a) & ~0x3ffUL, 0x1000);
	assert_int_equal(block_type(m, a), MIGRATE_UNMOVABLE);
	assert_int_equal(block_type(m, pf_pfn_to_page(m, 0x1200)), MIGRATE_UNMOVABLE);
	struct pf_page *b = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 4);
	assert_non_null(b);
	assert_int_equal(block_type(m, b), MIGRATE_UNMOVABLE);
	char *s = pf_test_show(m, "pagetypeinfo");
	assert_non_null(strstr(s, "Node 0, zone    DMA32            2            6            0            0            0"
				  "            0 \n"));
	free(s);
	pf_free_pages(a, 0);
	pf_free_pages(b, 4);
	pf_test_check(m, "after the frees");

	/* the same requests with grouping on stay movable */
	struct pf_machine *on = pf_test_boot(BIG);
	a = pf_alloc_pages(on, PF_GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(block_type(on, a), MIGRATE_MOVABLE);
	pf_free_pages(a, 0);
	pf_machine_destroy(on);
	pf_machine_destroy(m);
}

/* set_pageblock_migratetype: per-CPU types become unmovable; the others are kept */
static void test_set_pageblock_migratetype(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(BIG "mobility_grouping off\n");
	struct pf_page *p = pf_pfn_to_page(m, 0x1400);
	static const struct {
		int set, got;
	} cases[] = {
		{ MIGRATE_MOVABLE, MIGRATE_UNMOVABLE },	  { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
		{ MIGRATE_UNMOVABLE, MIGRATE_UNMOVABLE }, { MIGRATE_HIGHATOMIC, MIGRATE_HIGHATOMIC },
		{ MIGRATE_CMA, MIGRATE_CMA },		  { MIGRATE_ISOLATE, MIGRATE_ISOLATE },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		set_pageblock_migratetype(p, cases[i].set);
		assert_int_equal(block_type(m, p), cases[i].got);
	}
	pf_machine_destroy(m);
}

/*
 * Contiguous ranges taken and given back in Unmovable pageblocks:
 * alloc_contig_range isolates the pageblocks and gives them back as
 * MIGRATE_MOVABLE, which set_pageblock_migratetype turns into Unmovable
 * without grouping; the free pages must follow the pageblock's type onto
 * the Unmovable lists.  6.12 puts them on the Movable lists
 * (__move_freepages_block moves to new_mt, converting only the pageblock;
 * the putback of a free pageblock that merges with its buddy adds it as
 * Movable), where pf_check finds them (free-list hygiene), and the soak at
 * 48 MiB with "mobility_grouping off" found them within a minute.
 *
 * Worked through: the order-0 request claims the order-10 block at 0x1000
 * (test_requests_unmovable), so pageblocks 0x1000 and 0x1200 are
 * Unmovable; freed and drained, the block is whole again.
 * (1) [0x1200, 0x1210) taken: pageblock 0x1200 is isolated (the order-10
 * block split into its two pageblocks first), the range taken, the rest of
 * the pageblock (0x1210-0x13ff: orders 4..8) freed onto the Isolate
 * lists; the undo moves them (__move_freepages_block) to Unmovable.
 * (2) The range given back (page by page, through the per-CPU list, then
 * drained): 0x1200-0x13ff whole again, merging with 0x1000 into the
 * order-10 block.  (3) [0x1100, 0x1110) taken and given back: pageblock
 * 0x1000's free pages moved back as in (1) (the range is still taken when
 * the isolation is undone).  (4) below reaches the putback.
 */
static void test_contig_range_keeps_lists(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(BIG "mobility_grouping off\n");
	struct pf_page *a = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(a);
	assert_int_equal(pf_page_to_pfn(a), 0x1000);
	pf_free_pages(a, 0);
	pf_drain_all_pages(m);
	assert_int_equal(block_type(m, pf_pfn_to_page(m, 0x1000)), MIGRATE_UNMOVABLE);
	assert_int_equal(block_type(m, pf_pfn_to_page(m, 0x1200)), MIGRATE_UNMOVABLE);
	pf_test_check(m, "after the claim");

	assert_int_equal(pf_alloc_contig_range(m, 0x1200, 0x1210, PF_GFP_KERNEL), 0);
	assert_int_equal(block_type(m, pf_pfn_to_page(m, 0x1200)), MIGRATE_UNMOVABLE);
	pf_test_check(m, "(1) a range of an Unmovable pageblock taken");

	pf_free_contig_range(m, 0x1200, 0x10);
	pf_drain_all_pages(m);	/* the pages went to the per-CPU list */
	pf_test_check(m, "(2) the range given back");

	assert_int_equal(pf_alloc_contig_range(m, 0x1100, 0x1110, PF_GFP_KERNEL), 0);
	pf_free_contig_range(m, 0x1100, 0x10);
	assert_int_equal(block_type(m, pf_pfn_to_page(m, 0x1000)), MIGRATE_UNMOVABLE);
	pf_test_check(m, "(3) a whole free pageblock put back");

	/* 2 Unmovable pageblocks, 6 Movable, as after the claim */
	char *s = pf_test_show(m, "pagetypeinfo");
	assert_non_null(strstr(s, "Node 0, zone    DMA32            2            6            0            0            0"
				  "            0 \n"));
	free(s);

	/*
	 * (4) The putback: pfn 0x1800 taken (its pageblock, split from the
	 * Movable order-10 block 0x1800-0x1bff, given back as Unmovable), then
	 * [0x1400, 0x1a00) refused: pageblock 0x1400 is isolated first (the
	 * order-10 block 0x1400-0x17ff split), the last one holds the taken
	 * page, so 0x1400 is given back while wholly free with its buddy 0x1600
	 * free: taken off and put back (__putback_isolated_page), merging into
	 * order 10 on the Unmovable list, pageblock 0x1600 re-typed to match.
	 * Pageblocks 0x1000-0x1800 Unmovable (5), 0x1a00-0x1e00 Movable (3).
	 */
	assert_int_equal(pf_alloc_contig_range(m, 0x1800, 0x1801, PF_GFP_KERNEL), 0);
	pf_test_check(m, "(4) pfn 0x1800 taken");
	assert_int_equal(pf_alloc_contig_range(m, 0x1400, 0x1a00, PF_GFP_KERNEL), -EBUSY);
	assert_int_equal(block_type(m, pf_pfn_to_page(m, 0x1400)), MIGRATE_UNMOVABLE);
	assert_int_equal(block_type(m, pf_pfn_to_page(m, 0x1600)), MIGRATE_UNMOVABLE);
	pf_test_check(m, "(4) a range refused, its first pageblock put back");
	s = pf_test_show(m, "pagetypeinfo");
	assert_non_null(strstr(s, "Node 0, zone    DMA32            5            3            0            0            0"
				  "            0 \n"));
	free(s);
	pf_free_contig_range(m, 0x1800, 1);
	pf_drain_all_pages(m);
	pf_test_check(m, "(4) pfn 0x1800 given back");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_mobility_off", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision),
		cmocka_unit_test(test_boot_blocks_movable),
		cmocka_unit_test(test_requests_unmovable),
		cmocka_unit_test(test_set_pageblock_migratetype),
		cmocka_unit_test(test_contig_range_keeps_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
