/*
 * test_fastpath_diff: the allocation and free fast paths leave exactly the state the general
 * path leaves.  Two identical machines run the same random operations, one with its fast paths
 * on and one with them forced off (pf_fast_force_off); after every step the pages handed out
 * must be the same, and at checkpoints every struct page, allocation record, free list in order,
 * per-CPU list in order with its count/high/batch/free_count/alloc_factor/flags, zone flags and
 * boost, and every counter as /proc shows it (vmstat, zoneinfo, buddyinfo, pagetypeinfo) must be
 * equal.  The operations cover what the fast paths decide: orders 0..4, every gfp zone and
 * mobility, __GFP_ZERO and __GFP_COMP, shared references, bad frees, frees on the other CPU,
 * drains, high tuning under sysctl changes, and running a small machine down to its watermarks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"
#include "pf_testlib.h"
#include "machine_compare.h"

/* 2 CPUs, DMA + 60 MiB of DMA32: small enough to run down to the watermarks and to compare often. */
#define MACHINE "cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3ffffff\n"
#define SLOTS 12000
/*
 * Steps of the random walk.  Requests that fail (the machine runs full) go
 * through the whole slow path, direct reclaim included; under ASan that is
 * about ten times slower, so the sanitizer build walks fewer steps.
 */
#if defined(__SANITIZE_ADDRESS__)
#define STEPS 40000
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STEPS 40000
#endif
#endif
#ifndef STEPS
#define STEPS 150000
#endif

struct live {
	struct pf_page *page;
	unsigned order;
	int refs;	/* extra references taken with pf_get_page */
};

static int reports;
static void count_report(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	(void)line;
	reports++;
}

static struct pf_machine *boot(bool fast, const char *extra)
{
	char err[256], desc[256];
	snprintf(desc, sizeof desc, "%s%s", MACHINE, extra);
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (!m)
		fail_msg("boot: %s", err);
	/*
	 * Spinlocked pagesets: the rseq fast path is only for an unbound thread, and this test binds
	 * its thread to CPU 0 or 1 so that both machines see the same CPU on every call.
	 */
	m->pcp_rseq = false;
	pf_fast_force_off(m, !fast);
	pf_set_report_hook(m, count_report, NULL);
	return m;
}

/* A stamp the fast machine and the general one both write, so contents must match too. */
static void stamp(struct pf_page *p, unsigned order, uint64_t v)
{
	unsigned long *w = pf_page_address(p);
	for (unsigned long i = 0; i < (1UL << order); i++)
		w[i * PAGE_SIZE / sizeof *w] = v + i;
}

/*
 * run_diff - the same operations on @a (fast paths on) and @b (the general path: forced, or
 * because a page debugging hook is on), compared as the test's head comment says.
 */
