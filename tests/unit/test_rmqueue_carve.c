/*
 * test_rmqueue_carve: rmqueue_bulk's carve (a whole run of __rmqueue_smallest calls done in one
 * step) leaves exactly the state the kernel's call-by-call loop leaves.  Two identical machines
 * run the same random operations, one with the carve and one without (rmqueue_carve_off); after
 * every step the pages handed out must be the same, and at checkpoints every struct page, every
 * free list in order, every per-CPU list in order and every counter must be equal.  Also checks
 * __mod_zone_page_state_repeat against repeated __mod_zone_page_state calls.
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
#include "mm/internal.h"
#include "pf_testlib.h"
#include "machine_compare.h"

/* 2 CPUs, DMA + DMA32 of 256 MiB: small enough to compare every page often. */
#define MACHINE "cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0xfffffff\n"
#define SLOTS 4096

struct live {
	struct pf_page *page;
	unsigned order;
};

static void carve_equals_loop(void **state)
{
	(void)state;
	char err[256];
	/* Bound to CPU 0: both machines see the same CPU on every call. */
	assert_int_equal(pf_bind_cpu(0), 0);
	struct pf_machine *a = pf_test_boot(MACHINE);
	struct pf_machine *b = pf_test_boot(MACHINE);
	b->rmqueue_carve_off = true;
	compare_machines(a, b);

	static struct live la[SLOTS], lb[SLOTS];
	const pf_gfp_t gfps[] = { PF_GFP_KERNEL, PF_GFP_HIGHUSER_MOVABLE, PF_GFP_KERNEL | PF___GFP_RECLAIMABLE,
				  PF_GFP_DMA32 | PF_GFP_KERNEL };
	uint64_t rng = 0x5eed;
	for (int step = 0; step < 60000; step++) {
		uint64_t r = pf_test_xorshift64s(&rng);
		unsigned k = (unsigned)(r % SLOTS);
		unsigned what = (unsigned)((r >> 20) % 100);
		if (what < 2) {
			pf_drain_all_pages(a);
			pf_drain_all_pages(b);
		} else if (la[k].page) {
			pf_free_pages(la[k].page, la[k].order);
			pf_free_pages(lb[k].page, lb[k].order);
			la[k].page = lb[k].page = NULL;
		} else {
			/* mostly order 0 (the bench's case), some 1..3 (pcp orders) and 4 (buddy directly) */
			unsigned w = (unsigned)((r >> 32) % 100);
			unsigned order = w < 70 ? 0 : w < 80 ? 1 : w < 88 ? 2 : w < 95 ? 3 : 4;
			pf_gfp_t gfp = gfps[(r >> 40) % 4];
			la[k].page = pf_alloc_pages(a, gfp, order);
			lb[k].page = pf_alloc_pages(b, gfp, order);
			la[k].order = lb[k].order = order;
			assert_true((la[k].page == NULL) == (lb[k].page == NULL));
			if (la[k].page)
				assert_int_equal(pf_page_to_pfn(la[k].page), pf_page_to_pfn(lb[k].page));
		}
		if (step % 5000 == 4999)
			compare_machines(a, b);
	}
	compare_bulk_refills(a, b);
	compare_machines(a, b);
	for (unsigned k = 0; k < SLOTS; k++)
		if (la[k].page) {
			pf_free_pages(la[k].page, la[k].order);
			pf_free_pages(lb[k].page, lb[k].order);
		}
	pf_drain_all_pages(a);
	pf_drain_all_pages(b);
	compare_machines(a, b);
	assert_int_equal(pf_check(a, err, sizeof err), 0);
	assert_int_equal(pf_check(b, err, sizeof err), 0);
	pf_machine_destroy(a);
	pf_machine_destroy(b);
	pf_bind_cpu(-1);
}

/*
 * __mod_zone_page_state_repeat(delta, n) against n calls of __mod_zone_page_state(delta) for
 * every threshold, starting differential, delta and count in a grid.  Both run on the CPU the
 * thread is on; a run that migrated in the middle is repeated.
 */
static void repeat_equals_calls(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	const long deltas[] = { -1, 1, -2, 2, -8, 8, -64, 64, -200 };
	for (int t = 0; t <= 124; t += 25)
		for (int d0 = -t - 3; d0 <= t + 3; d0 += (t / 5 > 0 ? t / 5 : 1))	/* also beyond t (a lowered threshold) */
			for (unsigned di = 0; di < sizeof deltas / sizeof deltas[0]; di++)
				for (unsigned long n = 0; n <= 300; n += (n < 10 ? 1 : 37)) {
					long g1, g2, f1, f2;
					int cpu;
					do {
						cpu = sched_getcpu();
						struct per_cpu_zonestat *pzs = &z->per_cpu_zonestats[cpu % m->nr_cpus];
						pzs->stat_threshold = (signed char)t;
						pzs->vm_stat_diff[NR_FREE_PAGES] = (signed char)d0;
						atomic_store(&z->vm_stat[NR_FREE_PAGES], 100000);
						for (unsigned long i = 0; i < n; i++)
							__mod_zone_page_state(z, NR_FREE_PAGES, deltas[di]);
						g1 = atomic_load(&z->vm_stat[NR_FREE_PAGES]);
						f1 = pzs->vm_stat_diff[NR_FREE_PAGES];
						pzs->vm_stat_diff[NR_FREE_PAGES] = (signed char)d0;
						atomic_store(&z->vm_stat[NR_FREE_PAGES], 100000);
						__mod_zone_page_state_repeat(z, NR_FREE_PAGES, deltas[di], n);
						g2 = atomic_load(&z->vm_stat[NR_FREE_PAGES]);
						f2 = pzs->vm_stat_diff[NR_FREE_PAGES];
					} while (sched_getcpu() != cpu);
					if (g1 != g2 || f1 != f2)
						fail_msg("t %d d0 %d delta %ld n %lu: calls give %ld+%ld, repeat %ld+%ld", t, d0,
							 deltas[di], n, g1, f1, g2, f2);
				}
	pf_machine_destroy(m);
}

int main(void)
{
	/*
	 * One host CPU for the whole run: the zone counters' per-CPU differentials follow the CPU
	 * the thread runs on (as the kernel's do), and the watermark tests read the folded part
	 * only, so two machines compared step by step must see their differentials on one CPU.
	 */
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof one, &one))
		perror("sched_setaffinity (the comparison may then depend on scheduling)");
	pf_test_watchdog("test_rmqueue_carve", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(carve_equals_loop),
		cmocka_unit_test(repeat_equals_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
