/* test_cma: CMA areas as 6.12 places, activates and hands them out - `cma SIZE[@START[-LIMIT]]` placed as dma_contiguous_reserve / cma_declare_contiguous_nid place cma= on x86-64, MIGRATE_CMA pageblocks and their counters, the "more than half of free memory is CMA" rule of __rmqueue with ALLOC_CMA for movable requests only, pf_cma_alloc / pf_cma_release over the area's bitmap with alignment, migrating movable pages out, failing and retrying; values worked by hand below. */
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
#include "unit/test_compaction_owner.h"

/* memory 16 MiB..128 MiB: one zone, DMA32 = pfn 0x1000..0x7fff, 28672 pages */
#define MEM "cpus 1\nmem 0 0x1000000-0x7ffffff\nthp never\n"

static struct zone *dma32(struct pf_machine *m)
{
	return &m->node_data[0]->node_zones[ZONE_DMA32];
}

static void area_is(struct pf_machine *m, int area, unsigned long base, unsigned long count)
{
	unsigned long b = 0, c = 0;
	assert_int_equal(pf_cma_area(m, area, &b, &c), 0);
	if (b != base || c != count)
		fail_msg("CMA area %d at pfn %#lx, %lu pages; 6.12 places it at %#lx, %lu pages", area, b, c, base, count);
}

/*
 * cma 16M: no base, so bottom-up from 4 GiB needs memblock_end >= 4 GiB + 16 MiB (no: memory ends
 * at 128 MiB); top-down below the limit (max_pfn_mapped = the end of memory): the highest 2 MiB-
 * aligned free 16 MiB, [0x7000000, 0x8000000) = pfn 0x7000, 4096 pages, 8 pageblocks.
 * init_cma_reserved_pageblock frees each pageblock as order 9 (free_one_page): pageblock pairs
 * merge (both CMA), 4 order-10 blocks on the CMA list; managed stays 28672 (reserved, then given
 * back), nr_free_cma 4096, zone->cma_pages 4096.
 */
static void placed_top_down(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MEM "cma 16M\n");
	area_is(m, 0, 0x7000, 4096);
	assert_int_equal(pf_cma_area(m, 1, NULL, NULL), -ENOENT);
	assert_int_equal(get_pageblock_migratetype(pf_pfn_to_page(m, 0x6e00)), MIGRATE_MOVABLE);
	for (unsigned long b = 0x7000; b < 0x8000; b += 512)
		assert_int_equal(get_pageblock_migratetype(pf_pfn_to_page(m, b)), MIGRATE_CMA);
	assert_int_equal(dma32(m)->cma_pages, 4096);
	assert_int_equal(zone_managed_pages(dma32(m)), 28672);
	assert_int_equal(m->totalcma_pages, 4096);
	assert_int_equal(pf_test_vmstat(m, "nr_free_cma"), 4096);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 28672);
	struct list_head *h = &dma32(m)->free_area[10].free_list[MIGRATE_CMA];
	unsigned n = 0;
	for (struct list_head *e = h->next; e != h; e = e->next)
		n++;
	assert_int_equal(n, 4);
	char *zi = pf_test_show(m, "zoneinfo");
	assert_non_null(strstr(zi, "        cma      4096"));
	assert_non_null(strstr(zi, "nr_free_cma  4096"));
	free(zi);
	pf_test_check(m, "boot with CMA");
	pf_machine_destroy(m);
}

