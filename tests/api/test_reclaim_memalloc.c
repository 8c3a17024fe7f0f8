/*
 * test_reclaim_memalloc: the program's callbacks that memcg reclaim runs
 * (try_to_free_mem_cgroup_pages, 6.12) run in the reclaimer's scope,
 * PF_MEMALLOC, as those of direct reclaim do: an allocation they make may
 * take the reserves and never reclaims again.
 *
 * The same for direct compaction (__alloc_pages_direct_compact, 6.12): a
 * movable page's migrate_page callback runs in the scope.
 *
 * Seen from outside through a second machine, "full": filled with
 * GFP_KERNEL|__GFP_NORETRY requests until one fails (nothing on it to
 * reclaim, no task to kill), so only free pages below the min watermark
 * are left.  The same request then succeeds only with ALLOC_NO_WATERMARKS
 * (__gfp_pfmemalloc_flags: PF_MEMALLOC), so an LRU owner's release
 * or migrate callback that makes it learns whether it runs in the scope.
 * (Owners may not allocate from the machine that reclaims or compacts;
 * another machine is theirs to use.)
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
#include <pageframe/page.h>
#include <pageframe/reclaim.h>
#include "pf_testlib.h"

#define MACHINE "cpus 1\nmem 0 0x1000000-0x4ffffff\n"	/* 64 MiB: DMA32 only */
#define PAGES 512

static const pf_gfp_t probe_gfp = PF_GFP_KERNEL | PF_GFP_NORETRY | PF_GFP_NOWARN;

struct owner {
	struct pf_address_space as;
	struct pf_machine *other;	/* the full machine the callback allocates from */
	struct pf_page *slot[PAGES];
	int n;
	int released;
	int probes;		/* allocations tried on @other */
	int probes_served;	/* ... and served */
};

static bool release(struct pf_address_space *mapping, struct pf_page *page, unsigned long shadow)
{
	struct owner *o = mapping->host;
	(void)shadow;
	unsigned long i = page->index;
	if (i >= (unsigned long)o->n || o->slot[i] != page)
		return false;
	if (o->probes < 4) {
		o->probes++;
		struct pf_page *p = pf_alloc_pages(o->other, probe_gfp, 0);
		if (p) {
			o->probes_served++;
			pf_free_pages(p, 0);
		}
	}
	o->slot[i] = NULL;
	o->released++;
	return true;
}

static const struct pf_address_space_operations aops = { release, NULL, NULL };

/* fill @m until probe_gfp fails; the pages are returned in a list the caller frees */
static struct pf_page **fill(struct pf_machine *m, long *n)
{
	long cap = 1024;
	struct pf_page **v = malloc((size_t)cap * sizeof *v);
	assert_non_null(v);
	*n = 0;
	for (;;) {
		struct pf_page *p = pf_alloc_pages(m, probe_gfp, 0);
		if (!p)
			break;
		if (*n == cap) {
			cap *= 2;
			v = realloc(v, (size_t)cap * sizeof *v);
			assert_non_null(v);
		}
		v[(*n)++] = p;
	}
	return v;
}

static void memcg_reclaim_callbacks_in_scope(void **state)
{
	(void)state;
	static struct owner o;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_machine *other = pf_test_boot(MACHINE);
	long nfull;
	struct pf_page **full = fill(other, &nfull);
	/* the probe fails here, outside any scope: the watermark stops it */
	assert_null(pf_alloc_pages(other, probe_gfp, 0));
	unsigned int f = pf_memalloc_noreclaim_save();
	struct pf_page *q = pf_alloc_pages(other, probe_gfp, 0);
	pf_memalloc_noreclaim_restore(f);
	assert_non_null(q);	/* ... and succeeds in the scope */
	pf_free_pages(q, 0);

	memset(&o, 0, sizeof o);
	o.as.a_ops = &aops;
	o.as.host = &o;
	o.other = other;
	struct pf_memcg *box = pf_memcg_create(m, NULL, "box");
	assert_non_null(box);
	struct pf_memcg *prev = pf_memcg_attach(box);
	for (int i = 0; i < PAGES; i++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_USER, 0);
		assert_non_null(p);
		p->index = (unsigned long)i;
		assert_int_equal(pf_lru_cache_add(p, &o.as, PF_LRU_FILE), 0);
		o.slot[o.n++] = p;
	}
	pf_memcg_attach(prev);
	/* 512 pages (2 MiB) charged; a max of 1 MiB makes memory_max_write reclaim the box's own pages */
	assert_int_equal(pf_memcg_set(box, "memory.max", "1M"), 0);
	assert_true(o.released >= PAGES / 2);
	assert_int_equal(o.probes, 4);
	assert_int_equal(o.probes_served, 4);

	for (int i = 0; i < o.n; i++)
		if (o.slot[i]) {
			assert_int_equal(pf_lru_del(o.slot[i]), 0);
			pf_free_pages(o.slot[i], 0);
		}
	pf_memcg_destroy(box);
	for (long i = 0; i < nfull; i++)
		pf_free_pages(full[i], 0);
	free(full);
	pf_test_check(m, "end");
	pf_test_check(other, "end");
	pf_machine_destroy(other);
	pf_machine_destroy(m);
}

