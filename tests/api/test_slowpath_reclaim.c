/*
 * test_slowpath_reclaim: __alloc_pages_slowpath's reclaim, retry and OOM
 * rules as Linux 6.12 has them, worked by hand on a small machine (64 MiB,
 * one zone) whose memory is full of file pages on the LRU.
 *
 * Filling: order-0 GFP_HIGHUSER_MOVABLE requests without __GFP_DIRECT_RECLAIM
 * (without __GFP_HIGH they get no share of the min reserve: they stop at
 * min, the per-CPU lists drained back and taken until nothing moves), then
 * __GFP_HIGH ones until 64 pages below min; each page put on the LRU as a
 * file page of one owner.  kswapd is stepped and
 * never run here unless a test runs it, so only direct reclaim frees.
 *
 * 1. An owner that lets its clean pages go: a GFP_KERNEL request below min
 *    is served by direct reclaim (allocstall_normal and pgsteal_direct grow;
 *    no OOM), and one stepped kswapd pass then brings free pages back to the
 *    high watermark (balance_pgdat's goal).
 * 2. An owner that refuses every release: reclaim makes no progress, and
 *    should_reclaim_retry allows MAX_RECLAIM_RETRIES (16) more rounds while
 *    free + reclaimable pages would pass min: 17 direct-reclaim rounds
 *    (17 try_to_free_pages calls, each counted 3 times in allocstall), then
 *      - plain GFP_KERNEL: the OOM killer is called once (nothing to kill:
 *        its report, no kill), did_some_progress stays 0, the request fails
 *        with warn_alloc's report;
 *      - __GFP_RETRY_MAYFAIL: the same 17 rounds, no OOM, fails;
 *      - __GFP_NORETRY: 1 round, no OOM, fails;
 *      - GFP_NOFS: 17 rounds, the OOM killer kills nothing without __GFP_FS
 *        and (unlike 6.12, which retries forever) the request fails;
 *      - GFP_KERNEL with a registered task whose kill frees its pages: 17
 *        rounds, one OOM kill (oom_kill 1), then the retry succeeds with
 *        no_progress_loops reset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include <pageframe/reclaim.h>
#include <pageframe/oom.h>
#include "pf_testlib.h"

/* 64 MiB at 16 MiB: DMA32 only */
#define SMALL "cpus 1\nmem 0 0x1000000-0x4ffffff\n"

struct owner {
	struct pf_address_space as;
	bool refuse;
	long released;
};

static bool owner_release(struct pf_address_space *mapping, struct pf_page *page, unsigned long shadow)
{
	struct owner *o = mapping->host;
	(void)page;
	(void)shadow;
	if (o->refuse)
		return false;
	o->released++;
	return true;
}

static const struct pf_address_space_operations owner_ops = { .release_folio = owner_release };

struct log {
	int oom_invoked;	/* "invoked oom-killer" lines */
	int failures;		/* warn_alloc lines */
	int rounds;		/* mm_vmscan_direct_reclaim_begin events: one per try_to_free_pages */
};

static void trace_fn(void *arg, const char *line)
{
	struct log *log = arg;
	if (strstr(line, "mm_vmscan_direct_reclaim_begin:"))
		log->rounds++;
}

static void report_fn(void *arg, int level, const char *line)
{
	struct log *log = arg;
	(void)level;
	if (strstr(line, "invoked oom-killer"))
		log->oom_invoked++;
	if (strstr(line, ": page allocation failure: order:"))
		log->failures++;
}

/* the zone's min / high watermark from zoneinfo */
static long zone_mark(struct pf_machine *m, const char *which)
{
	char *zi = pf_test_show(m, "zoneinfo");
	const char *z = strstr(zi, "zone    DMA32");
	assert_non_null(z);
	char key[32];
	snprintf(key, sizeof key, "\n        %s ", which);
	const char *p = strstr(z, key);
	assert_non_null(p);
	long v = strtol(p + strlen(key), NULL, 10);
	free(zi);
	return v;
}