static void placed_elsewhere(void **state)
{
	(void)state;
	struct pf_machine *m;
	/* @START alone: limit = START + SIZE, so fixed at 32 MiB */
	m = pf_test_boot(MEM "cma 16M@0x2000000\n");
	area_is(m, 0, 0x2000, 4096);
	pf_test_check(m, "fixed");
	pf_machine_destroy(m);
	/* @START-LIMIT not equal to START + SIZE: not fixed, top-down in [32 MiB, 96 MiB) */
	m = pf_test_boot(MEM "cma 16M@0x2000000-0x6000000\n");
	area_is(m, 0, 0x5000, 4096);
	pf_machine_destroy(m);
	/* the top 16 MiB reserved: the next free aligned 16 MiB below it, and the size rounded up to 2 MiB */
	m = pf_test_boot(MEM "reserve 0x7000000-0x7ffffff\ncma 3M\n");
	area_is(m, 0, 0x6c00, 1024);
	assert_int_equal(zone_managed_pages(dma32(m)), 28672 - 4096);
	pf_test_check(m, "below a reservation");
	pf_machine_destroy(m);
	/* memory reaching 4 GiB + size: bottom-up from 4 GiB (ZONE_NORMAL); two areas */
	m = pf_test_boot("cpus 1\nbacking none\nmem 0 0x1000000-0x7ffffff\nmem 0 0x100000000-0x13fffffff\n"
			 "cma 16M\ncma 8M@0x2000000\n");
	area_is(m, 0, 0x100000, 4096);
	area_is(m, 1, 0x2000, 2048);
	assert_int_equal(m->node_data[0]->node_zones[ZONE_NORMAL].cma_pages, 4096);
	assert_int_equal(dma32(m)->cma_pages, 2048);
	assert_int_equal(m->cma_areas[0].name[0], 'r');	/* "reserved", then "cma1" */
	assert_string_equal(m->cma_areas[1].name, "cma1");
	pf_test_check(m, "two areas");
	pf_machine_destroy(m);
}

static void bad_descriptions(void **state)
{
	(void)state;
	static const struct {
		const char *desc, *want;
	} cases[] = {
		{ MEM "cma 16M@0x2100000\n", "line 4: cma: Region at 0x2100000 must be aligned to 0x200000 bytes" },
		{ MEM "cma 16M@0x7800000\n", "line 4: cma: Region at 0x7800000 defined on low/high memory boundary" },
		{ MEM "cma 200M\n", "line 4: cma: Size (0xc800000) of region at 0x0 exceeds limit (0x8000000)" },
		{ MEM "reserve 0x2000000-0x20fffff\ncma 16M@0x2000000\n", "line 5: cma: Failed to reserve 16 MiB" },
		{ MEM "cma 16M@0x2000000\ncma 8M@0x2800000\n", "line 5: cma: Failed to reserve 8 MiB" },
		{ MEM "cma 16Q\n", "line 4: cma: '16Q' is not SIZE" },
		{ MEM "cma\n", "line 4: cma: expected" },
		{ MEM "cma 0\n", "line 4: cma: a size of 0" },
		{ MEM "cma 16M extra\n", "line 4: unexpected 'extra'" },
		{ MEM "cma 0xffffffffffffffff\n", "line 4: cma: '0xffffffffffffffff' goes past the 52-bit" },
		{ MEM "cma 4M@0x10000000000000\n", "line 4: cma: '4M@0x10000000000000' goes past the 52-bit" },
		{ MEM "reserve 0x1000000-0x7ffffff\ncma 4M\n", "line 5: cma: Failed to reserve 4 MiB: no free" },
		{ "cpus 1\nbacking none\nmem 0 0x1000000-0x13fffffff\ncma 32M@0xff000000\n",
		  "line 4: cma: CMA area reserved could not be activated: [mem 0xff000000-0x100ffffff] spans zones DMA32 "
		  "and Normal" },
	};
	char err[512];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pf_machine *m = pf_machine_create(cases[i].desc, err, sizeof err);
		if (m || !strstr(err, cases[i].want))
			fail_msg("case %zu: %s; want an error with \"%s\", got \"%s\"", i, m ? "booted" : "refused",
				 cases[i].want, m ? "" : err);
	}
	/* MAX_CMA_AREAS (20) lines fit; the 21st does not */
	char desc[2048];
	size_t n = (size_t)snprintf(desc, sizeof desc, "%s", MEM);
	for (int i = 0; i < 21; i++)
		n += (size_t)snprintf(desc + n, sizeof desc - n, "cma 2M@%#x\n", 0x2000000 + i * 0x200000);
	assert_null(pf_machine_create(desc, err, sizeof err));
	assert_non_null(strstr(err, "line 24: cma: Not enough slots"));
}

