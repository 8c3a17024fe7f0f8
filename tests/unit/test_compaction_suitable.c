/* test_compaction_suitable: compaction_suitable's watermark and fragmentation-index decisions, the deferral counters (defer_compaction / compaction_deferred / compaction_defer_reset / compaction_restarting) and direct compaction's result and compact_stall / compact_success / compact_fail equal 6.12's formulas on examples worked by hand below. */
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
#include "test_compaction_owner.h"

/*
 * One zone, DMA32 = pfn 0x1000..0x7fff: 28672 pages, 56 pageblocks; min_free_kbytes 0, so
 * min = 0 and low = 0 + max(0, 28672 * 10 / 10000) = 28 (watermark_scale_factor 10).
 * Every page is allocated (order 0), then the pages a case needs are freed and the per-CPU
 * lists drained; refresh_vm_stats folds NR_FREE_PAGES so zone_page_state is exact.
 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x7ffffff\nthp never\nsysctl vm.min_free_kbytes=0\n"
#define NPFN 0x8000

static struct pf_page *pages[NPFN];

static struct pf_machine *full_machine(struct zone **zp)
{
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	assert_int_equal(z->_watermark[WMARK_MIN], 0);
	assert_int_equal(z->_watermark[WMARK_LOW], 28);
	memset(pages, 0, sizeof pages);
	struct pf_page *p;
	unsigned n = 0;
	while ((p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 0)) != NULL) {
		pages[pf_page_to_pfn(p)] = p;
		n++;
	}
	assert_int_equal(n, 28672);
	*zp = z;
	return m;
}

static void settle(struct pf_machine *m)
{
	pf_drain_all_pages(m);
	refresh_vm_stats(m);
}

struct trace_buf {
	char last[200];
};

static void collect(void *arg, const char *line)
{
	struct trace_buf *t = arg;
	const char *ev = strstr(line, ": mm_compaction_");
	if (ev)
		snprintf(t->last, sizeof t->last, "%s", ev + 2);
}

/*
 * Order 9 is costly (> 3): watermark = low + compact_gap(9) = 28 + (2 << 9) = 1052, checked
 * as __zone_watermark_ok(order 0, ALLOC_CMA): free must exceed 1052.
 *   1052 free order-0 pages (even pfns from 0x2000): not suitable, COMPACT_SKIPPED.
 *   1053: suitable; fragmentation_index(9) = 1000 - (1000 + 1053 * 1000 / 512) / 1053
 *         = 1000 - (1000 + 2056) / 1053 = 1000 - 2 = 998 > extfrag_threshold 500.
 * Order 3 (not costly): min + compact_gap(3) = 0 + 16; the index is not consulted.
 */
static void watermark_boundary(void **state)
{
	(void)state;
	struct zone *z;
	struct pf_machine *m = full_machine(&z);
	struct trace_buf t = { "" };
	for (unsigned long i = 0; i < 1052; i++)
		pf_free_pages(pages[0x2000 + 2 * i], 0);
	settle(m);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), 1052);
	pf_set_trace(m, "mm_compaction_suitable", collect, &t);
	assert_false(compaction_suitable(z, 9, ZONE_DMA32));
	assert_string_equal(t.last, "mm_compaction_suitable: node=0 zone=DMA32    order=9 ret=skipped");
	assert_true(compaction_suitable(z, 3, ZONE_DMA32));
	pf_free_pages(pages[0x2000 + 2 * 1052], 0);
	settle(m);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), 1053);
	assert_int_equal(fragmentation_index(z, 9), 998);
	assert_true(compaction_suitable(z, 9, ZONE_DMA32));
	assert_string_equal(t.last, "mm_compaction_suitable: node=0 zone=DMA32    order=9 ret=continue");
	pf_set_trace(m, NULL, NULL, NULL);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * Five free order-8 blocks (the first half of pageblocks 0x1000, 0x1200, ..., 0x1800, their
 * buddies allocated): 1280 free > 1052, but fragmentation_index(9) =
 * 1000 - (1000 + 1280 * 1000 / 512) / 5 = 1000 - 3500 / 5 = 300: 0 <= 300 <= 500 means the
 * failure is lack of memory, COMPACT_NOT_SUITABLE_ZONE.  extfrag_threshold 299 lets it run.
 */
