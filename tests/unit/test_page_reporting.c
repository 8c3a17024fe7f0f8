/*
 * test_page_reporting: free page reporting stepped as 6.12's work item runs
 * it (mm/page_reporting.c): the batch of 32, the per-list budget, reported
 * blocks at the list tail, PageReported cleared as a block leaves the free
 * lists, a notification from __free_one_page at page_reporting_order and
 * above (also after a merge), the low-watermark guard, and the
 * page_reporting_order setting.
 *
 * The machine: 2 GiB, "mem 0 0x1000-0x7fffffff", one CPU.
 *   DMA   = pfn 0x1..0xfff: 4095 pages.  The guard asks for more than
 *           low + (32 << 9) = low + 16384 free pages: never met, so DMA is
 *           never reported.
 *   DMA32 = pfn 0x1000..0x7ffff: 0x7f000 = 520192 pages = 508 blocks of
 *           order 10 (every 4 MiB boundary from 16 MiB up), all MOVABLE,
 *           nothing free of order 9 or below.
 * A pass over DMA32's order-10 MOVABLE list (budget = DIV_ROUND_UP(nr_free,
 * 32 * 16) = DIV_ROUND_UP(508, 512) = 1):
 *   blocks 1..32 fill the batch; at block 33 the batch is reported (budget
 *   0), blocks 33..64 fill it again; at block 65 it is reported (budget -1);
 *   at block 66... no: at the next unreported block the budget is < 0, the
 *   state goes back to REQUESTED and the pass ends: 2 reports of 32 blocks,
 *   64 blocks = 65536 pages per pass.  508 = 7 * 64 + 60: passes 1..7
 *   report 65536 pages each; pass 8 reports 32 at the 33rd block, takes the
 *   last 28 and reports them as the leftover: 60 blocks = 61440 pages, and
 *   the state returns to IDLE (no more pass queued).  7 * 65536 + 61440 =
 *   520192, the whole zone.
 */
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
#include "mm/page_reporting.h"

#define MACHINE "cpus 1\nmem 0 0x1000-0x7fffffff\nfree_page_reporting dontneed\n"

/* the sink's calls, recorded: nents and the orders of each */
static int calls, call_nents[64];
static unsigned call_order[64];
static int (*host_report)(struct page_reporting_dev_info *, struct page_reporting_sg *, unsigned int);

static int recording_report(struct page_reporting_dev_info *prdev, struct page_reporting_sg *sg, unsigned int nents)
{
	if (calls < 64) {
		call_nents[calls] = (int)nents;
		call_order[calls] = sg[0].order;
	}
	calls++;
	for (unsigned i = 0; i < nents; i++)
		assert_false(PageBuddy(sg[i].page));	/* isolated while reported */
	return host_report(prdev, sg, nents);
}

static struct pf_machine *boot(const char *desc)
{
	struct pf_machine *m = pf_test_boot(desc);
	pf_page_reporting_stop(m);
	assert_non_null(m->pr_dev_info);
	host_report = m->pr_dev_info->report;
	m->pr_dev_info->report = recording_report;
	calls = 0;
	return m;
}

static struct zone *dma32(struct pf_machine *m)
{
	return &NODE_DATA(m, 0)->node_zones[ZONE_DMA32];
}

/* Blocks on DMA32's order-10 MOVABLE list: reported ones, and whether all of them trail the others. */
static unsigned long reported_on_list(struct pf_machine *m, bool *at_tail)
{
	struct list_head *list = &dma32(m)->free_area[10].free_list[MIGRATE_MOVABLE], *pos;
	unsigned long n = 0;
	bool seen_reported = false;
	*at_tail = true;
	list_for_each(pos, list) {
		struct pf_page *page = list_entry(pos, struct pf_page, buddy_list);
		if (PageReported(page)) {
			n++;
			seen_reported = true;
		} else if (seen_reported) {
			*at_tail = false;
		}
	}
	return n;
}

