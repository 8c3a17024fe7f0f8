/*
 * test_rseq_abort: the per-CPU lists' rseq critical sections abort through the abort stubs of the
 * descriptors' copy (hosted.c rseq_cs_copy) and the fast paths go on correctly.  One thread
 * allocates and frees order-0 to order-3 blocks for a second while a timer signal arrives every
 * 50 us: a signal delivered inside a critical section makes the kernel send the thread to the
 * section's abort address, which is the copy's stub, which jumps back to the section's own abort
 * label (a wrong stub would crash the first time).  Afterwards pf_check holds and every page is
 * back.  The machine has as many CPUs as the host, so the fast paths use rseq where the host has
 * it (they do not under ThreadSanitizer, or with PAGEFRAME_NO_RSEQ: then only the signals are
 * tested).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"
#include "pf_testlib.h"

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void churn_under_signals(void **state)
{
	(void)state;
	char desc[128];
	snprintf(desc, sizeof desc, "cpus %d\nmem 0 0x1000-0x3ffffff\n", pf_os_ncpus_possible());
	struct pf_machine *m = pf_test_boot(desc);
	if (getenv("PF_TEST_VERBOSE"))
		fprintf(stderr, "rseq fast paths: %d\n", m->pcp_rseq);
	pf_drain_all_pages(m);
	long free0 = pf_test_vmstat(m, "nr_free_pages");

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_tick;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	struct itimerval it = { .it_interval = { 0, 50 }, .it_value = { 0, 50 } };
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);

	struct pf_page *held[64] = { 0 };
	unsigned char ord[64] = { 0 };
	uint64_t s = 0x2545F4914F6CDD1DULL;
	long ops = 0;
	double until = now() + 1.0;
	while (now() < until) {
		for (int r = 0; r < 1000; r++, ops++) {
			unsigned k = (unsigned)(pf_test_xorshift64s(&s) % 64);
			if (held[k]) {
				pf_free_pages(held[k], ord[k]);
				held[k] = NULL;
			} else {
				ord[k] = (unsigned char)(pf_test_xorshift64s(&s) % 4);
				held[k] = pf_alloc_pages(m, PF_GFP_KERNEL, ord[k]);
				assert_non_null(held[k]);
			}
		}
	}
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	if (getenv("PF_TEST_VERBOSE"))
		fprintf(stderr, "%ld operations, %d signals\n", ops, (int)ticks);
	assert_true(ticks > 100);	/* the signals did arrive */
	for (int k = 0; k < 64; k++)
		if (held[k])
			pf_free_pages(held[k], ord[k]);
	pf_test_check(m, "after the churn under signals");
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), free0);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(churn_under_signals) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
