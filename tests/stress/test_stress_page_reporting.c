/*
 * test_stress_page_reporting: free page reporting beside allocations on
 * several threads.  The machine's reporting thread runs its real 2 s delay
 * and passes while worker threads allocate blocks of every order up to 10
 * (the reporting order is 9), stamp every page they get and check the
 * stamps before freeing, and the main thread asks for immediate reports
 * (pf_report_free_pages).  A block handed out must never be given back to
 * the host under its owner (its stamps would read as zeros); PageReported
 * must never be set on an allocated block; the machine must check clean
 * and every page must come back free.  Time-boxed; also run under TSan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <stdatomic.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include <pageframe/page.h>
#include "pf_testlib.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRESS_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) && !defined(STRESS_TSAN)
#define STRESS_TSAN 1
#endif
#ifndef STRESS_TSAN
#define STRESS_TSAN 0
#endif

static double stress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define SECONDS (STRESS_TSAN ? 2.6 : 2.4)	/* past the first 2 s delay, so the thread runs passes */

struct worker {
	struct pf_machine *m;
	uint64_t seed;
	atomic_int *stop;
	long ops, bad;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct { struct pf_page *p; unsigned order; uint64_t gen; } held[8] = { { 0 } };
	uint64_t gen = 0;
	while (!atomic_load(w->stop)) {
		unsigned slot = (unsigned)(pf_test_xorshift64s(&w->seed) % 8);
		if (held[slot].p) {
			unsigned long pfn = pf_page_to_pfn(held[slot].p);
			for (unsigned long i = 0; i < (1UL << held[slot].order); i++) {
				uint64_t v;
				memcpy(&v, (char *)pf_page_address(held[slot].p) + i * 4096, sizeof v);
				if (v != pf_test_stamp_of(pfn + i, held[slot].gen))
					w->bad++;
			}
			pf_free_pages(held[slot].p, held[slot].order);
			held[slot].p = NULL;
			continue;
		}
		unsigned order = (unsigned)(pf_test_xorshift64s(&w->seed) % 11);
		struct pf_page *p = pf_alloc_pages(w->m, PF_GFP_KERNEL | PF_GFP_NOWARN, order);
		if (!p)
			continue;
		if (pf_PageReported(p))
			w->bad++;
		unsigned long pfn = pf_page_to_pfn(p);
		gen++;
		for (unsigned long i = 0; i < (1UL << order); i++) {
			uint64_t v = pf_test_stamp_of(pfn + i, gen);
			memcpy((char *)pf_page_address(p) + i * 4096, &v, sizeof v);
		}
		held[slot].p = p;
		held[slot].order = order;
		held[slot].gen = gen;
		w->ops++;
	}
	for (int i = 0; i < 8; i++)
		if (held[i].p)
			pf_free_pages(held[i].p, held[i].order);
	return NULL;
}

static void reporting_beside_allocations(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 4\nmem 0 0x1000-0x1fffffff\nfree_page_reporting dontneed\n");
	int n = STRESS_TSAN ? 2 : 3;
	pthread_t th[3];
	struct worker w[3];
	atomic_int stop = 0;
	long before = pf_test_vmstat(m, "nr_free_pages");

	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ m, 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1), &stop, 0, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	long reported = 0;
	double end = stress_now() + SECONDS;
	while (stress_now() < end) {
		long r = pf_report_free_pages(m);
		assert_true(r >= 0);
		reported += r;
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	atomic_store(&stop, 1);
	long ops = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].bad, 0);
		ops += w[i].ops;
	}
	print_message("%ld allocations, %ld pages reported by immediate calls\n", ops, reported);
	assert_true(ops > 0);
	assert_true(reported > 0);
	pf_page_reporting_stop(m);
	pf_drain_all_pages(m);
	pf_test_check(m, "after the threads");
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), before);
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_stress_page_reporting", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(reporting_beside_allocations) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
