/* test_memcg_high: memory.high throttling as 6.12's mem_cgroup_handle_over_high - the penalty of calculate_high_delay (worked by hand below, HZ 250), capped at 2 s, skipped at 2 jiffies or less, paid after 17 rounds of reclaim that free nothing, each round a high event; the sleep is recorded through the test hook instead of slept. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "mm/memcontrol.h"
#include "mm/sched.h"
#include "pf_testlib.h"

static unsigned long slept[16];
static int nr_slept;

static void record(unsigned long jiffies)
{
	if (nr_slept < 16)
		slept[nr_slept] = jiffies;
	nr_slept++;
}

/*
 * calculate_high_delay(memcg, nr_pages, overage) = ((overage^2 * 250) >> 20 >> 14) * nr_pages / 64,
 * overage = ((usage - high) << 20) / high:
 *   high 1024, usage 1088: overage 65536, 65536^2 * 250 = 1073741824000, >> 34 = 62.5 -> 62
 *   high 1024, usage 1152: overage 131072, ^2 * 250 = 4294967296000, >> 34 = 250
 *   high 64, usage 128: overage 1 << 20, 2^40 * 250 >> 34 = 16000 (the caller caps it at 500)
 *   high 8192, usage 8256: overage 8192, 2^26 * 250 = 16777216000, >> 34 = 0.97 -> 0
 */
static void delay_formula(void **state)
{
	(void)state;
	assert_int_equal(calculate_overage(1088, 1024), 65536);
	assert_int_equal(calculate_overage(1024, 1024), 0);
	assert_int_equal(calculate_overage(5, 0), 4ULL << 20);	/* high 0 counts as 1 page */
	assert_int_equal(calculate_high_delay(NULL, 64, calculate_overage(1088, 1024)), 62);
	assert_int_equal(calculate_high_delay(NULL, 64, calculate_overage(1152, 1024)), 250);
	assert_int_equal(calculate_high_delay(NULL, 32, calculate_overage(1152, 1024)), 125);
	assert_int_equal(calculate_high_delay(NULL, 64, calculate_overage(128, 64)), 16000);
	assert_int_equal(calculate_high_delay(NULL, 64, calculate_overage(8256, 8192)), 0);
	assert_int_equal(MEMCG_MAX_HIGH_DELAY_JIFFIES, 500);
}

static unsigned long high_events(struct mem_cgroup *memcg)
{
	return (unsigned long)atomic_load(&memcg->memory_events[MEMCG_HIGH]);
}

/*
 * One CPU; memory.high 4M = 1024 pages; pages charged one by one in batches of 64.  Page
 * 1025 takes usage to 1088: the batch (64) is over high, so the charging call ends in
 * mem_cgroup_handle_over_high: reclaim_high counts a high event, reclaims nothing, the
 * penalty is 62 jiffies (> 2), so 16 more rounds follow (nr_retries), each counting an
 * event: 17; then the sleep of 62.  Pages 1026..1088 come from the stock: nothing.  Page
 * 1089 (usage 1152): 17 more events and 250 jiffies.
 */
static void throttled(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000000-0x7ffffff\n");
	struct mem_cgroup *memcg = (struct mem_cgroup *)pf_memcg_create(m, NULL, "high");
	static struct pf_page *pages[1200];

	memcg_high_sleep_hook = record;
	nr_slept = 0;
	assert_int_equal(pf_memcg_set((struct pf_memcg *)memcg, "memory.high", "4M"), 0);
	pf_memcg_attach((struct pf_memcg *)memcg);
	for (int i = 0; i < 1024; i++)
		assert_non_null(pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(nr_slept, 0);
	assert_int_equal(high_events(memcg), 0);
	assert_non_null(pages[1024] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(page_counter_read(&memcg->memory), 1088);
	assert_int_equal(nr_slept, 1);
	assert_int_equal(slept[0], 62);
	assert_int_equal(high_events(memcg), 17);
	for (int i = 1025; i < 1088; i++)
		assert_non_null(pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(nr_slept, 1);
	assert_int_equal(high_events(memcg), 17);
	assert_non_null(pages[1088] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(nr_slept, 2);
	assert_int_equal(slept[1], 250);
	assert_int_equal(high_events(memcg), 34);
	assert_int_equal(current_task()->memcg_nr_pages_over_high, 0);

	/*
	 * GFP_NOWAIT may not block: the over-high batch stays pending (the next blocking
	 * charge pays it); 1089..1152 came from the stock, 1153 charges the next batch.
	 */
	for (int i = 1089; i < 1152; i++)
		assert_non_null(pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_non_null(pages[1152] = pf_alloc_pages(m, PF_GFP_NOWAIT | PF___GFP_ACCOUNT, 0));
	assert_int_equal(page_counter_read(&memcg->memory), 1216);
	assert_int_equal(nr_slept, 2);
	assert_int_equal(current_task()->memcg_nr_pages_over_high, 64);
	assert_non_null(pages[1153] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));	/* from the stock; pays */
	assert_int_equal(current_task()->memcg_nr_pages_over_high, 0);
	assert_int_equal(nr_slept, 3);
	/* usage 1216: overage (192 << 20) / 1024 = 196608, ^2 * 250 >> 34 = 562.5 -> 562, capped 500 */
	assert_int_equal(slept[2], 500);
	assert_int_equal(high_events(memcg), 51);

	/* raising high ends it: no event, no sleep */
	assert_int_equal(pf_memcg_set((struct pf_memcg *)memcg, "memory.high", "max"), 0);
	for (int i = 1154; i < 1200; i++)
		assert_non_null(pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(nr_slept, 3);
	assert_int_equal(high_events(memcg), 51);
	/* the events file says so too, and nothing else happened */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	pf_memcg_show((struct pf_memcg *)memcg, "memory.events", f);
	fclose(f);
	assert_string_equal(buf, "low 0\nhigh 51\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
	free(buf);

	for (int i = 0; i < 1200; i++)
		pf_free_pages(pages[i], 0);
	pf_memcg_attach(NULL);
	memcg_high_sleep_hook = NULL;
	pf_memcg_destroy((struct pf_memcg *)memcg);
	pf_machine_destroy(m);
}

/* a small overage: one round, a penalty of 0 jiffies, no sleep, one event */
static void small_overage(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000000-0x7ffffff\n");
	struct mem_cgroup *memcg = (struct mem_cgroup *)pf_memcg_create(m, NULL, "high");
	static struct pf_page *pages[8256];

	memcg_high_sleep_hook = record;
	nr_slept = 0;
	assert_int_equal(pf_memcg_set((struct pf_memcg *)memcg, "memory.high", "32M"), 0);	/* 8192 pages */
	pf_memcg_attach((struct pf_memcg *)memcg);
	for (int i = 0; i < 8193; i++)
		assert_non_null(pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(page_counter_read(&memcg->memory), 8256);
	assert_int_equal(nr_slept, 0);
	assert_int_equal(high_events(memcg), 1);
	for (int i = 0; i < 8193; i++)
		pf_free_pages(pages[i], 0);
	pf_memcg_attach(NULL);
	memcg_high_sleep_hook = NULL;
	pf_memcg_destroy((struct pf_memcg *)memcg);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_memcg_high", 30);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(delay_formula),
		cmocka_unit_test(throttled),
		cmocka_unit_test(small_overage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
