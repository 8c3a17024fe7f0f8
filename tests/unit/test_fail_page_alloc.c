/* test_fail_page_alloc: fault injection fails allocations as lib/fault-inject.c and mm/fail_page_alloc.c decide (probability, interval, times, space, min-order, the gfp filters), reports and counts them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

static int fault_lines;
static void hook(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	if (!strncmp(line, "FAULT_INJECTION: forcing a failure.", 35))
		fault_lines++;
}

static struct pf_machine *boot(const char *extra)
{
	char text[512];
	snprintf(text, sizeof text, "cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\n%s", extra);
	struct pf_machine *m = pf_test_boot(text);
	pf_set_report_hook(m, hook, NULL);
	fault_lines = 0;
	return m;
}

static long injected(struct pf_machine *m)
{
	long v = -1;
	assert_int_equal(pf_vmstat_get(m, "pageframe_fail_page_alloc", &v), 0);
	return v;
}

/* Allocate once and free at once; true if it succeeded. */
static int try_alloc(struct pf_machine *m, pf_gfp_t gfp, unsigned order)
{
	struct pf_page *p = pf_alloc_pages(m, gfp, order);
	if (p)
		pf_free_pages(p, order);
	return p != NULL;
}

static void off_by_default(void **state)
{
	(void)state;
	struct pf_machine *m = boot("");
	for (int i = 0; i < 100; i++)
		assert_true(try_alloc(m, PF_GFP_ATOMIC, 1));
	assert_int_equal(injected(m), 0);
	pf_machine_destroy(m);
}

static void times_limits_failures(void **state)
{
	(void)state;
	struct pf_machine *m = boot("");
	assert_int_equal(pf_fail_page_alloc_set(m, "probability", "100"), 0);
	assert_int_equal(pf_fail_page_alloc_set(m, "times", "3"), 0);
	/* GFP_ATOMIC has no __GFP_DIRECT_RECLAIM and no __GFP_HIGHMEM; order 1 >= min-order 1 */
	assert_false(try_alloc(m, PF_GFP_ATOMIC, 1));
	assert_false(try_alloc(m, PF_GFP_ATOMIC, 1));
	assert_false(try_alloc(m, PF_GFP_ATOMIC, 1));
	assert_true(try_alloc(m, PF_GFP_ATOMIC, 1));	/* times ran out */
	assert_int_equal(injected(m), 3);
	assert_int_equal(fault_lines, 3);
	char err[256];
	assert_int_equal(pf_check(m, err, sizeof err), 0);
	pf_machine_destroy(m);
}

static void filters(void **state)
{
	(void)state;
	struct pf_machine *m = boot("fail_page_alloc probability=100 times=-1\n");
	assert_true(try_alloc(m, PF_GFP_ATOMIC, 0));		/* order 0 < min-order 1 */
	assert_true(try_alloc(m, PF_GFP_KERNEL, 2));		/* ignore-gfp-wait: direct reclaim allowed */
	assert_true(try_alloc(m, PF_GFP_HIGHUSER & ~PF_GFP_KERNEL, 2));	/* __GFP_HIGHMEM ignored */
	assert_true(try_alloc(m, PF_GFP_ATOMIC | PF_GFP_NOFAIL, 2));	/* never __GFP_NOFAIL */
	assert_false(try_alloc(m, PF_GFP_ATOMIC, 2));
	assert_int_equal(pf_fail_page_alloc_set(m, "ignore-gfp-wait", "N"), 0);
	assert_false(try_alloc(m, PF_GFP_KERNEL, 2));
	assert_int_equal(pf_fail_page_alloc_set(m, "min-order", "0"), 0);
	assert_false(try_alloc(m, PF_GFP_KERNEL, 0));
	assert_int_equal(injected(m), 3);
	pf_machine_destroy(m);
}

static void interval_and_space(void **state)
{
	(void)state;
	struct pf_machine *m = boot("fail_page_alloc probability=100 times=-1 interval=4 verbose=0\n");
	int failed = 0;
	for (int i = 1; i <= 40; i++) {
		int ok = try_alloc(m, PF_GFP_ATOMIC, 1);
		assert_int_equal(ok, i % 4 != 0);	/* every 4th call fails */
		failed += !ok;
	}
	assert_int_equal(failed, 10);
	assert_int_equal(fault_lines, 0);	/* verbose 0 */
	pf_machine_destroy(m);

	/*
	 * space: should_fail_ex lets a request through while space > size and takes size off:
	 * 10 > 2, 8 > 2, 6 > 2, 4 > 2 pass (space 2 left); 2 > 2 is false, so the 5th fails.
	 */
	m = boot("fail_page_alloc probability=100 times=-1 space=10\n");
	for (int i = 0; i < 4; i++)
		assert_true(try_alloc(m, PF_GFP_ATOMIC, 1));
	assert_false(try_alloc(m, PF_GFP_ATOMIC, 1));
	pf_machine_destroy(m);
}

static void nowarn_quiet_and_show(void **state)
{
	(void)state;
	struct pf_machine *m = boot("fail_page_alloc probability=100 times=2\n");
	assert_false(try_alloc(m, PF_GFP_ATOMIC | PF_GFP_NOWARN, 1));
	assert_int_equal(fault_lines, 0);
	char *buf = pf_test_show(m, "fail_page_alloc");
	assert_string_equal(buf, "probability 100\ninterval 1\ntimes 1\nspace 0\nverbose 2\nignore-gfp-wait Y\n"
				 "ignore-gfp-highmem Y\nmin-order 1\ninjected 1\n");
	free(buf);
	assert_int_equal(pf_fail_page_alloc_set(m, "nonsense", "1"), -ENOENT);
	assert_int_equal(pf_fail_page_alloc_set(m, "probability", "101"), -EINVAL);
	assert_int_equal(pf_fail_page_alloc_set(m, "times", "-2"), -EINVAL);
	pf_machine_destroy(m);

	char err[256];
	assert_null(pf_machine_create("mem 0 0x1000-0x3ffffff\nfail_page_alloc prob=5\n", err, sizeof err));
	assert_true(strncmp(err, "line 2: ", 8) == 0);
}

int main(void)
{
	pf_test_watchdog("test_fail_page_alloc", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(off_by_default),
		cmocka_unit_test(times_limits_failures),
		cmocka_unit_test(filters),
		cmocka_unit_test(interval_and_space),
		cmocka_unit_test(nowarn_quiet_and_show),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
