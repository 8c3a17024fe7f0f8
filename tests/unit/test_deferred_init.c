/*
 * test_deferred_init: deferred struct page init (src/mm/deferred_init.c).  A machine whose free
 * top-order blocks keep unwritten struct pages shows exactly what an eagerly booted twin
 * (deferred_struct_page_init off) shows: every /proc view byte for byte at boot and after the
 * same random operations (which hand out the same pfns on both), pf_check clean throughout;
 * once deferred_init_all has written the rest, every struct page, every free list in order and
 * every counter equal.  Walkers by pfn (contiguous ranges, pf_pfn_to_page, compaction) write
 * what they touch; a 1 TiB machine boots with a handful of blocks written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"
#include "pf_testlib.h"
#include "machine_compare.h"

/* 2 CPUs, DMA + DMA32 of 256 MiB */
#define MACHINE "cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0xfffffff\n"
#define EAGER "deferred_struct_page_init off\n"

/* every view that reads counters or walks pfns, compared as text (kpageflags/kpagecount as bytes) */
static void compare_views(struct pf_machine *a, struct pf_machine *b)
{
	static const char *const views[] = { "vmstat", "zoneinfo", "buddyinfo", "pagetypeinfo", "pageblocks",
					     "kpageflags", "kpagecount" };
	for (unsigned v = 0; v < sizeof views / sizeof views[0]; v++) {
		char *sa = NULL, *sb = NULL;
		size_t la = 0, lb = 0;
		FILE *fa = open_memstream(&sa, &la), *fb = open_memstream(&sb, &lb);
		assert_int_equal(pf_show(a, views[v], fa), 0);
		assert_int_equal(pf_show(b, views[v], fb), 0);
		fclose(fa);
		fclose(fb);
		if (la != lb || memcmp(sa, sb, la)) {
			size_t i = 0;
			while (i < la && i < lb && sa[i] == sb[i])
				i++;
			fail_msg("%s differs at byte %zu of %zu/%zu (eager first):\n%.160s\n---\n%.160s", views[v], i, la,
				 lb, sa + (i > 80 ? i - 80 : 0), sb + (i > 80 ? i - 80 : 0));
		}
		free(sa);
		free(sb);
	}
}

static void check(struct pf_machine *m)
{
	char err[256];
	if (pf_check(m, err, sizeof err))
		fail_msg("pf_check: %s", err);
}

/*
 * Boot: the free ranges are pfns [0x1, 0x9f) and [0x100, 0x10000).  The first holds no aligned
 * 1024-page block; the second the blocks at 0x400, 0x800, ..., 0xfc00: (0x10000 - 0x400) / 0x400
 * = 63, of which 0x400..0xc00 (3) lie in DMA (below pfn 0x1000) and 60 in DMA32.  Boot writes
 * the lowest block of each zone (the head of its top-order movable list): 2 written, 61 deferred
 * (DMA 2, DMA32 59).  deferred_init_all writes the other 61.
 */
static void boot_counts_and_full_init(void **state)
{
	(void)state;
	struct pf_machine *e = pf_test_boot(MACHINE EAGER), *l = pf_test_boot(MACHINE);
	struct zone *dma = &l->node_data[0]->node_zones[ZONE_DMA], *dma32 = &l->node_data[0]->node_zones[ZONE_DMA32];
	assert_int_equal(e->nr_deferred_blocks, 0);
	assert_int_equal(e->nr_deferred_inited, 0);
	assert_int_equal(l->nr_deferred_blocks, 61);
	assert_int_equal(dma->nr_deferred_blocks, 2);
	assert_int_equal(dma32->nr_deferred_blocks, 59);
	assert_int_equal(l->nr_deferred_inited, 2);
	/* the written heads: the lowest block of each zone, alone on its list */
	assert_true(deferred_pfn(l, 0x800) && !deferred_pfn(l, 0x400) && !deferred_pfn(l, 0x1000));
	assert_int_equal(pf_page_to_pfn(list_first_entry(&dma->free_area[MAX_PAGE_ORDER].free_list[MIGRATE_MOVABLE],
							 struct pf_page, buddy_list)), 0x400);
	/* the struct page of a deferred block is unwritten memory (zero) */
	assert_int_equal(l->mem_map[0x800].flags, 0);
	assert_int_equal(l->mem_map[0xfc00 + 5].flags, 0);
	check(l);
	compare_views(e, l);

	deferred_init_all(l);
	assert_int_equal(l->nr_deferred_blocks, 0);
	assert_int_equal(dma->nr_deferred_blocks + dma32->nr_deferred_blocks, 0);
	assert_int_equal(l->nr_deferred_inited, 63);
	check(l);
	compare_machines(e, l);
	compare_views(e, l);
	pf_machine_destroy(e);
	pf_machine_destroy(l);
}