/* ---- direct compaction ---------------------------------------------------------------------- */

#define CMACHINE "cpus 1\nmem 0 0x1000000-0x4ffffff\nthp never\nsysctl vm.min_free_kbytes=0\n"
#define CPAGES 16384

static struct mover {
	struct pf_machine *other;
	struct pf_page *slot[CPAGES];	/* slot i's page (page->private = i + 1) */
	int migrated;
	int probes;
	int probes_served;
} mv;

static bool mv_isolate(struct pf_page *page, int mode)
{
	(void)page;
	(void)mode;
	return true;
}

static int mv_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)mode;
	unsigned long i = src->private - 1;
	assert_true(i < CPAGES && mv.slot[i] == src);
	dst->private = src->private;
	mv.slot[i] = dst;
	mv.migrated++;
	if (mv.probes < 4) {
		mv.probes++;
		struct pf_page *p = pf_alloc_pages(mv.other, probe_gfp, 0);
		if (p) {
			mv.probes_served++;
			pf_free_pages(p, 0);
		}
	}
	return 0;
}

static void mv_putback(struct pf_page *page)
{
	(void)page;
}

static const struct pf_movable_operations mv_ops = { mv_isolate, mv_migrate, mv_putback };

/*
 * Every page of a one-zone machine movable, every other one freed: no free
 * block above order 0.  An order-9 GFP_HIGHUSER_MOVABLE request is costly:
 * the slow path tries async direct compaction first (test_compaction_frag
 * works out why it succeeds on such a zone), which migrates pages.
 */
static void direct_compaction_callbacks_in_scope(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(CMACHINE);
	struct pf_machine *other = pf_test_boot(MACHINE);
	long nfull;
	struct pf_page **full = fill(other, &nfull);
	memset(&mv, 0, sizeof mv);
	mv.other = other;
	struct pf_page *p;
	int n = 0;
	while ((p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 0)) != NULL) {
		assert_true(n < CPAGES);
		p->private = (unsigned long)n + 1;
		pf_set_page_movable(p, &mv_ops);
		mv.slot[n++] = p;
	}
	for (int i = 0; i < n; i++)
		if (pf_page_to_pfn(mv.slot[i]) & 1) {
			pf_free_pages(mv.slot[i], 0);
			mv.slot[i] = NULL;
		}
	pf_drain_all_pages(m);

	struct pf_page *huge = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 9);
	assert_non_null(huge);
	assert_true(pf_test_vmstat(m, "compact_stall") >= 1);
	assert_true(mv.migrated >= 4);
	assert_int_equal(mv.probes, 4);
	assert_int_equal(mv.probes_served, 4);

	pf_free_pages(huge, 9);
	for (int i = 0; i < n; i++)
		if (mv.slot[i])
			pf_free_pages(mv.slot[i], 0);
	for (long i = 0; i < nfull; i++)
		pf_free_pages(full[i], 0);
	free(full);
	pf_test_check(m, "end");
	pf_test_check(other, "end");
	pf_machine_destroy(other);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

int main(void)
{
	pf_test_watchdog("test_reclaim_memalloc", 30);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memcg_reclaim_callbacks_in_scope),
		cmocka_unit_test(direct_compaction_callbacks_in_scope),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
