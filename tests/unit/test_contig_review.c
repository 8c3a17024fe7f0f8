/* test_contig_review: regressions from the review of the contiguous allocator - a failed isolation leaves another caller's isolated pageblocks isolated, a free_contig_range into a memory hole is refused with a message (no dump of a page that has no memmap), pf_free_contig_range refuses pages pf_cma_alloc handed out, and pf_cma_release of no pages succeeds. */
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

/* One zone, DMA32 = pfn 0x1000..0x7fff; a CMA area of 16 MiB placed top-down at pfn 0x7000 (test_cma). */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x7ffffff\nthp never\n"

/*
 * Another caller (a cma_alloc, here by hand) isolated [0x2000, 0x2200).  alloc_contig_range over
 * [0x2000, 0x2400) finds that block isolated already (-EBUSY from start_isolate_page_range, which
 * undoes only the block it isolated itself, 0x2200); the first block must stay MIGRATE_ISOLATE.
 */
static void failed_isolation_keeps_others(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	long free0 = pf_test_vmstat(m, "nr_free_pages");
	assert_int_equal(start_isolate_page_range(m, 0x2000, 0x2200, MIGRATE_MOVABLE, 0, PF_GFP_KERNEL), 0);
	assert_int_equal(pf_alloc_contig_range(m, 0x2000, 0x2400, PF_GFP_KERNEL), -EBUSY);
	assert_int_equal(get_pageblock_migratetype(pf_pfn_to_page(m, 0x2000)), MIGRATE_ISOLATE);
	assert_int_equal(get_pageblock_migratetype(pf_pfn_to_page(m, 0x2200)), MIGRATE_MOVABLE);
	undo_isolate_page_range(m, 0x2000, 0x2200, MIGRATE_MOVABLE);
	assert_int_equal(get_pageblock_migratetype(pf_pfn_to_page(m, 0x2000)), MIGRATE_MOVABLE);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), free0);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

static int lines;
static char last[512];
static void hook(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	lines++;
	snprintf(last, sizeof last, "%s", line);
}

/* Two nodes with a hole between them: pfn 0x8000..0xffff has no memmap. */
static void free_into_hole(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 2\nnode 0 cpus 0\nnode 1 cpus 1\n"
					    "mem 0 0x1000000-0x7ffffff\nmem 1 0x10000000-0x17ffffff\n");
	pf_set_report_hook(m, hook, NULL);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	long bad0 = pf_test_vmstat(m, "pageframe_bad_pages");
	lines = 0;
	pf_free_contig_range(m, 0x7f00, 0x200);	/* runs from node 0's last pages into the hole */
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), bad0 + 1);
	assert_true(lines >= 1);
	pf_free_pages(p, 0);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

static void cma_pages_not_freed_as_contig(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE "cma 16M\n");
	pf_set_report_hook(m, hook, NULL);
	long free0 = pf_test_vmstat(m, "nr_free_pages");
	struct pf_page *p = pf_cma_alloc(m, 0, 16, 0, false);
	assert_non_null(p);
	unsigned long pfn = pf_page_to_pfn(p);
	assert_int_equal(pfn, 0x7000);	/* the area's first pages (test_cma's placement) */
	lines = 0;
	pf_free_contig_range(m, pfn, 16);
	assert_int_equal(lines, 1);
	assert_non_null(strstr(last, "pf_cma_release"));
	assert_int_equal(pf_page_count(p), 1);	/* still allocated */
	assert_true(pf_cma_release(m, 0, p, 0));	/* nothing to release: true, as 6.12 */
	assert_true(pf_cma_release(m, 0, p, 16));
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), free0);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(failed_isolation_keeps_others),
		cmocka_unit_test(free_into_hole),
		cmocka_unit_test(cma_pages_not_freed_as_contig),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
