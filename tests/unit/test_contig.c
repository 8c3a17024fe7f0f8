/* test_contig: contiguous ranges as 6.12's alloc_contig_range / alloc_contig_pages / free_contig_range - movable pages migrated out with contents intact and each owner told once, an unmovable page refusing with -EBUSY and nothing changed, 2048 pages beyond MAX_PAGE_ORDER naturally aligned (order-0 pages or one compound page), unaligned ranges, and bad input reported; values worked by hand below. */
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
#include "unit/test_compaction_owner.h"

/* One zone, DMA32 = pfn 0x1000..0x7fff: 28 free order-10 blocks, NR_FREE_PAGES 28672. */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x7ffffff\nthp never\n"

static long free_drained(struct pf_machine *m)
{
	pf_drain_all_pages(m);
	return pf_test_vmstat(m, "nr_free_pages");
}

/* every page of [s, e) is an order-0 allocation: refcount 1, not free, in the record at order 0 */
static void assert_taken(struct pf_machine *m, unsigned long s, unsigned long e)
{
	for (unsigned long pfn = s; pfn < e; pfn++) {
		struct pf_page *p = pf_pfn_to_page(m, pfn);
		if (pf_page_count(p) != 1 || pf_PageBuddy(p) || m->alloc_order[pfn] != 1)
			fail_msg("pfn %#lx: refcount %d, buddy %d, record %u", pfn, pf_page_count(p), pf_PageBuddy(p),
				 m->alloc_order[pfn]);
	}
}

/*
 * 48 movable pages of an owner: order-0 HIGHUSER_MOVABLE requests refill the per-CPU list from
 * the head of the order-10 Movable list, 0x1000 (boot frees to the tail in ascending order), so
 * they all lie in [0x1000, 0x1400).  alloc_contig_range(0x1000, 0x1400): both pageblocks
 * isolated (has_unmovable_pages: free, per-CPU or __PageMovable pages only), the per-CPU list
 * drained into the Isolate lists, isolate_migratepages_range + migrate_pages move the 48 pages to
 * pages outside (alloc_migration_target: the isolated blocks are out of reach), their old pages
 * freed into the Isolate lists; then every page is free, isolate_freepages_range takes them and
 * split_free_pages makes 1024 order-0 pages.  NR_FREE_PAGES: 28672 - 1024 - 48 once drained.
 */
static void migrates_movable_pages(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct cmp_owner *o = cmp_owner_new(m, 48);
	for (unsigned s = 0; s < 48; s++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 0);
		assert_non_null(p);
		assert_true(pf_page_to_pfn(p) >= 0x1000 && pf_page_to_pfn(p) < 0x1400);
		cmp_owner_adopt(o, s, p);
	}
	long events_before = pf_test_vmstat(m, "pgmigrate_success");
	assert_int_equal(pf_alloc_contig_range(m, 0x1000, 0x1400, PF_GFP_KERNEL), 0);
	for (unsigned s = 0; s < 48; s++) {
		assert_int_equal(o->migrated[s], 1);	/* each owner told once */
		unsigned long pfn = pf_page_to_pfn(o->page[s]);
		assert_false(pfn >= 0x1000 && pfn < 0x1400);
	}
	assert_int_equal(cmp_owner_check(o), -1);	/* contents intact, private moved */
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_success") - events_before, 48);
	assert_taken(m, 0x1000, 0x1400);
	assert_int_equal(m->node_data[0]->node_zones[ZONE_DMA32].nr_isolate_pageblock, 0);
	assert_int_equal(free_drained(m), 28672 - 1024 - 48);
	pf_test_check(m, "range taken");

	/* the pages go back one by one or as ranges; a page freed twice is caught */
	long bad = pf_test_vmstat(m, "pageframe_bad_pages");
	for (unsigned long pfn = 0x1000; pfn < 0x1200; pfn++)
		pf_free_pages(pf_pfn_to_page(m, pfn), 0);
	pf_free_pages(pf_pfn_to_page(m, 0x1000), 0);
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), bad + 1);
	pf_free_contig_range(m, 0x1200, 0x200);
	for (unsigned s = 0; s < 48; s++)
		cmp_owner_free(o, s);
	assert_int_equal(free_drained(m), 28672);
	pf_test_check(m, "all freed");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
}

/*
 * The same, with one page that is in use and not movable (taken from the same per-CPU refill, not
 * given to the owner): set_migratetype_isolate meets it in pageblock 0x1000 -> -EBUSY before any
 * migration; nothing changed: no owner told, every page where it was, the same free counts and
 * the same pagetypeinfo (per-CPU lists untouched: the drain comes after the isolation).
 */