/* fill the machine with LRU file pages of @o without direct reclaim; returns how many */
static long fill_lru(struct pf_machine *m, struct owner *o)
{
	const pf_gfp_t nowait = PF_GFP_HIGHUSER_MOVABLE & ~PF___GFP_DIRECT_RECLAIM;
	long n = 0, before;
	struct pf_page *p;
	/* until the min watermark stops it, the per-CPU lists drained back each time */
	do {
		before = n;
		while ((p = pf_alloc_pages(m, nowait | PF_GFP_NOWARN, 0)) != NULL) {
			assert_int_equal(pf_lru_cache_add(p, &o->as, PF_LRU_FILE), 0);
			n++;
		}
		pf_drain_all_pages(m);
	} while (n != before);
	/*
	 * Those stop when the buddy lists alone are at min, but a refill of the
	 * per-CPU list still holds a batch: drained back, free is above min
	 * again.  Take pages one at a time with __GFP_HIGH (half of min is
	 * theirs) until free pages, drained, are 64 below min.
	 */
	long min = zone_mark(m, "min"), free_now;
	while (pf_vmstat_get(m, "nr_free_pages", &free_now) == 0 && free_now > min - 64) {
		p = pf_alloc_pages(m, PF_GFP_ATOMIC | PF___GFP_MOVABLE | PF_GFP_NOWARN, 0);
		assert_non_null(p);
		assert_int_equal(pf_lru_cache_add(p, &o->as, PF_LRU_FILE), 0);
		n++;
		pf_drain_all_pages(m);
	}
	return n;
}

static void reclaim_serves_and_kswapd_balances(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct pf_machine *m = pf_test_boot(SMALL);
	pf_set_report_hook(m, report_fn, &log);
	struct owner o = { .as = { &owner_ops, NULL } };
	o.as.host = &o;
	long filled = fill_lru(m, &o);
	assert_true(filled > 10000);
	pf_drain_all_pages(m);
	long min = zone_mark(m, "min"), high = zone_mark(m, "high");
	assert_true(pf_test_vmstat(m, "nr_free_pages") <= min - 64);

	long stall0 = pf_test_vmstat(m, "allocstall_normal");
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_true(pf_test_vmstat(m, "allocstall_normal") > stall0);
	assert_true(pf_test_vmstat(m, "pgsteal_direct") >= 32);	/* SWAP_CLUSTER_MAX a round */
	assert_true(o.released >= 32);
	assert_int_equal(log.oom_invoked, 0);
	assert_int_equal(log.failures, 0);

	/* the slow path woke kswapd; one stepped pass balances the node to the high mark */
	int rc = pf_kswapd_run(m, 0);
	assert_true(rc == PF_KSWAPD_BALANCED || rc == PF_KSWAPD_AWAKE);
	pf_drain_all_pages(m);
	assert_true(pf_test_vmstat(m, "nr_free_pages") >= high);
	assert_true(pf_test_vmstat(m, "pgsteal_kswapd") > 0);
	pf_free_pages(p, 0);
	pf_test_check(m, "after reclaim");
	pf_machine_destroy(m);
}

struct victim {
	struct pf_page **pages;
	long n;
	int kills;
};

static void victim_mm(void *arg, struct pf_oom_task_mm *mm)
{
	struct victim *v = arg;
	memset(mm, 0, sizeof *mm);
	mm->total_vm = (unsigned long)v->n;
	mm->rss_anon = (unsigned long)v->n;
}

static void victim_kill(void *arg)
{
	struct victim *v = arg;
	v->kills++;
	for (long i = 0; i < v->n; i++)
		pf_free_pages(v->pages[i], 0);
	v->n = 0;
}

static const struct pf_oom_task_ops victim_ops = { victim_mm, victim_kill };

/*
 * One request against a machine full of pages nobody gives up: @gfp, the
 * reclaim rounds and OOM calls expected, and whether it succeeds (a victim
 * with @victim_pages pages is registered when non-zero).
 */
