/* test_memcg_throttle: pf_memcg_set_throttle_hook takes memory.high's throttling in place of the sleep: the program's function gets its own argument and the penalty of 6.12's calculate_high_delay in nanoseconds (HZ 250: 4 ms a jiffy), worked by hand below. */
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

/* one CPU: every charge goes through the same stock, so the batches below are exact */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x7ffffff\n"

static unsigned long long throttled_ns[8];
static int nr_throttled;
static void *seen_arg;

static void on_throttle(void *arg, unsigned long long ns)
{
	seen_arg = arg;
	if (nr_throttled < 8)
		throttled_ns[nr_throttled] = ns;
	nr_throttled++;
}

/*
 * memory.high 4M = 1024 pages, charged in batches of 64.  Page 1025 charges the batch that takes
 * memory.current to 1088: over high by 64, overage = (64 << 20) / 1024 = 65536; the penalty is
 * (65536^2 * 250) >> 20 >> 14 = 1073741824000 >> 34 = 62 jiffies (62.5 rounded down), times
 * 64 / 64: 62 jiffies = 248 ms.  Reclaim frees nothing (kernel pages), so it is paid.
 * Page 1089 (current 1152): overage 131072, (131072^2 * 250) >> 34 = 250 jiffies = 1 s.
 */
static void hook_gets_the_penalty(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	static struct pf_page *pages[1089];
	int tag;

	pf_memcg_set_throttle_hook(m, on_throttle, &tag);
	pf_memcg_set_throttle_hook(NULL, on_throttle, &tag);	/* no machine: nothing */
	struct pf_memcg *cg = pf_memcg_create(m, NULL, "throttled");
	assert_non_null(cg);
	assert_int_equal(pf_memcg_set(cg, "memory.high", "4M"), 0);
	pf_memcg_attach(cg);
	for (int i = 0; i < 1024; i++)
		assert_non_null(pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(nr_throttled, 0);
	assert_non_null(pages[1024] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(nr_throttled, 1);
	assert_int_equal(throttled_ns[0], 248000000ull);
	assert_ptr_equal(seen_arg, &tag);
	for (int i = 1025; i < 1088; i++)	/* from the stock: no charge, no throttling */
		assert_non_null(pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(nr_throttled, 1);
	assert_non_null(pages[1088] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(nr_throttled, 2);
	assert_int_equal(throttled_ns[1], 1000000000ull);
	pf_memcg_attach(NULL);
	for (int i = 0; i < 1089; i++)
		pf_free_pages(pages[i], 0);

	/* taken away (the sleep it would give back is not timed here) */
	pf_memcg_set_throttle_hook(m, NULL, &tag);
	pf_memcg_destroy(cg);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_memcg_throttle", 30);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hook_gets_the_penalty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
