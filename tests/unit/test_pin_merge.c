/* test_pin_merge: at pageblock order a freed block of an unmergeable type (highatomic, CMA, isolate) does not merge with a free movable buddy block, in either order, as 6.12's __free_one_page checks migratetype_is_mergeable at order >= pageblock_order; values worked by hand in tests/data/pinned/WORKED.md. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include "mm/internal.h"

/*
 * One zone, DMA32 = pfn 0x1000..0x7fff: 28 order-10 blocks, every pageblock MIGRATE_MOVABLE,
 * on the order-10 movable list in ascending order (boot frees with FPI_TO_TAIL), so the first
 * order-10 movable allocation is pfn 0x1000.
 *
 * The library makes no CMA or isolated blocks itself (no cma.c or page_isolation.c yet), and a
 * highatomic block only through the slow path's reserve; the test gives one pageblock of that
 * allocated block the type with set_pageblock_migratetype, as start_isolate_page_range,
 * init_cma_reserved_pageblock and reserve_highatomic_pageblock would, then frees the block.
 * 6.12 __free_pages_ok -> free_one_page -> split_large_buddy frees it one pageblock at a time,
 * each with its own type: the first half finds its buddy still allocated (order 9, its own list);
 * the second half finds the first free at order 9 = pageblock_order, where the two types differ
 * and one is not mergeable -> done_merging.  So: 27 order-10 blocks, 2 order-9 blocks, one on
 * each type's list.  Merging would give 28 order-10 blocks and no order-9 block.
 * Accounting (account_freepages): isolate pages are not counted in NR_FREE_PAGES, CMA ones are
 * also in NR_FREE_CMA_PAGES, highatomic ones in nr_free_highatomic.
 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x7ffffff\nthp never\n"

static bool on_list(struct zone *z, unsigned order, int mt, unsigned long pfn, struct pf_machine *m)
{
	struct list_head *head = &z->free_area[order].free_list[mt];
	for (struct list_head *e = head->next; e != head; e = e->next)
		if ((unsigned long)(list_entry(e, struct pf_page, buddy_list) - m->mem_map) == pfn)
			return true;
	return false;
}

static void no_merge(int mt, int half)
{
	static const char *const names[MIGRATE_TYPES] = { "Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA",
							  "Isolate" };
	pf_test_phase("%s pageblock as half %d", names[mt], half);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	assert_int_equal(z->free_area[10].nr_free, 28);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 10);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p), 0x1000);
	unsigned long odd = 0x1000 + (unsigned long)half * 512;
	set_pageblock_migratetype(pf_pfn_to_page(m, odd), mt);
	pf_free_pages(p, 10);

	int mt0 = half == 0 ? mt : MIGRATE_MOVABLE, mt1 = half == 1 ? mt : MIGRATE_MOVABLE;
	if (z->free_area[10].nr_free != 27 || z->free_area[9].nr_free != 2)
		fail_msg("%s block freed beside a movable one: %lu order-10 and %lu order-9 free blocks; 6.12: 27 and 2",
			 names[mt], z->free_area[10].nr_free, z->free_area[9].nr_free);
	assert_true(on_list(z, 9, mt0, 0x1000, m));
	assert_true(on_list(z, 9, mt1, 0x1200, m));
	assert_int_equal(get_pageblock_migratetype(pf_pfn_to_page(m, odd)), mt);
	assert_int_equal(get_pageblock_migratetype(pf_pfn_to_page(m, odd ^ 512)), MIGRATE_MOVABLE);
	long free = pf_test_vmstat(m, "nr_free_pages");
	assert_int_equal(free, mt == MIGRATE_ISOLATE ? 28672 - 512 : 28672);
	assert_int_equal(pf_test_vmstat(m, "nr_free_cma"), mt == MIGRATE_CMA ? 512 : 0);
	assert_int_equal(z->nr_free_highatomic, mt == MIGRATE_HIGHATOMIC ? 512 : 0);
	pf_machine_destroy(m);
}

static void highatomic_no_merge(void **state)
{
	(void)state;
	no_merge(MIGRATE_HIGHATOMIC, 0);
	no_merge(MIGRATE_HIGHATOMIC, 1);
}

static void cma_no_merge(void **state)
{
	(void)state;
	no_merge(MIGRATE_CMA, 0);
	no_merge(MIGRATE_CMA, 1);
}

static void isolate_no_merge(void **state)
{
	(void)state;
	no_merge(MIGRATE_ISOLATE, 0);
	no_merge(MIGRATE_ISOLATE, 1);
}

/* The control: two movable halves merge back into the order-10 block (28 order-10 blocks again). */
static void movable_merges(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 10);
	assert_non_null(p);
	pf_free_pages(p, 10);
	assert_int_equal(z->free_area[10].nr_free, 28);
	assert_int_equal(z->free_area[9].nr_free, 0);
	pf_test_check(m, "after the movable free");
	pf_machine_destroy(m);
}

