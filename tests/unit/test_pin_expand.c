/* test_pin_expand: a split hands out the lowest part of the block and leaves one upper half per order on the free lists (6.12 expand), frees go to a list's head unless the merged block is likely to merge again (buddy_merge_likely), and the next allocation takes a list's head - exact pfns worked by hand (tests/data/pinned/WORKED.md). */
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

/* DMA32 only (pfn 0x1000..0x7fff, 28 movable order-10 blocks in ascending order), 1 CPU; orders 4..8 and 10 never use the per-CPU lists. */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x7ffffff\nthp never\n"

/* The movable lists of orders 4..9 in list order, "o:pfn,pfn o:pfn", then the order-10 count. */
static void lists(struct pf_machine *m, char *buf, size_t len)
{
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	size_t used = 0;
	buf[0] = 0;
	for (unsigned o = 4; o <= 9; o++) {
		struct list_head *head = &z->free_area[o].free_list[MIGRATE_MOVABLE];
		if (head->next == head)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%u:", o);
		for (struct list_head *e = head->next; e != head; e = e->next)
			used += (size_t)snprintf(buf + used, len - used, "%lx%s",
						 (unsigned long)(list_entry(e, struct pf_page, buddy_list) - m->mem_map),
						 e->next == head ? " " : ",");
	}
	snprintf(buf + used, len - used, "10:x%lu", z->free_area[10].nr_free);
}

static struct pf_page *alloc(struct pf_machine *m, unsigned order, unsigned long want_pfn, const char *want_lists)
{
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, order);
	assert_non_null(p);
	char got[512];
	lists(m, got, sizeof got);
	if (pf_page_to_pfn(p) != want_pfn || strcmp(got, want_lists) != 0)
		fail_msg("order %u: pfn %#lx, lists \"%s\"; 6.12: pfn %#lx, lists \"%s\"", order, pf_page_to_pfn(p), got,
			 want_pfn, want_lists);
	return p;
}

static void release(struct pf_machine *m, struct pf_page *p, unsigned order, const char *want_lists)
{
	pf_free_pages(p, order);
	char got[512];
	lists(m, got, sizeof got);
	if (strcmp(got, want_lists) != 0)
		fail_msg("free of %#lx order %u: lists \"%s\"; 6.12: \"%s\"", pf_page_to_pfn(p), order, got, want_lists);
}

static void split_and_refill(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	/* 0x1000 (o10) split down to order 4: the lower part is handed out, the upper halves stay */
	struct pf_page *a1 = alloc(m, 4, 0x1000, "4:1010 5:1020 6:1040 7:1080 8:1100 9:1200 10:x27");
	struct pf_page *a2 = alloc(m, 6, 0x1040, "4:1010 5:1020 7:1080 8:1100 9:1200 10:x27");
	struct pf_page *a3 = alloc(m, 4, 0x1010, "5:1020 7:1080 8:1100 9:1200 10:x27");
	struct pf_page *a4 = alloc(m, 5, 0x1020, "7:1080 8:1100 9:1200 10:x27");
	struct pf_page *a5 = alloc(m, 7, 0x1080, "8:1100 9:1200 10:x27");
	struct pf_page *a6 = alloc(m, 4, 0x1100, "4:1110 5:1120 6:1140 7:1180 9:1200 10:x27");
	/*
	 * 0x1010 (o4): buddy 0x1000 in use; buddy_merge_likely looks at 0x1000's order-5 buddy 0x1020:
	 * in use -> the head of the order-4 list, before expand's 0x1110; the next order-4 request takes it.
	 */
	release(m, a3, 4, "4:1010,1110 5:1120 6:1140 7:1180 9:1200 10:x27");
	/* 0x1040 (o6): buddy 0x1000 in use, 0x1000's order-7 buddy 0x1080 in use -> head */
	release(m, a2, 6, "4:1010,1110 5:1120 6:1040,1140 7:1180 9:1200 10:x27");
	struct pf_page *a8 = alloc(m, 6, 0x1040, "4:1010,1110 5:1120 6:1140 7:1180 9:1200 10:x27");
	release(m, a5, 7, "4:1010,1110 5:1120 6:1140 7:1080,1180 9:1200 10:x27");
	/* 0x1100 (o4) merges with 0x1110, 0x1120, 0x1140, 0x1180 up to order 8 (0x1000 in use stops it) */
	release(m, a6, 4, "4:1010 7:1080 8:1100 9:1200 10:x27");
	struct pf_page *a9 = alloc(m, 7, 0x1080, "4:1010 8:1100 9:1200 10:x27");
	struct pf_page *a10 = alloc(m, 4, 0x1010, "8:1100 9:1200 10:x27");
	struct pf_page *a11 = alloc(m, 4, 0x1100, "4:1110 5:1120 6:1140 7:1180 9:1200 10:x27");
	/* an order-10 request takes the head of the order-10 list, 0x1400 */
	struct pf_page *big = alloc(m, 10, 0x1400, "4:1110 5:1120 6:1140 7:1180 9:1200 10:x26");

	release(m, big, 10, "4:1110 5:1120 6:1140 7:1180 9:1200 10:x27");
	/* 0x1020 (o5) and 0x1040 (o6): buddies in use, 0x1000's next buddies (0x1040, 0x1080) in use -> heads */
	release(m, a4, 5, "4:1110 5:1020,1120 6:1140 7:1180 9:1200 10:x27");
	release(m, a8, 6, "4:1110 5:1020,1120 6:1040,1140 7:1180 9:1200 10:x27");
	/* 0x1000 (o4): buddy 0x1010 in use, but the pair's order-5 buddy 0x1020 is free -> likely to merge: tail */
	release(m, a1, 4, "4:1110,1000 5:1020,1120 6:1040,1140 7:1180 9:1200 10:x27");
	/* 0x1010 merges with 0x1000, 0x1020, 0x1040 into 0x1000 (o7); its order-8 buddy 0x1100 is in use -> head */
	release(m, a10, 4, "4:1110 5:1120 6:1140 7:1000,1180 9:1200 10:x27");
	/* 0x1080 merges into 0x1000 (o8), whose order-9 buddy 0x1200 is free -> tail (alone on its list) */
	release(m, a9, 7, "4:1110 5:1120 6:1140 7:1180 8:1000 9:1200 10:x27");
	/* 0x1100 merges up to order 10 again */
	release(m, a11, 4, "10:x28");
	char got[512];
	lists(m, got, sizeof got);
	assert_string_equal(got, "10:x28");
	pf_test_check(m, "after the frees");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_pin_expand", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(split_and_refill) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
