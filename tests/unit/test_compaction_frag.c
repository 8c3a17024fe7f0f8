/* test_compaction_frag: on a machine filled with movable pages of which a random half is then freed, writing compact_memory raises the number of free order-9 blocks from none to at least a hand-justified bound, moving each page at most once with its contents intact; the measured counts and time are printed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include "mm/internal.h"
#include "test_compaction_owner.h"

/*
 * One zone, DMA32 = pfn 0x1000..0x4fff: 16384 pages, 32 pageblocks; min_free_kbytes 0.
 * Every page is allocated and owned (movable, order 0); then each is freed with probability
 * 1/2 (xorshift64*, fixed seed).
 *
 * Before: a pageblock is free only if all 512 of its pages were freed (chance 2^-512), so no
 * free block of order 9 or more exists.
 *
 * The bound after compact_memory (order -1, MIGRATE_SYNC, whole zone, skip hints ignored):
 * the migrate scanner walks up from block 0 moving every page it meets, the free scanner walks
 * down from block 31 taking the holes it visits, and they stop when they meet.  With about 256
 * pages and 256 holes per block, moving the pages of blocks 0..j-1 (about 256 j) needs the holes
 * of about j blocks above; the scanners meet near j = 31 - j, i.e. j of 15 or 16.  The free
 * scanner loses part of some blocks: sync scans start with stride 1 and only a block giving
 * nothing doubles it, so every block here (all have holes) is scanned whole - nothing is lost.
 * Every block the migrate scanner has finished is empty once the per-CPU lists are drained, so
 * about 15 free order-9 blocks (counting an order-10 block as two).  The per-block counts vary
 * by about sqrt(512 / 4) = 11 pages, far less than a block, so j cannot fall below 14 unless
 * something else is wrong; we assert at least 12 (three eighths of the zone) to stay clear of
 * the random layout, and print what was measured.
 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x4ffffff\nthp never\nsysctl vm.min_free_kbytes=0\n"
#define NPAGES 16384

static unsigned long order9_blocks(struct zone *z)
{
	unsigned long n = 0;
	for (unsigned o = 9; o < NR_PAGE_ORDERS; o++)
		n += z->free_area[o].nr_free << (o - 9);
	return n;
}

static void random_half_compacts(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	struct cmp_owner *o = cmp_owner_new(m, NPAGES);
	struct pf_page *p;
	unsigned n = 0;
	while ((p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 0)) != NULL) {
		cmp_owner_adopt(o, (unsigned)(pf_page_to_pfn(p) - 0x1000), p);
		n++;
	}
	assert_int_equal(n, NPAGES);
	uint64_t seed = 0x5eed5eed5eedULL;
	unsigned freed = 0;
	for (unsigned s = 0; s < NPAGES; s++)
		if (pf_test_xorshift64s(&seed) >> 63) {
			cmp_owner_free(o, s);
			freed++;
		}
	pf_drain_all_pages(m);
	unsigned long before = order9_blocks(z);
	assert_int_equal(before, 0);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pf_sysctl_set(m, "compact_memory", "1"), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pf_drain_all_pages(m);
	unsigned long after = order9_blocks(z);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("freed %u of %u; free order-9 blocks %lu -> %lu; compact_memory %.1f ms; %ld pages moved, "
		      "%ld failed, %ld migrate-scanned, %ld free-scanned\n", freed, NPAGES, before, after, ms,
		      pf_test_vmstat(m, "pgmigrate_success"), pf_test_vmstat(m, "pgmigrate_fail"),
		      pf_test_vmstat(m, "compact_migrate_scanned"),
		      pf_test_vmstat(m, "compact_free_scanned"));
	if (after < 12)
		fail_msg("compact_memory left %lu free order-9 blocks; at least 12 expected", after);
	for (unsigned s = 0; s < NPAGES; s++)
		assert_true(o->migrated[s] <= 1);
	assert_int_equal(cmp_owner_check(o), -1);
	/* only the last batch can fail, when the free scanner runs out where the scanners meet (-ENOMEM) */
	assert_true(pf_test_vmstat(m, "pgmigrate_fail") <= COMPACT_CLUSTER_MAX);
	pf_test_check(m, "after compact_memory");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * Direct compaction in the slow path (6.12 __alloc_pages_slowpath): the same random half.  An
 * order-9 request that may not enter direct reclaim (GFP_NOWAIT-like: no __GFP_DIRECT_RECLAIM)
 * fails, counting no compaction.  GFP_HIGHUSER_MOVABLE (costly order, may reclaim) runs an async
 * direct compaction first (INIT_COMPACT_PRIORITY): compaction_suitable passes (about 8192 free
 * pages against min 0 + 2 << 9 = 1024, fragmentation index of an order-9 request with no free
 * block above the 500 threshold), compact_zone stops as soon as the zone has a free order-9 block
 * of a suitable type (__compact_finished), and get_page_from_freelist takes it: one
 * compact_stall, one compact_success, the owner's pages moved with contents intact.  Requests go
 * on succeeding until the scanners have met; every one either succeeds or fails counted.
 */
static void direct_compaction_in_slowpath(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct cmp_owner *o = cmp_owner_new(m, NPAGES);
	struct pf_page *p;
	while ((p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 0)) != NULL)
		cmp_owner_adopt(o, (unsigned)(pf_page_to_pfn(p) - 0x1000), p);
	uint64_t seed = 0x5eed5eed5eedULL;
	for (unsigned s = 0; s < NPAGES; s++)
		if (pf_test_xorshift64s(&seed) >> 63)
			cmp_owner_free(o, s);
	pf_drain_all_pages(m);

	/* no direct reclaim, no direct compaction */
	assert_null(pf_alloc_pages(m, PF___GFP_HIGHMEM | PF___GFP_MOVABLE | PF___GFP_KSWAPD_RECLAIM | PF___GFP_NOWARN, 9));
	assert_int_equal(pf_test_vmstat(m, "compact_stall"), 0);

	struct pf_page *huge = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 9);
	assert_non_null(huge);
	assert_int_equal(pf_page_to_pfn(huge) & 511, 0);
	assert_int_equal(pf_test_vmstat(m, "compact_stall"), 1);
	assert_int_equal(pf_test_vmstat(m, "compact_success"), 1);
	assert_int_equal(pf_test_vmstat(m, "compact_fail"), 0);
	assert_true(pf_test_vmstat(m, "pgmigrate_success") > 0);
	assert_int_equal(cmp_owner_check(o), -1);

	/* more of them: each succeeds through compaction or fails with its compact_stall counted */
	struct pf_page *more[32];
	int got = 0;
	for (int i = 0; i < 32; i++)
		if ((more[got] = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 9)) != NULL)
			got++;
	long stall = pf_test_vmstat(m, "compact_stall"), ok = pf_test_vmstat(m, "compact_success"),
	     fail = pf_test_vmstat(m, "compact_fail");
	print_message("direct compaction: %d more order-9 blocks; compact_stall %ld, success %ld, fail %ld\n", got,
		      stall, ok, fail);
	assert_true(got >= 10);	/* the scanners meet near the middle of the 32 blocks (random_half_compacts) */
	assert_int_equal(stall, ok + fail);
	assert_int_equal(cmp_owner_check(o), -1);
	pf_free_pages(huge, 9);
	for (int i = 0; i < got; i++)
		pf_free_pages(more[i], 9);
	pf_test_check(m, "after direct compaction");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

int main(void)
{
	pf_test_watchdog("test_compaction_frag", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_half_compacts),
		cmocka_unit_test(direct_compaction_in_slowpath),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