static void unmovable_page_busy(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct cmp_owner *o = cmp_owner_new(m, 33);
	for (unsigned s = 0; s < 32; s++)
		cmp_owner_adopt(o, s, pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 0));
	struct pf_page *pinned = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 0);
	unsigned long pinned_pfn = pf_page_to_pfn(pinned);
	assert_true(pinned_pfn >= 0x1000 && pinned_pfn < 0x1400);

	char *before = pf_test_show(m, "pagetypeinfo");
	long free_before = pf_test_vmstat(m, "nr_free_pages");
	assert_int_equal(pf_alloc_contig_range(m, 0x1000, 0x1400, PF_GFP_KERNEL | PF___GFP_NOWARN), -EBUSY);
	for (unsigned s = 0; s < 32; s++) {
		assert_int_equal(o->migrated[s] + o->isolated[s] + o->putback[s], 0);
		assert_int_equal(pf_page_to_pfn(o->page[s]), o->first_pfn[s]);
	}
	assert_int_equal(cmp_owner_check(o), -1);
	assert_int_equal(pf_page_count(pinned), 1);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), free_before);
	char *after = pf_test_show(m, "pagetypeinfo");
	assert_string_equal(before, after);
	assert_int_equal(m->node_data[0]->node_zones[ZONE_DMA32].nr_isolate_pageblock, 0);
	pf_test_check(m, "refused range");

	/* the pinned page made movable too: now the range is taken, each of the 33 moved once */
	cmp_owner_adopt(o, 32, pinned);
	assert_int_equal(pf_alloc_contig_range(m, 0x1000, 0x1400, PF_GFP_KERNEL), 0);
	for (unsigned s = 0; s < 33; s++)
		assert_int_equal(o->migrated[s], 1);
	assert_int_equal(cmp_owner_check(o), -1);
	assert_taken(m, 0x1000, 0x1400);
	pf_test_check(m, "range taken");
	pf_free_contig_range(m, 0x1000, 0x400);
	for (unsigned s = 0; s < 33; s++)
		cmp_owner_free(o, s);
	assert_int_equal(free_drained(m), 28672);
	free(before);
	free(after);
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
}

/*
 * alloc_contig_pages(2048): the zone's first candidate is ALIGN(0x1000, 2048) = 0x1000, all free:
 * [0x1000, 0x1800) is taken, naturally aligned (0x1000 % 2048 == 0), 2048 order-0 pages.  With
 * __GFP_COMP the same range becomes one compound page of order 11 (> MAX_PAGE_ORDER 10), freed
 * with pf_free_contig_range as folio_put.  A movable page at the start is migrated out of the way.
 */
static void pages_beyond_max_order(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct cmp_owner *o = cmp_owner_new(m, 1);
	cmp_owner_adopt(o, 0, pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 0));
	assert_int_equal(o->first_pfn[0], 0x1000);

	struct pf_page *p = pf_alloc_contig_pages(m, 2048, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p), 0x1000);
	assert_int_equal(o->migrated[0], 1);
	assert_int_equal(cmp_owner_check(o), -1);
	assert_taken(m, 0x1000, 0x1800);
	assert_int_equal(free_drained(m), 28672 - 2048 - 1);
	pf_test_check(m, "2048 pages");
	pf_free_contig_range(m, 0x1000, 2048);
	assert_int_equal(free_drained(m), 28672 - 1);

	/* __GFP_COMP: one order-11 compound page; the owner's page now sits elsewhere */
	unsigned long where = pf_page_to_pfn(o->page[0]);
	p = pf_alloc_contig_pages(m, 2048, PF_GFP_KERNEL | PF___GFP_COMP, 0);
	assert_non_null(p);
	unsigned long pfn = pf_page_to_pfn(p);
	assert_int_equal(pfn % 2048, 0);
	assert_false(where >= pfn && where < pfn + 2048 && o->migrated[0] == 1);
	assert_true(pf_PageHead(p));
	assert_int_equal(compound_order(p), 11);
	assert_int_equal(free_drained(m), 28672 - 2048 - 1);
	pf_test_check(m, "compound 2048 pages");
	long bad = pf_test_vmstat(m, "pageframe_bad_pages");
	pf_free_contig_range(m, pfn, 1024);	/* the wrong size: reported, nothing freed */
	assert_int_equal(free_drained(m), 28672 - 2048 - 1);
	pf_free_contig_range(m, pfn, 2048);
	assert_int_equal(free_drained(m), 28672 - 1);
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), bad);
	cmp_owner_free(o, 0);
	assert_int_equal(free_drained(m), 28672);
	pf_test_check(m, "freed");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
}

