/* test_memcg_limit: a memcg with memory.max = 16M takes exactly 4096 __GFP_ACCOUNT pages (batches of 64 through the per-CPU stock), refuses the next as 6.12's try_charge_memcg does (18 max events and one oom for a GFP_KERNEL request with nothing to reclaim; none for GFP_NOWAIT; a force charge over max for GFP_ATOMIC and __GFP_NOFAIL; 2 max events for __GFP_NORETRY, 18 and no oom for __GFP_RETRY_MAYFAIL and for order 4), memory.current never exceeds max otherwise, and frees go back through the stock. */
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

/* one CPU: every charge and uncharge uses the same stock, so the numbers below are exact */
#define MACHINE "cpus 1\nmem 0 0x1000-0x7fffffff\n"
#define MAXPAGES 4096	/* 16M / 4096 */

static char *show(struct pf_memcg *cg, const char *file)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(pf_memcg_show(cg, file, f), 0);
	fclose(f);
	return buf;
}

static unsigned long long show_u64(struct pf_memcg *cg, const char *file)
{
	char *s = show(cg, file);
	unsigned long long v = strtoull(s, NULL, 10);
	free(s);
	return v;
}

/* the value of one "key N" line of memory.stat or memory.events */
static unsigned long long show_key(struct pf_memcg *cg, const char *file, const char *key)
{
	char *s = show(cg, file), *p = s;
	size_t kl = strlen(key);
	unsigned long long v = ~0ULL;
	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == ' ') {
			v = strtoull(p + kl + 1, NULL, 10);
			break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	free(s);
	if (v == ~0ULL)
		fail_msg("no '%s' line in %s", key, file);
	return v;
}

static void expect_events(struct pf_memcg *cg, unsigned long max, unsigned long oom, const char *when)
{
	char want[256], *got = show(cg, "memory.events");
	snprintf(want, sizeof want, "low 0\nhigh 0\nmax %lu\noom %lu\noom_kill 0\noom_group_kill 0\n", max, oom);
	if (strcmp(got, want))
		fail_msg("%s: memory.events is\n%s\nwant\n%s", when, got, want);
	free(got);
}

static void max_16m(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_memcg *cg = pf_memcg_create(m, NULL, "limited");
	assert_non_null(cg);
	assert_int_equal(pf_memcg_set(cg, "memory.max", "16M\n"), 0);
	assert_int_equal(show_u64(cg, "memory.max"), 16777216ULL);
	assert_null(pf_memcg_attach(cg));

	static struct pf_page *pages[MAXPAGES + 8];
	pf_test_phase("filling to memory.max");
	for (int i = 0; i < MAXPAGES; i++) {
		pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);
		assert_non_null(pages[i]);
		/* charged in batches of 64: after page i, ceil((i + 1) / 64) * 64 pages */
		if (i % 512 == 0 || i == MAXPAGES - 1) {
			unsigned long long want = (unsigned long long)((i + 64) / 64 * 64) * 4096;
			assert_int_equal(show_u64(cg, "memory.current"), want);
		}
	}
	assert_int_equal(show_u64(cg, "memory.current"), 16777216ULL);
	assert_int_equal(show_key(cg, "memory.stat", "kernel"), 16777216ULL);
	assert_int_equal(show_u64(cg, "memory.peak"), 16777216ULL);
	expect_events(cg, 0, 0, "at max");

	/*
	 * The next GFP_KERNEL page: try_charge_memcg fails, counts max, reclaims nothing,
	 * drains the stock (empty) and retries (2 passes), then 16 retries (MAX_RECLAIM_RETRIES)
	 * each counting max again: 18 max events; then mem_cgroup_oom counts oom and finds
	 * nothing to kill: -ENOMEM, the page goes back.
	 */
	pf_test_phase("over max");
	pf_drain_all_pages(m);
	long free_before = pf_test_vmstat(m, "nr_free_pages");
	assert_null(pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT | PF___GFP_NOWARN, 0));
	expect_events(cg, 18, 1, "GFP_KERNEL over max");
	assert_int_equal(show_u64(cg, "memory.current"), 16777216ULL);
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), free_before);	/* the refused page went back */

	/* GFP_NOWAIT may not block: fails before counting anything */
	assert_null(pf_alloc_pages(m, PF_GFP_NOWAIT | PF___GFP_ACCOUNT, 0));
	expect_events(cg, 18, 1, "GFP_NOWAIT");
	/* __GFP_NORETRY: the first pass (then the drain) and the second pass: 2 max events, no oom */
	assert_null(pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT | PF___GFP_NORETRY | PF___GFP_NOWARN, 0));
	expect_events(cg, 20, 1, "__GFP_NORETRY");
	/* __GFP_RETRY_MAYFAIL: all 18 passes, then fail without the OOM step */
	assert_null(pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT | PF___GFP_RETRY_MAYFAIL | PF___GFP_NOWARN, 0));
	expect_events(cg, 38, 1, "__GFP_RETRY_MAYFAIL");
	/* order 4 (16 pages) is above PAGE_ALLOC_COSTLY_ORDER: mem_cgroup_oom returns before counting */
	assert_null(pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT | PF___GFP_NOWARN, 4));
	expect_events(cg, 56, 1, "order 4");
	assert_int_equal(show_u64(cg, "memory.current"), 16777216ULL);

	/* GFP_ATOMIC (__GFP_HIGH, no reclaim): nomem, then a force charge over max with one max event */
	pf_test_phase("force charges");
	pages[MAXPAGES] = pf_alloc_pages(m, PF_GFP_ATOMIC | PF___GFP_ACCOUNT, 0);
	assert_non_null(pages[MAXPAGES]);
	expect_events(cg, 57, 1, "GFP_ATOMIC");
	assert_int_equal(show_u64(cg, "memory.current"), 16777216ULL + 4096);
	/* __GFP_NOFAIL: the 18 passes and the oom, then forced (the max event already counted) */
	pages[MAXPAGES + 1] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT | PF___GFP_NOFAIL, 0);
	assert_non_null(pages[MAXPAGES + 1]);
	expect_events(cg, 75, 2, "__GFP_NOFAIL");
	assert_int_equal(show_u64(cg, "memory.current"), 16777216ULL + 2 * 4096);
	assert_int_equal(show_key(cg, "memory.stat", "kernel"), 16777216ULL + 2 * 4096);

	/*
	 * Frees go into the stock (obj_cgroup_uncharge_pages -> refill_stock): memory.current
	 * keeps them until the stock holds more than 64 pages, then all of it goes back.
	 */
	pf_test_phase("frees");
	pf_free_pages(pages[MAXPAGES + 1], 0);
	pf_free_pages(pages[MAXPAGES], 0);
	assert_int_equal(show_u64(cg, "memory.current"), 16777216ULL + 2 * 4096);
	assert_int_equal(show_key(cg, "memory.stat", "kernel"), 16777216ULL);
	for (int i = 0; i < 62; i++)	/* the stock holds 2 + 62 = 64 */
		pf_free_pages(pages[i], 0);
	assert_int_equal(show_u64(cg, "memory.current"), 16777216ULL + 2 * 4096);
	pf_free_pages(pages[62], 0);	/* 65 > 64: drained */
	assert_int_equal(show_u64(cg, "memory.current"), (unsigned long long)(MAXPAGES - 63) * 4096);
	assert_int_equal(show_key(cg, "memory.stat", "kernel"), (unsigned long long)(MAXPAGES - 63) * 4096);
	/* the room is back: 63 pages charge again, one by one (4033 + a batch of 64 is over max) */
	for (int i = 0; i < 63; i++) {
		pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);
		assert_non_null(pages[i]);
	}
	assert_int_equal(show_u64(cg, "memory.current"), 16777216ULL);
	expect_events(cg, 75, 2, "refilled");

	for (int i = 0; i < MAXPAGES; i++)
		pf_free_pages(pages[i], 0);
	assert_int_equal(show_key(cg, "memory.stat", "kernel"), 0);
	/* 4096 frees: the stock drains at 65 pages each time, 4096 = 63 * 65 + 1 */
	assert_int_equal(show_u64(cg, "memory.current"), 1 * 4096);
	assert_ptr_equal(pf_memcg_attach(NULL), cg);
	pf_test_check(m, "after the frees");
	pf_memcg_destroy(cg);
	pf_machine_destroy(m);
}