static void run_diff(struct pf_machine *a, struct pf_machine *b)
{
	compare_machines(a, b);

	static struct live la[SLOTS], lb[SLOTS];
	const pf_gfp_t gfps[] = { PF_GFP_KERNEL, PF_GFP_HIGHUSER_MOVABLE, PF_GFP_KERNEL | PF___GFP_RECLAIMABLE,
				  PF_GFP_DMA32 | PF_GFP_KERNEL, PF_GFP_ATOMIC, PF_GFP_KERNEL | PF___GFP_ZERO,
				  PF_GFP_DMA | PF_GFP_KERNEL, PF_GFP_KERNEL | PF___GFP_COMP, PF_GFP_NOWAIT,
				  PF_GFP_HIGHUSER_MOVABLE | PF___GFP_ZERO };
	const char *const fractions[] = { "0", "8", "100", "0" };
	uint64_t rng = 0xfa57;
	int reports_before = 0;
	for (int step = 0; step < STEPS; step++) {
		uint64_t r = pf_test_xorshift64s(&rng);
		unsigned k = (unsigned)(r % SLOTS);
		unsigned what = (unsigned)((r >> 20) % 1000);
		assert_int_equal(pf_bind_cpu((int)((r >> 50) & 1)), 0);	/* frees often land on the other CPU */
		if (what < 5) {
			pf_drain_all_pages(a);
			pf_drain_all_pages(b);
		} else if (what < 7) {
			const char *v = fractions[(r >> 30) % 4];
			assert_int_equal(pf_sysctl_set(a, "percpu_pagelist_high_fraction", v), 0);
			assert_int_equal(pf_sysctl_set(b, "percpu_pagelist_high_fraction", v), 0);
		} else if (what < 9) {
			pf_vmstat_refresh(a);
			pf_vmstat_refresh(b);
		} else if (what < 11 && la[k].page) {
			/* a bad free: the wrong order, or a double free of a page freed just now */
			reports_before = reports;
			if ((r >> 33) & 1) {
				pf_free_pages(la[k].page, la[k].order + 1);
				pf_free_pages(lb[k].page, lb[k].order + 1);
			} else if (!la[k].refs) {
				pf_free_pages(la[k].page, la[k].order);
				pf_free_pages(lb[k].page, lb[k].order);
				pf_free_pages(la[k].page, la[k].order);
				pf_free_pages(lb[k].page, lb[k].order);
				la[k].page = lb[k].page = NULL;
			}
			assert_int_equal((reports - reports_before) % 2, 0);	/* each machine reported alike */
		} else if (what < 60 && la[k].page) {
			/* another reference: the next free is not the last one */
			pf_get_page(la[k].page);
			pf_get_page(lb[k].page);
			la[k].refs++;
		} else if (la[k].page) {
			pf_free_pages(la[k].page, la[k].order);
			pf_free_pages(lb[k].page, lb[k].order);
			if (la[k].refs)
				la[k].refs--;
			else
				la[k].page = lb[k].page = NULL;
		} else {
			/* mostly order 0, some 1..3 (per-CPU orders) and 4 (buddy lists directly) */
			unsigned w = (unsigned)((r >> 32) % 100);
			unsigned order = w < 60 ? 0 : w < 72 ? 1 : w < 82 ? 2 : w < 92 ? 3 : 4;
			pf_gfp_t gfp = gfps[(r >> 40) % (sizeof gfps / sizeof gfps[0])] | PF___GFP_NOWARN;
			la[k].page = pf_alloc_pages(a, gfp, order);
			lb[k].page = pf_alloc_pages(b, gfp, order);
			la[k].order = lb[k].order = order;
			la[k].refs = 0;
			if ((la[k].page == NULL) != (lb[k].page == NULL))
				fail_msg("step %d: order %u gfp %#x: fast path %s, general path %s", step, order, gfp,
					 la[k].page ? "allocated" : "failed", lb[k].page ? "allocated" : "failed");
			if (la[k].page) {
				assert_int_equal(pf_page_to_pfn(la[k].page), pf_page_to_pfn(lb[k].page));
				if (gfp & PF___GFP_ZERO)
					assert_int_equal(*(unsigned long *)pf_page_address(la[k].page), 0);
				stamp(la[k].page, order, r);
				stamp(lb[k].page, order, r);
				if (gfp & PF___GFP_COMP)
					la[k].order = lb[k].order = order;	/* freed with its order all the same */
			}
		}
		if (step % 10000 == 9999)
			compare_machines(a, b);
	}
	compare_bulk_refills(a, b);
	compare_machines(a, b);
	for (unsigned k = 0; k < SLOTS; k++)
		while (la[k].page) {
			pf_free_pages(la[k].page, la[k].order);
			pf_free_pages(lb[k].page, lb[k].order);
			if (la[k].refs)
				la[k].refs--;
			else
				la[k].page = lb[k].page = NULL;
		}
	compare_machines(a, b);
	pf_drain_all_pages(a);
	pf_drain_all_pages(b);
	compare_machines(a, b);
	char err[256];
	assert_int_equal(pf_check(a, err, sizeof err), 0);
	assert_int_equal(pf_check(b, err, sizeof err), 0);
	pf_machine_destroy(a);
	pf_machine_destroy(b);
	pf_bind_cpu(-1);
}

static void fast_equals_general(void **state)
{
	(void)state;
	struct pf_machine *a = boot(true, ""), *b = boot(false, "");
	assert_int_equal(a->fast_off, 0);
	assert_int_equal(b->fast_off, FAST_OFF_FORCED);
	machine_compare_contents = MC_CONTENTS_EXACT;
	run_diff(a, b);
}

/*
 * The page debugging hooks change no allocator state: with page_poison=1 (free pages hold
 * 0xaa, and the bad frees are reported alike), and with debug_pagealloc=on as well (free
 * pages unmapped, contents not compared), the general path leaves what the fast path does.
 */
static void hooks_change_no_state(void **state)
{
	(void)state;
	struct pf_machine *a = boot(true, ""), *b = boot(false, "cmdline page_poison=1\n");
	pf_fast_force_off(b, false);	/* the hook alone sends b to the general path */
	assert_int_equal(b->fast_off, FAST_OFF_POISON);
	machine_compare_contents = MC_CONTENTS_POISON;
	run_diff(a, b);
	a = boot(true, "");
	b = boot(false, "cmdline page_poison=1 debug_pagealloc=on\n");
	pf_fast_force_off(b, false);
	assert_int_equal(b->fast_off, FAST_OFF_POISON | FAST_OFF_DEBUG_PAGEALLOC);
	machine_compare_contents = MC_CONTENTS_NONE;
	run_diff(a, b);
	machine_compare_contents = MC_CONTENTS_EXACT;
}

int main(void)
{
	/*
	 * One host CPU for the whole run: the zone counters' per-CPU differentials follow the CPU
	 * the thread runs on (as the kernel's do), and the watermark tests read the folded part
	 * only, so two machines compared step by step must see their differentials on one CPU.
	 */
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof one, &one))
		perror("sched_setaffinity (the comparison may then depend on scheduling)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fast_equals_general),
		cmocka_unit_test(hooks_change_no_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