/*
 * [0x2001, 0x2003): not aligned.  The pageblocks 0x2000 are isolated; find_large_buddy(0x2001)
 * is 0x2000 (the order-9 Isolate block move_freepages_block_isolate split off), so
 * isolate_freepages_range takes [0x2000, 0x2200) and the pages outside [0x2001, 0x2003) go back
 * (free_contig_range): 2 pages taken, NR_FREE_PAGES 28670 once drained.  With __GFP_COMP the same
 * range cannot be one compound page: -EINVAL, nothing lost.
 */
static void unaligned_range(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	assert_int_equal(pf_alloc_contig_range(m, 0x2001, 0x2003, PF_GFP_KERNEL), 0);
	assert_taken(m, 0x2001, 0x2003);
	assert_int_equal(pf_page_count(pf_pfn_to_page(m, 0x2000)), 0);
	assert_int_equal(pf_page_count(pf_pfn_to_page(m, 0x2003)), 0);
	assert_int_equal(free_drained(m), 28670);
	pf_test_check(m, "two pages");
	pf_free_contig_range(m, 0x2001, 2);
	assert_int_equal(free_drained(m), 28672);

	assert_int_equal(pf_alloc_contig_range(m, 0x2001, 0x2003, PF_GFP_KERNEL | PF___GFP_COMP), -EINVAL);
	assert_int_equal(free_drained(m), 28672);
	pf_test_check(m, "compound refused");
	pf_machine_destroy(m);
}

/* Bad input: reported, nothing changes. */
static void bad_input(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	long bad = pf_test_vmstat(m, "pageframe_bad_pages");

	assert_int_equal(pf_alloc_contig_range(m, 0x2000, 0x2000, PF_GFP_KERNEL), -EINVAL);	/* empty */
	assert_int_equal(pf_alloc_contig_range(m, 0x2400, 0x2000, PF_GFP_KERNEL), -EINVAL);	/* backwards */
	assert_int_equal(pf_alloc_contig_range(m, 0x7f00, 0x9000, PF_GFP_KERNEL), -EINVAL);	/* past the machine */
	assert_int_equal(pf_alloc_contig_range(m, 0x2000, 0x2400, PF_GFP_KERNEL | PF___GFP_NOFAIL), -EINVAL);
	assert_int_equal(pf_alloc_contig_range(NULL, 0x2000, 0x2400, PF_GFP_KERNEL), -EINVAL);
	/* below the memory: reserved holes are unmovable */
	assert_int_equal(pf_alloc_contig_range(m, 0x800, 0xa00, PF_GFP_KERNEL | PF___GFP_NOWARN) < 0, 1);
	assert_null(pf_alloc_contig_pages(m, 0, PF_GFP_KERNEL, 0));
	assert_null(pf_alloc_contig_pages(m, 1024, PF_GFP_KERNEL, 5));
	assert_null(pf_alloc_contig_pages(m, 1UL << 20, PF_GFP_KERNEL, 0));	/* more than the machine */
	assert_int_equal(free_drained(m), 28672);
	pf_test_check(m, "bad ranges");

	/* overlapping: the second range's pages are in use -> -EBUSY */
	assert_int_equal(pf_alloc_contig_range(m, 0x2000, 0x2100, PF_GFP_KERNEL), 0);
	assert_int_equal(pf_alloc_contig_range(m, 0x2080, 0x2180, PF_GFP_KERNEL | PF___GFP_NOWARN), -EBUSY);
	assert_int_equal(free_drained(m), 28672 - 256);
	pf_test_check(m, "overlap refused");

	/* freeing what no contiguous allocation handed out: reported once, nothing freed */
	pf_free_contig_range(m, 0x3000, 16);	/* free pages */
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), bad + 1);
	struct pf_page *blk = pf_alloc_pages(m, PF_GFP_KERNEL, 3);	/* an order-3 block: pages 1..7 are not allocations */
	pf_free_contig_range(m, pf_page_to_pfn(blk), 8);
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), bad + 2);
	assert_int_equal(pf_page_count(blk), 1);
	pf_free_contig_range(m, 0x20f0, 0x20);	/* runs past the allocation into free pages */
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), bad + 3);
	assert_int_equal(pf_page_count(pf_pfn_to_page(m, 0x20f0)), 1);
	pf_free_contig_range(m, 0x7ff0, 0x100);	/* past the end of the machine */
	pf_test_check(m, "bad frees");
	pf_free_pages(blk, 3);
	pf_free_contig_range(m, 0x2000, 0x100);
	assert_int_equal(free_drained(m), 28672);
	pf_test_check(m, "freed");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_contig", 10);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(migrates_movable_pages),
		cmocka_unit_test(unmovable_page_busy),
		cmocka_unit_test(pages_beyond_max_order),
		cmocka_unit_test(unaligned_range),
		cmocka_unit_test(bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
