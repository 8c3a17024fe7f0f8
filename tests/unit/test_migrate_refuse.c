/* test_migrate_refuse: an owner's refusals keep its page where it is: isolate_page false leaves it unisolated with its count; migrate_page -EAGAIN is retried 10 times (async: 10 passes; sync: 3 async + 7 sync) and -EBUSY given up at once (sync retries it once more one by one), src keeps its contents, pgmigrate_fail counts its pages, putback_movable_pages hands it back; pages that are not movable, free or tails are never isolated. */
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

static void isolate_refused(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	int i = ow_alloc(0, false);
	struct pf_page *p = ow.blk[i].page;
	ow.isolate_answer = false;
	assert_false(isolate_movable_page(p, 0));
	assert_int_equal(ow.isolate_calls, 1);
	assert_false(PageIsolated(p));
	assert_false(PageLocked(p));
	assert_int_equal(page_ref_count(p), 1);	/* the speculative reference is gone */
	ow.isolate_answer = true;
	assert_true(isolate_movable_page(p, 0));
	/* an isolated page is not isolated twice */
	assert_false(isolate_movable_page(p, 0));
	assert_int_equal(ow.isolate_calls, 2);
	assert_int_equal(page_ref_count(p), 1 + PAGE_REF_SPECULATIVE);	/* the isolation's reference is speculative */
	LIST_HEAD(list);
	list_add_tail(&p->lru, &list);
	putback_movable_pages(&list);
	assert_int_equal(ow.putback_calls, 1);
	assert_false(PageIsolated(p));
	assert_int_equal(page_ref_count(p), 1);
	pf_free_pages(p, 0);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

/* One page whose owner answers @answer in @mode: how often it is asked, what is counted. */
static void refused_move(int mode, int answer, int calls)
{
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	int i = ow_alloc(0, false);
	struct pf_page *p = ow.blk[i].page;
	LIST_HEAD(list);
	assert_true(isolate_movable_page(p, 0));
	list_add_tail(&p->lru, &list);
	long free_before = ow_free_pages();
	ow.migrate_answer = answer;
	unsigned int succeeded = 99;
	int rc = ow_migrate_list(&list, mode, &succeeded);
	assert_int_equal(rc, 1);
	assert_int_equal(succeeded, 0);
	assert_int_equal(ow.migrate_calls, calls);
	assert_int_equal(ow_list_len(&list), 1);
	assert_ptr_equal(list_first_entry(&list, struct pf_page, lru), p);
	assert_true(PageIsolated(p));
	assert_false(PageLocked(p));
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_fail"), 1);
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_success"), 0);
	assert_int_equal(ow_free_pages(), free_before);	/* the destinations went back */
	putback_movable_pages(&list);
	assert_int_equal(ow.putback_calls, 1);
	assert_ptr_equal(ow.blk[i].page, p);
	assert_int_equal(ow_stamp_check(p, 0, ow.blk[i].tag), -1);
	assert_int_equal(p->private, ow.blk[i].tag);
	assert_int_equal(page_ref_count(p), 1);
	assert_false(PageIsolated(p));
	pf_free_pages(p, 0);
	pf_test_check(m, "end");
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);
	pf_machine_destroy(m);
}

static void eagain_async(void **state) { (void)state; refused_move(MIGRATE_ASYNC, -EAGAIN, 10); }
static void eagain_sync(void **state) { (void)state; refused_move(MIGRATE_SYNC, -EAGAIN, 3 + 7); }
static void ebusy_async(void **state) { (void)state; refused_move(MIGRATE_ASYNC, -EBUSY, 1); }
static void ebusy_sync(void **state) { (void)state; refused_move(MIGRATE_SYNC, -EBUSY, 2); }

/* The one page of three that is refused stays; the others move. */
static int refuse_middle_calls;
static int refuse_middle(struct pf_page *dst, struct pf_page *src, int mode)
{
	if (refuse_middle_calls++ == 1)
		return -EBUSY;
	return ow_migrate(dst, src, mode);
}

static void one_of_three(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	static const struct pf_movable_operations ops = { ow_isolate, refuse_middle, ow_putback };
	LIST_HEAD(list);
	struct pf_page *src[3];
	for (int i = 0; i < 3; i++) {
		ow_alloc(0, false);
		pf_set_page_movable(ow.blk[i].page, &ops);
		src[i] = ow.blk[i].page;
		assert_true(isolate_movable_page(src[i], 0));
		list_add_tail(&src[i]->lru, &list);
	}
	unsigned int succeeded = 0;
	assert_int_equal(ow_migrate_list(&list, MIGRATE_ASYNC, &succeeded), 1);
	assert_int_equal(succeeded, 2);
	assert_int_equal(ow_list_len(&list), 1);
	assert_ptr_equal(list_first_entry(&list, struct pf_page, lru), src[1]);
	assert_ptr_equal(ow.blk[1].page, src[1]);
	assert_ptr_not_equal(ow.blk[0].page, src[0]);
	assert_ptr_not_equal(ow.blk[2].page, src[2]);
	putback_movable_pages(&list);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ow_stamp_check(ow.blk[i].page, 0, ow.blk[i].tag), -1);
		pf_free_pages(ow.blk[i].page, 0);
	}
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

/* Not movable, free, tail: never isolated, counts unchanged. */
static void not_movable(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	ow_reset(m);
	struct pf_page *plain = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	/* no page of the machine is movable yet */
	assert_false(m->speculative_refs);
	assert_false(isolate_movable_page(plain, 0));
	int i = ow_alloc(2, true);	/* from now on speculative references may exist */
	assert_true(m->speculative_refs);
	assert_false(isolate_movable_page(plain, 0));
	assert_int_equal(page_ref_count(plain), 1);
	struct pf_page *head = ow.blk[i].page;
	assert_false(isolate_movable_page(head + 1, 0));	/* a tail */
	assert_int_equal(page_ref_count(head + 1), 0);
	struct pf_page *free_page = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	pf_free_pages(free_page, 0);
	assert_false(isolate_movable_page(free_page, 0));
	assert_int_equal(page_ref_count(free_page), 0);
	/* cleared: of the movable kind still, but never isolated again */
	pf_clear_page_movable(head);
	assert_true(__PageMovable(head));
	assert_false(isolate_movable_page(head, 0));
	assert_int_equal(page_ref_count(head), 1);
	assert_int_equal(ow.isolate_calls, 0);
	pf_free_pages(plain, 0);
	pf_free_pages(head, 2);
	pf_test_check(m, "end");
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(isolate_refused),
		cmocka_unit_test(eagain_async),
		cmocka_unit_test(eagain_sync),
		cmocka_unit_test(ebusy_async),
		cmocka_unit_test(ebusy_sync),
		cmocka_unit_test(one_of_three),
		cmocka_unit_test(not_movable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