/*
 * Two nodes, ZONE_MOVABLE from kernelcore=, a reservation splitting a free range, a CMA area:
 * deferred blocks on both sides of every zone and node boundary.  The views equal the eager
 * twin's at boot, after some allocations from each zone, and after deferred_init_all (then
 * every struct page of node 0 too).
 */
static void nodes_zones_and_holes(void **state)
{
	(void)state;
	assert_int_equal(pf_bind_cpu(0), 0);
#define TWO_NODES "cpus 4\nnode 0 cpus 0-1\nnode 1 cpus 2-3\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7fffffff\n" \
		  "mem 1 0x80000000-0x17fffffff\nreserve 0x2000000-0x20fffff\ncmdline kernelcore=1G\ncma 32M\n"
	struct pf_machine *e = pf_test_boot(TWO_NODES EAGER), *l = pf_test_boot(TWO_NODES);
	assert_true(l->nr_deferred_blocks > 0);
	check(l);
	compare_views(e, l);
	const pf_gfp_t gfps[] = { PF_GFP_KERNEL, PF_GFP_HIGHUSER_MOVABLE, PF_GFP_DMA32 | PF_GFP_KERNEL,
				  PF_GFP_DMA | PF_GFP_KERNEL };
	struct pf_page *pe[64], *pl[64];
	for (int i = 0; i < 64; i++) {
		unsigned order = i % 3 == 0 ? MAX_PAGE_ORDER : (unsigned)(i % 5);
		pe[i] = pf_alloc_pages_node(e, i % 2, gfps[i % 4] | PF___GFP_NOWARN, order);
		pl[i] = pf_alloc_pages_node(l, i % 2, gfps[i % 4] | PF___GFP_NOWARN, order);
		assert_true((pe[i] == NULL) == (pl[i] == NULL));
		if (pe[i])
			assert_int_equal(pf_page_to_pfn(pe[i]), pf_page_to_pfn(pl[i]));
	}
	check(l);
	compare_views(e, l);
	for (int i = 0; i < 64; i++) {
		unsigned order = i % 3 == 0 ? MAX_PAGE_ORDER : (unsigned)(i % 5);
		if (pe[i]) {
			pf_free_pages(pe[i], order);
			pf_free_pages(pl[i], order);
		}
	}
	pf_drain_all_pages(e);
	pf_drain_all_pages(l);
	deferred_init_all(l);
	assert_int_equal(l->nr_deferred_blocks, 0);
	check(l);
	compare_views(e, l);
	compare_machines(e, l);
	pf_machine_destroy(e);
	pf_machine_destroy(l);
	pf_bind_cpu(-1);
}

/*
 * A memmap that must be written: 1.5 GiB with deferred init off is 0x9e + (0x60000 - 0x100) =
 * 392862 pfns of struct pages, above the 2^18 from which the pgdatinit threads share it in
 * chunks of 2^16 pfns.  The result equals what deferred_init_all writes on the deferred twin,
 * page by page.
 */
static void pgdatinit_threads_write_what_deferred_init_writes(void **state)
{
	(void)state;
#define ONE_AND_A_HALF_GIB "cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x5fffffff\nbacking none\n"
	struct pf_machine *e = pf_test_boot(ONE_AND_A_HALF_GIB EAGER), *l = pf_test_boot(ONE_AND_A_HALF_GIB);
	assert_int_equal(e->nr_deferred_blocks, 0);
	compare_views(e, l);
	deferred_init_all(l);
	compare_machines(e, l);
	check(e);
	pf_machine_destroy(e);
	pf_machine_destroy(l);
}

