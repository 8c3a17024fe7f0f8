/* test_compact_busy_zone: a request whose direct compaction passed a busy zone over but then found its page on the free lists (freed meanwhile) does not wait for that zone's compact_lock to reset the deferral (the holder may wait for a lock the allocating thread holds: the deadlock ccb0939 removed from try_to_compact_pages); an order-2 request whose direct compaction finds the zone's compact_lock taken by another compactor (COMPACT_CONTENDED, try_to_compact_pages) while reclaim keeps making progress retries instead of calling the OOM killer after the second busy round: 6.12 has no such lock, its sync compaction would have compacted the zone, so an OOM kill there is pageframe's alone. */
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

/* one 16 MiB zone, DMA32 pfn 0x1000..0x1fff, one CPU, min watermark 0 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x1ffffff\nthp never\nsysctl vm.min_free_kbytes=0\n"
#define NPAGES 4096

static struct pf_machine *mach;
static struct zone *busy;		/* the zone whose compact_lock the test holds */
static bool held;
static int oom_calls;
static long stall_release = 3;		/* the reclaim round that lets the lock go */

static void let_go(void)
{
	if (held) {
		pf_spin_unlock(&busy->compact_lock);
		held = false;
	}
}

/* a clean file page: the owner always lets go; the "other compactor" finishes in round 3 */
static bool release(struct pf_address_space *mapping, struct pf_page *page, unsigned long shadow)
{
	(void)mapping;
	(void)page;
	(void)shadow;
	if (pf_test_vmstat(mach, "allocstall_normal") >= stall_release)
		let_go();
	return true;
}

static const struct pf_address_space_operations aops = { .release_folio = release };
static struct pf_address_space as = { .a_ops = &aops };

static bool mv_isolate(struct pf_page *page, int mode)
{
	(void)page;
	(void)mode;
	return true;
}

static int mv_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)dst;
	(void)src;
	(void)mode;
	return 0;
}

static void mv_putback(struct pf_page *page)
{
	(void)page;
}

static const struct pf_movable_operations mops = { mv_isolate, mv_migrate, mv_putback };

static bool oom_hook(void *arg, pf_gfp_t gfp, unsigned order)
{
	(void)arg;
	(void)gfp;
	(void)order;
	oom_calls++;
	let_go();	/* so the request can finish either way */
	return true;
}

static void busy_zone_no_oom(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = mach = pf_test_boot(MACHINE);
	pf_set_oom_hook(m, oom_hook, NULL);
	busy = &m->node_data[0]->node_zones[ZONE_DMA32];

	/*
	 * Every page taken, then per aligned group of four: a movable page
	 * (compaction can move it), a clean file page on the LRU (reclaim can
	 * free it), two free pages.  No free block above order 1 and none
	 * after any reclaim: each group keeps its movable page until
	 * compaction moves it.
	 */
	static struct pf_page *pages[NPAGES];
	int n = 0;
	while (n < NPAGES && (pages[n] = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN, 0)))
		n++;
	assert_true(n > NPAGES / 2);
	int movable = 0, lru = 0;
	for (int i = 0; i < n; i++) {
		unsigned long pfn = pf_page_to_pfn(pages[i]);
		if ((pfn & 3) == 0) {
			pf_set_page_movable(pages[i], &mops);
			movable++;
		} else if ((pfn & 3) == 1) {
			assert_int_equal(pf_lru_cache_add(pages[i], &as, PF_LRU_FILE), 0);
			lru++;
		} else {
			pf_free_pages(pages[i], 0);
		}
	}
	assert_true(movable > 64 && lru > 64);
	pf_drain_all_pages(m);
	for (unsigned int o = 2; o < NR_PAGE_ORDERS; o++)
		assert_int_equal(busy->free_area[o].nr_free, 0);

	/*
	 * Another compactor has the zone.  GFP_KERNEL order 2: the slow path's
	 * first async compaction and each round's compaction find the lock
	 * taken; reclaim frees file pages each round (progress), the order-2
	 * watermark cannot be met (should_reclaim_retry says no), so
	 * should_compact_retry decides: round 1 at SYNC_LIGHT raises the
	 * priority, round 2 is at SYNC_FULL already.  The compactor is done
	 * during round 3's reclaim; round 3's compaction then gives the block.
	 */
	pf_spin_lock(&busy->compact_lock);
	held = true;
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL | PF___GFP_NOWARN, 2);
	let_go();
	assert_int_equal(oom_calls, 0);
	assert_non_null(p);
	assert_true(pf_test_vmstat(m, "allocstall_normal") >= 3);
	pf_free_pages(p, 2);
	pf_bind_cpu(-1);
}