static void passes_batches_and_budget(void **state)
{
	(void)state;
	struct pf_machine *m = boot(MACHINE);
	bool tail;

	assert_int_equal(dma32(m)->free_area[10].nr_free, 508);
	assert_int_equal(reported_on_list(m, &tail), 0);
	/* the boot's request: the first pass is due */
	assert_int_equal(atomic_load(&m->pr_dev_info->state), PAGE_REPORTING_REQUESTED);
	for (int pass = 1; pass <= 7; pass++) {
		calls = 0;
		assert_int_equal(pf_page_reporting_run(m), 65536);
		assert_int_equal(calls, 2);
		assert_int_equal(call_nents[0], 32);
		assert_int_equal(call_nents[1], 32);
		assert_int_equal(call_order[0], 10);
		/* out of budget: the state stays REQUESTED and another pass is queued */
		assert_int_equal(atomic_load(&m->pr_dev_info->state), PAGE_REPORTING_REQUESTED);
		assert_true(m->pr_dev_info->queued);
		assert_int_equal(reported_on_list(m, &tail), 64UL * (unsigned long)pass);
		assert_true(tail);
		assert_int_equal(dma32(m)->free_area[10].nr_free, 508);
	}
	calls = 0;
	assert_int_equal(pf_page_reporting_run(m), 61440);
	assert_int_equal(calls, 2);
	assert_int_equal(call_nents[0], 32);
	assert_int_equal(call_nents[1], 28);
	assert_false(m->pr_dev_info->queued);
	assert_int_equal(atomic_load(&m->pr_dev_info->state), PAGE_REPORTING_IDLE);
	assert_int_equal(reported_on_list(m, &tail), 508);
	assert_int_equal(pf_page_reporting_run(m), 0);	/* nothing queued */
	assert_int_equal(atomic_load(&m->pr_dev_info->reported_pages), 520192);
	pf_test_check(m, "every block reported");
	pf_machine_destroy(m);
}

static void reported_flag_leaves_with_the_block(void **state)
{
	(void)state;
	struct pf_machine *m = boot(MACHINE);
	assert_int_equal(pf_report_free_pages(m), 520192);
	long bad = pf_test_vmstat(m, "pageframe_bad_pages");

	/* every block of DMA32 is reported: the allocation takes one and must clear the flag */
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 10);
	assert_non_null(p);
	assert_false(PageReported(p));
	assert_int_equal(atomic_load(&m->pr_dev_info->state), PAGE_REPORTING_IDLE);

	/* its free merges nothing (buddies are reported blocks of 10 already at MAX) and notifies */
	pf_free_pages(p, 10);
	assert_int_equal(atomic_load(&m->pr_dev_info->state), PAGE_REPORTING_REQUESTED);
	calls = 0;
	assert_int_equal(pf_page_reporting_run(m), 1024);
	assert_int_equal(calls, 1);
	assert_int_equal(call_nents[0], 1);

	/* an order-8 block: the split pieces (8, 9) are unreported; the free merges back to 10 and notifies */
	p = pf_alloc_pages(m, PF_GFP_KERNEL, 8);
	assert_non_null(p);
	assert_int_equal(atomic_load(&m->pr_dev_info->state), PAGE_REPORTING_IDLE);
	pf_free_pages(p, 8);
	pf_drain_all_pages(m);	/* order 8 is not a per-CPU order: already on the buddy lists */
	assert_int_equal(atomic_load(&m->pr_dev_info->state), PAGE_REPORTING_REQUESTED);
	assert_int_equal(pf_page_reporting_run(m), 1024);

	/* an order-3 block: freed to the per-CPU list, no notification until it reaches the buddy lists */
	p = pf_alloc_pages(m, PF_GFP_KERNEL, 3);
	assert_non_null(p);
	pf_free_pages(p, 3);
	assert_int_equal(atomic_load(&m->pr_dev_info->state), PAGE_REPORTING_IDLE);
	pf_drain_all_pages(m);
	assert_int_equal(atomic_load(&m->pr_dev_info->state), PAGE_REPORTING_REQUESTED);
	assert_int_equal(pf_page_reporting_run(m), 1024);

	/* every block reported again, then all allocated: none comes out flagged */
	unsigned long n = 0;
	while ((p = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_NOWARN, 10)) != NULL) {
		assert_false(PageReported(p));
		n++;
	}
	assert_true(n >= 400);	/* all but what the min watermark keeps back */
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), bad);
	pf_machine_destroy(m);
}

