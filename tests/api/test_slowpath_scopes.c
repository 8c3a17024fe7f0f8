/*
 * test_slowpath_scopes: the calling thread's allocation scopes and the slow
 * path's last resorts, as Linux 6.12 has them.
 *
 *  - memalloc_noio_save / memalloc_nofs_save: current_gfp_context takes
 *    __GFP_IO|__GFP_FS (noio, which wins over nofs) or __GFP_FS away from
 *    every request the thread makes; the mm_page_alloc event shows the gfp
 *    actually used (GFP_KERNEL becomes GFP_NOIO / GFP_NOFS), scopes nest.
 *  - memalloc_pin_save: __GFP_MOVABLE is dropped, so a GFP_HIGHUSER_MOVABLE
 *    request never lands in ZONE_MOVABLE - also on the per-CPU fast path,
 *    which must send such a thread to the general path.
 *  - memalloc_noreclaim_save (PF_MEMALLOC): __gfp_pfmemalloc_flags gives
 *    ALLOC_NO_WATERMARKS, so the thread allocates below the min watermark
 *    where the same request outside the scope fails; __GFP_NOMEMALLOC
 *    takes that away again.
 *  - __GFP_NOFAIL: a request that cannot be met waits (the slow path's
 *    endless retry) until another thread frees memory; the kernel's
 *    WARN_ON_ONCE for order > 1 is printed once.
 *  - warn_alloc: one "page allocation failure" report per 10 s (the
 *    kernel's nopage ratelimit, burst 1).
 */
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
#include <pageframe/page.h>
#include "pf_testlib.h"

/* 64 MiB at 16 MiB: one zone (DMA32), 16384 pages */
/* zone indexes of an x86-64 machine: DMA 0, DMA32 1, Normal 2, Movable 3 */
#define ZONE_MOVABLE_IDX 3u
#define SMALL "cpus 1\nmem 0 0x1000000-0x4ffffff\n"

struct log {
	char last_alloc[512];
	int failures;		/* "page allocation failure" lines */
	char failure[512];	/* the last of them */
	int nofail_order_warnings;
};

static void trace_fn(void *arg, const char *line)
{
	struct log *log = arg;
	const char *ev = strstr(line, "mm_page_alloc: ");
	if (ev)
		snprintf(log->last_alloc, sizeof log->last_alloc, "%s", ev);
}

static void report_fn(void *arg, int level, const char *line)
{
	struct log *log = arg;
	(void)level;
	if (strstr(line, ": page allocation failure: order:")) {
		log->failures++;
		snprintf(log->failure, sizeof log->failure, "%s", line);
	}
	if (strstr(line, "WARNING:") && strstr(line, "__alloc_pages_slowpath: order > 1"))
		log->nofail_order_warnings++;
}

/* the gfp_flags= field of the last mm_page_alloc line */
static const char *traced_gfp(struct log *log, char *buf, size_t len)
{
	const char *g = strstr(log->last_alloc, "gfp_flags=");
	assert_non_null(g);
	g += strlen("gfp_flags=");
	size_t n = strcspn(g, " \n");
	snprintf(buf, len, "%.*s", (int)n, g);
	return buf;
}

static void alloc_and_expect(struct pf_machine *m, struct log *log, const char *want)
{
	char buf[256];
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_string_equal(traced_gfp(log, buf, sizeof buf), want);
	pf_free_pages(p, 0);
}

static void noio_nofs_scopes(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct pf_machine *m = pf_test_boot(SMALL);
	assert_int_equal(pf_set_trace(m, "mm_page_alloc", trace_fn, &log), 0);

	alloc_and_expect(m, &log, "GFP_KERNEL");
	unsigned int nofs = pf_memalloc_nofs_save();
	alloc_and_expect(m, &log, "GFP_NOFS");
	unsigned int noio = pf_memalloc_noio_save();
	alloc_and_expect(m, &log, "GFP_NOIO");	/* NOIO wins over NOFS */
	unsigned int noio2 = pf_memalloc_noio_save();	/* nested: turns nothing on */
	assert_int_equal(noio2, 0);
	pf_memalloc_noio_restore(noio2);
	alloc_and_expect(m, &log, "GFP_NOIO");	/* the inner restore must not end the outer scope */
	pf_memalloc_noio_restore(noio);
	alloc_and_expect(m, &log, "GFP_NOFS");
	pf_memalloc_nofs_restore(nofs);
	alloc_and_expect(m, &log, "GFP_KERNEL");
	pf_machine_destroy(m);
}