/* Without a charge (no memcg, or the root) __GFP_ACCOUNT is an ordinary allocation. */
static void uncharged_until_attached(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);
	assert_non_null(p);
	assert_int_equal(((unsigned long *)p)[7], 0);	/* memcg_data, the last word of struct page */
	struct pf_memcg *cg = pf_memcg_create(m, NULL, "g");
	assert_non_null(cg);
	/* a page allocated before any memcg frees normally afterwards */
	pf_free_pages(p, 0);
	p = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);	/* thread not attached: the root, not charged */
	assert_non_null(p);
	assert_int_equal(show_u64(cg, "memory.current"), 0);
	pf_free_pages(p, 0);
	pf_memcg_attach(cg);
	p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);		/* no __GFP_ACCOUNT: not charged */
	assert_int_equal(show_u64(cg, "memory.current"), 0);
	struct pf_page *q = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 2);	/* 4 pages, a batch of 64 */
	assert_non_null(q);
	assert_int_equal(show_u64(cg, "memory.current"), 64 * 4096);
	assert_int_equal(show_key(cg, "memory.stat", "kernel"), 4 * 4096);
	assert_int_not_equal(((unsigned long *)q)[7] & 2, 0);	/* MEMCG_DATA_KMEM */
	pf_free_pages(q, 2);
	pf_free_pages(p, 0);
	assert_int_equal(show_key(cg, "memory.stat", "kernel"), 0);

	/*
	 * A non-compound order-2 block still referenced when __free_pages drops its reference:
	 * pages 1..3 are freed now (order 1 at +2, order 0 at +1) and take 3 pages of charge
	 * with them; the first page keeps one page of charge until its last reference goes.
	 */
	q = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 2);
	assert_non_null(q);
	assert_int_equal(show_key(cg, "memory.stat", "kernel"), 4 * 4096);
	pf_get_page(q);
	pf_free_pages(q, 2);
	assert_int_equal(show_key(cg, "memory.stat", "kernel"), 1 * 4096);
	assert_int_equal(pf_page_count(q), 1);
	pf_put_page(q);
	assert_int_equal(show_key(cg, "memory.stat", "kernel"), 0);
	pf_memcg_attach(NULL);
	pf_memcg_destroy(cg);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_memcg_limit", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(max_16m),
		cmocka_unit_test(uncharged_until_attached),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
