/* test_pin_watermark: order-4 and order-6 allocations (not on the per-CPU lists) stop exactly when free - (2^order - 1) reaches min + lowmem_reserve (with and without a reserve), as 6.12's __zone_watermark_ok compares (<=), worked by hand in tests/data/pinned/WORKED.md. */
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

/*
 * One zone only: DMA32 = pfn 0x1000..0x7fff (28672 pages, nothing below 16 MiB so no DMA zone),
 * 1 CPU, min_free_kbytes written as a sysctl.  With one lowmem zone __setup_per_zone_wmarks gives
 * min = (min_free_kbytes >> 2) * 28672 / 28672 = min_free_kbytes / 4 exactly, and
 * lowmem_reserve[DMA32] of DMA32 itself is 0.  At 16 pages per order-4 block the counter is
 * folded at every allocation (stat_threshold 2 for this size), so NR_FREE_PAGES is exact.
 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x7ffffff\nthp never\n"

/* Allocate order-@order movable blocks until one fails; return how many succeeded. */
static long fill(struct pf_machine *m, unsigned order, struct pf_page ***out)
{
	long n = 0, cap = 4096;
	struct pf_page **v = malloc((size_t)cap * sizeof *v);
	assert_non_null(v);
	for (;;) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, order);
		if (!p)
			break;
		assert_true(n < cap);
		v[n++] = p;
	}
	*out = v;
	return n;
}

static void boundary(const char *mfk, unsigned order, unsigned long want_min, long want_n, long want_left)
{
	char desc[256];
	snprintf(desc, sizeof desc, MACHINE "sysctl vm.min_free_kbytes=%s\n", mfk);
	pf_test_phase("min_free_kbytes=%s order %u", mfk, order);
	struct pf_machine *m = pf_test_boot(desc);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	assert_int_equal(zone_managed_pages(z), 28672);
	assert_int_equal(z->_watermark[WMARK_MIN], want_min);
	assert_int_equal(z->lowmem_reserve[ZONE_DMA32], 0);
	struct pf_page **v;
	long n = fill(m, order, &v);
	long left = pf_test_vmstat(m, "nr_free_pages");
	if (n != want_n || left != want_left)
		fail_msg("min %lu order %u: %ld allocations left %ld free; the kernel makes %ld leaving %ld", want_min,
			 order, n, left, want_n, want_left);
	for (long i = 0; i < n; i++)
		pf_free_pages(v[i], order);
	free(v);
	pf_test_check(m, "after freeing");
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 28672);
	pf_machine_destroy(m);
}

/*
 * min 1025: after k order-4 blocks free = 28672 - 16k; the next one is refused once
 * 28672 - 16k - 15 <= 1025, i.e. k >= 1727 (at k = 1727: 1040 - 15 = 1025, equal: refused).
 * min 1024: k = 1727 leaves 1025 > 1024, allowed; k = 1728 leaves 1024 - 15 = 1009: refused.
 */
static void order4_at_min(void **state)
{
	(void)state;
	boundary("4100", 4, 1025, 1727, 1040);
}

static void order4_one_below(void **state)
{
	(void)state;
	boundary("4096", 4, 1024, 1728, 1024);
}

/* order 6: 28672 - 64k - 63 <= 1025 first at k = 431 (1088 - 63 = 1025); with min 1024, k = 431 still passes, 432 leaves 1024. */
static void order6_at_min(void **state)
{
	(void)state;
	boundary("4100", 6, 1025, 431, 1088);
}

static void order6_one_below(void **state)
{
	(void)state;
	boundary("4096", 6, 1024, 432, 1024);
}

/*
 * With a lowmem reserve.  DMA 3998 pages (pfn 1..0x9e, 0x100..0xfff) + DMA32 0x1000..0x7fff (28672):
 * min_free_kbytes = int_sqrt(32670 * 4 * 16) = 1445, pages_min 361; DMA min = 361 * 3998 / 32670 = 44,
 * DMA32 min = 361 * 28672 / 32670 = 316.  GFP_KERNEL's highest_zoneidx is ZONE_NORMAL (empty), so
 * DMA is checked against 44 + lowmem_reserve[DMA][NORMAL] = 44 + 28672 / 256 = 156, DMA32 against 316.
 * Order-4 GFP_KERNEL allocations run until both refuse:
 *   DMA32: 28672 - 16k - 15 <= 316 first at k = 1772 -> 1772 blocks, 320 left;
 *   DMA:   3998 - 16k - 15 <= 156 first at k = 240 -> 240 blocks, 158 left (30 of them in pieces
 *          below order 4 near pfn 1 and 0x9e; 128 pages of order >= 4 remain, so the free count,
 *          not the order test, is what refuses).
 */
static void lowmem_reserve_boundary(void **state)
{
	(void)state;
	pf_test_phase("lowmem reserve");
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\nthp never\n");
	struct zone *dma = &m->node_data[0]->node_zones[ZONE_DMA], *dma32 = &m->node_data[0]->node_zones[ZONE_DMA32];
	assert_int_equal(zone_managed_pages(dma), 3998);
	assert_int_equal(dma->_watermark[WMARK_MIN], 44);
	assert_int_equal(dma32->_watermark[WMARK_MIN], 316);
	assert_int_equal(dma->lowmem_reserve[ZONE_NORMAL], 112);
	long n_dma = 0, n_dma32 = 0;
	struct pf_page *p;
	while ((p = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_NOWARN, 4))) {
		if (pf_page_to_pfn(p) < 0x1000)
			n_dma++;
		else
			n_dma32++;
	}
	long left_dma = (long)zone_page_state(dma, NR_FREE_PAGES), left_dma32 = (long)zone_page_state(dma32, NR_FREE_PAGES);
	if (n_dma != 240 || left_dma != 158 || n_dma32 != 1772 || left_dma32 != 320)
		fail_msg("DMA %ld blocks %ld left, DMA32 %ld blocks %ld left; 6.12: 240/158 and 1772/320", n_dma, left_dma,
			 n_dma32, left_dma32);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_pin_watermark", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order4_at_min),
		cmocka_unit_test(order4_one_below),
		cmocka_unit_test(order6_at_min),
		cmocka_unit_test(order6_one_below),
		cmocka_unit_test(lowmem_reserve_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