static void pin_scope_avoids_movable(void **state)
{
	(void)state;
	/* 1 GiB with movablecore=512M: ZONE_MOVABLE exists, and movable requests prefer it */
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000-0x3fffffff\ncmdline movablecore=512M\n");
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(p);
	assert_int_equal(pf_page_zonenum(p), ZONE_MOVABLE_IDX);
	/* warm the per-CPU list of the Normal/DMA32 zones too, so the fast path would have a page */
	pf_free_pages(p, 0);

	unsigned int pin = pf_memalloc_pin_save();
	for (int i = 0; i < 64; i++) {
		p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 0);
		assert_non_null(p);
		if (pf_page_zonenum(p) == ZONE_MOVABLE_IDX)
			fail_msg("allocation %d inside memalloc_pin_save came from ZONE_MOVABLE (pfn %#lx)", i,
				 pf_page_to_pfn(p));
		pf_free_pages(p, 0);
	}
	pf_memalloc_pin_restore(pin);
	p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(pf_page_zonenum(p), ZONE_MOVABLE_IDX);	/* the scope is over */
	pf_free_pages(p, 0);
	pf_test_check(m, "after the pin scope");
	pf_machine_destroy(m);
}

/* Allocate order-0 pages with @gfp until it fails; returns how many, chained through @list. */
static long fill(struct pf_machine *m, pf_gfp_t gfp, struct pf_page ***list, long *cap, long n)
{
	for (;;) {
		struct pf_page *p = pf_alloc_pages(m, gfp, 0);
		if (!p)
			return n;
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 1024;
			*list = realloc(*list, (size_t)*cap * sizeof **list);
			assert_non_null(*list);
		}
		(*list)[n++] = p;
	}
}

static void noreclaim_scope_uses_reserves(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct pf_machine *m = pf_test_boot(SMALL);
	pf_set_report_hook(m, report_fn, &log);
	struct pf_page **pages = NULL;
	long cap = 0, n = 0;

	/* GFP_KERNEL stops at the min watermark (nothing to reclaim, no task to kill) */
	const pf_gfp_t gfp = PF_GFP_KERNEL | PF_GFP_NORETRY | PF_GFP_NOWARN;
	n = fill(m, gfp, &pages, &cap, n);
	long normal = n;
	long free_now = pf_test_vmstat(m, "nr_free_pages");
	assert_true(free_now > 0);	/* the reserve below min is still there */

	/* __GFP_NOMEMALLOC: the scope does not help */
	unsigned int flags = pf_memalloc_noreclaim_save();
	assert_null(pf_alloc_pages(m, gfp | PF_GFP_NOMEMALLOC, 0));
	/* in the scope: ALLOC_NO_WATERMARKS takes every free page that is left */
	n = fill(m, gfp, &pages, &cap, n);
	pf_memalloc_noreclaim_restore(flags);
	assert_true(n > normal);
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 0);
	/* outside again: nothing */
	assert_null(pf_alloc_pages(m, gfp, 0));
	assert_int_equal(log.failures, 0);	/* __GFP_NOWARN throughout */

	for (long i = 0; i < n; i++)
		pf_free_pages(pages[i], 0);
	free(pages);
	pf_test_check(m, "after the noreclaim scope");
	pf_machine_destroy(m);
}

struct freer {
	struct pf_machine *m;
	struct pf_page *page;
	unsigned order;
	struct pf_page **extra;	/* order-0 pages freed with the block */
	long nr_extra;
	int began;	/* set before the first free */
};

static void *free_later(void *arg)
{
	struct freer *f = arg;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	__atomic_store_n(&f->began, 1, __ATOMIC_RELEASE);
	pf_free_pages(f->page, f->order);
	for (long i = 0; i < f->nr_extra; i++)
		pf_free_pages(f->extra[i], 0);
	return NULL;
}

