/* test_pin_fallback: a movable allocation falling back to an unmovable pageblock claims the whole block exactly when free + alike pages reach half a pageblock (256) and the fallback block is of order >= pageblock_order / 2 (4), else steals only its block - 6.12.117's try_to_steal_block / can_steal_fallback thresholds, worked by hand in tests/data/pinned/WORKED.md. */
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
 * One zone, DMA32 = pfn 0x1000..0x7fff (28 order-10 blocks, all movable), 1 CPU, min_free_kbytes 0:
 * min 0, low 0 + max(0, 28672 * 10 / 10000 = 28) = 28, high 56; batch 7; high_min 28.
 * Every order-10 block is allocated (the last ones through the slow path at min 0: 1024 - 1023 > 0),
 * then block B = 0x2400 (the sixth) is freed: the zone's only free memory, order 10 on the movable list.
 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x7ffffff\nthp never\nsysctl vm.min_free_kbytes=0\n"
#define B 0x2400UL

static bool on_list(struct pf_machine *m, struct zone *z, unsigned order, int mt, unsigned long pfn)
{
	struct list_head *head = &z->free_area[order].free_list[mt];
	for (struct list_head *e = head->next; e != head; e = e->next)
		if ((unsigned long)(list_entry(e, struct pf_page, buddy_list) - m->mem_map) == pfn)
			return true;
	return false;
}

static int block_mt(struct pf_machine *m, unsigned long pfn)
{
	return get_pageblock_migratetype(pf_pfn_to_page(m, pfn));
}

static struct pf_machine *only_b_free(struct zone **zp)
{
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	assert_int_equal(z->_watermark[WMARK_MIN], 0);
	assert_int_equal(z->_watermark[WMARK_LOW], 28);
	struct pf_page *b = NULL;
	for (int k = 0; k < 28; k++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 10);
		assert_non_null(p);
		assert_int_equal(pf_page_to_pfn(p), 0x1000 + 1024UL * (unsigned long)k);
		if (pf_page_to_pfn(p) == B)
			b = p;
	}
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 0);
	pf_free_pages(b, 10);
	assert_int_equal(z->free_area[10].nr_free, 1);
	*zp = z;
	return m;
}

/*
 * Four GFP_KERNEL order-8 blocks: the first claims B whole (order 10 >= pageblock_order: both
 * pageblocks become unmovable, no boost) and expand leaves B+512 (o9) and B+256 (o8); then
 * B+256, B+512 (splitting off B+768) and B+768.  Freeing B+256 leaves pageblock B with exactly
 * 256 free pages (one order-8 block, buddy B still allocated) and no other free page in the zone.
 */
static struct pf_machine *half_free_block(struct zone **zp)
{
	struct pf_machine *m = only_b_free(zp);
	struct pf_page *q[4];
	for (int i = 0; i < 4; i++) {
		q[i] = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_NOWARN, 8);
		assert_non_null(q[i]);
		assert_int_equal(pf_page_to_pfn(q[i]), B + 256UL * (unsigned long)i);
	}
	assert_int_equal(block_mt(m, B), MIGRATE_UNMOVABLE);
	assert_int_equal(block_mt(m, B + 512), MIGRATE_UNMOVABLE);
	pf_free_pages(q[1], 8);
	assert_true(on_list(m, *zp, 8, MIGRATE_UNMOVABLE, B + 256));
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 256);
	return m;
}

/*
 * 256 free, 256 allocated without PG_lru: for a MOVABLE start type alike = movable pages = 0;
 * 256 + 0 >= 1 << (pageblock_order - 1) -> claimed: pageblock B becomes movable, and
 * __rmqueue_smallest(4, MOVABLE) splits B+256: returns B+256, leaves B+384 (o7), B+320 (o6),
 * B+288 (o5), B+272 (o4) on the movable lists.  (Stealing would return B+256 too, but leave the
 * block unmovable and the halves on the unmovable lists.)
 */