/*
 * ---- a page found after the busy zone was passed over ----
 * The test thread holds the zone's compact_lock, standing for a compactor
 * that waits, inside an owner's callback, for a lock the allocating thread
 * holds: it can let go only once the allocation returns.
 */
static struct pf_page *held_block;

static void free_held_block(void *arg, const char *line)
{
	(void)arg;
	if (held_block && strstr(line, "mm_compaction_try_to_compact_pages")) {
		pf_free_pages(held_block, 2);	/* another thread's free, while the slow path compacts */
		held_block = NULL;
	}
}

static void page_after_busy_zone(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = mach = pf_test_boot(MACHINE);
	busy = &m->node_data[0]->node_zones[ZONE_DMA32];

	/* an order-2 block set aside, every other page of the rest freed: no free block of order 2 or more */
	held_block = pf_alloc_pages(m, PF_GFP_KERNEL, 2);
	assert_non_null(held_block);
	pf_drain_all_pages(m);	/* the other order-2 blocks of the refill back to the buddy lists */
	static struct pf_page *pages[NPAGES];
	int n = 0;
	while (n < NPAGES && (pages[n] = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN, 0)))
		n++;
	for (int i = 0; i < n; i++)
		if (pf_page_to_pfn(pages[i]) & 1) {
			pf_free_pages(pages[i], 0);
			pages[i] = NULL;
		}
	pf_drain_all_pages(m);
	/* what the order-0 requests left in whole blocks (watermarks), taken as blocks */
	static struct pf_page *rest[64];
	static unsigned int rest_order[64];
	int nrest = 0;
	for (unsigned int o = NR_PAGE_ORDERS - 1; o >= 2; o--)
		while (nrest < 64 && (rest[nrest] = pf_alloc_pages(m, PF_GFP_ATOMIC | PF___GFP_NOWARN, o)))
			rest_order[nrest++] = o;
	pf_drain_all_pages(m);
	for (unsigned int o = 2; o < NR_PAGE_ORDERS; o++)
		assert_int_equal(busy->free_area[o].nr_free, 0);

	/*
	 * GFP_KERNEL order 2 (unmovable: the slow path's async compaction comes
	 * first): the freelists fail, try_to_compact_pages traces, the block is
	 * freed to this CPU's order-2 list, the zone is passed over
	 * (COMPACT_CONTENDED) and the second freelist attempt takes the block.
	 */
	assert_int_equal(pf_set_trace(m, "mm_compaction_try_to_compact_pages", free_held_block, NULL), 0);
	pf_spin_lock(&busy->compact_lock);
	held = true;
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL | PF___GFP_NOWARN, 2);
	let_go();
	pf_set_trace(m, NULL, NULL, NULL);
	assert_null(held_block);
	assert_non_null(p);
	pf_free_pages(p, 2);
	for (int i = 0; i < n; i++)
		if (pages[i])
			pf_free_pages(pages[i], 0);
	for (int i = 0; i < nrest; i++)
		pf_free_pages(rest[i], rest_order[i]);
	pf_test_check(m, "after the busy zone");
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

int main(void)
{
	/* a wait for the compact_lock this thread holds never ends: the watchdog reports it */
	pf_test_watchdog("test_compact_busy_zone", 20);
	const struct CMUnitTest tests[] = { cmocka_unit_test(busy_zone_no_oom), cmocka_unit_test(page_after_busy_zone) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
