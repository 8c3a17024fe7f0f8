/* test_migrate_compound: compound order-2 and order-9 blocks and a plain order-2 block move as one: every page's contents intact, the destination a block of the same order and kind (compound tails pointing at the new head), pgmigrate_success counting pages and thp_migration_success/fail counting the order-9 block only. */
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
#include "mm/migrate.h"
#include "test_migrate_owner.h"

static void blocks_move_whole(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	int c2 = ow_alloc(2, true), c9 = ow_alloc(9, true), p2 = ow_alloc(2, false);
	int idx[3] = { c2, c9, p2 };
	struct pf_page *src[3];
	LIST_HEAD(list);
	for (int k = 0; k < 3; k++) {
		src[k] = ow.blk[idx[k]].page;
		assert_true(isolate_movable_page(src[k], 0));
		list_add_tail(&src[k]->lru, &list);
	}
	long free0 = ow_free_pages();
	unsigned int succeeded = 0;
	assert_int_equal(ow_migrate_list(&list, MIGRATE_SYNC, &succeeded), 0);
	assert_int_equal(succeeded, 4 + 512 + 4);
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_success"), 4 + 512 + 4);
	assert_int_equal(pf_test_vmstat(m, "thp_migration_success"), 1);
	assert_int_equal(pf_test_vmstat(m, "thp_migration_fail"), 0);
	assert_int_equal(ow.migrate_calls, 3);
	assert_int_equal(ow_free_pages(), free0);
	for (int k = 0; k < 3; k++) {
		struct ow_block *b = &ow.blk[idx[k]];
		assert_ptr_not_equal(b->page, src[k]);
		assert_int_equal(ow_stamp_check(b->page, b->order, b->tag), -1);
		assert_int_equal(m->alloc_order[pf_page_to_pfn(b->page)], b->order + 1);
		/* src was freed (the free count above); it may already hold a later block's dst */
		assert_int_equal(!!PageHead(b->page), b->compound);
		if (b->compound) {
			assert_int_equal(compound_order(b->page), b->order);
			for (unsigned long j = 1; j < (1UL << b->order); j++)
				assert_ptr_equal(pf_compound_head(b->page + j), b->page);
		}
	}
	pf_test_check(m, "after the move");
	for (int k = 0; k < 3; k++) {
		struct ow_block *b = &ow.blk[idx[k]];
		if (b->compound)
			pf_put_page(b->page + 1);	/* through a tail: the whole compound block goes */
		else
			pf_free_pages(b->page, b->order);
	}
	pf_test_check(m, "end");
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);
	pf_machine_destroy(m);
}

static void thp_refused(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	int c9 = ow_alloc(9, true);
	struct pf_page *p = ow.blk[c9].page;
	LIST_HEAD(list);
	assert_true(isolate_movable_page(p, 0));
	list_add_tail(&p->lru, &list);
	ow.migrate_answer = -EBUSY;
	assert_int_equal(ow_migrate_list(&list, MIGRATE_ASYNC, NULL), 1);
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_fail"), 512);
	assert_int_equal(pf_test_vmstat(m, "thp_migration_fail"), 1);
	assert_int_equal(pf_test_vmstat(m, "thp_migration_success"), 0);
	putback_movable_pages(&list);
	assert_int_equal(ow_stamp_check(p, 9, ow.blk[c9].tag), -1);
	pf_free_pages(p, 9);
	pf_test_check(m, "end");
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blocks_move_whole),
		cmocka_unit_test(thp_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
