/* test_smoke: a machine boots, hands out a page of every order and takes it back, and pf_check holds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>

static void alloc_every_order(void **state)
{
	(void)state;
	char err[256];
	struct pf_machine *m = pf_machine_create("cpus 2\nmem 0 0x1000-0x3fffffff\n", err, sizeof err);
	assert_non_null(m);
	for (unsigned o = 0; o <= PF_MAX_PAGE_ORDER; o++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, o);
		assert_non_null(p);
		assert_int_equal(pf_page_to_pfn(p) % (1UL << o), 0);
		pf_free_pages(p, o);
	}
	assert_int_equal(pf_check(m, err, sizeof err), 0);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(alloc_every_order) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
