/* test_pin_pcp: per-CPU high and batch as 6.12 sets and tunes them - the 4 x batch floor of zone_highsize for high_min/high_max, and nr_pcp_high / nr_pcp_free / free_count / PCPF_PREV_FREE_HIGH_ORDER over runs of frees into a full list - with values worked by hand (tests/data/pinned/WORKED.md). */
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

/* The machine of test_pcp: DMA 3998 pages (pfn 1..0x9e, 0x100..0xfff), DMA32 520192 pages, thp never. */
#define MEM "mem 0 0x1000-0x9efff\nmem 0 0x100000-0x7fffffff\nthp never\n"
#define PCPF_PREV_FREE_HIGH_ORDER_BIT 1u	/* PCPF_PREV_FREE_HIGH_ORDER, BIT(0) in 6.12's mmzone.h */

static struct per_cpu_pages *pcp_of(struct pf_machine *m, int zi, int cpu)
{
	return &m->node_data[0]->node_zones[zi].per_cpu_pageset[cpu];
}

/*
 * zone_highsize: high = total / nr_split_cpus, then max(high, batch << 2).
 * 16 CPUs on node 0 (none online yet is not modelled: the node's 16 CPUs split it).
 *   DMA32: batch 63 (as test_pcp); low 1956 -> 1956 / 16 = 122 < 4 * 63 = 252 -> high_min 252;
 *          high_max = 520192 / 8 / 16 = 4064.
 *   DMA:   batch = min(3998 >> 10, 256) / 4 = 0 -> 1 -> rounddown_pow_of_two(1) - 1 = 0 -> max(1, 0) = 1;
 *          min = 1448 * 3998 / 524190 = 11, low = 11 + max(11 >> 2, 3998 * 10 / 10000 = 3) = 14;
 *          high_min = max(14 / 16 = 0, 4) = 4; high_max = max(3998 / 8 / 16 = 31, 4) = 31.
 * percpu_pagelist_high_fraction 1000 sets both from managed / 1000:
 *   DMA32: 520 / 16 = 32 -> 252;  DMA: 3 / 16 = 0 -> 4.
 */
static void high_min_floor(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 16\n" MEM);
	for (int cpu = 0; cpu < 16; cpu += 5) {
		struct per_cpu_pages *p32 = pcp_of(m, ZONE_DMA32, cpu), *p16 = pcp_of(m, ZONE_DMA, cpu);
		assert_int_equal(p32->batch, 63);
		assert_int_equal(p32->high_min, 252);
		assert_int_equal(p32->high_max, 4064);
		assert_int_equal(p16->batch, 1);
		assert_int_equal(p16->high_min, 4);
		assert_int_equal(p16->high_max, 31);
	}
	assert_int_equal(m->node_data[0]->node_zones[ZONE_DMA]._watermark[WMARK_LOW], 14);
	assert_int_equal(pf_sysctl_set(m, "percpu_pagelist_high_fraction", "1000"), 0);
	assert_int_equal(pcp_of(m, ZONE_DMA32, 3)->high_min, 252);
	assert_int_equal(pcp_of(m, ZONE_DMA32, 3)->high_max, 252);
	assert_int_equal(pcp_of(m, ZONE_DMA, 3)->high_min, 4);
	assert_int_equal(pcp_of(m, ZONE_DMA, 3)->high_max, 4);
	pf_machine_destroy(m);
}

/* Allocate @n blocks of @order, return every per-CPU page to the buddy, and put the pageset back in its boot state. */
static struct pf_page **take(struct pf_machine *m, int n, unsigned order)
{
	struct pf_page **v = calloc((size_t)n, sizeof *v);
	assert_non_null(v);
	for (int i = 0; i < n; i++) {
		v[i] = pf_alloc_pages(m, PF_GFP_KERNEL, order);
		assert_non_null(v[i]);
		assert_int_equal(pf_page_to_pfn(v[i]) >> 12 != 0, 1);	/* DMA32 (pfn >= 0x1000) */
	}
	pf_drain_all_pages(m);
	struct per_cpu_pages *pcp = pcp_of(m, ZONE_DMA32, 0);
	assert_int_equal(pcp->count, 0);
	pcp->high = 0;
	pcp->free_count = 0;
	pcp->flags = 0;
	pcp->alloc_factor = 0;
	assert_false(m->node_data[0]->node_zones[ZONE_DMA32].flags & (1UL << ZONE_BELOW_HIGH));
	return v;
}

struct point {
	int after;	/* frees done */
	int count, high, free_count;
};