struct live {
	struct pf_page *page;
	unsigned order;
};
#define SLOTS 1024

/* The same random operations on both: the same pfns every step, the same views at checkpoints. */
static void same_ops_same_pages(void **state)
{
	(void)state;
	assert_int_equal(pf_bind_cpu(0), 0);
	struct pf_machine *e = pf_test_boot(MACHINE EAGER), *l = pf_test_boot(MACHINE);
	static struct live le[SLOTS], ll[SLOTS];
	const pf_gfp_t gfps[] = { PF_GFP_KERNEL, PF_GFP_HIGHUSER_MOVABLE, PF_GFP_KERNEL | PF___GFP_RECLAIMABLE,
				  PF_GFP_DMA32 | PF_GFP_KERNEL };
	uint64_t rng = 0xdefe44ed;
	unsigned long top_allocs = 0;
	for (int step = 0; step < 30000; step++) {
		uint64_t r = pf_test_xorshift64s(&rng);
		unsigned k = (unsigned)(r % SLOTS);
		unsigned what = (unsigned)((r >> 20) % 100);
		if (what < 2) {
			pf_drain_all_pages(e);
			pf_drain_all_pages(l);
		} else if (le[k].page) {
			pf_free_pages(le[k].page, le[k].order);
			pf_free_pages(ll[k].page, ll[k].order);
			le[k].page = ll[k].page = NULL;
		} else {
			unsigned w = (unsigned)((r >> 32) % 100);
			unsigned order = w < 60 ? 0 : w < 85 ? 1 + w % 3 : w < 93 ? 4 : w < 98 ? 9 : MAX_PAGE_ORDER;
			pf_gfp_t gfp = gfps[(r >> 40) % 4] | PF___GFP_NOWARN | PF___GFP_NORETRY;
			le[k].page = pf_alloc_pages(e, gfp, order);
			ll[k].page = pf_alloc_pages(l, gfp, order);
			le[k].order = ll[k].order = order;
			if ((le[k].page == NULL) != (ll[k].page == NULL))
				fail_msg("step %d: order %u gfp %#x: eager %s, deferred %s", step, order, gfp,
					 le[k].page ? "got a page" : "failed", ll[k].page ? "got a page" : "failed");
			if (le[k].page && pf_page_to_pfn(le[k].page) != pf_page_to_pfn(ll[k].page))
				fail_msg("step %d: order %u: eager pfn %#lx, deferred pfn %#lx", step, order,
					 pf_page_to_pfn(le[k].page), pf_page_to_pfn(ll[k].page));
			top_allocs += le[k].page && order == MAX_PAGE_ORDER;
		}
		if (step % 3000 == 2999) {
			check(l);
			compare_views(e, l);
		}
	}
	/* the operations reached into the deferred blocks, and some are still deferred */
	assert_true(l->nr_deferred_inited > 2 && top_allocs > 0);
	assert_true(l->nr_deferred_blocks > 0);
	compare_bulk_refills(e, l);
	for (unsigned k = 0; k < SLOTS; k++)
		if (le[k].page) {
			pf_free_pages(le[k].page, le[k].order);
			pf_free_pages(ll[k].page, ll[k].order);
		}
	pf_drain_all_pages(e);
	pf_drain_all_pages(l);
	check(l);
	compare_views(e, l);
	deferred_init_all(l);
	check(l);
	compare_machines(e, l);
	pf_machine_destroy(e);
	pf_machine_destroy(l);
	pf_bind_cpu(-1);
}

/*
 * Walkers by pfn write the deferred blocks they reach and no others: pf_pfn_to_page (block 0x800),
 * a contiguous range inside block 0x2000, compaction of every zone; the views still match the
 * eager twin's where the lists' order does not enter (counters, block types).
 */
