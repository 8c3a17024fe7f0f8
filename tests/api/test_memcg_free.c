/* test_memcg_free: freeing a block with memcg_data set on any of its pages (still charged to a cgroup) is refused as 6.12's free_page_is_bad does - one "BUG: Bad page state" report with reason "page still charged to cgroup", counted - and nothing changes: the block stays allocated with its reference, buddyinfo and nr_free_pages are as before. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include <pageframe/page.h>
#include "pf_testlib.h"

#define MACHINE "cpus 1\nmem 0 0x1000-0x3fffffff\n"

struct log {
	int bug_lines;
	int memcg_reasons;
};

static void hook(void *arg, int level, const char *line)
{
	struct log *log = arg;
	(void)level;
	if (strncmp(line, "BUG: Bad page state", 19) == 0)
		log->bug_lines++;
	if (strstr(line, "page dumped because: page still charged to cgroup"))
		log->memcg_reasons++;
}

/*
 * 6.12 free_pages_prepare: free_page_is_bad() on the head and, with check_pages_enabled (always on
 * here), on every other page; page_bad_reason() ends with the memcg_data test, so a set
 * memcg_data is the reason reported (last one wins).  The refusal happens before the block
 * reaches a per-CPU or buddy list, whichever path the order takes.
 */
static void refuse(struct pf_machine *m, struct log *log, pf_gfp_t gfp, unsigned order, unsigned long charged_page,
		   bool by_put)
{
	pf_test_phase("order %u, page %lu charged", order, charged_page);
	struct pf_page *p = pf_alloc_pages(m, gfp, order);
	assert_non_null(p);
	struct pf_page *c = pf_pfn_to_page(m, pf_page_to_pfn(p) + charged_page);
	char *before = pf_test_show_drained(m, "buddyinfo");
	long free_before = pf_test_vmstat(m, "nr_free_pages");
	long bad_before = pf_test_vmstat(m, "pageframe_bad_pages");
	int bugs = log->bug_lines, reasons = log->memcg_reasons;

	c->memcg_data = 0x5a5a00;	/* a struct mem_cgroup pointer, as charged pages carry */
	if (by_put)
		pf_put_page(p);
	else
		pf_free_pages(p, order);

	if (log->bug_lines != bugs + 1 || log->memcg_reasons != reasons + 1)
		fail_msg("order %u page %lu: %d report(s), %d with the memcg reason; 6.12 reports once", order,
			 charged_page, log->bug_lines - bugs, log->memcg_reasons - reasons);
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), bad_before + 1);
	assert_int_equal(pf_page_count(p), 1);
	char *after = pf_test_show_drained(m, "buddyinfo");
	assert_string_equal(after, before);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), free_before);
	assert_int_equal(c->memcg_data, 0x5a5a00);
	pf_test_check(m, "after the refused free");

	/* uncharged, the same block frees normally */
	c->memcg_data = 0;
	if (by_put)
		pf_put_page(p);
	else
		pf_free_pages(p, order);
	assert_int_equal(log->bug_lines, bugs + 1);
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), free_before + (1L << order));
	free(before);
	free(after);
}

static void charged_free_refused(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct pf_machine *m = pf_test_boot(MACHINE);
	pf_set_report_hook(m, hook, &log);
	char *boot = pf_test_show_drained(m, "buddyinfo");

	refuse(m, &log, PF_GFP_KERNEL, 0, 0, false);		/* per-CPU list order, fast path */
	refuse(m, &log, PF_GFP_KERNEL, 2, 0, false);		/* order 1..3 fast path */
	refuse(m, &log, PF_GFP_KERNEL, 3, 7, false);		/* a charged tail of a plain block */
	refuse(m, &log, PF_GFP_HIGHUSER_MOVABLE, 4, 0, false);	/* straight to the buddy lists */
	refuse(m, &log, PF_GFP_HIGHUSER_MOVABLE, 9, 0, false);	/* pageblock order: per-CPU list */
	refuse(m, &log, PF_GFP_HIGHUSER_MOVABLE, 10, 1023, false);
	refuse(m, &log, PF_GFP_KERNEL | PF_GFP_COMP, 2, 0, true);	/* compound head, put_page */
	refuse(m, &log, PF_GFP_KERNEL | PF_GFP_COMP, 2, 3, true);	/* compound tail */

	char *end = pf_test_show_drained(m, "buddyinfo");
	assert_string_equal(end, boot);
	free(end);
	free(boot);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_memcg_free", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(charged_free_refused) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
