/* test_profile: the profile directive (docs/MACHINE.md): what "profile arena" sets (per-CPU orders, high_max), that a pcp_high_max_fraction line wins wherever it stands, the errors for bad lines, order-4 blocks on the per-CPU lists, the drain before failing that the arena profile adds, and pf_check after random operations on an arena machine. */
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
 * test_pcp's machine: 1 CPU, DMA32 = pfn 0x1000..0x7ffff = 520192 managed pages.  Worked
 * from 6.12's zone_batchsize / zone_highsize (test_pcp.c shows the watermarks):
 *   batch = min(520192 >> 10 = 508, 256) / 4 = 64 -> rounddown_pow_of_two(64 + 32) - 1 = 63
 *   high_min = low watermark 1956 / (1 CPU of the node + 0 online) = 1956 (both profiles)
 *   kernel: high_max = 520192 / MIN_PERCPU_PAGELIST_HIGH_FRACTION 8 / 1 = 65024
 *   arena:  high_max = 520192 / 1 / 1 = 520192 (pcp_high_max_fraction 1)
 *   with a pcp_high_max_fraction 2 line: 520192 / 2 / 1 = 260096 in either profile
 */
#define MACHINE "cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7fffffff\nthp never\n"

static struct zone *dma32(struct pf_machine *m)
{
	return &m->node_data[0]->node_zones[ZONE_DMA32];
}

static void expect_pcp(struct pf_machine *m, int batch, int high_min, int high_max)
{
	struct per_cpu_pages *pcp = &dma32(m)->per_cpu_pageset[0];
	assert_int_equal(pcp->batch, batch);
	assert_int_equal(pcp->high_min, high_min);
	assert_int_equal(pcp->high_max, high_max);
}

static void kernel_is_default(void **state)
{
	(void)state;
	const char *descs[] = { MACHINE, (MACHINE "profile kernel\n"), ("profile kernel\n" MACHINE) };
	for (size_t i = 0; i < sizeof descs / sizeof descs[0]; i++) {
		struct pf_machine *m = pf_test_boot(descs[i]);
		assert_int_equal(m->profile, PF_PROFILE_KERNEL);
		assert_int_equal(m->pcp_max_order, PAGE_ALLOC_COSTLY_ORDER);
		assert_int_equal(m->pcp_high_max_fraction, 8);
		expect_pcp(m, 63, 1956, 65024);
		pf_machine_destroy(m);
	}
}

static void arena_sets(void **state)
{
	(void)state;
	/* last line (as bench/run.sh appends it) or first: the same machine */
	const char *descs[] = { (MACHINE "profile arena\n"), ("profile arena\n" MACHINE) };
	for (size_t i = 0; i < sizeof descs / sizeof descs[0]; i++) {
		struct pf_machine *m = pf_test_boot(descs[i]);
		assert_int_equal(m->profile, PF_PROFILE_ARENA);
		assert_int_equal(m->pcp_max_order, 8);	/* pageblock_order 9 - 1: orders 0..9 on the lists */
		assert_int_equal(m->pcp_high_max_fraction, 1);
		expect_pcp(m, 63, 1956, 520192);
		pf_machine_destroy(m);
	}
}

/* A pcp_high_max_fraction line wins over the profile's 1, before or after the profile line. */
static void explicit_fraction_wins(void **state)
{
	(void)state;
	const char *descs[] = { (MACHINE "pcp_high_max_fraction 2\nprofile arena\n"),
				(MACHINE "profile arena\npcp_high_max_fraction 2\n"),
				(MACHINE "profile kernel\npcp_high_max_fraction 2\n") };
	for (size_t i = 0; i < sizeof descs / sizeof descs[0]; i++) {
		struct pf_machine *m = pf_test_boot(descs[i]);
		assert_int_equal(m->pcp_high_max_fraction, 2);
		assert_int_equal(m->pcp_max_order, i < 2 ? 8u : (unsigned)PAGE_ALLOC_COSTLY_ORDER);
		expect_pcp(m, 63, 1956, 260096);
		pf_machine_destroy(m);
	}
}

static void expect_error(const char *desc, const char *want)
{
	char err[256] = "";
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	assert_null(m);
	assert_string_equal(err, want);
}

static void bad_lines(void **state)
{
	(void)state;
	/* MACHINE is four lines: the profile line is line 5 */
	expect_error(MACHINE "profile Arena\n", "line 5: profile: expected kernel or arena, got 'Arena'");
	expect_error(MACHINE "profile\n", "line 5: profile: expected kernel or arena, got ''");
	expect_error(MACHINE "profile arena kernel\n", "line 5: unexpected 'kernel' at the end of the line");
	expect_error(MACHINE "profile arena\nprofile kernel\n", "line 6: profile: given twice (first on line 5)");
	expect_error(MACHINE "profile arena\nprofile arena\n", "line 6: profile: given twice (first on line 5)");
}

/*
 * Order 4 (GFP_KERNEL: unmovable, pindex 3 * 4 + 0 = 12).  Arena: the list is empty, so
 * nr_pcp_alloc: high = clamp(0, 1956, 520192) = 1956, batch = 63 (order > 0: no
 * alloc_factor), grown high = 1956 + 63 = 2019, blocks = max(63 >> 4 = 3, 2) = 3: rmqueue_bulk
 * takes 3 order-4 blocks (48 pages), hands one out, 2 stay: count 32.  The free puts it back:
 * count 48, 3 blocks on list 12.  Kernel: order 4 is no pcp order: count stays 0 throughout.
 */