static void walkers_write_what_they_touch(void **state)
{
	(void)state;
	struct pf_machine *l = pf_test_boot(MACHINE);
	unsigned long inited = l->nr_deferred_inited;

	struct pf_page *p = pf_pfn_to_page(l, 0x800);
	assert_non_null(p);
	assert_false(deferred_pfn(l, 0x800));
	assert_true(PageBuddy(p) && buddy_order(p) == MAX_PAGE_ORDER);
	assert_int_equal(page_ref_count(p + 1), 0);
	assert_int_equal(l->nr_deferred_inited, inited + 1);
	check(l);

	/* pfns [0x2100, 0x2200): one pageblock of the block at 0x2000 */
	assert_true(deferred_pfn(l, 0x2000));
	assert_int_equal(pf_alloc_contig_range(l, 0x2100, 0x2200, PF_GFP_KERNEL), 0);
	assert_false(deferred_pfn(l, 0x2000));
	assert_true(deferred_pfn(l, 0x1c00) && deferred_pfn(l, 0x2400));
	assert_int_equal(l->nr_deferred_inited, inited + 2);
	check(l);
	pf_free_contig_range(l, 0x2100, 0x100);
	check(l);

	assert_int_equal(pf_sysctl_set(l, "compact_memory", "1"), 0);
	check(l);
	pf_machine_destroy(l);
}

/*
 * 1 TiB of 'backing none': 3 GiB below 4 GiB, the rest from 4 GiB up.  The free ranges holding
 * top-order blocks: [0x100, 0xc0000), whose (0xc0000 - 0x400) / 0x400 = 767 blocks are 3 in DMA
 * (as above) and 764 in DMA32, and [0x100000, 0x10040000) in Normal: (0x10040000 - 0x100000) /
 * 0x400 = 0xff40000 / 0x400 = 261376 blocks.  262143 in all; boot writes 3 (one per zone).  Each
 * order-10 allocation from Normal writes one more; pf_check writes none.
 */
static void terabyte_boots_with_three_blocks(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0xbfffffff\n"
					    "mem 0 0x100000000-0x1003fffffff\nbacking none\n");
	assert_int_equal(m->nr_deferred_inited, 3);
	assert_int_equal(m->nr_deferred_blocks, 262143 - 3);
	struct zone *normal = &m->node_data[0]->node_zones[ZONE_NORMAL];
	assert_int_equal(zone_managed_pages(normal), 261376UL << MAX_PAGE_ORDER);
	assert_int_equal(normal->free_area[MAX_PAGE_ORDER].nr_free, 261376);
	struct pf_page *a = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, MAX_PAGE_ORDER);
	struct pf_page *b = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, MAX_PAGE_ORDER);
	assert_non_null(a);
	assert_non_null(b);
	/* the lowest blocks of Normal, in order, as the eager boot's list holds them */
	assert_int_equal(pf_page_to_pfn(a), 0x100000);
	assert_int_equal(pf_page_to_pfn(b), 0x100400);
	assert_int_equal(m->nr_deferred_inited, 5);
	check(m);
	assert_int_equal(m->nr_deferred_inited, 5);
	pf_free_pages(a, MAX_PAGE_ORDER);
	pf_free_pages(b, MAX_PAGE_ORDER);
	check(m);
	pf_machine_destroy(m);
}

/*
 * A bogus free (or put_page) of a pointer into an unwritten block is the bad free an eager
 * machine reports: the page is free (refcount 0), so "VM_BUG_ON_PAGE(page_ref_count(page) == 0)"
 * with the page dumped as the free buddy page of DMA32 (zone 1) it is; nothing freed, counted
 * once each, pf_check clean.  On a machine in a later slot an unwritten struct page reads as
 * machine 0's (its flags are zero); that must not be taken for a hole without memmap.
 */
struct bad_log {
	int bad, hole, dma32_dumps, refcount_zero;
};

static void bad_hook(void *arg, int level, const char *line)
{
	struct bad_log *log = arg;
	(void)level;
	log->bad += strncmp(line, "BUG: Bad page state", 19) == 0;
	log->hole += strstr(line, "has no memmap") != NULL;
	log->dma32_dumps += strstr(line, "(node=0|zone=1|") != NULL;
	log->refcount_zero += strstr(line, "page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) == 0)") != NULL;
}