static void low_watermark_guard_and_order(void **state)
{
	(void)state;
	char buf[32];
	/* 64 MiB: DMA32 = pfn 0x1000..0x3fff, 12288 pages, below low + 16384 at order 9 */
	struct pf_machine *m = boot("cpus 1\nmem 0 0x1000-0x3ffffff\nfree_page_reporting dontneed\n");
	assert_int_equal(pf_sysctl_get(m, "page_reporting_order", buf, sizeof buf), 0);
	assert_string_equal(buf, "9");	/* unset, then pageblock_order at registration */
	assert_int_equal(pf_page_reporting_run(m), 0);
	assert_int_equal(calls, 0);
	assert_int_equal(pf_report_free_pages(m), 0);

	/* order 0: the guard is low + 32; both zones qualify now */
	assert_int_equal(pf_sysctl_set(m, "page_reporting_order", "11"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "page_reporting_order", "-1"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "page_reporting_order", "0"), 0);
	assert_int_equal(pf_sysctl_get(m, "page_reporting_order", buf, sizeof buf), 0);
	assert_string_equal(buf, "0");
	assert_true(pf_report_free_pages(m) > 12288);
	pf_test_check(m, "order 0 reported");
	/* an order-0 page freed to the buddy lists notifies now */
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	pf_free_pages(p, 0);
	pf_drain_all_pages(m);
	assert_int_equal(atomic_load(&m->pr_dev_info->state), PAGE_REPORTING_REQUESTED);
	pf_machine_destroy(m);

	/* reporting off: no sink, the order reads -1 as an unset module parameter, frees never notify */
	m = pf_test_boot("cpus 1\nmem 0 0x1000-0x3ffffff\n");
	assert_null(m->pr_dev_info);
	assert_true(m->page_reporting_notify_order > MAX_PAGE_ORDER);
	assert_int_equal(pf_sysctl_get(m, "page_reporting_order", buf, sizeof buf), 0);
	assert_string_equal(buf, "-1");
	assert_int_equal(pf_sysctl_set(m, "page_reporting_order", "5"), 0);
	assert_true(m->page_reporting_notify_order > MAX_PAGE_ORDER);
	pf_machine_destroy(m);
}

static void description_lines(void **state)
{
	(void)state;
	char err[256];
	struct pf_machine *m = pf_machine_create("mem 0 0x1000-0x3ffffff\nfree_page_reporting sometimes\n", err,
						 sizeof err);
	assert_null(m);
	assert_string_equal(err, "line 2: free_page_reporting: expected dontneed, free or off, got 'sometimes'");
	m = pf_machine_create("mem 0 0x1000-0x3ffffff\nfree_page_reporting\n", err, sizeof err);
	assert_null(m);
	assert_string_equal(err, "line 2: free_page_reporting: expected dontneed, free or off");
	m = pf_machine_create("mem 0 0x1000-0x3ffffff\nfree_page_reporting free now\n", err, sizeof err);
	assert_null(m);
	assert_string_equal(err, "line 2: free_page_reporting: unexpected text after 'free'");
	/* a sysctl line sets the order before the sink registers, as the kernel's boot parameter */
	m = pf_test_boot("mem 0 0x1000-0x3ffffff\nfree_page_reporting free\nsysctl vm.page_reporting_order=3\n");
	assert_int_equal(m->page_reporting_order, 3);
	assert_int_equal(m->page_reporting_notify_order, 3);
	assert_int_equal(m->page_reporting_mode, PF_REPORTING_FREE);
	pf_machine_destroy(m);
	m = pf_test_boot("mem 0 0x1000-0x3ffffff\nfree_page_reporting dontneed\nfree_page_reporting off\n");
	assert_null(m->pr_dev_info);
	assert_int_equal(pf_report_free_pages(m), -ENODEV);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_page_reporting", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(passes_batches_and_budget),
		cmocka_unit_test(reported_flag_leaves_with_the_block),
		cmocka_unit_test(low_watermark_guard_and_order),
		cmocka_unit_test(description_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
