/* test_zone_refill: draining the DMA and DMA32 zones page by page stops at the min watermark (deeper for GFP_ATOMIC), and freeing every page in random order restores the zones' exact boot buddyinfo with pf_check clean. */
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
#include <pageframe/page.h>
#include "mm/internal.h"

/* 64 MiB: a DMA zone (pfns 1..4095 less the 0x9f..0xff hole) and a DMA32 zone up to pfn 0x4000; no Normal zone. */
#define MACHINE "cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3ffffff\n"
#define DMA_END_PFN	4096UL
#define DMA32_END_PFN	1048576UL

static uint64_t rng_state = 0x243f6a8885a308d3ULL;
static uint64_t rnd(void)
{
	return pf_test_xorshift64s(&rng_state);
}

static char *show(struct pf_machine *m, const char *what)
{
	return pf_test_show_drained(m, what);
}

/* Pages waiting on the zone's per-CPU lists: out of the buddy lists, not handed out. */
static unsigned long zone_pcp(struct pf_machine *m, struct zone *z)
{
	unsigned long n = 0;
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		n += (unsigned long)z->per_cpu_pageset[cpu].count;
	return n;
}

static unsigned long zone_free(struct zone *z)
{
	unsigned long n = 0;
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		n += z->free_area[o].nr_free << o;
	return n;
}

struct pages {
	struct pf_page **v;
	size_t n, cap;
};

static void push(struct pages *p, struct pf_page *page)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 1024;
		p->v = realloc(p->v, p->cap * sizeof *p->v);
		assert_non_null(p->v);
	}
	p->v[p->n++] = page;
}

/* Allocate order-0 pages with @gfp until one fails; each must come from [lo, hi). */
static size_t drain(struct pf_machine *m, pf_gfp_t gfp, unsigned long lo, unsigned long hi, struct pages *out,
		    uint8_t *seen)
{
	size_t got = 0;
	for (;;) {
		struct pf_page *page = pf_alloc_pages(m, gfp | PF_GFP_NOWARN, 0);
		if (!page)
			break;
		unsigned long pfn = pf_page_to_pfn(page);
		if (pfn < lo || pfn >= hi)
			fail_msg("gfp %#x handed out pfn %#lx outside [%#lx, %#lx)", gfp, pfn, lo, hi);
		if (seen[pfn])
			fail_msg("pfn %#lx handed out twice", pfn);
		seen[pfn] = 1;
		push(out, page);
		got++;
		assert_true(got <= hi - lo);
	}
	return got;
}

static void drain_zone(struct pf_machine *m, struct zone *z, pf_gfp_t zone_gfp, unsigned long lo, unsigned long hi,
		       struct pages *all, uint8_t *seen)
{
	unsigned long before = zone_free(z);
	unsigned long min = z->_watermark[WMARK_MIN];
	size_t got = drain(m, PF_GFP_KERNEL | zone_gfp, lo, hi, all, seen);
	unsigned long left = zone_free(z);
	fprintf(stderr, "%s: %lu free at start, min watermark %lu; GFP_KERNEL got %zu, %lu left\n", z->name, before,
		min, got, left);
	unsigned long pcp = zone_pcp(m, z);
	fprintf(stderr, "%s: %lu pages on the per-CPU lists\n", z->name, pcp);
	assert_true(got > 0);
	/* every page that left the buddy lists was handed out or waits on a per-CPU list */
	assert_int_equal(before - left, got + pcp);
	/* __zone_watermark_ok: an order-0 GFP_KERNEL allocation fails only once free <= min (+ lowmem_reserve of the zone itself, 0) */
	assert_true(left <= min);
	/*
	 * and only the watermark stops it: the last per-CPU refill (rmqueue_bulk, at most high_max pages)
	 * was taken while free was above min, so free cannot be further below min than one refill.
	 */
	assert_true(left + (unsigned long)z->per_cpu_pageset[0].high_max + 1 >= min || min == 0);