static void bad_frees_of_unwritten_pages(struct pf_machine *l)
{
	struct bad_log log = { 0 };
	pf_set_report_hook(l, bad_hook, &log);
	long bad0 = pf_test_vmstat(l, "pageframe_bad_pages");
	assert_true(deferred_pfn(l, 0x2000) && deferred_pfn(l, 0x3000));
	/* pointers made without pf_pfn_to_page (which would write the block) */
	pf_free_pages(pfn_to_page(l, 0x2000), 0);
	pf_free_pages(pfn_to_page(l, 0x2005), 0);
	pf_free_pages(pfn_to_page(l, 0x2000), MAX_PAGE_ORDER);
	pf_put_page(pfn_to_page(l, 0x3007));
	assert_int_equal(log.hole, 0);
	assert_int_equal(log.bad, 4);
	assert_int_equal(log.refcount_zero, 4);
	assert_int_equal(log.dma32_dumps, 4);
	assert_int_equal(pf_test_vmstat(l, "pageframe_bad_pages"), bad0 + 4);
	check(l);
	pf_set_report_hook(l, NULL, NULL);
}

static void bad_free_of_unwritten_page(void **state)
{
	(void)state;
	struct pf_machine *l = pf_test_boot(MACHINE);
	bad_frees_of_unwritten_pages(l);
	/* a second machine lives in slot 1 */
	struct pf_machine *l2 = pf_test_boot(MACHINE);
	bad_frees_of_unwritten_pages(l2);
	pf_machine_destroy(l2);
	pf_machine_destroy(l);
}

/*
 * A candidate range of pf_alloc_contig_pages that begins inside a deferred block.  The free ranges
 * of MACHINE with page 0x17ff reserved: [0x1000, 0x17ff) and [0x1800, 0x10000) in DMA32, so the
 * deferred blocks of DMA32 are 0x1000 (the lowest: written at boot) and 0x1800 .. 0xfc00; block
 * 0x1400 is not whole, it is written at boot.  2049 pages from node 0 with GFP_KERNEL: DMA32 first
 * (no Normal zone), candidates from ALIGN(0x1000, 2049) = (0x1000 + 0x800) & ~0x800 = 0x1000, a
 * step of 2049 (0x801):
 *   [0x1000, 0x1801) holds the reserved page 0x17ff: not valid;
 *   [0x1801, 0x2002) is free (its first page inside the unwritten block 0x1800): taken.
 * So both machines return pfn 0x1801.  (Judged by the unwritten struct page of 0x1801, all zero,
 * every candidate of DMA32 after the first began inside a deferred block and was refused - 0x1000
 * + 2049k is 1024-aligned only for k a multiple of 1024 - and DMA has no 2049 free pages in a row.)
 */
static void contig_candidate_inside_deferred_block(void **state)
{
	(void)state;
#define RESERVED_17FF "reserve 0x17ff000-0x17fffff\n"
	struct pf_machine *e = pf_test_boot(MACHINE RESERVED_17FF EAGER), *l = pf_test_boot(MACHINE RESERVED_17FF);
	assert_true(deferred_pfn(l, 0x1800) && deferred_pfn(l, 0x2000) && !deferred_pfn(l, 0x1400));
	struct pf_page *pe = pf_alloc_contig_pages(e, 2049, PF_GFP_KERNEL | PF___GFP_NOWARN, 0);
	struct pf_page *pl = pf_alloc_contig_pages(l, 2049, PF_GFP_KERNEL | PF___GFP_NOWARN, 0);
	assert_non_null(pe);
	assert_int_equal(pf_page_to_pfn(pe), 0x1801);
	assert_non_null(pl);
	assert_int_equal(pf_page_to_pfn(pl), 0x1801);
	check(l);
	pf_free_contig_range(e, 0x1801, 2049);
	pf_free_contig_range(l, 0x1801, 2049);
	check(l);
	pf_machine_destroy(e);
	pf_machine_destroy(l);
#undef RESERVED_17FF
}