/*
 * cma 64M: top-down, [64 MiB, 128 MiB) = pfn 0x4000..0x7fff, 16384 CMA pages of 28672 free.
 * __rmqueue with ALLOC_CMA (movable requests) takes from CMA first while NR_FREE_CMA_PAGES >
 * NR_FREE_PAGES / 2.  Order-10 movable requests (cma, free) before each:
 *   1 (16384, 28672) 16384 > 14336 CMA   2 (15360, 27648) > 13824 CMA   3 (14336, 26624) > 13312 CMA
 *   4 (13312, 25600) > 12800 CMA          5 (12288, 24576) 12288 > 12288 no: Movable list
 *   6 (12288, 23552) > 11776 CMA          7 (11264, 22528) no: Movable   8 (11264, 21504) CMA
 *   9 (10240, 20480) no: Movable
 * Unmovable requests never take CMA: min_free_kbytes = int_sqrt(28672 * 4 * 16) = 1354, min 338,
 * low 422 pages; without ALLOC_CMA the watermark leaves out the free CMA pages, so after j
 * order-10 blocks 28672 - 1024j - (1023 + 16384) > 422 (low) / 338 (min) holds for j <= 10:
 * 11 GFP_KERNEL order-10 requests succeed, the 12th fails with 1024 non-CMA pages and all 16384
 * CMA pages free, and a movable request still gets CMA.
 */
static void alloc_cma_balance(void **state)
{
	(void)state;
	static const bool from_cma[9] = { true, true, true, true, false, true, false, true, false };
	struct pf_machine *m = pf_test_boot(MEM "cma 64M\n");
	area_is(m, 0, 0x4000, 16384);
	assert_int_equal(m->min_free_kbytes, 1354);
	struct pf_page *p[9];
	for (int i = 0; i < 9; i++) {
		p[i] = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 10);
		assert_non_null(p[i]);
		bool cma = pf_page_to_pfn(p[i]) >= 0x4000;
		if (cma != from_cma[i])
			fail_msg("movable request %d took pfn %#lx (%s); 6.12's balance gives %s", i + 1,
				 pf_page_to_pfn(p[i]), cma ? "CMA" : "not CMA", from_cma[i] ? "CMA" : "the Movable list");
	}
	for (int i = 0; i < 9; i++)
		pf_free_pages(p[i], 10);
	pf_test_check(m, "balance");

	struct pf_page *u[12];
	int n = 0;
	while (n < 12 && (u[n] = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_NOWARN, 10)) != NULL) {
		assert_true(pf_page_to_pfn(u[n]) < 0x4000);
		n++;
	}
	assert_int_equal(n, 11);
	assert_int_equal(pf_test_vmstat(m, "nr_free_cma"), 16384);
	struct pf_page *mv = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 10);
	assert_non_null(mv);
	assert_true(pf_page_to_pfn(mv) >= 0x4000);
	pf_free_pages(mv, 10);
	for (int i = 0; i < n; i++)
		pf_free_pages(u[i], 10);
	pf_test_check(m, "unmovable kept out of CMA");
	pf_machine_destroy(m);
}

/*
 * pf_cma_alloc over the bitmap (order_per_bit 0, base 0x4000 aligned to every order used):
 * (1024, 10) -> bit 0 = 0x4000; (1024, 10) -> 0x4400; (512, 9) -> 0x4800; (1, 0) -> 0x4a00;
 * (1024, 10) -> the next 1024-aligned clear run, bit 3072 = 0x4c00.  Releasing 0x4400 clears bits
 * 1024..2047; (2048, 11): the first clear bit 1024 aligns to 2048, bit 2048 is set, the search
 * goes on from 2049: next clear bit 2561 aligns to 4096 = 0x5000.
 */