static void fragindex_threshold(void **state)
{
	(void)state;
	struct zone *z;
	struct pf_machine *m = full_machine(&z);
	struct trace_buf t = { "" };
	for (unsigned long b = 0; b < 5; b++)
		for (unsigned long i = 0; i < 256; i++)
			pf_free_pages(pages[0x1000 + 0x200 * b + i], 0);
	settle(m);
	assert_int_equal(z->free_area[8].nr_free, 5);
	assert_int_equal(fragmentation_index(z, 9), 300);
	pf_set_trace(m, "mm_compaction_suitable", collect, &t);
	assert_false(compaction_suitable(z, 9, ZONE_DMA32));
	assert_string_equal(t.last, "mm_compaction_suitable: node=0 zone=DMA32    order=9 ret=not_suitable_zone");
	assert_int_equal(pf_sysctl_set(m, "extfrag_threshold", "299"), 0);
	assert_true(compaction_suitable(z, 9, ZONE_DMA32));
	assert_int_equal(pf_sysctl_set(m, "extfrag_threshold", "300"), 0);
	assert_false(compaction_suitable(z, 9, ZONE_DMA32));
	pf_set_trace(m, NULL, NULL, NULL);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * Deferral, from a zone's initial state (shift 0, considered 0, order_failed 0):
 *   compaction_deferred: limit 1 << 0 = 1, ++considered = 1 >= 1 -> runs.
 *   defer k (k = 1..7): considered 0, shift min(k, 6); then the next (1 << shift) - 1 calls are
 *     deferred (considered 1 .. limit - 1 < limit) and the one after runs (considered = limit).
 *   After the seventh defer the shift stays 6: 63 deferred, the 64th runs, and then
 *     compaction_restarting (shift 6, considered >= 64) is true.
 *   compaction_defer_reset(9, false): order_failed = 10, counts kept; order 9 is now below
 *     order_failed: never deferred, never restarting.  reset(9, true) clears shift and considered.
 *   defer_compaction(4): order_failed = min(10, 4) = 4.
 */
static void deferral_arithmetic(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000000-0x1ffffff\n");
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	struct trace_buf t = { "" };
	pf_spin_lock(&z->compact_lock);
	assert_false(compaction_deferred(z, 9));
	for (unsigned k = 1; k <= 7; k++) {
		defer_compaction(z, 9);
		unsigned shift = k < 6 ? k : 6;
		assert_int_equal(z->compact_defer_shift, shift);
		assert_int_equal(z->compact_order_failed, 0);
		for (unsigned i = 1; i < 1u << shift; i++)
			if (!compaction_deferred(z, 9))
				fail_msg("defer %u: call %u ran, 6.12 defers calls 1..%u", k, i, (1u << shift) - 1);
		assert_false(compaction_restarting(z, 9));
		assert_false(compaction_deferred(z, 9));
		assert_int_equal(z->compact_considered, 1u << shift);
	}
	assert_true(compaction_restarting(z, 9));

	pf_set_trace(m, "mm_compaction_deferred", collect, &t);
	defer_compaction(z, 9);
	assert_true(compaction_deferred(z, 9));
	assert_string_equal(t.last, "mm_compaction_deferred: node=0 zone=DMA32    order=9 order_failed=0 consider=1 limit=64");
	pf_set_trace(m, NULL, NULL, NULL);

	compaction_defer_reset(z, 9, false);
	assert_int_equal(z->compact_order_failed, 10);
	assert_int_equal(z->compact_defer_shift, 6);
	assert_int_equal(z->compact_considered, 1);
	assert_false(compaction_deferred(z, 9));
	assert_int_equal(z->compact_considered, 1);	/* not counted below order_failed */
	assert_true(compaction_deferred(z, 10));
	compaction_defer_reset(z, 9, true);
	assert_int_equal(z->compact_defer_shift, 0);
	assert_int_equal(z->compact_considered, 0);
	defer_compaction(z, 4);
	assert_int_equal(z->compact_order_failed, 4);
	pf_spin_unlock(&z->compact_lock);
	pf_machine_destroy(m);
}

/*
 * Direct compaction for an order-9 GFP_HIGHUSER_MOVABLE request at DEF_COMPACT_PRIORITY
 * (sync light).  Pageblock 0x1000 holds 40 movable pages (0x1000..0x1027), the rest of it free;
 * 0x7e00 has its even pfns from 0x7f00 free (128 targets); pageblocks 0x1200..0x19ff have their
 * even pfns free (1024): free = 472 + 128 + 1024 = 1624 > 1052, fragmentation_index(9) =
 * 1000 - (1000 + 1624000 / 512) / 1157 blocks = 1000 - 4171 / 1157 = 997 > 500: suitable.
 * fast_find_migrateblock picks 0x1000 (free movable blocks of orders 8..3 below the half-way
 * mark); its 40 pages move up, the scanner leaves the order-9 block, the per-CPU list is
 * drained, 0x1000 merges to order 9, __compact_finished sees a free order-9 movable block:
 * COMPACT_SUCCESS, get_page_from_freelist returns 0x1000, compact_stall 1, compact_success 1,
 * and compaction_defer_reset(9, true) leaves order_failed 10.
 * The same state with every owner refusing isolation: nothing moves and the scanners meet; the
 * run was not a whole-zone one (whole_zone is false: migrate_pfn 0x1000 >
 * compact_init_migrate_pfn 0), so COMPACT_PARTIAL_SKIPPED, deferred
 * (shift 1), compact_fail 1.  The next request is deferred (considered 1 < 2): result
 * COMPACT_DEFERRED, which still counts a stall and a failure.
 */
static struct pf_machine *direct_state(struct zone **zp, struct cmp_owner **op)
{
	struct pf_machine *m = full_machine(zp);
	struct cmp_owner *o = cmp_owner_new(m, 40);
	for (unsigned i = 0; i < 40; i++)
		cmp_owner_adopt(o, i, pages[0x1000 + i]);
	for (unsigned long pfn = 0x1028; pfn < 0x1200; pfn++)
		pf_free_pages(pages[pfn], 0);
	for (unsigned long pfn = 0x7f00; pfn < 0x8000; pfn += 2)
		pf_free_pages(pages[pfn], 0);
	for (unsigned long pfn = 0x1200; pfn < 0x1a00; pfn += 2)
		pf_free_pages(pages[pfn], 0);
	settle(m);
	assert_int_equal(zone_page_state(*zp, NR_FREE_PAGES), 1624);
	assert_int_equal(fragmentation_index(*zp, 9), 997);
	*op = o;
	return m;
}

static void direct_ac(struct pf_machine *m, pf_gfp_t gfp, struct alloc_context *ac)
{
	memset(ac, 0, sizeof *ac);
	ac->zonelist = node_zonelist(m, 0, gfp);
	ac->highest_zoneidx = (enum zone_type)gfp_zone(gfp);
	ac->migratetype = gfp_migratetype(gfp);
	ac->preferred_zoneref = first_zones_zonelist(ac->zonelist, ac->highest_zoneidx, NULL);
}

static void direct_compaction_success(void **state)
{
	(void)state;
	struct zone *z;
	struct cmp_owner *o;
	struct pf_machine *m = direct_state(&z, &o);
	struct alloc_context ac;
	pf_gfp_t gfp = PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN;
	enum compact_result res;
	direct_ac(m, gfp, &ac);
	struct pf_page *p = __alloc_pages_direct_compact(m, gfp, 9, ALLOC_WMARK_MIN | ALLOC_CMA, &ac,
							 DEF_COMPACT_PRIORITY, &res);
	assert_int_equal(res, COMPACT_SUCCESS);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p), 0x1000);
	assert_int_equal(pf_test_vmstat(m, "compact_stall"), 1);
	assert_int_equal(pf_test_vmstat(m, "compact_success"), 1);
	assert_int_equal(pf_test_vmstat(m, "compact_fail"), 0);
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_success"), 40);
	assert_int_equal(z->compact_order_failed, 10);
	assert_int_equal(cmp_owner_check(o), -1);
	for (unsigned s = 0; s < 40; s++)
		assert_int_equal(o->migrated[s], 1);
	pf_free_pages(p, 9);
	pf_test_check(m, "after direct compaction");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

