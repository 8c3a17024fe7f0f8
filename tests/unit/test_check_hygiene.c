/* test_check_hygiene: pf_check names a free block on a list other than its pageblock's type (below and at pageblock order), free pages of an isolated pageblock off the Isolate list, non-isolated ones on it, a free page isolated for migration, an isolated movable page without a reference, and NR_ISOLATED_* counts with no LRU pages - each corrupted by hand, each message saying what, where and why. */
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
#include "mm/migrate.h"

/*
 * One zone, DMA32 = pfn 0x1000..0x1ffd (the last two pages reserved): after
 * boot, Movable order-10 free blocks at 0x1000, 0x1400, 0x1800, order 9 at
 * 0x1c00, and orders 8..1 at 0x1e00, 0x1f00, ... 0x1ffc in pageblock 0x1e00.
 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x1ffffff\nreserve 0x1ffe000-0x1ffffff\nthp never\n"

static void expect_pf_check(struct pf_machine *m, const char *want)
{
	char err[1024];
	int rc = pf_check(m, err, sizeof err);
	if (rc != -EUCLEAN || strcmp(err, want))
		fail_msg("pf_check returned %d\n  got:  %s\n  want: %s", rc, rc ? err : "(clean)", want);
}

static struct pf_page *page_at(struct pf_machine *m, unsigned long pfn)
{
	return pf_pfn_to_page(m, pfn);
}

static void test_clean_after_boot(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	pf_test_check(m, "after boot");
	pf_machine_destroy(m);
}

/* pageblock 0x1e00 re-typed without moving its free pages: the lowest order is met first (order 1 at 0x1ffc) */
static void test_small_block_wrong_list(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	set_pageblock_migratetype(page_at(m, 0x1e00), MIGRATE_UNMOVABLE);
	expect_pf_check(m, "free-list hygiene: pfn 0x1ffc (Node 0 zone DMA32, order 1) is on the Movable free list but its "
			"pageblock 0x1e00 is Unmovable: a free block below pageblock order belongs on its pageblock's "
			"list, or requests of one type take pages of another");
	set_pageblock_migratetype(page_at(m, 0x1e00), MIGRATE_MOVABLE);
	pf_test_check(m, "restored");
	pf_machine_destroy(m);
}

/* the upper pageblock of the order-10 block at 0x1000 re-typed */
static void test_large_block_spans_two_types(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	set_pageblock_migratetype(page_at(m, 0x1200), MIGRATE_RECLAIMABLE);
	expect_pf_check(m, "free-list hygiene: pfn 0x1000 (Node 0 zone DMA32, order 10) on the Movable free list spans "
			"pageblock 0x1200 of type Reclaimable: a free block of pageblock order or more spans "
			"pageblocks of its list's type only, or splitting it puts pages on the wrong lists");
	set_pageblock_migratetype(page_at(m, 0x1200), MIGRATE_MOVABLE);
	pf_test_check(m, "restored");
	pf_machine_destroy(m);
}

/* a pageblock isolated (as start_isolate_page_range would) but its free pages left on the Movable list */
static void test_isolated_block_off_isolate_list(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	set_pageblock_migratetype(page_at(m, 0x1c00), MIGRATE_ISOLATE);
	expect_pf_check(m, "isolation: pfn 0x1c00 (Node 0 zone DMA32, order 9) of isolated pageblock 0x1c00 is on the "
			"Movable free list: free pages of an isolated pageblock belong on the Isolate list, where no "
			"allocation can take them");
	set_pageblock_migratetype(page_at(m, 0x1c00), MIGRATE_MOVABLE);
	pf_test_check(m, "restored");
	pf_machine_destroy(m);
}

/* a free block of a movable pageblock moved onto the Isolate list by hand */
static void test_isolate_list_holds_movable_block(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	struct pf_page *p = page_at(m, 0x1f00);	/* order 7 */
	assert_true(PageBuddy(p));
	assert_int_equal(buddy_order(p), 7);
	list_del(&p->buddy_list);
	list_add(&p->buddy_list, &z->free_area[7].free_list[MIGRATE_ISOLATE]);
	expect_pf_check(m, "isolation: pfn 0x1f00 (Node 0 zone DMA32, order 7) is on the Isolate free list but its "
			"pageblock 0x1e00 is Movable: it would be kept from allocation and from NR_FREE_PAGES for good");
	list_del(&p->buddy_list);
	list_add(&p->buddy_list, &z->free_area[7].free_list[MIGRATE_MOVABLE]);
	pf_test_check(m, "restored");
	pf_machine_destroy(m);
}

/* a free page marked isolated for migration */
static void test_free_page_isolated(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_page *p = page_at(m, 0x1400);
	SetPageIsolated(p);
	expect_pf_check(m, "isolation: free pfn 0x1400 (Node 0 zone DMA32, order 10, Movable list) has PG_isolated set: a "
			"page isolated for migration must be migrated or put back to its owner before it is freed");
	ClearPageIsolated(p);
	pf_test_check(m, "restored");
	pf_machine_destroy(m);
}

/* an isolated movable page whose isolator's reference went missing */
static const struct pf_movable_operations ops;	/* never called */

static void test_isolated_page_without_reference(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 9);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p), 0x1c00);
	p->mapping = (void *)((uintptr_t)&ops | PAGE_MAPPING_MOVABLE);
	SetPageIsolated(p);
	pf_test_check(m, "an isolated page with its reference");
	int ref = p->_refcount;
	p->_refcount = 0;
	expect_pf_check(m, "isolation: pfn 0x1c00 (Node 0 zone DMA32, pageblock type Movable) is isolated for migration "
			"(PG_isolated) but holds no reference (refcount 0): its isolator holds a reference on an "
			"allocated movable page until migration or putback drops it");
	p->_refcount = ref;
	ClearPageIsolated(p);
	p->mapping = NULL;
	pf_free_pages(p, 9);
	pf_test_check(m, "restored");
	pf_machine_destroy(m);
}

/* NR_ISOLATED_ANON counting pages when nothing on an LRU exists */
static void test_nr_isolated_counts_nothing(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	atomic_store(&m->node_data[0]->vm_stat[NR_ISOLATED_ANON], 3);
	expect_pf_check(m, "isolation: Node 0: NR_ISOLATED_ANON + NR_ISOLATED_FILE is 3 but pageframe has no LRU pages to "
			"isolate: 6.12 counts only isolated LRU folios there (0 movable pages are isolated, known by "
			"PG_isolated)");
	atomic_store(&m->node_data[0]->vm_stat[NR_ISOLATED_ANON], 0);
	pf_test_check(m, "restored");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_check_hygiene", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_after_boot),
		cmocka_unit_test(test_small_block_wrong_list),
		cmocka_unit_test(test_large_block_spans_two_types),
		cmocka_unit_test(test_isolated_block_off_isolate_list),
		cmocka_unit_test(test_isolate_list_holds_movable_block),
		cmocka_unit_test(test_free_page_isolated),
		cmocka_unit_test(test_isolated_page_without_reference),
		cmocka_unit_test(test_nr_isolated_counts_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
