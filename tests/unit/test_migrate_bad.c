/* test_migrate_bad: pf_set_page_movable and pf_clear_page_movable refuse and report, changing nothing, a NULL or foreign pointer, a free page, a tail page, a page the allocator did not hand out, NULL, misaligned or incomplete operations, a page with another kind of mapping, and clearing a page that is not movable; the machine stays consistent. */
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

static int reports;
static char last[256];
static void hook(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	reports++;
	snprintf(last, sizeof last, "%s", line);
}

static long bad_pages(struct pf_machine *m)
{
	return pf_test_vmstat(m, "pageframe_bad_pages");
}

static void bad_calls(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("");
	pf_set_report_hook(m, hook, NULL);
	ow_reset(m);

	/* no page: reported by the pointer check, no machine touched */
	pf_set_page_movable(NULL, &ow_ops);
	pf_clear_page_movable(NULL);
	struct pf_page fake;
	memset(&fake, 0, sizeof fake);
	pf_set_page_movable(&fake, &ow_ops);
	assert_null(fake.mapping);
	assert_false(m->speculative_refs);

	/* a free page */
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	pf_free_pages(p, 0);
	long b0 = bad_pages(m);
	reports = 0;
	pf_set_page_movable(p, &ow_ops);
	assert_int_equal(bad_pages(m), b0 + 1);
	assert_true(reports > 0);
	assert_null(p->mapping);
	assert_false(m->speculative_refs);

	/* a tail page of a compound block */
	struct pf_page *c = pf_alloc_pages(m, PF_GFP_KERNEL | PF___GFP_COMP, 2);
	void *tail_mapping = c[2].mapping;
	pf_set_page_movable(c + 2, &ow_ops);
	assert_int_equal(bad_pages(m), b0 + 2);
	assert_ptr_equal(c[2].mapping, tail_mapping);
	/* the second page of a plain block: not an allocation's head */
	struct pf_page *plain = pf_alloc_pages(m, PF_GFP_KERNEL, 1);
	pf_set_page_movable(plain + 1, &ow_ops);
	assert_int_equal(bad_pages(m), b0 + 3);
	assert_null(plain[1].mapping);

	/* operations: NULL, misaligned, incomplete */
	pf_set_page_movable(c, NULL);
	assert_int_equal(bad_pages(m), b0 + 4);
	pf_set_page_movable(c, (const struct pf_movable_operations *)((const char *)&ow_ops + 2));
	assert_int_equal(bad_pages(m), b0 + 5);
	static const struct pf_movable_operations half = { ow_isolate, NULL, ow_putback };
	pf_set_page_movable(c, &half);
	assert_int_equal(bad_pages(m), b0 + 6);
	assert_null(c->mapping);
	assert_false(m->speculative_refs);

	/* another kind of mapping (anonymous) is not replaced */
	c->mapping = (void *)((unsigned long)&fake | PAGE_MAPPING_ANON);
	pf_set_page_movable(c, &ow_ops);
	assert_int_equal(bad_pages(m), b0 + 7);
	assert_ptr_equal(c->mapping, (void *)((unsigned long)&fake | PAGE_MAPPING_ANON));
	c->mapping = NULL;

	/* clearing a page that is not movable */
	pf_clear_page_movable(c);
	assert_int_equal(bad_pages(m), b0 + 8);
	assert_null(c->mapping);

	/* the good calls still work, and freeing clears the state */
	pf_set_page_movable(c, &ow_ops);
	assert_true(m->speculative_refs);
	assert_true(__PageMovable(c));
	pf_clear_page_movable(c);
	assert_ptr_equal(c->mapping, (void *)PAGE_MAPPING_MOVABLE);
	pf_set_page_movable(c, &ow_ops);	/* movable again after a clear */
	assert_ptr_equal(page_movable_ops(c), &ow_ops);
	assert_int_equal(bad_pages(m), b0 + 8);
	pf_free_pages(c, 2);
	assert_null(c->mapping);
	pf_free_pages(plain, 1);
	assert_int_equal(bad_pages(m), b0 + 8);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