/*
 * @order 2: the retry runs through __alloc_pages_may_oom, which counts a
 * __GFP_NOFAIL request as progress (WARN_ON_ONCE_GFP, silenced here by
 * __GFP_NOWARN) and goes round again.  @order 4 is costly: the slow path
 * skips the OOM step and reaches nopage, whose __GFP_NOFAIL branch retries
 * with ALLOC_MIN_RESERVE only (half the min watermark): the freer gives
 * back half of memory besides the block, so the zone gets above that.
 */
static void nofail_case(unsigned order)
{
	struct log log = { 0 };
	struct pf_machine *m = pf_test_boot(SMALL);
	pf_set_report_hook(m, report_fn, &log);
	struct pf_page **pages = NULL;
	long cap = 0, n = 0;

	pf_test_phase("__GFP_NOFAIL order %u", order);
	/* every page, reserves included; one block kept aside for the freer */
	struct pf_page *block = pf_alloc_pages(m, PF_GFP_KERNEL, order);
	assert_non_null(block);
	unsigned int flags = pf_memalloc_noreclaim_save();
	/* a pcp-order refill may have left blocks on the per-CPU lists: drain them back and take them too */
	pf_drain_all_pages(m);
	n = fill(m, PF_GFP_KERNEL | PF_GFP_NOWARN, &pages, &cap, n);
	pf_memalloc_noreclaim_restore(flags);
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 0);

	long nr_extra = order > 3 ? n / 2 : 0;
	struct freer f = { m, block, order, pages + n - nr_extra, nr_extra, 0 };
	n -= nr_extra;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, free_later, &f), 0);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_NOFAIL | PF_GFP_NOWARN, order);
	assert_non_null(p);
	assert_int_equal(__atomic_load_n(&f.began, __ATOMIC_ACQUIRE), 1);	/* only the freer's pages could serve it */
	if (!nr_extra)
		assert_int_equal(pf_page_to_pfn(p), pf_page_to_pfn(block));
	pthread_join(t, NULL);
	/* order > 1: the slow path's plain WARN_ON_ONCE, which __GFP_NOWARN does not silence, once */
	assert_int_equal(log.nofail_order_warnings, 1);
	pf_free_pages(p, order);

	for (long i = 0; i < n; i++)
		pf_free_pages(pages[i], 0);
	free(pages);
	pf_test_check(m, "after __GFP_NOFAIL");
	pf_machine_destroy(m);
}

static void nofail_waits_for_memory(void **state)
{
	(void)state;
	nofail_case(2);
	nofail_case(4);
}

static void warn_alloc_ratelimit(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct pf_machine *m = pf_test_boot(SMALL);
	pf_set_report_hook(m, report_fn, &log);
	/* a GFP_ATOMIC order-10 request on a zone without one: fails at once, reports */
	struct pf_page *big[32];
	int nbig = 0;
	while (nbig < 32 && (big[nbig] = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_NORETRY | PF_GFP_NOWARN, 10)))
		nbig++;
	assert_null(pf_alloc_pages(m, PF_GFP_ATOMIC, 10));
	assert_int_equal(log.failures, 1);
	/* warn_alloc's line as 6.12 prints it: GFP_ATOMIC is 0x820, no nodemask, the root cpuset, node 0 */
	assert_non_null(strstr(log.failure, ": page allocation failure: order:10, mode:0x820(GFP_ATOMIC), "
				     "nodemask=(null),cpuset=/,mems_allowed=0"));
	assert_null(pf_alloc_pages(m, PF_GFP_ATOMIC, 10));
	assert_int_equal(log.failures, 1);	/* inside the 10 s window: suppressed */
	assert_null(pf_alloc_pages(m, PF_GFP_ATOMIC | PF_GFP_NOWARN, 10));
	assert_int_equal(log.failures, 1);
	while (nbig)
		pf_free_pages(big[--nbig], 10);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_slowpath_scopes", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(noio_nofs_scopes),
		cmocka_unit_test(pin_scope_avoids_movable),
		cmocka_unit_test(noreclaim_scope_uses_reserves),
		cmocka_unit_test(nofail_waits_for_memory),
		cmocka_unit_test(warn_alloc_ratelimit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
