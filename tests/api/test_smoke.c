/* test_smoke: a machine boots, hands out a page of every order and takes it back, and pf_check holds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

static void alloc_every_order(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 2\nmem 0 0x1000-0x3fffffff\n");
	for (unsigned o = 0; o <= PF_MAX_PAGE_ORDER; o++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, o);
		assert_non_null(p);
		assert_int_equal(pf_page_to_pfn(p) % (1UL << o), 0);
		pf_free_pages(p, o);
	}
	pf_test_check(m, "after every order");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_smoke", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(alloc_every_order) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