static void exactly_half_free_claims(void **state)
{
	(void)state;
	struct zone *z;
	struct pf_machine *m = half_free_block(&z);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 4);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p), B + 256);
	if (block_mt(m, B) != MIGRATE_MOVABLE)
		fail_msg("a pageblock exactly half free was not claimed (type %d); 6.12 claims at free + alike >= 256",
			 block_mt(m, B));
	assert_int_equal(block_mt(m, B + 512), MIGRATE_UNMOVABLE);
	assert_true(on_list(m, z, 7, MIGRATE_MOVABLE, B + 384));
	assert_true(on_list(m, z, 6, MIGRATE_MOVABLE, B + 320));
	assert_true(on_list(m, z, 5, MIGRATE_MOVABLE, B + 288));
	assert_true(on_list(m, z, 4, MIGRATE_MOVABLE, B + 272));
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * One order-0 GFP_KERNEL page first: the per-CPU refill takes batch 7 pages B+256..B+262 (split
 * from B+256's order-8 block, lowest first) and hands out B+256; draining returns the other six,
 * which merge into B+257 (o0), B+258 (o1), B+260 (o2) beside B+264 (o3), B+272 (o4), B+288 (o5),
 * B+320 (o6), B+384 (o7): 255 free.  The movable order-4 request tries to claim at orders 7..4,
 * each time 255 + 0 < 256, then order 3 is below pageblock_order / 2 (break); __rmqueue_steal takes
 * the order-4 block B+272 from the unmovable list.  The block stays unmovable.
 */
static void one_below_half_steals(void **state)
{
	(void)state;
	struct zone *z;
	struct pf_machine *m = half_free_block(&z);
	struct pf_page *one = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(one);
	assert_int_equal(pf_page_to_pfn(one), B + 256);
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 255);
	for (unsigned o = 0; o <= 7; o++)
		assert_true(on_list(m, z, o, MIGRATE_UNMOVABLE, B + 256 + (1UL << o)));
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 4);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p), B + 272);
	if (block_mt(m, B) != MIGRATE_UNMOVABLE)
		fail_msg("a pageblock with 255 free pages was claimed (type %d); 6.12 needs 256", block_mt(m, B));
	assert_true(on_list(m, z, 7, MIGRATE_UNMOVABLE, B + 384));
	assert_true(on_list(m, z, 3, MIGRATE_UNMOVABLE, B + 264));
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * 64 GFP_KERNEL order-4 blocks fill B (the first claims it at order 10; then the lowest halves,
 * so block k is B + 16k).  The pages of pageblock B's other 31 blocks are marked PG_lru (in use on
 * an LRU: prep_move_freepages_block counts them movable), and block 5 (B+80) is freed: 16 free,
 * the only free block in the zone, order 4 on the unmovable list.  A movable order-4 request
 * (slow path: 16 - 15 = 1 > min 0) finds it at current_order 4: can_steal_fallback(4, MOVABLE)
 * holds since 4 >= pageblock_order / 2, and free 16 + alike 496 >= 256 -> the block is claimed
 * (movable) and B+80 returned.  With the order test failing the block would only be stolen from.
 */
static void movable_order4_fallback_claims(void **state)
{
	(void)state;
	struct zone *z;
	struct pf_machine *m = only_b_free(&z);
	struct pf_page *q[64];
	for (int k = 0; k < 64; k++) {
		q[k] = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_NOWARN, 4);
		assert_non_null(q[k]);
		assert_int_equal(pf_page_to_pfn(q[k]), B + 16UL * (unsigned long)k);
	}
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 0);
	for (int k = 0; k < 32; k++)
		if (k != 5)
			for (int i = 0; i < 16; i++)
				q[k][i].flags |= 1UL << PG_lru;
	pf_free_pages(q[5], 4);
	assert_true(on_list(m, z, 4, MIGRATE_UNMOVABLE, B + 80));
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 4);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p), B + 80);
	if (block_mt(m, B) != MIGRATE_MOVABLE)
		fail_msg("an order-4 movable fallback did not claim its block (type %d); 6.12: order >= pageblock_order / 2",
			 block_mt(m, B));
	assert_int_equal(block_mt(m, B + 512), MIGRATE_UNMOVABLE);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

int main(void)
{
	pf_test_watchdog("test_pin_fallback", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exactly_half_free_claims),
		cmocka_unit_test(one_below_half_steals),
		cmocka_unit_test(movable_order4_fallback_claims),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
