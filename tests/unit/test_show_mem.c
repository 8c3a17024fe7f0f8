/* test_show_mem: __show_mem prints 6.12's Mem-Info block - the global counter lines, the node line, each zone's kB line and lowmem_reserve[], the free blocks per order with their migratetype letters, hugepage, page-cache and swap lines, the page totals - with the numbers of a small machine worked by hand, and filters by nodemask and max_zone_idx. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"
#include "pf_testlib.h"

#define MAX_LINES 128
static char lines[MAX_LINES][1024];
static int nr_lines;

static void keep(void *arg, int level, const char *line)
{
	(void)arg;
	if (nr_lines < MAX_LINES)
		snprintf(lines[nr_lines], sizeof lines[0], "%c|%s", level, line);
	nr_lines++;
}

static int count_with(const char *word)
{
	int n = 0;
	for (int i = 0; i < nr_lines && i < MAX_LINES; i++)
		n += strstr(lines[i], word) != NULL;
	return n;
}

/*
 * 63 MiB from 1 MiB, one CPU, no backing (nothing reserved: managed =
 * present).  DMA: pfns 256..4095 = 3840 pages (15360 kB); DMA32: pfns
 * 4096..16383 = 12288 pages (49152 kB).
 *
 * Watermarks (mm/page_alloc.c, 6.12), in pages:
 *   first pass: min_free_kbytes = int_sqrt(16128 * 4 * 16) = int_sqrt(1032192) = 1015 -> 253 pages;
 *     DMA min 253 * 3840 / 16128 = 60, low/high + max(60 >> 2, 3840 * 10 / 10000) = 15: 75, 90;
 *     DMA32 min 253 * 12288 / 16128 = 192, + max(48, 12): 240, 288.
 *   khugepaged's recommendation (THP madvise): min(512 * 2 zones * (2 + 9), nr_free_buffer_pages / 20)
 *     = min(11264, ((3840 - 90) + (12288 - 288)) / 20 = 15750 / 20 = 787) = 787 pages = 3148 kB.
 *   second pass with 787 pages: DMA min 787 * 3840 / 16128 = 187 (748 kB), step max(46, 3) = 46:
 *     low 233 (932 kB), high 279 (1116 kB); DMA32 min 787 * 12288 / 16128 = 599 (2396 kB),
 *     step max(149, 12) = 149: low 748 (2992 kB), high 897 (3588 kB).
 * lowmem_reserve: DMA keeps 12288 / 256 = 48 pages from DMA32 and above; DMA32 nothing.
 * Free blocks after boot: DMA 256..511 one order-8 block (1024 kB) in pageblock 0, which
 * memmap_init never marks (its first pfn is outside the zone): unmovable (U); 512..1023 one
 * order-9 (M); 1024..4095 three order-10 (M): 256 + 512 + 3072 = 3840 pages = 15360 kB.
 * DMA32: twelve order-10 blocks (M) = 49152 kB.  16128 pages RAM, none reserved.
 */
#define SMALL "cpus 1\nmem 0 0x100000-0x3ffffff\nbacking none\n"

static const char *const want_small[] = {
	"4|Mem-Info:",
	"4|active_anon:0 inactive_anon:0 isolated_anon:0",
	"4| active_file:0 inactive_file:0 isolated_file:0",
	"4| unevictable:0 dirty:0 writeback:0",
	"4| slab_reclaimable:0 slab_unreclaimable:0",
	"4| mapped:0 shmem:0 pagetables:0",
	"4| sec_pagetables:0 bounce:0",
	"4| kernel_misc_reclaimable:0",
	"4| free:16128 free_pcp:0 free_cma:0",
	"4|Node 0 active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB "
	"isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:0kB writeback:0kB shmem:0kB shmem_thp:0kB "
	"shmem_pmdmapped:0kB anon_thp:0kB writeback_tmp:0kB kernel_stack:0kB pagetables:0kB sec_pagetables:0kB "
	"all_unreclaimable? no",
	"4|Node 0 DMA free:15360kB boost:0kB min:748kB low:932kB high:1116kB reserved_highatomic:0KB "
	"active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB "
	"present:15360kB managed:15360kB mlocked:0kB bounce:0kB free_pcp:0kB local_pcp:0kB free_cma:0kB",
	"4|lowmem_reserve[]: 0 48 48 48 48",
	"4|Node 0 DMA32 free:49152kB boost:0kB min:2396kB low:2992kB high:3588kB reserved_highatomic:0KB "
	"active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB "
	"present:49152kB managed:49152kB mlocked:0kB bounce:0kB free_pcp:0kB local_pcp:0kB free_cma:0kB",
	"4|lowmem_reserve[]: 0 0 0 0 0",
	"4|Node 0 DMA: 0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 1*1024kB (U) 1*2048kB (M) "
	"3*4096kB (M) = 15360kB",
	"4|Node 0 DMA32: 0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 12*4096kB (M) "
	"= 49152kB",
	"4|Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB",
	"4|Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB",
	"4|0 total pagecache pages",
	"4|0 pages in swap cache",
	"4|Free swap  = 0kB",
	"4|Total swap = 0kB",
	"4|16128 pages RAM",
	"4|0 pages HighMem/MovableOnly",
	"4|0 pages reserved",
	"4|0 pages cma reserved",
	"4|0 pages hwpoisoned",
};

