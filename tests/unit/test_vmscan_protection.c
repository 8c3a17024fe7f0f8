/* test_vmscan_protection: get_scan_count scales a partly protected memcg's scan targets as Linux 6.12's (mm/vmscan.c: mem_cgroup_protection, then size - size * protection / (max(usage, protection) + 1), at least SWAP_CLUSTER_MAX, elow outside the low-reclaim retry and emin in it, memcg_low_skipped set), and empties a destroyed memcg (min(size, SWAP_CLUSTER_MAX) when the target shifted to 0, SCAN_FRACT rounded up) - each number worked by hand below. */
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
#include "mm/memcontrol.h"

/* one zone: DMA32 = pfn 0x1000..0x2fff, 8192 pages; GFP_KERNEL's reclaim_idx is ZONE_NORMAL (2) */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x2ffffff\nthp never\nsysctl vm.min_free_kbytes=0\nswap 1M\n"

static void set_sizes(struct lruvec *lruvec, unsigned long inactive_anon, unsigned long inactive_file)
{
	memset(lruvec->nr_pages, 0, sizeof lruvec->nr_pages);
	lruvec->nr_pages[LRU_INACTIVE_ANON][ZONE_DMA32] = inactive_anon;
	lruvec->nr_pages[LRU_INACTIVE_FILE][ZONE_DMA32] = inactive_file;
}

/* the memcg's usage and effective protection, set by hand (the walk's calculate_protection is not run) */
static void set_usage(struct mem_cgroup *memcg, unsigned long usage, unsigned long emin, unsigned long elow)
{
	atomic_store(&memcg->memory.usage, (long)usage);
	memcg->memory.emin = emin;
	memcg->memory.elow = elow;
}

static void proportional(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct mem_cgroup *a = (struct mem_cgroup *)pf_memcg_create(m, NULL, "a");
	assert_non_null(a);
	struct lruvec *lruvec = mem_cgroup_lruvec(a, m->node_data[0]);
	assert_ptr_equal(lruvec->memcg, a);
	unsigned long nr[NR_LRU_LISTS];
	struct scan_control sc = { .m = m, .reclaim_idx = ZONE_NORMAL, .may_swap = 1, .priority = 4 };

	/*
	 * Global reclaim, swappiness 60, no costs: SCAN_FRACT with ap 60, fp
	 * 140, denominator 200 (test_vmscan_reclaim's first case).
	 * Unprotected: 2048 >> 4 = 128: anon 128 * 60 / 200 = 38, file 89.
	 */
	set_sizes(lruvec, 2048, 2048);
	set_usage(a, 1000, 0, 0);
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 38);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 89);
	assert_int_equal(nr[LRU_ACTIVE_FILE], 0);
	assert_int_equal(sc.memcg_low_skipped, 0);

	/*
	 * usage 1000, elow 600, emin 200, not the low-reclaim retry: low > min,
	 * protection = 600, memcg_low_skipped set.
	 *   inactive lists: 2048 - 2048 * 600 / 1001 = 2048 - 1227 (1227.6) = 821;
	 *     821 >> 4 = 51; anon 51 * 60 / 200 = 15 (15.3), file 51 * 140 / 200 = 35 (35.7).
	 *   empty active lists: 0 - 0 = 0, raised to SWAP_CLUSTER_MAX 32; 32 >> 4 = 2;
	 *     anon 2 * 60 / 200 = 0 (0.6), file 2 * 140 / 200 = 1 (1.4).
	 */
	set_usage(a, 1000, 200, 600);
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 15);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 35);
	assert_int_equal(nr[LRU_ACTIVE_ANON], 0);
	assert_int_equal(nr[LRU_ACTIVE_FILE], 1);
	assert_int_equal(sc.memcg_low_skipped, 1);

	/*
	 * The low-reclaim retry: protection = emin 200:
	 *   2048 - 2048 * 200 / 1001 = 2048 - 409 (409.2) = 1639; >> 4 = 102;
	 *   anon 102 * 60 / 200 = 30 (30.6), file 102 * 140 / 200 = 71 (71.4).
	 * memcg_low_skipped is not set by it.
	 */
	sc.memcg_low_skipped = 0;
	sc.memcg_low_reclaim = 1;
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 30);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 71);
	assert_int_equal(sc.memcg_low_skipped, 0);

	/* low not above min: min applies outside the retry too (elow 200, emin 200: the same 30 / 71) */
	sc.memcg_low_reclaim = 0;
	set_usage(a, 1000, 200, 200);
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 30);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 71);
	assert_int_equal(sc.memcg_low_skipped, 0);

	/*
	 * Usage below the protection (the walk saw it above): cgroup_size =
	 * max(500, 600) = 600; 2048 - 2048 * 600 / 601 = 2048 - 2044 (2044.6) = 4,
	 * raised to 32.  Priority 0 with swappiness: SCAN_EQUAL, 32 on every list,
	 * the empty active ones included.
	 */
	set_usage(a, 500, 0, 600);
	sc.priority = 0;
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 32);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 32);
	assert_int_equal(nr[LRU_ACTIVE_ANON], 32);
	assert_int_equal(nr[LRU_ACTIVE_FILE], 32);

	/* the reclaim's own target has no protection (mem_cgroup_protection): 2048 >> 4 = 128 -> 38 / 89 */
	sc.priority = 4;
	sc.target_mem_cgroup = a;
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 38);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 89);

	set_usage(a, 0, 0, 0);
	set_sizes(lruvec, 0, 0);
	pf_memcg_destroy((struct pf_memcg *)a);
	pf_machine_destroy(m);
}

/*
 * A destroyed memcg: 7 pages on each inactive list, priority 12: 7 >> 12 =
 * 0, raised to min(7, 32) = 7 as it is offline; SCAN_FRACT rounds up:
 * anon ceil(7 * 60 / 200) = ceil(2.1) = 3, file ceil(7 * 140 / 200) =
 * ceil(4.9) = 5.  Empty lists stay 0 (min(0, 32)).  Online, the same
 * lists give 0 everywhere.
 */
static void offline_scrape(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct mem_cgroup *a = (struct mem_cgroup *)pf_memcg_create(m, NULL, "a");
	struct lruvec *lruvec = mem_cgroup_lruvec(a, m->node_data[0]);
	unsigned long nr[NR_LRU_LISTS];
	struct scan_control sc = { .m = m, .reclaim_idx = ZONE_NORMAL, .may_swap = 1, .priority = 12 };

	set_sizes(lruvec, 7, 7);
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 0);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 0);

	css_get(a);	/* keep it for the look after its destruction */
	pf_memcg_destroy((struct pf_memcg *)a);
	assert_false(mem_cgroup_online(a));
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 3);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 5);
	assert_int_equal(nr[LRU_ACTIVE_ANON], 0);
	assert_int_equal(nr[LRU_ACTIVE_FILE], 0);
	/* SCAN_FILE (no swapping): the file list's 7, not rounded */
	sc.may_swap = 0;
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 0);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 7);
	set_sizes(lruvec, 0, 0);
	css_put(a);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proportional),
		cmocka_unit_test(offline_scrape),
	};
	pf_test_watchdog("test_vmscan_protection", 20);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
