/* test_migrate: owned movable order-0 pages isolated with isolate_movable_page and moved by migrate_pages to alloc_migration_target's destinations keep their contents, the owner is told once per move with the right dst and src and carries its private word, each dst carries the owner's references, each src is freed, and pgmigrate_success counts the pages. */
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

#define NR 16

static void move_pages(void **state, int mode)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	for (int i = 0; i < NR; i++)
		ow_alloc(0, false);
	/* the owner holds a second reference to block 3: dst must carry both */
	pf_get_page(ow.blk[3].page);

	struct pf_page *src[NR];
	LIST_HEAD(list);
	for (int i = 0; i < NR; i++) {
		src[i] = ow.blk[i].page;
		assert_true(isolate_movable_page(src[i], ISOLATE_ASYNC_MIGRATE));
		assert_true(PageIsolated(src[i]));
		list_add_tail(&src[i]->lru, &list);
	}
	assert_int_equal(ow.isolate_calls, NR);
	/* the owner's only: the isolation holds a speculative reference, which page_count leaves out */
	assert_int_equal(pf_page_count(src[0]), 1);
	assert_int_equal(pf_page_count(src[3]), 2);
	long free_before = ow_free_pages();
	long succ0 = pf_test_vmstat(m, "pgmigrate_success");

	unsigned int succeeded = 0;
	int rc = ow_migrate_list(&list, mode, &succeeded);
	assert_int_equal(rc, 0);
	assert_int_equal(succeeded, NR);
	assert_true(list_empty(&list));
	assert_int_equal(ow.migrate_calls, NR);
	assert_int_equal(ow.putback_calls, 0);
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_success") - succ0, NR);
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_fail"), 0);
	assert_int_equal(ow_free_pages(), free_before);	/* one dst taken for each src freed */

	for (int i = 0; i < NR; i++) {
		struct ow_block *b = &ow.blk[i];
		assert_ptr_not_equal(b->page, src[i]);
		assert_int_equal(ow_stamp_check(b->page, 0, b->tag), -1);
		assert_int_equal(b->page->private, b->tag);
		assert_true(__PageMovable(b->page));
		assert_ptr_equal(page_movable_ops(b->page), &ow_ops);
		assert_false(PageIsolated(b->page));
		assert_false(PageLocked(b->page));
		assert_int_equal(pf_page_count(b->page), i == 3 ? 2 : 1);
		/* src went back to the allocator */
		assert_int_equal(page_ref_count(src[i]), 0);
		assert_int_equal(m->alloc_order[pf_page_to_pfn(src[i])], 0);
	}
	pf_test_check(m, "after migrate_pages");
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);

	/* the moved pages can move again, then be freed by their owner */
	LIST_HEAD(again);
	for (int i = 0; i < NR; i++) {
		assert_true(isolate_movable_page(ow.blk[i].page, ISOLATE_ASYNC_MIGRATE));
		list_add_tail(&ow.blk[i].page->lru, &again);
	}
	assert_int_equal(ow_migrate_list(&again, mode, NULL), 0);
	for (int i = 0; i < NR; i++) {
		assert_int_equal(ow_stamp_check(ow.blk[i].page, 0, ow.blk[i].tag), -1);
		if (i == 3)
			pf_put_page(ow.blk[i].page);
		pf_free_pages(ow.blk[i].page, 0);
	}
	pf_test_check(m, "after the owner freed its pages");
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);
	pf_machine_destroy(m);
}

static void move_async(void **state)
{
	move_pages(state, MIGRATE_ASYNC);
}

static void move_sync(void **state)
{
	move_pages(state, MIGRATE_SYNC);
}

/* The owner is told the exact pair: a one-page list. */
static void told_dst_and_src(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	int i = ow_alloc(0, false);
	struct pf_page *src = ow.blk[i].page;
	LIST_HEAD(list);
	assert_true(isolate_movable_page(src, 0));
	list_add_tail(&src->lru, &list);
	assert_int_equal(ow_migrate_list(&list, MIGRATE_SYNC_LIGHT, NULL), 0);
	assert_int_equal(ow.migrate_calls, 1);
	assert_ptr_equal(ow.last_src, src);
	assert_ptr_equal(ow.last_dst, ow.blk[i].page);
	assert_true(ow.private_seen_ok);
	pf_free_pages(ow.blk[i].page, 0);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(move_async),
		cmocka_unit_test(move_sync),
		cmocka_unit_test(told_dst_and_src),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
