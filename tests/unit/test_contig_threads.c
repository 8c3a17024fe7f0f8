/* test_contig_threads: contiguous allocations racing ordinary ones - one thread takes and gives back ranges (pf_alloc_contig_pages, pf_alloc_contig_range over random pfns, aligned or not) while another allocates and frees blocks of orders 0..3 on the other CPU; every page carries its holder's stamp, so a page handed to both shows, and at the end every page is back and pf_check is clean.  Time-boxed (about 2 s). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

#define MACHINE "cpus 2\nmem 0 0x1000000-0x7ffffff\nthp never\n"
#define RUN_NS 2000000000LL
#define HOLD 256

static struct pf_machine *m;
static volatile int stop;
static long contig_ok, contig_busy, bad_stamps;

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t stamp(unsigned long pfn, unsigned who)
{
	return ((uint64_t)pfn << 8) | who | 0xa5a5000000000000ULL;
}

static void put_stamp(unsigned long pfn, unsigned who)
{
	*(volatile uint64_t *)pf_page_address(pf_pfn_to_page(m, pfn)) = stamp(pfn, who);
}

static void check_stamp(unsigned long pfn, unsigned who)
{
	if (*(volatile uint64_t *)pf_page_address(pf_pfn_to_page(m, pfn)) != stamp(pfn, who))
		__atomic_add_fetch(&bad_stamps, 1, __ATOMIC_RELAXED);
}

/* the contiguous side: CPU 0 */
static void *contig_thread(void *arg)
{
	(void)arg;
	uint64_t rng = 0x1234567;
	pf_bind_cpu(0);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned long start, n;
		if (pf_test_xorshift64s(&rng) & 1) {
			n = 512;
			struct pf_page *p = pf_alloc_contig_pages(m, n, PF_GFP_KERNEL | PF_GFP_NOWARN, 0);
			if (!p) {
				contig_busy++;
				continue;
			}
			start = pf_page_to_pfn(p);
		} else {
			n = 1 + pf_test_xorshift64s(&rng) % 700;
			start = 0x1000 + pf_test_xorshift64s(&rng) % (0x7000 - n);
			if (pf_alloc_contig_range(m, start, start + n, PF_GFP_KERNEL | PF_GFP_NOWARN)) {
				contig_busy++;
				continue;
			}
		}
		contig_ok++;
		for (unsigned long i = 0; i < n; i++) {
			if (pf_page_count(pf_pfn_to_page(m, start + i)) != 1)
				__atomic_add_fetch(&bad_stamps, 1, __ATOMIC_RELAXED);
			put_stamp(start + i, 1);
		}
		for (unsigned long i = 0; i < n; i++)
			check_stamp(start + i, 1);
		pf_free_contig_range(m, start, n);
	}
	return NULL;
}

/* the ordinary side: CPU 1 */
static void *alloc_thread(void *arg)
{
	(void)arg;
	uint64_t rng = 0x89abcdef;
	struct pf_page *held[HOLD] = { 0 };
	unsigned order[HOLD] = { 0 };
	pf_bind_cpu(1);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned i = (unsigned)(pf_test_xorshift64s(&rng) % HOLD);
		if (held[i]) {
			unsigned long pfn = pf_page_to_pfn(held[i]);
			for (unsigned long k = 0; k < (1UL << order[i]); k++)
				check_stamp(pfn + k, 2);
			pf_free_pages(held[i], order[i]);
			held[i] = NULL;
			continue;
		}
		order[i] = (unsigned)(pf_test_xorshift64s(&rng) % 4);
		pf_gfp_t gfp = (pf_test_xorshift64s(&rng) & 1) ? PF_GFP_KERNEL : PF_GFP_HIGHUSER_MOVABLE;
		held[i] = pf_alloc_pages(m, gfp | PF_GFP_NOWARN, order[i]);
		if (held[i]) {
			unsigned long pfn = pf_page_to_pfn(held[i]);
			for (unsigned long k = 0; k < (1UL << order[i]); k++)
				put_stamp(pfn + k, 2);
		}
	}
	for (unsigned i = 0; i < HOLD; i++)
		if (held[i])
			pf_free_pages(held[i], order[i]);
	return NULL;
}

static void race(void **state)
{
	(void)state;
	m = pf_test_boot(MACHINE);
	pf_drain_all_pages(m);
	long free0 = pf_test_vmstat(m, "nr_free_pages");
	pthread_t a, b;
	assert_int_equal(pthread_create(&a, NULL, contig_thread, NULL), 0);
	assert_int_equal(pthread_create(&b, NULL, alloc_thread, NULL), 0);
	long long t0 = now_ns();
	while (now_ns() - t0 < RUN_NS)
		nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	fprintf(stderr, "contiguous allocations: %ld taken, %ld busy\n", contig_ok, contig_busy);
	assert_int_equal(bad_stamps, 0);
	assert_true(contig_ok > 0);
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), free0);
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);
	pf_test_check(m, "after the race");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_contig_threads", 10);
	const struct CMUnitTest tests[] = { cmocka_unit_test(race) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