	/* GFP_ATOMIC (__GFP_HIGH, no direct reclaim) digs into the reserve: min - min/2 - (min - min/2)/4 */
	size_t got_atomic = drain(m, PF_GFP_ATOMIC | zone_gfp, lo, hi, all, seen);
	unsigned long left_atomic = zone_free(z);
	unsigned long amin = min - min / 2;
	amin -= amin / 4;
	fprintf(stderr, "%s: GFP_ATOMIC got %zu more, %lu left (atomic floor %lu)\n", z->name, got_atomic, left_atomic,
		amin);
	assert_true(left_atomic <= amin);
	assert_int_equal(before - left_atomic, got + got_atomic + zone_pcp(m, z));
	if (min >= 4)
		assert_true(got_atomic > 0);
}

static void drain_and_refill(void **state)
{
	(void)state;
	char err[256];
	struct pf_machine *m = pf_test_boot(MACHINE);
	char *boot = show(m, "buddyinfo");
	if (pf_check(m, err, sizeof err) != 0)
		fail_msg("pf_check at boot: %s", err);
	long bad0 = 0;
	assert_int_equal(pf_vmstat_get(m, "pageframe_bad_pages", &bad0), 0);

	struct zone *dma = &m->node_data[0]->node_zones[ZONE_DMA];
	struct zone *dma32 = &m->node_data[0]->node_zones[ZONE_DMA32];
	/* the zone boundaries are those of x86-64 */
	assert_true(dma->zone_start_pfn + dma->spanned_pages <= DMA_END_PFN);
	assert_int_equal(dma32->zone_start_pfn, DMA_END_PFN);
	assert_true(dma32->zone_start_pfn + dma32->spanned_pages <= DMA32_END_PFN);
	assert_int_equal(m->node_data[0]->node_zones[ZONE_NORMAL].present_pages, 0);

	uint8_t *seen = calloc(DMA32_END_PFN, 1);
	assert_non_null(seen);
	struct pages all = { 0 };

	drain_zone(m, dma, PF_GFP_DMA, 0, DMA_END_PFN, &all, seen);
	size_t after_dma = all.n;
	/* the DMA zone is drained: no more DMA pages, even atomic */
	assert_null(pf_alloc_pages(m, PF_GFP_ATOMIC | PF_GFP_DMA | PF_GFP_NOWARN, 0));
	drain_zone(m, dma32, PF_GFP_DMA32, DMA_END_PFN, DMA32_END_PFN, &all, seen);
	/* plain GFP_KERNEL may use DMA32 and DMA: both are at their reserves now */
	assert_null(pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_NOWARN, 0));
	if (pf_check(m, err, sizeof err) != 0)
		fail_msg("pf_check when drained: %s", err);
	fprintf(stderr, "drained %zu pages (%zu DMA)\n", all.n, after_dma);

	/* free in random order (Fisher-Yates), checking now and then */
	for (size_t i = all.n; i > 1; i--) {
		size_t j = rnd() % i;
		struct pf_page *t = all.v[i - 1];
		all.v[i - 1] = all.v[j];
		all.v[j] = t;
	}
	for (size_t i = 0; i < all.n; i++) {
		pf_free_pages(all.v[i], 0);
		if (i % 4096 == 0 && pf_check(m, err, sizeof err) != 0)
			fail_msg("pf_check after %zu frees: %s", i + 1, err);
	}
	if (pf_check(m, err, sizeof err) != 0)
		fail_msg("pf_check after refill: %s", err);
	char *now = show(m, "buddyinfo");
	if (strcmp(now, boot) != 0)
		fail_msg("buddyinfo after refill differs from boot:\n%s\nboot:\n%s", now, boot);
	long bad = -1;
	assert_int_equal(pf_vmstat_get(m, "pageframe_bad_pages", &bad), 0);
	assert_int_equal(bad, bad0);

	free(now);
	free(boot);
	free(all.v);
	free(seen);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_zone_refill", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(drain_and_refill) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