/*
 * vm.defrag_mode (6.15's kcompactd test: free pages in whole free pageblocks against the high
 * watermark) counts the deferred blocks, which are free whole pageblocks though on no list.
 * DMA32 of MACHINE: managed 0xf000 = 61440 pages, all free in 60 top-order blocks (eager: all
 * on the list; deferred: 0x1000 on it, 59 deferred).  Watermarks (__setup_per_zone_wmarks), with
 * lowmem = DMA + DMA32 managed pages (read back from the machine, and min_free_kbytes too):
 *   min = pages_min * 61440 / lowmem, gap = max(min / 4, 61440 * 10 / 10000 = 61),
 *   high = min + 2 * gap, which the assertions below check is under 61440 - 511 - 1
 * (the order-9 test: free block pages - (2^9 - 1) > high, lowmem_reserve[DMA32] of DMA32 is 0)
 * and over 1024 - 511 (what the one listed block alone gives).  So kcompactd, woken for order 9
 * up to DMA32, finds every zone already good (DMA: 0x200's order-9 block and 0x400..0xc00, 3584
 * pages against a high mark of a few dozen) and compacts nothing: no pages scanned on either
 * machine.
 */
static void defrag_mode_counts_deferred_blocks(void **state)
{
	(void)state;
	struct pf_machine *e = pf_test_boot(MACHINE EAGER), *l = pf_test_boot(MACHINE);
	struct pf_machine *ms[2] = { e, l };
	for (int i = 0; i < 2; i++) {
		struct pf_machine *m = ms[i];
		struct zone *dma32 = &m->node_data[0]->node_zones[ZONE_DMA32];
		assert_int_equal(zone_managed_pages(dma32), 61440);
		assert_int_equal(dma32->free_area[MAX_PAGE_ORDER].nr_free, 60);
		unsigned long high = high_wmark_pages(dma32);
		assert_true(high > 1024 - 511 && 61440 - 511 > high);
		assert_int_equal(pf_sysctl_set(m, "defrag_mode", "1"), 0);
		wakeup_kcompactd(m->node_data[0], 9, ZONE_DMA32);
		assert_int_equal(pf_kcompactd_run(m, 0), PF_KCOMPACTD_WORK);
		print_message("%s: compact_daemon_migrate_scanned %ld, compact_daemon_free_scanned %ld\n",
			      m == e ? "eager" : "deferred", pf_test_vmstat(m, "compact_daemon_migrate_scanned"),
			      pf_test_vmstat(m, "compact_daemon_free_scanned"));
		assert_int_equal(pf_test_vmstat(m, "compact_daemon_wake"), 1);
		assert_int_equal(pf_test_vmstat(m, "compact_daemon_migrate_scanned"), 0);
		assert_int_equal(pf_test_vmstat(m, "compact_daemon_free_scanned"), 0);
	}
	assert_int_equal(l->node_data[0]->node_zones[ZONE_DMA32].nr_deferred_blocks, 59);	/* nothing written */
	check(l);
	compare_views(e, l);
	pf_machine_destroy(e);
	pf_machine_destroy(l);
}

int main(void)
{
	/* one host CPU: the zone counters' per-CPU differentials of the two machines stay comparable */
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof one, &one))
		perror("sched_setaffinity (the comparison may then depend on scheduling)");
	pf_test_watchdog("test_deferred_init", 150);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boot_counts_and_full_init),
		cmocka_unit_test(same_ops_same_pages),
		cmocka_unit_test(nodes_zones_and_holes),
		cmocka_unit_test(pgdatinit_threads_write_what_deferred_init_writes),
		cmocka_unit_test(walkers_write_what_they_touch),
		cmocka_unit_test(terabyte_boots_with_three_blocks),
		cmocka_unit_test(bad_free_of_unwritten_page),
		cmocka_unit_test(contig_candidate_inside_deferred_block),
		cmocka_unit_test(defrag_mode_counts_deferred_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