static void order4_on_the_lists(void **state)
{
	(void)state;
	for (int arena = 0; arena < 2; arena++) {
		struct pf_machine *m = pf_test_boot(arena ? MACHINE "profile arena\n" : MACHINE);
		struct per_cpu_pages *pcp = &dma32(m)->per_cpu_pageset[0];
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 4);
		assert_non_null(p);
		assert_int_equal(pcp->count, arena ? 32 : 0);
		assert_int_equal(pcp->high, arena ? 2019 : 0);
		pf_free_pages(p, 4);
		assert_int_equal(pcp->count, arena ? 48 : 0);
		int n = 0;
		struct list_head *pos;
		list_for_each(pos, &pcp->lists[MIGRATE_PCPTYPES * 4 + MIGRATE_UNMOVABLE])
			n++;
		assert_int_equal(n, arena ? 3 : 0);
		pf_test_check(m, "after the order-4 free");
		pf_machine_destroy(m);
	}
}

static void quiet(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	(void)line;
}

/*
 * The arena profile's drain before failing: order-4 blocks freed onto the list cannot serve
 * order-0 requests, and the machine has nothing to reclaim, so the kernel's
 * __alloc_pages_direct_reclaim returns before drain_all_pages.  Under the arena profile it
 * drains anyway: allocating order-0 pages until one fails takes more pages than the buddy
 * lists held, and leaves the order-4 list empty.  (64 MiB machine, 1 CPU.)
 */
static void drains_before_failing(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000-0x3ffffff\nthp never\nprofile arena\n");
	pf_set_report_hook(m, quiet, NULL);
	struct per_cpu_pages *pcp = &dma32(m)->per_cpu_pageset[0];
	struct list_head *list4 = &pcp->lists[MIGRATE_PCPTYPES * 4 + MIGRATE_UNMOVABLE];
	enum { N4 = 512 };	/* 8192 pages of the machine's 16 000; about 1000 stay on the list (high) */
	struct pf_page **blk = calloc(N4, sizeof *blk);
	assert_non_null(blk);
	for (int i = 0; i < N4; i++) {
		blk[i] = pf_alloc_pages(m, PF_GFP_KERNEL, 4);
		assert_non_null(blk[i]);
	}
	for (int i = 0; i < N4; i++)
		pf_free_pages(blk[i], 4);
	free(blk);
	assert_false(list_empty(list4));
	long on_list4 = 0;
	struct list_head *pos;
	list_for_each(pos, list4)
		on_list4 += 16;
	long buddy_free = pf_test_vmstat(m, "nr_free_pages");
	assert_true(on_list4 >= 512);	/* (992 here) well beyond the min watermark both outcomes leave */

	size_t cap = 32768, n = 0;
	struct pf_page **pages = malloc(cap * sizeof *pages);
	assert_non_null(pages);
	for (;;) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL | PF___GFP_NORETRY | PF___GFP_NOWARN, 0);
		if (!p)
			break;
		assert_true(n < cap);
		pages[n++] = p;
	}
	/* pages that were on list 12 were handed out: more than the buddy lists had */
	assert_true((long)n > buddy_free);
	assert_true(list_empty(list4));
	for (size_t i = 0; i < n; i++)
		pf_free_pages(pages[i], 0);
	free(pages);
	pf_test_check(m, "after the exhaustion");
	pf_machine_destroy(m);
}

/*
 * Random operations on an arena machine (64 MiB, 2 CPUs, the thread moving between them):
 * orders 0..10 (0..9 on the per-CPU lists), bulk allocations, drains; pf_check every 1000
 * operations and at the end, where after a drain every page is back in the buddy lists.
 */
static void random_ops_check(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 2\nmem 0 0x1000-0x3ffffff\nthp never\nprofile arena\n");
	pf_set_report_hook(m, quiet, NULL);
	enum { SLOTS = 256, OPS = 20000 };
	struct pf_page *slot[SLOTS] = { 0 };
	unsigned ord[SLOTS] = { 0 };
	uint64_t rs = 0x5eed5eedULL;
	long managed_free = pf_test_vmstat(m, "nr_free_pages");
	for (int i = 0; i < OPS; i++) {
		uint64_t r = pf_test_xorshift64s(&rs);
		unsigned k = (unsigned)(r % SLOTS);
		pf_bind_cpu((int)((r >> 20) & 1));
		if (slot[k]) {
			pf_free_pages(slot[k], ord[k]);
			slot[k] = NULL;
		} else if (((r >> 24) & 15) == 0) {
			struct pf_page *v[8] = { 0 };
			unsigned long n = pf_alloc_pages_bulk(m, PF_GFP_KERNEL, 8, v);
			for (unsigned long j = 0; j < n; j++)
				pf_free_pages(v[j], 0);
		} else if (((r >> 28) & 63) == 0) {
			pf_drain_all_pages(m);
		} else {
			unsigned o = (unsigned)((r >> 32) % 11);
			slot[k] = pf_alloc_pages(m, PF_GFP_KERNEL | PF___GFP_NORETRY | PF___GFP_NOWARN, o);
			ord[k] = o;
		}
		if (i % 1000 == 999)
			pf_test_check(m, "during the random operations");
	}
	for (int k = 0; k < SLOTS; k++)
		if (slot[k])
			pf_free_pages(slot[k], ord[k]);
	pf_bind_cpu(0);
	pf_test_check(m, "after the random operations");
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), managed_free);
	pf_test_check(m, "after the drain");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_profile", 10);
	pf_bind_cpu(0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kernel_is_default),
		cmocka_unit_test(arena_sets),
		cmocka_unit_test(explicit_fraction_wins),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(order4_on_the_lists),
		cmocka_unit_test(drains_before_failing),
		cmocka_unit_test(random_ops_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
