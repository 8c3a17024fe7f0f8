/*
 * test_stress_deferred: the free lists of a zone with deferred struct pages are never empty
 * to a lockless reader while the zone has deferred blocks left.  One thread takes top-order
 * blocks one by one (each takes the only initialised block of the list, and the next deferred
 * block is queued in its place); another runs the order-1 watermark check, which reads the
 * lists without zone->lock, as get_page_from_freelist does.  The zone stays far above its
 * watermark throughout, so every check must pass.  (Queued after the last block had left,
 * the list was empty for the time it takes to write 1024 struct pages: a PREFERRED request
 * in test_stress_placement went to the other node.)
 */
#include "stress_common.h"

/* one node, 2 GiB: ZONE_DMA32 (about 2031 MiB) holds ~500 deferred top-order blocks */
#define MACHINE "cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7fffffff\n"

struct checker {
	struct zone *zone;
	atomic_bool stop;
	atomic_bool started;	/* the checker runs: the taker waits for it, so no round goes unwatched */
	long checks;
	long failed;
	long free_at_failure;
};

static void *checker_main(void *arg)
{
	struct checker *c = arg;
	unsigned long mark = low_wmark_pages(c->zone);

	atomic_store(&c->started, true);
	while (!atomic_load(&c->stop)) {
		long free = zone_page_state(c->zone, NR_FREE_PAGES);
		/* far above the mark (the taker stops at half the zone): the check must pass */
		if (!zone_watermark_ok(c->zone, 1, mark, ZONE_NORMAL, ALLOC_WMARK_LOW) &&
		    free > (long)(4 * mark + MAX_ORDER_NR_PAGES)) {
			c->failed++;
			c->free_at_failure = free;
		}
		c->checks++;
	}
	return NULL;
}

/* what a round takes while the checker watches: returns how many top-order blocks */
typedef long take_fn(struct pf_machine *m, struct zone *zone, void *arg);

/*
 * One watched round: the checker starts (and is seen running: on a loaded host the thread may
 * start late), @take runs, the checker stops; its counts are added to *failed and *checks.
 */
static long watched_round(int r, struct pf_machine *m, struct zone *zone, take_fn *take, void *arg, long *failed,
			  long *checks)
{
	struct checker c = { .zone = zone };
	atomic_init(&c.stop, false);
	atomic_init(&c.started, false);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, checker_main, &c), 0);
	while (!atomic_load(&c.started))
		sched_yield();
	long n = take(m, zone, arg);
	atomic_store(&c.stop, true);
	pthread_join(t, NULL);
	if (c.failed)
		fprintf(stderr, "  round %d: %ld of %ld checks failed (free %ld pages at the last, mark %lu)\n", r,
			c.failed, c.checks, c.free_at_failure, low_wmark_pages(zone));
	*failed += c.failed;
	*checks += c.checks;
	return n;
}

/* half the zone's top-order blocks by allocation, each a deferred block queued on the way */
static long take_by_allocation(struct pf_machine *m, struct zone *zone, void *arg)
{
	struct pf_page ***heldp = arg;
	long want = (long)(zone->nr_deferred_blocks / 2);
	struct pf_page **held = calloc((size_t)want, sizeof *held);
	assert_non_null(held);
	long n = 0;
	while (n < want) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL | PF___GFP_NOWARN, MAX_PAGE_ORDER);
		assert_non_null(p);
		held[n++] = p;
	}
	*heldp = held;
	return n;
}

static void deferred_lists_never_empty(void **state)
{
	(void)state;
	long failed = 0, checks = 0, taken_total = 0;
	int rounds = STRESS_TSAN ? 2 : 6;

	for (int r = 0; r < rounds; r++) {
		struct pf_machine *m = pf_test_boot(MACHINE);
		struct stress_reports reports = { .lock = PTHREAD_MUTEX_INITIALIZER };
		pf_set_report_hook(m, stress_report_hook, &reports);
		struct zone *zone = &NODE_DATA(m, 0)->node_zones[ZONE_DMA32];
		assert_true(zone->nr_deferred_blocks > 100);	/* the default boot defers */

		struct pf_page **held = NULL;
		long n = watched_round(r, m, zone, take_by_allocation, &held, &failed, &checks);
		taken_total += n;
		for (long i = 0; i < n; i++)
			pf_free_pages(held[i], MAX_PAGE_ORDER);
		free(held);
		stress_print_reports(&reports);
		assert_int_equal(reports.errors, 0);
		assert_int_equal(stress_check_accounting(m, "after"), 0);
		pf_test_check(m, "after the deferred stress");
		pf_machine_destroy(m);
	}
	fprintf(stderr, "  %ld top-order blocks taken, %ld lockless watermark checks\n", taken_total, checks);
	assert_true(checks > 0);
	assert_int_equal(failed, 0);
}

/* a quarter of the zone's top-order blocks by pf_alloc_contig_range, in ascending order */
static long take_by_isolation(struct pf_machine *m, struct zone *zone, void *arg)
{
	(void)arg;
	long want = (long)(zone->nr_deferred_blocks / 4), n = 0;
	for (; n < want; n++)
		assert_int_equal(pf_alloc_contig_range(m, 0x1000 + ((unsigned long)n << MAX_PAGE_ORDER),
						       0x1000 + ((unsigned long)(n + 1) << MAX_PAGE_ORDER), PF_GFP_KERNEL),
				 0);
	return n;
}

/*
 * The same through isolation: pf_alloc_contig_range of a whole top-order block isolates it first
 * (move_freepages_block_isolate takes it off the movable list and splits it into pageblocks on
 * the isolate list, which the watermark check does not count); while deferred blocks remain, the
 * next one must be on the movable list before the block leaves.  The taker takes the zone's
 * blocks in ascending order, [0x1000, 0x1400), [0x1400, 0x1800), ...: each is then the only
 * written block of the list (the lowest deferred one, written when the previous one left).
 * With the refill after the removal (before 87239e9), 70-100 % of the checks failed in most rounds.
 */
static void deferred_lists_never_empty_isolation(void **state)
{
	(void)state;
	long failed = 0, checks = 0, taken_total = 0;
	int rounds = STRESS_TSAN ? 1 : 3;

	for (int r = 0; r < rounds; r++) {
		struct pf_machine *m = pf_test_boot(MACHINE);
		struct stress_reports reports = { .lock = PTHREAD_MUTEX_INITIALIZER };
		pf_set_report_hook(m, stress_report_hook, &reports);
		struct zone *zone = &NODE_DATA(m, 0)->node_zones[ZONE_DMA32];
		assert_true(zone->nr_deferred_blocks > 100);
		assert_int_equal(zone->zone_start_pfn, 0x1000);

		long n = watched_round(r, m, zone, take_by_isolation, NULL, &failed, &checks);
		taken_total += n;
		pf_free_contig_range(m, 0x1000, (unsigned long)n << MAX_PAGE_ORDER);
		stress_print_reports(&reports);
		assert_int_equal(reports.errors, 0);
		assert_int_equal(stress_check_accounting(m, "after"), 0);
		pf_test_check(m, "after the deferred isolation stress");
		pf_machine_destroy(m);
	}
	fprintf(stderr, "  %ld top-order blocks isolated and taken, %ld lockless watermark checks\n", taken_total, checks);
	assert_true(checks > 0);
	assert_int_equal(failed, 0);
}

int main(void)
{
	pf_test_watchdog("test_stress_deferred", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(deferred_lists_never_empty),
						cmocka_unit_test(deferred_lists_never_empty_isolation) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
