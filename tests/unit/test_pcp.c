/* test_pcp: the per-CPU lists refill, count, tune high and spill as 6.12's nr_pcp_alloc / free_unref_page_commit do, worked by hand on a 1-CPU machine. */
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

/*
 * The machine: 1 CPU, DMA = pfn 1..0x9e and 0x100..0xfff (3998 pages), DMA32 = 0x1000..0x7ffff
 * (520192 pages = 508 order-10 blocks), no reserve, thp never.  Worked from 6.12:
 *   nr_free_buffer_pages = 3998 + 520192 = 524190 (watermarks 0 at the first calculation)
 *   min_free_kbytes = int_sqrt(524190 * 4 * 16) = int_sqrt(33548160) = 5792
 *   pages_min = 5792 >> 2 = 1448; DMA32 min = 1448 * 520192 / 524190 = 1436 (753238016 / 524190 = 1436.96)
 *   tmp >> 2 = 359; mult_frac(520192, 10, 10000) = 52*10 + (192*10)/10000 = 520; step = 520
 *   low = 1436 + 520 = 1956, high = 2476
 *   batch: min(520192 >> 10 = 508, 256) / 4 = 64 -> rounddown_pow_of_two(96) - 1 = 63
 *   high_min = low / 1 CPU = 1956; high_max = 520192 / 8 = 65024
 */
#define MACHINE "cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7fffffff\nthp never\n"

static struct zone *dma32(struct pf_machine *m)
{
	return &m->node_data[0]->node_zones[ZONE_DMA32];
}

static void boot_values(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = dma32(m);
	assert_int_equal(z->_watermark[WMARK_MIN], 1436);
	assert_int_equal(z->_watermark[WMARK_LOW], 1956);
	struct per_cpu_pages *pcp = &z->per_cpu_pageset[0];
	assert_int_equal(pcp->batch, 63);
	assert_int_equal(pcp->high_min, 1956);
	assert_int_equal(pcp->high_max, 65024);
	assert_int_equal(pcp->high, 0);		/* untouched after boot */
	assert_int_equal(pcp->count, 0);
	pf_machine_destroy(m);
}

/*
 * pcp_high_max_fraction (pageframe's own) replaces MIN_PERCPU_PAGELIST_HIGH_FRACTION in
 * zone_highsize for high_max: 520192 / 2 / 1 CPU = 260096; high_min and batch are unchanged.
 * With percpu_pagelist_high_fraction set, that sysctl decides both (6.12): 520192 / 100 = 5201.
 */
static void high_max_fraction(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE "pcp_high_max_fraction 2\n");
	struct per_cpu_pages *pcp = &dma32(m)->per_cpu_pageset[0];
	assert_int_equal(pcp->batch, 63);
	assert_int_equal(pcp->high_min, 1956);
	assert_int_equal(pcp->high_max, 260096);
	assert_int_equal(pf_sysctl_set(m, "percpu_pagelist_high_fraction", "100"), 0);
	assert_int_equal(pcp->high_min, 5201);
	assert_int_equal(pcp->high_max, 5201);
	pf_machine_destroy(m);
}

static void refill_and_free(void **state)
{
	(void)state;
	char err[256];
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = dma32(m);
	struct per_cpu_pages *pcp = &z->per_cpu_pageset[0];
	assert_int_equal(z->free_area[10].nr_free, 508);

	/*
	 * GFP_KERNEL order 0: preferred zone DMA32 (no Normal), unmovable list empty ->
	 * nr_pcp_alloc: high = clamp(0, 1956, 65024) = 1956; batch = 63 << alloc_factor 0 = 63;
	 * high_min != high_max and not below high: high = min(1956 + 63, 65024) = 2019;
	 * max_nr_alloc = max(2019 - 0 - 63, 63) = 1956; 63 <= 1956 so alloc_factor becomes 1;
	 * batch = 63.  rmqueue_bulk takes 63 pages: __rmqueue_claim converts the first order-10
	 * movable block (pfn 0x1000) to unmovable and splits it; pages 0x1000..0x103e go to the list,
	 * leaving 0x103f (order 0), 0x1040 (6), 0x1080 (7), 0x1100 (8), 0x1200 (9) free.
	 */
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p), 0x1000);
	assert_int_equal(pcp->count, 62);
	assert_int_equal(pcp->high, 2019);
	assert_int_equal(pcp->alloc_factor, 1);
	assert_int_equal(z->free_area[10].nr_free, 507);
	for (int o = 0; o <= 9; o++)
		assert_int_equal(z->free_area[o].nr_free, (o == 0 || o >= 6) ? 1 : 0);

	/*
	 * Free it: alloc_factor >>= 1 -> 0; count 63; free_count 0 + 1 = 1;
	 * nr_pcp_high: clamp(2019, 1956, 65024) = 2019, count 63 < 2019: no spill.
	 */
	pf_free_pages(p, 0);
	assert_int_equal(pcp->count, 63);
	assert_int_equal(pcp->alloc_factor, 0);
	assert_int_equal(pcp->free_count, 1);
	assert_int_equal(pcp->high, 2019);

	/* zoneinfo shows the live values */
	char *buf = pf_test_show(m, "zoneinfo");
	const char *want = "    cpu: 0\n              count:    63\n              high:     2019\n"
			   "              batch:    63\n              high_min: 1956\n              high_max: 65024\n";
	char *dma32_part = strstr(buf, "zone    DMA32");
	assert_non_null(dma32_part);
	assert_non_null(strstr(dma32_part, want));
	free(buf);

	/* drain: everything merges back into the order-10 block, now on the unmovable list */
	pf_drain_all_pages(m);
	assert_int_equal(pcp->count, 0);
	assert_int_equal(z->free_area[10].nr_free, 508);
	for (int o = 0; o <= 9; o++)
		assert_int_equal(z->free_area[o].nr_free, 0);
	assert_false(list_empty(&z->free_area[10].free_list[MIGRATE_UNMOVABLE]));
	assert_int_equal(pf_check(m, err, sizeof err), 0);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

static void bulk_fills_array_slots(void **state)
{
	(void)state;
	char err[256];
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_page *v[64] = { 0 };
	v[3] = pf_alloc_pages(m, PF_GFP_KERNEL, 0);	/* a populated slot is skipped */
	assert_int_equal(pf_alloc_pages_bulk(m, PF_GFP_KERNEL, 64, v), 64);
	for (int i = 0; i < 64; i++) {
		assert_non_null(v[i]);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(v[i], v[j]);
	}
	for (int i = 0; i < 64; i++)
		pf_free_pages(v[i], 0);
	long a = 0, f = 0;
	assert_int_equal(pf_vmstat_get(m, "pgalloc_dma32", &a), 0);
	assert_int_equal(pf_vmstat_get(m, "pgfree", &f), 0);
	assert_int_equal(a, 64);
	assert_int_equal(f, 64);
	assert_int_equal(pf_check(m, err, sizeof err), 0);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

int main(void)
{
	pf_test_watchdog("test_pcp", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boot_values),
		cmocka_unit_test(high_max_fraction),
		cmocka_unit_test(refill_and_free),
		cmocka_unit_test(bulk_fills_array_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