/*
 * 6000 order-0 frees into CPU 0's DMA32 list (batch 63, high_min 1956, high_max 65024,
 * batch << CONFIG_PCP_BATCH_SCALE_MAX = 2016), free_unref_page_commit each time:
 *   free_count += 1 while below 2016; nr_pcp_high: high = clamp(pcp->high) (0 -> 1956);
 *   count >= high: need_high = free_count + 63, pcp->high raised to it when below; the
 *   spill uses the high from before the raise: nr_pcp_free = clamp(free_count, 63, high - 63).
 *   free 1956: free_count 1956, high 1956 -> pcp->high 2019; spill clamp(1956, 63, 1893) = 1893 -> count 63
 *   free 3912: count 63 + 1956 = 2019 >= 2019, free_count 2016 -> pcp->high 2079; spill clamp(2016, 63, 1956) = 1956 -> 63
 *   free 5928: count 63 + 2016 = 2079 >= 2079, need 2079 (no raise); spill clamp(2016, 63, 2016) = 2016 -> 63
 *   free 6000: count 63 + 72 = 135.
 */
static void order0_run(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot("cpus 1\n" MEM);
	struct per_cpu_pages *pcp = pcp_of(m, ZONE_DMA32, 0);
	const int n = 6000;
	struct pf_page **v = take(m, n, 0);
	static const struct point pts[] = {
		{ 1, 1, 1956, 1 },	    { 1955, 1955, 1956, 1955 }, { 1956, 63, 2019, 1956 },
		{ 2016, 123, 2019, 2016 }, { 3911, 2018, 2019, 2016 }, { 3912, 63, 2079, 2016 },
		{ 5927, 2078, 2079, 2016 }, { 5928, 63, 2079, 2016 },  { 6000, 135, 2079, 2016 },
	};
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		pf_free_pages(v[i], 0);
		if (k < sizeof pts / sizeof pts[0] && pts[k].after == i + 1) {
			if (pcp->count != pts[k].count || pcp->high != pts[k].high || pcp->free_count != pts[k].free_count)
				fail_msg("after %d frees: count %d high %d free_count %d; 6.12: %d %d %d", i + 1, pcp->count,
					 pcp->high, pcp->free_count, pts[k].count, pts[k].high, pts[k].free_count);
			k++;
		}
	}
	assert_int_equal(k, sizeof pts / sizeof pts[0]);
	assert_int_equal(pcp->flags, 0);
	assert_int_equal(pcp->alloc_factor, 0);
	free(v);
	pf_test_check(m, "after the order-0 run");
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * 100 order-1 frees, then one order-0 free.  Order 1 <= PAGE_ALLOC_COSTLY_ORDER: free_high is
 * free_count >= batch (63) && PCPF_PREV_FREE_HIGH_ORDER (set by the previous order-1 free) &&
 * !PCPF_FREE_HIGH_BATCH (never set: no cache size), tested before free_count grows by 2.
 *   frees 1..32: count 2j, free_count 2j, flags PREV after the first, high 1956 (clamped up from 0).
 *   free 33: free_count was 64 >= 63 -> free_high: pcp->high = max(1956 - 2016, 1956) = 1956, nr_pcp_high 0,
 *            nr_pcp_free = min(count 66, 2016) -> everything spilled, count 0; free_count 66.
 *   frees 34..100: each spills its own 2 pages; free_count 200 at the end, count 0.
 *   then an order-0 free clears PREV: flags 0, count 1, free_count 201, no spill (1 < 1956).
 */
static void order1_run(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot("cpus 1\n" MEM);
	struct per_cpu_pages *pcp = pcp_of(m, ZONE_DMA32, 0);
	struct pf_page *single = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(single);
	struct pf_page **v = take(m, 100, 1);
	for (int i = 0; i < 100; i++) {
		pf_free_pages(v[i], 1);
		int j = i + 1;
		int want_count = j <= 32 ? 2 * j : 0;
		if (pcp->count != want_count || pcp->free_count != 2 * j || pcp->high != 1956 ||
		    pcp->flags != PCPF_PREV_FREE_HIGH_ORDER_BIT)
			fail_msg("after %d order-1 frees: count %d free_count %d high %d flags %#x; 6.12: %d %d 1956 0x1", j,
				 pcp->count, pcp->free_count, pcp->high, pcp->flags, want_count, 2 * j);
	}
	pf_free_pages(single, 0);
	assert_int_equal(pcp->flags, 0);
	assert_int_equal(pcp->count, 1);
	assert_int_equal(pcp->free_count, 201);
	assert_int_equal(pcp->high, 1956);
	free(v);
	pf_test_check(m, "after the order-1 run");
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

int main(void)
{
	pf_test_watchdog("test_pin_pcp", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(high_min_floor),
		cmocka_unit_test(order0_run),
		cmocka_unit_test(order1_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