static void refusing_case(pf_gfp_t gfp, long want_rounds, int want_oom, bool want_page, long victim_pages)
{
	struct log log = { 0 };
	struct pf_machine *m = pf_test_boot(SMALL);
	pf_set_report_hook(m, report_fn, &log);
	struct victim v = { 0 };
	if (victim_pages) {
		v.pages = calloc((size_t)victim_pages, sizeof *v.pages);
		assert_non_null(v.pages);
		for (; v.n < victim_pages; v.n++)
			assert_non_null(v.pages[v.n] = pf_alloc_pages(m, PF_GFP_KERNEL, 0));
		assert_non_null(pf_oom_task_register(m, "victim", 4242, 0, &victim_ops, &v));
	}
	struct owner o = { .as = { &owner_ops, NULL }, .refuse = true };
	o.as.host = &o;
	fill_lru(m, &o);
	pf_drain_all_pages(m);
	assert_true(pf_test_vmstat(m, "nr_free_pages") <= zone_mark(m, "min") - 64);

	long stall0 = pf_test_vmstat(m, "allocstall_normal");
	long kill0 = pf_test_vmstat(m, "oom_kill");
	assert_int_equal(pf_set_trace(m, "mm_vmscan_direct_reclaim_begin", trace_fn, &log), 0);
	struct pf_page *p = pf_alloc_pages(m, gfp, 0);
	pf_set_trace(m, NULL, NULL, NULL);
	if (log.rounds != want_rounds)
		fail_msg("gfp %#x: %d direct reclaim rounds, want %ld (OOM reports %d, failures %d)", gfp, log.rounds,
			 want_rounds, log.oom_invoked, log.failures);
	/*
	 * allocstall counts do_try_to_free_pages' passes: with nothing freed
	 * it goes round again once for memcg_full_walk and once more with
	 * force_deactivate (the refused pages were activated, and deactivating
	 * the active file list was skipped): three per round.
	 */
	assert_int_equal(pf_test_vmstat(m, "allocstall_normal") - stall0, 3 * want_rounds);
	assert_int_equal(log.oom_invoked, want_oom);
	assert_int_equal(o.released, 0);
	if (want_page) {
		assert_non_null(p);
		assert_int_equal(log.failures, 0);
		pf_free_pages(p, 0);
	} else {
		assert_null(p);
		assert_int_equal(log.failures, (gfp & PF_GFP_NOWARN) ? 0 : 1);
	}
	assert_int_equal(pf_test_vmstat(m, "oom_kill") - kill0, victim_pages ? 1 : 0);
	assert_int_equal(v.kills, victim_pages ? 1 : 0);
	pf_test_check(m, "after the refused reclaim");
	free(v.pages);
	pf_machine_destroy(m);
}

static void retry_rules(void **state)
{
	(void)state;
	/* 1 + MAX_RECLAIM_RETRIES rounds, then the OOM killer (nothing to kill), then failure */
	pf_test_phase("GFP_KERNEL");
	refusing_case(PF_GFP_KERNEL, 17, 1, false, 0);
	/* the same rounds; the OOM killer is skipped for __GFP_RETRY_MAYFAIL */
	pf_test_phase("__GFP_RETRY_MAYFAIL");
	refusing_case(PF_GFP_KERNEL | PF_GFP_RETRY_MAYFAIL, 17, 0, false, 0);
	/* one round, then give up */
	pf_test_phase("__GFP_NORETRY");
	refusing_case(PF_GFP_KERNEL | PF_GFP_NORETRY, 1, 0, false, 0);
	/* the OOM kill frees the victim's 1024 pages: the retry right after succeeds */
	pf_test_phase("GFP_KERNEL with a victim");
	refusing_case(PF_GFP_KERNEL, 17, 1, true, 1024);
	/*
	 * Without __GFP_FS out_of_memory kills nothing and returns before its
	 * report; the kernel calls that progress and retries (forever, unless
	 * another task's OOM frees memory), pageframe fails the request
	 * (FIDELITY.md): 17 rounds, no OOM report, the failure report.
	 */
	pf_test_phase("GFP_NOFS");
	refusing_case(PF_GFP_NOFS, 17, 0, false, 0);
}

int main(void)
{
	pf_test_watchdog("test_slowpath_reclaim", 120);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reclaim_serves_and_kswapd_balances),
		cmocka_unit_test(retry_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