static void test_small_machine(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(SMALL);
	pf_set_report_hook(m, keep, NULL);
	nr_lines = 0;
	pf_show_mem(m);
	size_t n = sizeof want_small / sizeof want_small[0];
	for (size_t i = 0; i < n; i++)
		if (i >= (size_t)nr_lines || strcmp(lines[i], want_small[i])) {
			print_error("line %zu:\n got  '%s'\n want '%s'\n", i, i < (size_t)nr_lines ? lines[i] : "",
				    want_small[i]);
			fail();
		}
	assert_int_equal(nr_lines, (int)n);

	/*
	 * An order-0 page taken: the per-CPU list is refilled from DMA32 (the
	 * GFP_KERNEL zone here) with a batch, so free_pcp and local_pcp show the
	 * pages waiting there and free: drops by the one taken plus those, once
	 * the per-CPU counter differentials are folded (zone_page_state reads
	 * the folded counter only, as the kernel's).
	 */
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	refresh_vm_stats(m);
	nr_lines = 0;
	pf_show_mem(m);
	long pcp = 0;
	for (int i = 0; i < nr_lines; i++) {
		const char *s = strstr(lines[i], "free_pcp:");
		if (strstr(lines[i], " free:") && s && !strstr(lines[i], "Node"))
			pcp = strtol(s + 9, NULL, 10);
	}
	assert_true(pcp > 0);
	char want[128];
	snprintf(want, sizeof want, "4| free:%ld free_pcp:%ld free_cma:0", 16128 - 1 - pcp, pcp);
	assert_int_equal(count_with(want + 2), 1);
	snprintf(want, sizeof want, "free_pcp:%ldkB local_pcp:%ldkB", pcp * 4, pcp * 4);
	assert_int_equal(count_with(want), 1);
	pf_free_pages(p, 0);
	pf_machine_destroy(m);
}

/* Filters: max_zone_idx DMA drops DMA32's lines; a nodemask of node 1 drops node 0's. */
static void test_filters(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 2\nnode 0 cpus 0\nnode 1 cpus 1\nmem 0 0x100000-0x3ffffff\n"
					    "mem 1 0x4000000-0x7ffffff\nbacking none\n");
	pf_set_report_hook(m, keep, NULL);
	nr_lines = 0;
	__show_mem(m, 0, NULL, ZONE_DMA);
	assert_int_equal(count_with("Node 0 DMA free:"), 1);
	assert_int_equal(count_with("DMA32"), 0);
	/* node 1 (all DMA32) has no zone up to DMA: no node or zone lines, only its two hugepage lines */
	assert_int_equal(count_with("Node 1 "), 2);
	assert_int_equal(count_with("Node 1 hugepages_total="), 2);
	nodemask_t only1;
	memset(&only1, 0, sizeof only1);
	node_set(1, &only1);
	nr_lines = 0;
	__show_mem(m, SHOW_MEM_FILTER_NODES, &only1, MAX_NR_ZONES - 1);
	assert_int_equal(count_with("Node 0"), 0);
	assert_int_equal(count_with("Node 1 DMA32 free:65536kB"), 1);
	assert_int_equal(count_with("Node 1 DMA32: "), 1);
	/* the totals count every zone whatever the filter: 16128 + 16384 */
	assert_int_equal(count_with("4|32512 pages RAM"), 1);
	pf_machine_destroy(m);
}

/*
 * A swap area of 16 MiB: 4096 slots, the first the header, so 4095 pages
 * = 16380 kB, all free; kswapd failing MAX_RECLAIM_RETRIES (16) times marks
 * the node all_unreclaimable.
 */
static void test_swap_and_unreclaimable(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(SMALL "swap 16M\n");
	pf_set_report_hook(m, keep, NULL);
	nr_lines = 0;
	pf_show_mem(m);
	assert_int_equal(count_with("4|Free swap  = 16380kB"), 1);
	assert_int_equal(count_with("4|Total swap = 16380kB"), 1);
	assert_int_equal(count_with("all_unreclaimable? no"), 1);
	__atomic_store_n(&m->node_data[0]->kswapd_failures, 16, __ATOMIC_RELAXED);
	nr_lines = 0;
	pf_show_mem(m);
	assert_int_equal(count_with("all_unreclaimable? yes"), 1);
	__atomic_store_n(&m->node_data[0]->kswapd_failures, 0, __ATOMIC_RELAXED);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_machine),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_swap_and_unreclaimable),
	};
	pf_test_watchdog("test_show_mem", 20);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
