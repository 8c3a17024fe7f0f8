/* test_shrinker_oom_api: through the public headers alone, a cache held in the machine's pages is given back by drop_caches (its shrinker frees every page: nr_free_pages comes back, drop_slab and slabs_scanned count), and SysRq-f's OOM kills the task holding the most pages, which frees them, with the kernel's report through the report hook. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

#define NPAGES 200

struct cache {
	struct pf_machine *m;
	struct pf_page *pages[NPAGES];
	unsigned long nr;
};

static unsigned long count(void *arg, struct pf_shrink_control *sc)
{
	struct cache *c = arg;
	(void)sc;
	return c->nr ? c->nr : PF_SHRINK_EMPTY;
}

static unsigned long scan(void *arg, struct pf_shrink_control *sc)
{
	struct cache *c = arg;
	unsigned long n = 0;
	while (n < sc->nr_to_scan && c->nr) {
		pf_free_pages(c->pages[--c->nr], 0);
		n++;
	}
	return n;
}

static void fill(struct cache *c, unsigned long n)
{
	while (c->nr < n) {
		c->pages[c->nr] = pf_alloc_pages(c->m, PF_GFP_KERNEL, 0);
		assert_non_null(c->pages[c->nr]);
		c->nr++;
	}
}

static void mm(void *arg, struct pf_oom_task_mm *out)
{
	struct cache *c = arg;
	out->total_vm = out->rss_anon = c->nr;
}

static void kill(void *arg)
{
	struct cache *c = arg;
	while (c->nr)
		pf_free_pages(c->pages[--c->nr], 0);
}

static int killed_lines, meminfo_lines;

static void report(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	if (strstr(line, "Out of memory: Killed process 2 (big)"))
		killed_lines++;
	if (!strcmp(line, "Mem-Info:"))
		meminfo_lines++;
}

static void test_drop_caches_gives_pages_back(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x100000-0x3ffffff\nbacking none\n");
	struct cache c = { .m = m };
	pf_drain_all_pages(m);
	long before = pf_test_vmstat(m, "nr_free_pages");
	fill(&c, NPAGES);
	struct pf_shrinker *s = pf_shrinker_register(m, "pages", &(struct pf_shrinker_ops){ count, scan }, &c,
						     PF_DEFAULT_SEEKS);
	assert_non_null(s);
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "2"), 0);
	assert_int_equal(c.nr, 0);
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), before);
	assert_int_equal(pf_test_vmstat(m, "drop_slab"), 1);
	/* 200 objects at priority 0, seeks 2: 400 asked, three batches of 128 (the 16 left are deferred) */
	assert_int_equal(pf_test_vmstat(m, "slabs_scanned"), 384);
	pf_shrinker_unregister(s);
	pf_machine_destroy(m);
}

static void test_oom_kills_the_biggest(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x100000-0x3ffffff\nbacking none\n");
	pf_set_report_hook(m, report, NULL);
	struct cache small = { .m = m }, big = { .m = m };
	fill(&small, 50);
	fill(&big, 150);
	const struct pf_oom_task_ops ops = { mm, kill };
	struct pf_oom_task *ts = pf_oom_task_register(m, "small", 1, 0, &ops, &small);
	struct pf_oom_task *tb = pf_oom_task_register(m, "big", 2, 0, &ops, &big);
	assert_non_null(ts);
	assert_non_null(tb);
	assert_true(pf_out_of_memory(m));
	assert_int_equal(big.nr, 0);
	assert_int_equal(small.nr, 50);
	assert_int_equal(killed_lines, 1);
	assert_int_equal(meminfo_lines, 1);
	assert_int_equal(pf_test_vmstat(m, "oom_kill"), 1);
	pf_show_mem(m);
	assert_int_equal(meminfo_lines, 2);
	pf_oom_task_unregister(tb);
	pf_oom_task_unregister(ts);
	kill(&small);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_caches_gives_pages_back),
		cmocka_unit_test(test_oom_kills_the_biggest),
	};
	pf_test_watchdog("test_shrinker_oom_api", 20);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
