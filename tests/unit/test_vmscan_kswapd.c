/* test_vmscan_kswapd: kswapd stepped with pf_kswapd_run follows 6.12's kswapd() - woken below the low watermark it reclaims until pgdat_balanced (a zone at its high watermark), then sleeps; a boosted watermark is reclaimed at priority DEF_PRIORITY - 2 at most and dropped (the rmqueue fallback path wakes it); a node with nothing to reclaim counts kswapd failures and sleeps after MAX_RECLAIM_RETRIES; two identical machines stepped alike end identical. */
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
#include "mm/vmscan.h"
#include "test_vmscan_owner.h"

/*
 * One zone, DMA32 = pfn 0x1000..0x2fff (8192 pages), min_free_kbytes 1024: pages_min =
 * 1024 >> 2 = 256 all in this zone; low = 256 + max(256 / 4, 8192 * 10 / 10000) = 320;
 * high = 256 + 2 * 64 = 384.
 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x2ffffff\nthp never\nsysctl vm.min_free_kbytes=1024\n"

static long vm(struct pf_machine *m, const char *name)
{
	return pf_test_vmstat(m, name);
}

static char trace[1 << 16];
static void tracer(void *arg, const char *line)
{
	(void)arg;
	if (strlen(trace) + strlen(line) + 2 < sizeof trace) {
		strcat(trace, line);
		strcat(trace, "\n");
	}
}

static struct zone *dma32(struct pf_machine *m)
{
	return &m->node_data[0]->node_zones[ZONE_DMA32];
}

/*
 * fill the machine with file LRU pages until an allocation fails; the
 * requests neither reclaim nor wake kswapd (no __GFP_RECLAIM bits), so the
 * slow path leaves kswapd asleep and every page the owner was given stays
 */
static struct lru_owner *fill(struct pf_machine *m, unsigned *n)
{
	struct lru_owner *o = lru_owner_new(m, 8192);
	unsigned i = 0;
	while (i < 8192 &&
	       lru_owner_fill(o, i, PF_LRU_FILE, (PF_GFP_HIGHUSER_MOVABLE & ~PF___GFP_RECLAIM) | PF_GFP_NOWARN))
		i++;
	*n = i;
	return o;
}