static void bitmap_and_alignment(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MEM "cma 64M\n");
	static const struct {
		unsigned long count;
		unsigned align;
		unsigned long pfn;
	} seq[] = { { 1024, 10, 0x4000 }, { 1024, 10, 0x4400 }, { 512, 9, 0x4800 }, { 1, 0, 0x4a00 }, { 1024, 10, 0x4c00 } };
	struct pf_page *got[5];
	for (int i = 0; i < 5; i++) {
		got[i] = pf_cma_alloc(m, 0, seq[i].count, seq[i].align, false);
		assert_non_null(got[i]);
		assert_int_equal(pf_page_to_pfn(got[i]), seq[i].pfn);
	}
	assert_int_equal(pf_test_vmstat(m, "cma_alloc_success"), 5);
	assert_int_equal(pf_test_vmstat(m, "nr_free_cma"), 16384 - 3585);
	pf_test_check(m, "five areas");
	assert_true(pf_cma_release(m, 0, got[1], 1024));
	assert_false(pf_cma_release(m, 0, got[1], 1024));	/* twice: its bits are clear now */
	struct pf_page *big = pf_cma_alloc(m, 0, 2048, 11, false);
	assert_non_null(big);
	assert_int_equal(pf_page_to_pfn(big), 0x5000);

	/* bad calls: refused, nothing changes */
	long fails = pf_test_vmstat(m, "cma_alloc_fail");
	assert_null(pf_cma_alloc(m, 1, 16, 0, false));
	assert_null(pf_cma_alloc(m, -1, 16, 0, false));
	assert_null(pf_cma_alloc(m, 0, 0, 0, false));
	assert_null(pf_cma_alloc(m, 0, 16385, 0, false));
	assert_null(pf_cma_alloc(m, 0, 16, 64, false));
	assert_null(pf_cma_alloc(NULL, 0, 16, 0, false));
	assert_int_equal(pf_test_vmstat(m, "cma_alloc_fail"), fails);
	assert_false(pf_cma_release(m, 0, pf_pfn_to_page(m, 0x3000), 1));	/* not in the area */
	assert_false(pf_cma_release(m, 1, got[0], 1024));
	assert_false(pf_cma_release(m, 0, NULL, 1));
	assert_false(pf_cma_release(m, 0, pf_pfn_to_page(m, 0x7f00), 0x200));	/* past the end */
	assert_false(pf_cma_release(m, 0, pf_pfn_to_page(m, 0x6000), 16));	/* never handed out */
	/* a contiguous range of CMA memory outside cma_alloc: CMA pageblocks are unmovable to it */
	assert_int_equal(pf_alloc_contig_range(m, 0x6000, 0x6400, PF_GFP_KERNEL | PF___GFP_NOWARN), -EBUSY);
	pf_test_check(m, "bad calls");

	assert_true(pf_cma_release(m, 0, got[0], 1024));
	assert_true(pf_cma_release(m, 0, got[2], 512));
	assert_true(pf_cma_release(m, 0, got[3], 1));
	assert_true(pf_cma_release(m, 0, got[4], 1024));
	assert_true(pf_cma_release(m, 0, big, 2048));
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_cma"), 16384);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 28672);
	pf_test_check(m, "all released");
	pf_machine_destroy(m);
}

/*
 * Movable pages borrow the area (CMA holds more than half the free memory, so order-0 movable
 * refills come from it), then pf_cma_alloc takes the whole area: alloc_contig_range(MIGRATE_CMA)
 * isolates its 32 pageblocks (CMA blocks are movable to a CMA request), drains, migrates the 64
 * pages out (the isolated blocks are out of reach, and with them every free CMA page) and takes
 * 16384 order-0 pages.  Each owner is told once, contents intact.
 */
static void alloc_migrates_borrowers(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MEM "cma 64M\n");
	struct cmp_owner *o = cmp_owner_new(m, 64);
	for (unsigned s = 0; s < 64; s++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 0);
		assert_non_null(p);
		assert_true(pf_page_to_pfn(p) >= 0x4000);
		cmp_owner_adopt(o, s, p);
	}
	struct pf_page *area = pf_cma_alloc(m, 0, 16384, 0, false);
	assert_non_null(area);
	assert_int_equal(pf_page_to_pfn(area), 0x4000);
	for (unsigned s = 0; s < 64; s++) {
		assert_int_equal(o->migrated[s], 1);
		assert_true(pf_page_to_pfn(o->page[s]) < 0x4000);
	}
	assert_int_equal(cmp_owner_check(o), -1);
	assert_int_equal(pf_test_vmstat(m, "cma_alloc_success"), 1);
	assert_int_equal(pf_test_vmstat(m, "nr_free_cma"), 0);
	for (unsigned long pfn = 0x4000; pfn < 0x8000; pfn++)
		assert_int_equal(m->alloc_order[pfn], 1);
	pf_test_check(m, "whole area taken");
	assert_true(pf_cma_release(m, 0, area, 16384));
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_cma"), 16384);
	for (unsigned s = 0; s < 64; s++)
		cmp_owner_free(o, s);
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 28672);
	pf_test_check(m, "released");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
}

