/* test_migrate_freed: a movable page its owner frees while it is isolated is freed by migration's last reference and counted as migrated (6.12's migrate_folio_unmap: refcount 1 means done), with no call to the owner; one the owner frees inside migrate_page takes its destination with it; one whose owner gave up movability (pf_clear_page_movable) stays where it is, counted as migrated as 6.12 does; a plain order-2 block freed while isolated is freed whole, never split. */
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

static void one_isolated(struct pf_page *p, struct list_head *list)
{
	assert_true(isolate_movable_page(p, 0));
	list_add_tail(&p->lru, list);
}

static void freed_then_migrated(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	long free0 = ow_free_pages();
	int i = ow_alloc(0, false);
	struct pf_page *p = ow.blk[i].page;
	LIST_HEAD(list);
	one_isolated(p, &list);
	pf_free_pages(p, 0);	/* the owner lets go: our (speculative) reference keeps the page */
	assert_int_equal(page_ref_count(p), PAGE_REF_SPECULATIVE);
	assert_int_equal(page_owner_refs(p), 0);
	/* a second free by the owner is a double free, refused although our reference remains */
	long bad0 = pf_test_vmstat(m, "pageframe_bad_pages");
	pf_free_pages(p, 0);
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), bad0 + 1);
	assert_int_equal(page_ref_count(p), PAGE_REF_SPECULATIVE);
	assert_int_equal(ow_free_pages(), free0 - 1);
	unsigned int succeeded = 0;
	assert_int_equal(ow_migrate_list(&list, MIGRATE_ASYNC, &succeeded), 0);
	assert_int_equal(succeeded, 1);
	assert_int_equal(ow.migrate_calls, 0);
	assert_true(list_empty(&list));
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_success"), 1);
	assert_int_equal(page_ref_count(p), 0);
	assert_int_equal(ow_free_pages(), free0);
	pf_test_check(m, "end");
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 1);	/* the double free above, only */
	pf_machine_destroy(m);
}

static void freed_then_put_back(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	long free0 = ow_free_pages();
	int i = ow_alloc(0, false);
	struct pf_page *p = ow.blk[i].page;
	LIST_HEAD(list);
	one_isolated(p, &list);
	pf_free_pages(p, 0);
	putback_movable_pages(&list);
	assert_int_equal(page_ref_count(p), 0);
	assert_int_equal(ow_free_pages(), free0);
	pf_test_check(m, "end");
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);
	pf_machine_destroy(m);
}

/* migrate_page where the owner drops its reference to src and still says 0 */
static int free_inside(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)dst;
	(void)mode;
	ow.migrate_calls++;
	pf_free_pages(src, 0);
	return 0;
}

static void freed_inside_migrate_page(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	static const struct pf_movable_operations ops = { ow_isolate, free_inside, ow_putback };
	long free0 = ow_free_pages();
	int i = ow_alloc(0, false);
	struct pf_page *p = ow.blk[i].page;
	pf_set_page_movable(p, &ops);
	LIST_HEAD(list);
	one_isolated(p, &list);
	assert_int_equal(ow_migrate_list(&list, MIGRATE_SYNC, NULL), 0);
	assert_int_equal(ow.migrate_calls, 1);
	assert_int_equal(page_ref_count(p), 0);
	assert_int_equal(ow_free_pages(), free0);	/* src and the unused dst both freed */
	pf_test_check(m, "end");
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);
	pf_machine_destroy(m);
}

static void cleared_stays(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	int i = ow_alloc(0, false);
	struct pf_page *p = ow.blk[i].page;
	LIST_HEAD(list);
	one_isolated(p, &list);
	pf_clear_page_movable(p);
	long free1 = ow_free_pages();
	unsigned int succeeded = 0;
	assert_int_equal(ow_migrate_list(&list, MIGRATE_ASYNC, &succeeded), 0);
	assert_int_equal(succeeded, 1);	/* 6.12: a page released from movability counts as migrated */
	assert_int_equal(ow.migrate_calls, 0);
	assert_int_equal(ow_free_pages(), free1);	/* the dst went back */
	assert_int_equal(page_ref_count(p), 1);
	assert_false(PageIsolated(p));
	assert_int_equal(ow_stamp_check(p, 0, ow.blk[i].tag), -1);
	pf_free_pages(p, 0);
	pf_test_check(m, "end");
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);
	pf_machine_destroy(m);
}

/* a plain order-2 block: the owner's __free_pages while isolated must not split it */
static void plain_block_freed_whole(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	long free0 = ow_free_pages();
	int i = ow_alloc(2, false);
	struct pf_page *p = ow.blk[i].page;
	LIST_HEAD(list);
	one_isolated(p, &list);
	pf_free_pages(p, 2);
	assert_int_equal(ow_free_pages(), free0 - 4);	/* nothing freed yet */
	putback_movable_pages(&list);
	assert_int_equal(ow_free_pages(), free0);
	pf_test_check(m, "end");
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(freed_then_migrated),
		cmocka_unit_test(freed_then_put_back),
		cmocka_unit_test(freed_inside_migrate_page),
		cmocka_unit_test(cleared_stays),
		cmocka_unit_test(plain_block_freed_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