/*
 * A highatomic block made the way the kernel makes one.  DMA32 only, pfn 0x1000..0x3ffff (258048
 * pages, 252 order-10 blocks): min_free_kbytes = int_sqrt(258048 * 4 * 16) = 4063, min 1015,
 * low 1015 + max(253, 258) = 1273; batch 63.  Movable order-10 allocations succeed while
 * free - 1023 > 1015 (slow path, min): 251 of them, leaving 0x3fc00 as the only free block.
 * A GFP_ATOMIC order-1 request fails low (1024 - 1 <= 1273) and retries in the slow path with
 * ALLOC_HIGHATOMIC and the atomic reserve discount (1023 > 1015 - 507 - 126 = 382): the per-CPU
 * refill claims 0x3fc00 whole for MIGRATE_UNMOVABLE (order 10 >= pageblock_order), hands out
 * 0x3fc00 and keeps 62 more order-1 blocks of that pageblock; reserve_highatomic_pageblock then
 * makes pageblock 0x3fc00 MIGRATE_HIGHATOMIC (managed / 100 = 2580 >= 512, nothing reserved yet;
 * max ALIGN(2580, 512) = 3072) and moves its free pages.  Freeing the page and draining returns all
 * 512 pages of that pageblock, merged to order 9 on the highatomic list; its buddy 0x3fe00 is free
 * at order 9 on the unmovable list, and the two must stay apart.
 */
static void atomic_reserve_no_merge(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000000-0x3fffffff\nthp never\n");
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	assert_int_equal(z->_watermark[WMARK_MIN], 1015);
	assert_int_equal(z->_watermark[WMARK_LOW], 1273);
	int n = 0;
	while (pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 10))
		n++;
	assert_int_equal(n, 251);
	assert_int_equal(z->free_area[10].nr_free, 1);
	struct pf_page *a = pf_alloc_pages(m, PF_GFP_ATOMIC, 1);
	assert_non_null(a);
	assert_int_equal(pf_page_to_pfn(a), 0x3fc00);
	assert_int_equal(get_pageblock_migratetype(pf_pfn_to_page(m, 0x3fc00)), MIGRATE_HIGHATOMIC);
	assert_int_equal(get_pageblock_migratetype(pf_pfn_to_page(m, 0x3fe00)), MIGRATE_UNMOVABLE);
	assert_int_equal(z->nr_reserved_highatomic, 512);
	pf_free_pages(a, 1);
	pf_drain_all_pages(m);
	if (z->free_area[10].nr_free != 0 || z->free_area[9].nr_free != 2)
		fail_msg("reserved highatomic pageblock freed beside an unmovable one: %lu order-10, %lu order-9 blocks; "
			 "6.12: 0 and 2", z->free_area[10].nr_free, z->free_area[9].nr_free);
	assert_true(on_list(z, 9, MIGRATE_HIGHATOMIC, 0x3fc00, m));
	assert_true(on_list(z, 9, MIGRATE_UNMOVABLE, 0x3fe00, m));
	assert_int_equal(z->nr_free_highatomic, 512);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 1024);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

int main(void)
{
	pf_test_watchdog("test_pin_merge", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(highatomic_no_merge),
		cmocka_unit_test(cma_no_merge),
		cmocka_unit_test(isolate_no_merge),
		cmocka_unit_test(movable_merges),
		cmocka_unit_test(atomic_reserve_no_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