/*
 * A borrower that refuses isolation pins its page.  An order-10 movable request first takes the
 * head of the CMA order-10 list, 0x7c00 (the boot frees went in ascending order, each merged
 * block to the head); the borrower's order-0 refill then splits the next head, 0x7800, so the
 * pinned page lies in the stretch [0x7800, 0x7c00); the order-10 block is freed again.
 * pf_cma_alloc(16384): alloc_contig_range leaves the page in place, test_pages_isolated says
 * busy, the bits are cleared and the search goes on from bit 1, where 16384 bits no longer fit:
 * NULL, cma_alloc_fail counted, the owner still holds its page, every pageblock CMA again.
 * Then 14 requests of (1024, 10) take 0x4000..0x7400; the 15th first tries 0x7800 (busy, -EBUSY),
 * and retries at bitmap_no + mask + 1 = the stretch 0x7c00, which it gets.
 */
static char report_buf[4096];

static void capture(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	size_t n = strlen(report_buf);
	snprintf(report_buf + n, sizeof report_buf - n, "%s\n", line);
}

static void busy_then_retry(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MEM "cma 64M\n");
	struct pf_page *blk = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 10);
	assert_int_equal(pf_page_to_pfn(blk), 0x7c00);
	struct cmp_owner *o = cmp_owner_new(m, 1);
	cmp_owner_adopt(o, 0, pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 0));
	pf_free_pages(blk, 10);
	unsigned long pfn = o->first_pfn[0];
	assert_int_equal(pfn & ~1023UL, 0x7800);
	o->refuse_isolate[0] = true;

	assert_null(pf_cma_alloc(m, 0, 16384, 0, true));
	assert_int_equal(pf_test_vmstat(m, "cma_alloc_fail"), 1);
	/* without no_warn: 6.12's two lines (the bitmap is all clear again: one stretch of 16384 at bit 0) */
	report_buf[0] = '\0';
	pf_set_report_hook(m, capture, NULL);
	assert_null(pf_cma_alloc(m, 0, 16384, 0, false));
	pf_set_report_hook(m, NULL, NULL);
	assert_string_equal(report_buf, "__cma_alloc: reserved: alloc failed, req-size: 16384 pages, ret: -16\n"
					"cma: number of available pages: 16384@0=> 16384 free of 16384 total pages\n");
	assert_int_equal(pf_test_vmstat(m, "cma_alloc_fail"), 2);
	assert_int_equal(pf_page_to_pfn(o->page[0]), pfn);
	assert_int_equal(o->migrated[0], 0);
	assert_int_equal(cmp_owner_check(o), -1);
	for (unsigned long b = 0x4000; b < 0x8000; b += 512)
		assert_int_equal(get_pageblock_migratetype(pf_pfn_to_page(m, b)), MIGRATE_CMA);
	assert_int_equal(dma32(m)->nr_isolate_pageblock, 0);
	pf_test_check(m, "busy");

	struct pf_page *got[15];
	for (int i = 0; i < 15; i++) {
		got[i] = pf_cma_alloc(m, 0, 1024, 10, true);
		assert_non_null(got[i]);
		assert_int_equal(pf_page_to_pfn(got[i]), i < 14 ? 0x4000 + 1024UL * (unsigned long)i : 0x7c00);
	}
	assert_int_equal(pf_test_vmstat(m, "cma_alloc_success"), 15);
	assert_int_equal(pf_test_vmstat(m, "cma_alloc_fail"), 2);
	assert_int_equal(pf_page_to_pfn(o->page[0]), pfn);
	pf_test_check(m, "retried");
	for (int i = 0; i < 15; i++)
		assert_true(pf_cma_release(m, 0, got[i], 1024));

	/* the owner lets go: the whole area is taken */
	o->refuse_isolate[0] = false;
	struct pf_page *area = pf_cma_alloc(m, 0, 16384, 0, false);
	assert_non_null(area);
	assert_int_equal(o->migrated[0], 1);
	assert_true(pf_cma_release(m, 0, area, 16384));
	cmp_owner_free(o, 0);
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 28672);
	pf_test_check(m, "released");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_cma", 10);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(placed_top_down),
		cmocka_unit_test(placed_elsewhere),
		cmocka_unit_test(bad_descriptions),
		cmocka_unit_test(alloc_cma_balance),
		cmocka_unit_test(bitmap_and_alignment),
		cmocka_unit_test(alloc_migrates_borrowers),
		cmocka_unit_test(busy_then_retry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