static void below_low_to_high(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = dma32(m);
	assert_int_equal(z->_watermark[WMARK_MIN], 256);
	assert_int_equal(z->_watermark[WMARK_LOW], 320);
	assert_int_equal(z->_watermark[WMARK_HIGH], 384);
	unsigned n;
	struct lru_owner *o = fill(m, &n);
	pf_drain_all_pages(m);
	long free_before = zone_page_state_snapshot(z, NR_FREE_PAGES);
	assert_true(free_before < 320);
	assert_false(pgdat_balanced(m->node_data[0], 0, ZONE_NORMAL));
	assert_int_equal(pf_kswapd_run(m, 0), PF_KSWAPD_IDLE);	/* nobody woke it */

	trace[0] = '\0';
	assert_int_equal(pf_set_trace(m, "all", tracer, NULL), 0);
	/* what wake_all_kswapds does for a GFP_KERNEL order-0 request */
	wakeup_kswapd(z, PF_GFP_KERNEL, 0, ZONE_NORMAL);
	assert_non_null(strstr(trace, "mm_vmscan_wakeup_kswapd: nid=0 order=0 gfp_flags=GFP_KERNEL"));
	assert_int_equal(pf_kswapd_run(m, 0), PF_KSWAPD_BALANCED);
	assert_non_null(strstr(trace, "mm_vmscan_kswapd_wake: nid=0 order=0"));
	assert_non_null(strstr(trace, "mm_vmscan_lru_shrink_inactive: nid=0 nr_scanned="));
	assert_non_null(strstr(trace, "flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC"));
	assert_non_null(strstr(trace, "mm_vmscan_kswapd_sleep: nid=0"));
	pf_set_trace(m, NULL, NULL, NULL);

	/* balanced: a zone at its high watermark; the pages came from the LRU's cold end */
	assert_true(pgdat_balanced(m->node_data[0], 0, ZONE_NORMAL));
	assert_true(zone_page_state_snapshot(z, NR_FREE_PAGES) >= 384);
	long stolen = vm(m, "pgsteal_kswapd");
	assert_true(stolen >= 384 - free_before);
	assert_true(vm(m, "pgscan_kswapd") >= stolen);
	assert_int_equal(vm(m, "pgsteal_direct"), 0);
	assert_int_equal(vm(m, "pageoutrun"), 1);
	assert_int_equal(vm(m, "nr_inactive_file"), (long)n - stolen);
	for (unsigned i = 0; i < (unsigned)stolen; i++)
		assert_null(o->slots[i].page);
	assert_non_null(o->slots[stolen].page);
	assert_int_equal(m->node_data[0]->kswapd_failures, 0);
	/* asleep again, and a wakeup of a balanced node does not wake it */
	assert_int_equal(pf_kswapd_run(m, 0), PF_KSWAPD_IDLE);
	wakeup_kswapd(z, PF_GFP_KERNEL, 0, ZONE_NORMAL);
	assert_int_equal(pf_kswapd_run(m, 0), PF_KSWAPD_IDLE);
	assert_int_equal(vm(m, "pageoutrun"), 1);
	lru_owner_free(o);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

/*
 * 4096 file pages on a machine far above its high watermark, and a boost of 100 pages:
 * balance_pgdat reclaims only the boost, without raising the priority past DEF_PRIORITY - 2:
 *   p12: 4096 >> 12 = 1 (boost left 99); p11: 4095 >> 11 = 1 (98);
 *   p10: 4094 >> 10 = 3 per pass, 33 passes (98 -> 0): 99;  in all 1 + 1 + 99 = 101.
 * The boost is dropped at the end.
 */
static void boosted_watermark(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = dma32(m);
	struct lru_owner *o = lru_owner_new(m, 4096);
	for (unsigned i = 0; i < 4096; i++)
		assert_true(lru_owner_fill(o, i, PF_LRU_FILE, PF_GFP_HIGHUSER_MOVABLE));
	assert_true(pgdat_balanced(m->node_data[0], 0, ZONE_DMA32));

	pf_spin_lock(&z->lock);
	z->watermark_boost = 100;
	pf_spin_unlock(&z->lock);
	/* rmqueue's call for a boosted zone */
	wakeup_kswapd(z, 0, 0, ZONE_DMA32);
	assert_int_equal(pf_kswapd_run(m, 0), PF_KSWAPD_BALANCED);
	assert_int_equal(z->watermark_boost, 0);
	assert_int_equal(vm(m, "pgsteal_kswapd"), 101);
	assert_int_equal(vm(m, "nr_inactive_file"), 4096 - 101);
	assert_int_equal(vm(m, "pageoutrun"), 1);
	lru_owner_free(o);
	pf_machine_destroy(m);
}

/*
 * Memory held by anonymous pages and no swap: every balance_pgdat reclaims nothing, counts a
 * failure and kswapd stays awake (kswapd_high_wmark_hit_quickly) until the 16th failure lets
 * it sleep (prepare_kswapd_sleep); a hopeless node is not woken again.
 */
static void hopeless_node(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct lru_owner *o = lru_owner_new(m, 8192);
	unsigned n = 0;
	while (n < 8192 && lru_owner_fill(o, n, PF_LRU_ANON, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN))
		n++;
	wakeup_kswapd(dma32(m), PF_GFP_KERNEL, 0, ZONE_NORMAL);
	int passes = 0, r;
	while ((r = pf_kswapd_run(m, 0)) == PF_KSWAPD_AWAKE)
		passes++;
	assert_int_equal(r, PF_KSWAPD_BALANCED);
	assert_int_equal(passes + 1, MAX_RECLAIM_RETRIES);
	assert_int_equal(m->node_data[0]->kswapd_failures, MAX_RECLAIM_RETRIES);
	assert_int_equal(vm(m, "pageoutrun"), MAX_RECLAIM_RETRIES);
	assert_int_equal(vm(m, "kswapd_high_wmark_hit_quickly"), MAX_RECLAIM_RETRIES - 1);
	assert_int_equal(vm(m, "pgsteal_kswapd"), 0);
	char *zi = pf_test_show(m, "zoneinfo");
	assert_non_null(strstr(zi, "\n  node_unreclaimable:  1\n"));
	free(zi);
	wakeup_kswapd(dma32(m), PF_GFP_KERNEL, 0, ZONE_NORMAL);
	assert_int_equal(pf_kswapd_run(m, 0), PF_KSWAPD_IDLE);
	/* reclaim that frees something resets the count (shrink_node) */
	lru_owner_free(o);
	pf_machine_destroy(m);
}

/* the same description and calls: the same machine afterwards */
static char *scenario(void)
{
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	unsigned n;
	struct lru_owner *o = fill(m, &n);
	for (unsigned i = 0; i < n; i += 3)
		pf_mark_page_accessed(o->slots[i].page);
	wakeup_kswapd(dma32(m), PF_GFP_KERNEL, 0, ZONE_NORMAL);
	while (pf_kswapd_run(m, 0) != PF_KSWAPD_IDLE)
		;
	char *v = pf_test_show(m, "vmstat");
	lru_owner_free(o);
	pf_machine_destroy(m);
	return v;
}

static void deterministic(void **state)
{
	(void)state;
	char *a = scenario(), *b = scenario();
	assert_string_equal(a, b);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(below_low_to_high),
		cmocka_unit_test(boosted_watermark),
		cmocka_unit_test(hopeless_node),
		cmocka_unit_test(deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
