/*
 * test_memcg_fastpath: with a memcg on the machine (FAST_OFF_MEMCG) and the thread charging
 * __GFP_ACCOUNT pages to it, the allocator hands out exactly the pages and leaves exactly the
 * free lists, per-CPU lists and counters a machine with its fast paths forced off and no memcg
 * does: charging changes only memcg_data, which is clear again once everything is freed.  The
 * memcg has no limit, so no charge fails.  Every struct page is compared once all is freed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/memcontrol.h"
#include "pf_testlib.h"
#include "machine_compare.h"

#define MACHINE "cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3ffffff\n"
#define SLOTS 4000

struct live {
	struct pf_page *page;
	unsigned order;
	int refs;
};

static struct pf_machine *boot(void)
{
	char err[256];
	struct pf_machine *m = pf_machine_create(MACHINE, err, sizeof err);
	if (!m)
		fail_msg("boot: %s", err);
	m->pcp_rseq = false;	/* the thread binds itself to CPU 0 or 1 (see test_fastpath_diff) */
	return m;
}

static void charged_equals_plain(void **state)
{
	(void)state;
	struct pf_machine *a = boot(), *b = boot();
	pf_fast_force_off(b, true);
	assert_int_equal(a->fast_off, 0);
	struct pf_memcg *cg = pf_memcg_create(a, NULL, "diff");
	assert_non_null(cg);
	assert_int_equal(a->fast_off, FAST_OFF_MEMCG);
	pf_memcg_attach(cg);

	static struct live la[SLOTS], lb[SLOTS];
	const pf_gfp_t gfps[] = { PF_GFP_KERNEL_ACCOUNT, PF_GFP_KERNEL, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_ACCOUNT,
				  PF_GFP_KERNEL_ACCOUNT | PF___GFP_COMP, PF_GFP_ATOMIC | PF___GFP_ACCOUNT,
				  PF_GFP_KERNEL_ACCOUNT | PF___GFP_ZERO, PF_GFP_NOWAIT | PF___GFP_ACCOUNT };
	uint64_t rng = 0x3e3c;
	long charged = 0;
	for (int step = 0; step < 60000; step++) {
		uint64_t r = pf_test_xorshift64s(&rng);
		unsigned k = (unsigned)(r % SLOTS);
		unsigned what = (unsigned)((r >> 20) % 100);
		assert_int_equal(pf_bind_cpu((int)((r >> 50) & 1)), 0);
		if (what < 2) {
			pf_drain_all_pages(a);
			pf_drain_all_pages(b);
		} else if (what < 10 && la[k].page && la[k].order == 0) {
			/* (a shared non-compound block would be split by its free: test_memcg_limit covers that) */
			pf_get_page(la[k].page);
			pf_get_page(lb[k].page);
			la[k].refs++;
		} else if (la[k].page) {
			pf_free_pages(la[k].page, la[k].order);
			pf_free_pages(lb[k].page, lb[k].order);
			if (la[k].refs)
				la[k].refs--;
			else
				la[k].page = lb[k].page = NULL;
		} else {
			unsigned w = (unsigned)((r >> 32) % 100);
			unsigned order = w < 60 ? 0 : w < 72 ? 1 : w < 82 ? 2 : w < 92 ? 3 : 4;
			pf_gfp_t gfp = gfps[(r >> 40) % (sizeof gfps / sizeof gfps[0])] | PF___GFP_NOWARN;
			la[k].page = pf_alloc_pages(a, gfp, order);
			lb[k].page = pf_alloc_pages(b, gfp, order);
			la[k].order = lb[k].order = order;
			la[k].refs = 0;
			if ((la[k].page == NULL) != (lb[k].page == NULL))
				fail_msg("step %d: order %u gfp %#x: charged %s, plain %s", step, order, gfp,
					 la[k].page ? "allocated" : "failed", lb[k].page ? "allocated" : "failed");
			if (la[k].page) {
				assert_int_equal(pf_page_to_pfn(la[k].page), pf_page_to_pfn(lb[k].page));
				assert_int_equal(lb[k].page->memcg_data, 0);
				if (gfp & PF___GFP_ACCOUNT) {
					assert_int_equal(la[k].page->memcg_data & MEMCG_DATA_FLAGS_MASK, MEMCG_DATA_KMEM);
					charged++;
				} else {
					assert_int_equal(la[k].page->memcg_data, 0);
				}
			}
		}
	}
	assert_true(charged > 1000);
	for (unsigned k = 0; k < SLOTS; k++)
		while (la[k].page) {
			pf_free_pages(la[k].page, la[k].order);
			pf_free_pages(lb[k].page, lb[k].order);
			if (la[k].refs)
				la[k].refs--;
			else
				la[k].page = lb[k].page = NULL;
		}
	pf_drain_all_pages(a);
	pf_drain_all_pages(b);
	compare_machines(a, b);
	compare_bulk_refills(a, b);
	struct mem_cgroup *memcg = (struct mem_cgroup *)cg;
	assert_int_equal(memcg_page_state(memcg, MEMCG_KMEM), 0);
	drain_all_stock(memcg);
	assert_int_equal(page_counter_read(&memcg->memory), 0);
	char err[256];
	assert_int_equal(pf_check(a, err, sizeof err), 0);
	pf_memcg_attach(NULL);
	pf_memcg_destroy(cg);
	pf_machine_destroy(a);
	pf_machine_destroy(b);
	pf_bind_cpu(-1);
}

int main(void)
{
	/* one host CPU: both machines' counter differentials on one CPU (see test_fastpath_diff) */
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof one, &one))
		perror("sched_setaffinity (the comparison may then depend on scheduling)");
	pf_test_watchdog("test_memcg_fastpath", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(charged_equals_plain) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
