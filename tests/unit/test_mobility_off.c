/* test_mobility_off: with grouping by mobility off (6.12's page_group_by_mobility_disabled: below pageblock_nr_pages * MIGRATE_TYPES pages, or the description's "mobility_grouping off") every request is unmovable, on the general and the fast path, pageblocks are re-typed only to unmovable, and the boot pageblocks stay movable as memmap_init set them before the decision. */
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

int main(void)
{
	pf_test_watchdog("test_mobility_off", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision),
		cmocka_unit_test(test_boot_blocks_movable),
		cmocka_unit_test(test_requests_unmovable),
		cmocka_unit_test(test_set_pageblock_migratetype),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