static void direct_compaction_fail_defers(void **state)
{
	(void)state;
	struct zone *z;
	struct cmp_owner *o;
	struct pf_machine *m = direct_state(&z, &o);
	struct alloc_context ac;
	pf_gfp_t gfp = PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN;
	enum compact_result res;
	for (unsigned s = 0; s < 40; s++)
		o->refuse_isolate[s] = true;
	direct_ac(m, gfp, &ac);
	assert_null(__alloc_pages_direct_compact(m, gfp, 9, ALLOC_WMARK_MIN | ALLOC_CMA, &ac, DEF_COMPACT_PRIORITY,
						 &res));
	assert_int_equal(res, COMPACT_PARTIAL_SKIPPED);
	assert_int_equal(z->compact_defer_shift, 1);
	assert_int_equal(z->compact_considered, 0);
	assert_int_equal(pf_test_vmstat(m, "compact_stall"), 1);
	assert_int_equal(pf_test_vmstat(m, "compact_fail"), 1);
	assert_null(__alloc_pages_direct_compact(m, gfp, 9, ALLOC_WMARK_MIN | ALLOC_CMA, &ac, DEF_COMPACT_PRIORITY,
						 &res));
	assert_int_equal(res, COMPACT_DEFERRED);
	assert_int_equal(z->compact_considered, 1);
	assert_int_equal(pf_test_vmstat(m, "compact_stall"), 2);
	assert_int_equal(pf_test_vmstat(m, "compact_fail"), 2);
	assert_int_equal(pf_test_vmstat(m, "compact_success"), 0);
	/* order 0 never compacts; without __GFP_IO it is skipped and nothing is counted */
	assert_null(__alloc_pages_direct_compact(m, gfp, 0, ALLOC_WMARK_MIN, &ac, DEF_COMPACT_PRIORITY, &res));
	assert_null(__alloc_pages_direct_compact(m, PF_GFP_NOWAIT, 9, ALLOC_WMARK_MIN, &ac, DEF_COMPACT_PRIORITY,
						 &res));
	assert_int_equal(res, COMPACT_SKIPPED);
	assert_int_equal(pf_test_vmstat(m, "compact_stall"), 2);
	assert_int_equal(cmp_owner_check(o), -1);
	pf_test_check(m, "after failed direct compaction");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * The fast searches of a direct compaction, by hand.  Free: pageblock 0x1000 past its 40
 * movable pages (0x1028 o3, 0x1030 o4, 0x1040 o6, 0x1080 o7, 0x1100 o8), the first half of
 * 0x7c00 (one order-8 block; 0x7d00..0x7dff allocated), and the even pfns of 0x7a00 and 0x7e00
 * (512 order-0 pages): 1240 free > 1052; index 1000 - (1000 + 1240000 / 512) / 518 = 994.
 * Order 9, DEF_COMPACT_PRIORITY (sync light), movable; free_pfn 0x7e00, migrate_pfn 0x1000.
 * fast_find_migrateblock: high_pfn = pageblock_start(0x1000 + (0x7e00 - 0x1000) / 2) = 0x4600;
 *   order 8 from the head: 0x1100 < 0x4600 (0x7c00 is not), so pageblock 0x1000, and 0x1100
 *   goes to the list's tail.  32 pages isolated (0x1000 ~ 0x1020).
 * fast_isolate_freepages (scan start: limit 256): low_pfn = pageblock_start(0x7e00 -
 *   (0x7e00 - 0x1020) / 4) = 0x6200, min_pfn = pageblock_start(0x7e00 - 0x6de0 / 2) = 0x4600;
 *   search order 8 from the tail: 0x1100 (below), then 0x7c00 >= 0x6200: taken whole, 256
 *   pages; 2 + 255 scanned.  compaction_alloc splits it: slot 31 -> 0x7c00, 30 -> 0x7c01, ...
 *   0 -> 0x7c1f (each split hands out the lower half and keeps the upper ones).
 * Pass 2 (finish_pageblock): 8 pages (0x1020 ~ 0x1200, 480 scanned); targets from the order-5
 *   block 0x7c20: slot 39 -> 0x7c20 ... 32 -> 0x7c27.  The scanner leaves the order-9 block:
 *   drain_local_pages, and 0x1000 merges to order 9 inside the compactor's own drain:
 *   compaction_capture hands it to the capture control (6.12's compact_zone_order), so it
 *   never reaches the free list.  compact_zone checks capc->page only after a migration, so
 *   __compact_finished (nothing of order 9 free) says CONTINUE and the run goes on:
 * Pass 3: fast_find_migrateblock finds no free movable block of order 8..4 below
 *   pageblock_start(0x1200 + (0x7e00 - 0x1200) / 8) = 0x1e00, so reinit_migrate_pfn rewinds to
 *   fast_start_pfn 0x1100 (pass 1's find): 0x1100 ~ 0x1200, 256 scanned, nothing movable (the
 *   captured block).  Then every pageblock 0x1200 .. 0x7a00 in turn (53 blocks, 512 scanned each:
 *   allocated unmovable pages, or order-0 free ones in 0x7a00), nothing taken: ISOLATE_NONE
 *   each, no capture check on that path.  Block 0x7c00 holds pass 1's 32 moved pages:
 *   COMPACT_CLUSTER_MAX of them, 0x7c00 ~ 0x7c20, are isolated (newest first on the list, so
 *   slot 0 at 0x7c1f leads) and moved again into what is left of the isolated free pages,
 *   smallest order first, each split keeping its lower half: 0x7c28 (o3), 0x7c30 (o4), then
 *   0x7c40 (o6): slot s -> 0x7c28 + s.  After that migration capc->page is seen:
 *   COMPACT_SUCCESS with migrate_pfn 0x7c20, free_pfn still 0x7e00, and the captured 0x1000.
 */
struct trace_all {
	char lines[128][240];
	int n;
};

static void collect_all(void *arg, const char *line)
{
	struct trace_all *t = arg;
	const char *ev = strstr(line, ": mm_");
	if (ev && t->n < 128)
		snprintf(t->lines[t->n++], sizeof t->lines[0], "%s", ev + 2);
}

static const char *const fast_expected_head[] = {
	"mm_compaction_isolate_migratepages: range=(0x1000 ~ 0x1020) nr_scanned=32 nr_taken=32",
	"mm_compaction_fast_isolate_freepages: range=(0x4600 ~ 0x7e00) nr_scanned=257 nr_taken=256",
	"mm_migrate_pages: nr_succeeded=32 nr_failed=0 nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 nr_split=0 "
	"mode=MIGRATE_SYNC_LIGHT reason=compaction",
	"mm_compaction_isolate_migratepages: range=(0x1020 ~ 0x1200) nr_scanned=480 nr_taken=8",
	"mm_migrate_pages: nr_succeeded=8 nr_failed=0 nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 nr_split=0 "
	"mode=MIGRATE_SYNC_LIGHT reason=compaction",
	"mm_compaction_isolate_migratepages: range=(0x1100 ~ 0x1200) nr_scanned=256 nr_taken=0",
};
static const char *const fast_expected_tail[] = {
	"mm_compaction_isolate_migratepages: range=(0x7c00 ~ 0x7c20) nr_scanned=32 nr_taken=32",
	("mm_migrate_pages: nr_succeeded=32 nr_failed=0 nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 nr_split=0 "
	 "mode=MIGRATE_SYNC_LIGHT reason=compaction"),
	"mm_compaction_end: zone_start=0x1000 migrate_pfn=0x7c20 free_pfn=0x7e00 zone_end=0x8000, mode=sync status=success",
};

/* the whole expected trace: the head, one empty scan per pageblock 0x1200 .. 0x7a00, the tail */
static int fast_expected(char (*out)[240], int max)
{
	int n = 0;
	for (size_t i = 0; i < sizeof fast_expected_head / sizeof fast_expected_head[0] && n < max; i++)
		snprintf(out[n++], 240, "%s", fast_expected_head[i]);
	for (unsigned long pfn = 0x1200; pfn <= 0x7a00 && n < max; pfn += 0x200)
		snprintf(out[n++], 240, "mm_compaction_isolate_migratepages: range=(%#lx ~ %#lx) nr_scanned=512 nr_taken=0",
			 pfn, pfn + 0x200);
	for (size_t i = 0; i < sizeof fast_expected_tail / sizeof fast_expected_tail[0] && n < max; i++)
		snprintf(out[n++], 240, "%s", fast_expected_tail[i]);
	return n;
}

static void direct_compaction_fast_searches(void **state)
{
	(void)state;
	struct zone *z;
	struct pf_machine *m = full_machine(&z);
	struct cmp_owner *o = cmp_owner_new(m, 40);
	for (unsigned i = 0; i < 40; i++)
		cmp_owner_adopt(o, i, pages[0x1000 + i]);
	for (unsigned long pfn = 0x1028; pfn < 0x1200; pfn++)
		pf_free_pages(pages[pfn], 0);
	for (unsigned long pfn = 0x7c00; pfn < 0x7d00; pfn++)
		pf_free_pages(pages[pfn], 0);
	for (unsigned long pfn = 0x7a00; pfn < 0x7c00; pfn += 2)
		pf_free_pages(pages[pfn], 0);
	for (unsigned long pfn = 0x7e00; pfn < 0x8000; pfn += 2)
		pf_free_pages(pages[pfn], 0);
	settle(m);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), 1240);
	assert_int_equal(z->free_area[8].nr_free, 2);
	assert_int_equal(fragmentation_index(z, 9), 994);

	struct trace_all t = { .n = 0 };
	struct alloc_context ac;
	pf_gfp_t gfp = PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN;
	enum compact_result res;
	direct_ac(m, gfp, &ac);
	pf_set_trace(m, "mm_compaction_isolate_migratepages,mm_compaction_isolate_freepages,"
		     "mm_compaction_fast_isolate_freepages,mm_migrate_pages,mm_compaction_end", collect_all, &t);
	struct pf_page *p = __alloc_pages_direct_compact(m, gfp, 9, ALLOC_WMARK_MIN | ALLOC_CMA, &ac,
							 DEF_COMPACT_PRIORITY, &res);
	pf_set_trace(m, NULL, NULL, NULL);
	static char want_lines[128][240];
	int ne = fast_expected(want_lines, 128);
	assert_int_equal(ne, 6 + 53 + 3);
	for (int i = 0; i < t.n || i < ne; i++) {
		const char *got = i < t.n ? t.lines[i] : "(none)";
		const char *want = i < ne ? want_lines[i] : "(none)";
		if (strcmp(got, want)) {
			for (int k = 0; k < t.n; k++)
				fprintf(stderr, "got %d: %s\n", k, t.lines[k]);
			fail_msg("trace line %d:\n  got  %s\n  want %s", i, got, want);
		}
	}
	assert_int_equal(res, COMPACT_SUCCESS);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p), 0x1000);
	for (unsigned s = 0; s < 40; s++) {
		unsigned long want = s < 32 ? 0x7c28 + s : 0x7c20 + (39 - s);
		if (pf_page_to_pfn(o->page[s]) != want)
			fail_msg("slot %u at %#lx, want %#lx", s, pf_page_to_pfn(o->page[s]), want);
	}
	assert_int_equal(cmp_owner_check(o), -1);
	pf_free_pages(p, 9);
	pf_test_check(m, "after the fast searches");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

int main(void)
{
	pf_test_watchdog("test_compaction_suitable", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(watermark_boundary),
		cmocka_unit_test(fragindex_threshold),
		cmocka_unit_test(deferral_arithmetic),
		cmocka_unit_test(direct_compaction_success),
		cmocka_unit_test(direct_compaction_fail_defers),
		cmocka_unit_test(direct_compaction_fast_searches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
