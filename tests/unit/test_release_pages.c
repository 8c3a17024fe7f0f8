/*
 * test_release_pages: pf_release_pages (release_pages / free_unref_folios, 6.12) leaves exactly
 * the state the same frees one at a time leave, and reports what they report.
 *
 * Two identical machines run the same random allocations; each batch of frees goes to the first
 * machine as pf_free_pages / pf_put_page calls in array order and to the second as one
 * pf_release_pages call over the same array.  The arrays mix what release_pages must sort out:
 * NULL slots, pages of both zones and of three migratetypes, pages with an extra reference, order-2
 * compound pages, order-1 blocks (dropped as put_page drops them), and now and then a page twice
 * (a double free).  After each batch the report counts must agree, and at checkpoints every struct
 * page, free list and per-CPU list in order and every counter (machine_compare.h).  The batches
 * cross the per-CPU lists' high now and then, so the spill inside a batch is compared too.
 * Long runs of frees (long_runs) reach free_count's cap and cross high at every offset.
 * Then: the trace of a 40-page release is the kernel's (31 mm_page_free, then 31
 * mm_page_free_batched, then 9 and 9: PAGEVEC_SIZE pages per batch), and pages of two machines
 * in one array are each freed in their own machine, and pages charged to a memcg are uncharged.
 */
#include <limits.h>
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
#include "mm/memcontrol.h"
#include "pf_testlib.h"
#include "machine_compare.h"

#define MACHINE "cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3ffffff\n"
#define SLOTS 6000
#define ROUNDS 3000

struct live {
	struct pf_page *page;
	unsigned order;
	bool comp;
	int refs;	/* extra references */
};

static int reports[2];
static void count_report(void *arg, int level, const char *line)
{
	(void)level;
	(void)line;
	reports[(intptr_t)arg]++;
}

static struct pf_machine *boot(int which)
{
	struct pf_machine *m = pf_test_boot(MACHINE);
	m->pcp_rseq = false;	/* this thread is bound to one CPU: both machines take the same pageset */
	pf_set_report_hook(m, count_report, (void *)(intptr_t)which);
	return m;
}

/* the first machine's frees, one call per entry, as release_pages would drop each reference */
static void free_one_by_one(struct pf_page **v, const struct live *how, int n)
{
	for (int i = 0; i < n; i++) {
		if (!v[i])
			continue;
		if (how[i].comp || how[i].refs || how[i].order)
			pf_put_page(v[i]);
		else
			pf_free_pages(v[i], how[i].order);
	}
}

static void release_equals_one_by_one(void **state)
{
	(void)state;
	struct pf_machine *a = boot(0), *b = boot(1);
	static struct live la[SLOTS], lb[SLOTS];
	static struct pf_page *va[128], *vb[128];
	static struct live how[128];
	const pf_gfp_t gfps[] = { PF_GFP_KERNEL, PF_GFP_HIGHUSER_MOVABLE, PF_GFP_KERNEL | PF___GFP_RECLAIMABLE,
				  PF_GFP_DMA | PF_GFP_KERNEL };
	uint64_t rng = 0x5e1ea5e;
	int live = 0;
	long released = 0;

	reports[0] = reports[1] = 0;
	for (int round = 0; round < ROUNDS; round++) {
		/* allocate a run: pages one at a time or in bulk, now and then a compound or order-1 block */
		int want = 1 + (int)(pf_test_xorshift64s(&rng) % 90);
		for (int k = 0; k < want && live < SLOTS; k++) {
			uint64_t r = pf_test_xorshift64s(&rng);
			pf_gfp_t gfp = gfps[r % 4];
			unsigned order = 0;
			bool comp = false;
			if ((r >> 8) % 16 == 0) {
				order = 2;
				comp = true;
			} else if ((r >> 8) % 16 == 1) {
				order = 1;
			}
			struct pf_page *pa = pf_alloc_pages(a, gfp | (comp ? PF___GFP_COMP : 0), order);
			struct pf_page *pb = pf_alloc_pages(b, gfp | (comp ? PF___GFP_COMP : 0), order);
			assert_true((pa == NULL) == (pb == NULL));
			if (!pa)
				continue;
			assert_int_equal(pa - a->mem_map, pb - b->mem_map);
			int refs = (r >> 16) % 10 == 0;
			if (refs) {
				pf_get_page(pa);
				pf_get_page(pb);
			}
			la[live] = (struct live){ pa, order, comp, refs };
			lb[live] = (struct live){ pb, order, comp, refs };
			live++;
		}
		/* free a batch of random live blocks through both routes, in the same order */
		int n = (int)(pf_test_xorshift64s(&rng) % 120);
		int taken = 0;
		for (int k = 0; k < n && live > 0; k++) {
			uint64_t r = pf_test_xorshift64s(&rng);
			if (r % 13 == 0) {
				va[taken] = vb[taken] = NULL;	/* an empty slot */
				how[taken++] = (struct live){ 0 };
				continue;
			}
			if (r % 97 == 1 && taken > 0 && va[taken - 1] && !how[taken - 1].refs && !how[taken - 1].comp &&
			    how[taken - 1].order == 0) {
				/* the previous page again: a double free both routes must report once */
				va[taken] = va[taken - 1];
				vb[taken] = vb[taken - 1];
				how[taken] = how[taken - 1];
				taken++;
				continue;
			}
			int i = (int)((r >> 8) % (uint64_t)live);
			va[taken] = la[i].page;
			vb[taken] = lb[i].page;
			how[taken++] = la[i];
			if (la[i].refs) {
				/* the extra reference goes with this entry; the block stays live with one */
				la[i].refs = lb[i].refs = 0;
			} else {
				la[i] = la[--live];
				lb[i] = lb[live];
			}
		}
		free_one_by_one(va, how, taken);
		pf_release_pages(vb, taken);
		released += taken;
		assert_int_equal(reports[0], reports[1]);
		if (round % 300 == 0 || round == ROUNDS - 1)
			compare_machines(a, b);
	}
	/* everything back, then once more compared and checked */
	for (int i = 0; i < live; i++) {
		for (int r = 0; r <= la[i].refs; r++) {
			struct live one = la[i];
			one.refs = r < la[i].refs;
			struct pf_page *pb = lb[i].page;
			free_one_by_one(&la[i].page, &one, 1);
			pf_release_pages(&pb, 1);
		}
	}
	compare_bulk_refills(a, b);	/* and the bulk allocator still hands both the same pages */
	compare_machines(a, b);
	assert_int_equal(reports[0], reports[1]);
	assert_true(reports[0] > 0);	/* the double frees were met */
	assert_true(released > 100000);
	pf_test_check(a, "one by one");
	pf_test_check(b, "pf_release_pages");
	pf_machine_destroy(a);
	pf_machine_destroy(b);
}

/*
 * The per-CPU lists' counters of both machines, cheap enough to compare after every call: a spill
 * that comes one free late (a summed run let through at count + n == high) leaves the lists' tails
 * alike by the next checkpoint, but not count and high right after the call.
 */
static void compare_pcp_counters(struct pf_machine *a, struct pf_machine *b)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *za = &a->node_data[0]->node_zones[zi], *zb = &b->node_data[0]->node_zones[zi];
		if (!populated_zone(za))
			continue;
		for (int cpu = 0; cpu < a->nr_cpus; cpu++) {
			struct per_cpu_pages *pa = &za->per_cpu_pageset[cpu], *pb = &zb->per_cpu_pageset[cpu];
			if (pa->count != pb->count || pa->high != pb->high || pa->free_count != pb->free_count ||
			    pa->alloc_factor != pb->alloc_factor || pa->flags != pb->flags)
				fail_msg("zone %d cpu %d: count %d/%d high %d/%d free_count %d/%d alloc_factor %d/%d flags %d/%d",
					 zi, cpu, pa->count, pb->count, pa->high, pb->high, pa->free_count, pb->free_count,
					 pa->alloc_factor, pb->alloc_factor, pa->flags, pb->flags);
		}
	}
}

/*
 * Long runs of frees with no allocation between them: free_count climbs to its cap (batch <<
 * CONFIG_PCP_BATCH_SCALE_MAX), the list crosses high again and again at every offset within a
 * batch, and high is tuned up (pcp_high_max_fraction 1 lets the lists grow).  Same comparison.
 * Variants 2 and 3 free with the zones marked below their high watermark (ZONE_BELOW_HIGH, as
 * get_page_from_freelist marks a zone it found there) or reclaiming (ZONE_RECLAIM_ACTIVE, as
 * kswapd marks the zones it works on): every free then retunes high, so none may be summed.
 */
static void zones_flag(struct pf_machine *m, int bit, bool on)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &m->node_data[0]->node_zones[zi];
		if (!populated_zone(z))
			continue;
		if (on)
			__atomic_or_fetch(&z->flags, 1UL << bit, __ATOMIC_RELAXED);
		else
			__atomic_and_fetch(&z->flags, ~(1UL << bit), __ATOMIC_RELAXED);
	}
}

static void long_runs(void **state)
{
	(void)state;
	static struct pf_page *va[4000], *vb[4000];
	for (int variant = 0; variant < 4; variant++) {
		const char *desc = variant ? MACHINE "pcp_high_max_fraction 1\n" : MACHINE;
		int flag = variant == 2 ? ZONE_BELOW_HIGH : variant == 3 ? ZONE_RECLAIM_ACTIVE : -1;
		struct pf_machine *a = pf_test_boot(desc), *b = pf_test_boot(desc);
		a->pcp_rseq = b->pcp_rseq = false;
		uint64_t rng = 0x10a6 + (uint64_t)variant;
		for (int cycle = 0; cycle < 12; cycle++) {
			int n = 1000 + (int)(pf_test_xorshift64s(&rng) % 3000);
			for (int i = 0; i < n; i++) {
				va[i] = pf_alloc_pages(a, PF_GFP_KERNEL, 0);
				vb[i] = pf_alloc_pages(b, PF_GFP_KERNEL, 0);
				assert_non_null(va[i]);
				assert_int_equal(va[i] - a->mem_map, vb[i] - b->mem_map);
			}
			if (flag >= 0) {
				zones_flag(a, flag, true);
				zones_flag(b, flag, true);
			}
			for (int i = 0; i < n;) {
				int k = 1 + (int)(pf_test_xorshift64s(&rng) % 97);
				if (k > n - i)
					k = n - i;
				for (int j = i; j < i + k; j++)
					pf_free_pages(va[j], 0);
				pf_release_pages(vb + i, k);
				compare_pcp_counters(a, b);
				i += k;
			}
			if (flag == ZONE_RECLAIM_ACTIVE) {
				zones_flag(a, flag, false);	/* kswapd done */
				zones_flag(b, flag, false);
			}
			compare_machines(a, b);
		}
		pf_test_check(b, "long runs");
		pf_machine_destroy(a);
		pf_machine_destroy(b);
	}
}

#define MAXLINES 128
struct sink {
	int n;
	char *lines[MAXLINES];
};

static void collect(void *arg, const char *line)
{
	struct sink *s = arg;
	if (s->n < MAXLINES)
		s->lines[s->n++] = strdup(line);
}

/*
 * release_pages hands free_unref_folios a folio_batch of PAGEVEC_SIZE (31) folios; that prepares
 * every folio of the batch (free_pages_prepare: mm_page_free), then commits each
 * (mm_page_free_batched).  40 pages: 31 + 31 events, then 9 + 9, each in array order.
 */
static void trace_is_the_kernels(void **state)
{
	(void)state;
	struct pf_machine *m = boot(0);
	struct pf_page *v[40] = { 0 };
	struct sink s = { 0 };
	assert_int_equal(pf_alloc_pages_bulk(m, PF_GFP_KERNEL, 40, v), 40);
	long pgfree = pf_test_vmstat(m, "pgfree");
	assert_int_equal(pf_set_trace(m, "mm_page_free,mm_page_free_batched", collect, &s), 0);
	pf_release_pages(v, 40);
	assert_int_equal(pf_set_trace(m, "", NULL, NULL), 0);
	assert_int_equal(s.n, 80);
	for (int k = 0; k < 80; k++) {
		int first = k < 62 ? 0 : 31;	/* index of the batch's first page */
		int in = k < 62 ? k % 31 : (k - 62) % 9;
		bool batched = k < 62 ? k >= 31 : k >= 71;
		char want[96];
		snprintf(want, sizeof want, "%s: page=%016lx pfn=0x%lx order=0", batched ? "mm_page_free_batched" : "mm_page_free",
			 (unsigned long)v[first + in], (unsigned long)(v[first + in] - m->mem_map));
		const char *at = strstr(s.lines[k], batched ? "mm_page_free_batched: " : "mm_page_free: ");
		if (!at || strcmp(at, want))
			fail_msg("event %d: got '%s', want '...%s'", k, s.lines[k], want);
		free(s.lines[k]);
	}
	/* each page counted once as freed (PGFREE), drained or not */
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "pgfree") - pgfree, 40);
	pf_test_check(m, "after the traced release");
	pf_machine_destroy(m);
}

/* Pages of two machines interleaved in one array: each goes back to its own machine. */
static void two_machines(void **state)
{
	(void)state;
	struct pf_machine *m[2] = { boot(0), boot(1) };
	struct pf_page *v[64];
	char *before[2];
	for (int k = 0; k < 2; k++) {
		pf_drain_all_pages(m[k]);
		before[k] = pf_test_show(m[k], "buddyinfo");
	}
	for (int i = 0; i < 64; i++)
		v[i] = pf_alloc_pages(m[(i / 3) % 2], PF_GFP_KERNEL, 0);
	reports[0] = reports[1] = 0;
	pf_release_pages(v, 64);
	assert_int_equal(reports[0] + reports[1], 0);
	for (int k = 0; k < 2; k++) {
		pf_drain_all_pages(m[k]);
		char *after = pf_test_show(m[k], "buddyinfo");
		assert_string_equal(after, before[k]);
		free(after);
		free(before[k]);
		pf_test_check(m[k], "two machines");
		pf_machine_destroy(m[k]);
	}
}

/*
 * Pages charged to a memcg (__GFP_ACCOUNT, memcg_data set) among plain ones, on a machine whose
 * memcg sets FAST_OFF_MEMCG (which pf_release_pages, like the free fast path, ignores): each
 * charged page must leave the batch for put_page, which uncharges it.  64 pages, every other one
 * charged: MEMCG_KMEM 32 before, 0 after, the page counter 0 once the stock is drained, and no
 * page left with memcg_data.
 */
static void charged_pages(void **state)
{
	(void)state;
	struct pf_machine *m = boot(0);
	struct pf_memcg *cg = pf_memcg_create(m, NULL, "release");
	assert_non_null(cg);
	assert_true(m->fast_off & FAST_OFF_MEMCG);
	pf_memcg_attach(cg);
	struct mem_cgroup *memcg = (struct mem_cgroup *)cg;
	struct pf_page *v[64];
	for (int i = 0; i < 64; i++) {
		v[i] = pf_alloc_pages(m, i % 2 ? PF_GFP_KERNEL_ACCOUNT : PF_GFP_KERNEL, 0);
		assert_non_null(v[i]);
		assert_int_equal(v[i]->memcg_data != 0, i % 2);
	}
	assert_int_equal(memcg_page_state(memcg, MEMCG_KMEM), 32);
	reports[0] = 0;
	pf_release_pages(v, 64);
	assert_int_equal(reports[0], 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(v[i]->memcg_data, 0);
	assert_int_equal(memcg_page_state(memcg, MEMCG_KMEM), 0);
	drain_all_stock(memcg);
	assert_int_equal(page_counter_read(&memcg->memory), 0);
	pf_test_check(m, "charged pages released");
	pf_memcg_attach(NULL);
	pf_memcg_destroy(cg);
	pf_machine_destroy(m);
}

/*
 * Duplicates in one array, on pages whose records share one 8-byte word of m->alloc_order (pfns
 * with the same pfn >> 3): each repeated entry is a double free release_pages must report once
 * (put_page's refcount-zero report, one pageframe_bad_pages count), and every page goes onto the
 * free lists once, so the free pages (buddy + per-CPU lists) rise by the number of distinct pages.
 */

/* Allocate order-0 pages on @m until all eight pfns of one group are held; give the rest back. */
static void grab_group(struct pf_machine *m, struct pf_page **g)
{
	static struct pf_page *held[4096];
	unsigned char *count = calloc(m->memmap_pfns / 8 + 1, 1);
	assert_non_null(count);
	int n = 0;
	unsigned long group = ULONG_MAX;
	while (group == ULONG_MAX) {
		assert_true(n < 4096);
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
		assert_non_null(p);
		held[n++] = p;
		if (++count[pf_page_to_pfn(p) >> 3] == 8)
			group = pf_page_to_pfn(p) >> 3;
	}
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (pf_page_to_pfn(held[i]) >> 3 == group) {
			held[i] = NULL;	/* kept; the array's NULL slots are skipped */
			k++;
		}
	}
	assert_int_equal(k, 8);
	for (int i = 0; i < 8; i++)
		g[i] = pf_pfn_to_page(m, group * 8 + (unsigned long)i);
	pf_release_pages(held, n);
	free(count);
}

static unsigned long free_total(struct pf_machine *m)
{
	unsigned long t = 0;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &m->node_data[0]->node_zones[z];
		if (!populated_zone(zone))
			continue;
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			t += zone->free_area[o].nr_free << o;
		for (int cpu = 0; cpu < m->nr_cpus; cpu++)
			t += (unsigned long)zone->per_cpu_pageset[cpu].count;
	}
	return t;
}

/* pf_release_pages(@v, @n) frees @distinct pages and reports @dups double frees */
static void release_dups(struct pf_machine *m, struct pf_page **v, int n, int distinct, int dups, const char *what)
{
	long bad = pf_test_vmstat(m, "pageframe_bad_pages");
	unsigned long before = free_total(m);
	pf_release_pages(v, n);
	if (pf_test_vmstat(m, "pageframe_bad_pages") - bad != dups)
		fail_msg("%s: %ld bad page reports, expected %d", what, pf_test_vmstat(m, "pageframe_bad_pages") - bad,
			 dups);
	if (free_total(m) - before != (unsigned long)distinct)
		fail_msg("%s: the free pages rose by %lu, expected %d (each page once)", what, free_total(m) - before,
			 distinct);
	for (int i = 0; i < n; i++) {
		if (!v[i])
			continue;
		if (pf_page_count(v[i]) != 0 || m->alloc_order[pf_page_to_pfn(v[i])] != 0)
			fail_msg("%s: pfn %#lx refcount %d record %u after its free", what, pf_page_to_pfn(v[i]),
				 pf_page_count(v[i]), m->alloc_order[pf_page_to_pfn(v[i])]);
	}
	pf_test_check(m, what);
}

/* everything given back: buddy + per-CPU lists == managed, nothing more reported */
static void all_back(struct pf_machine *m, long bad)
{
	pf_drain_all_pages(m);
	unsigned long managed = 0;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		managed += zone_managed_pages(&m->node_data[0]->node_zones[z]);
	assert_int_equal(free_total(m), managed);
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), bad);
	pf_test_check(m, "all given back");
	pf_machine_destroy(m);
}

static void duplicates_in_one_array(void **state)
{
	(void)state;
	struct pf_page *g[8];

	/* {p, q, p}: one report, two pages freed */
	struct pf_machine *m = boot(0);
	grab_group(m, g);
	struct pf_page *v1[3] = { g[3], g[4], g[3] };
	release_dups(m, v1, 3, 2, 1, "{p, q, p}");
	/* {p, p}, then {p, NULL, p, p} among a group whose other pages are live: one and two reports */
	struct pf_page *v2[2] = { g[5], g[5] };
	release_dups(m, v2, 2, 1, 1, "{p, p}");
	struct pf_page *v3[4] = { g[0], NULL, g[0], g[0] };
	release_dups(m, v3, 4, 1, 2, "{p, NULL, p, p}");
	struct pf_page *rest[5] = { g[1], g[2], g[6], g[7], NULL };
	release_dups(m, rest, 5, 4, 0, "the rest of the group");
	all_back(m, 4);	/* 1 + 1 + 2 */

	/* the group's eight, shuffled, one of them twice (next to itself, then far apart) */
	m = boot(0);
	grab_group(m, g);
	struct pf_page *v4[9] = { g[6], g[2], g[0], g[0], g[7], g[4], g[1], g[5], g[3] };
	release_dups(m, v4, 9, 8, 1, "the group, one page twice in a row");
	all_back(m, 1);
	m = boot(0);
	grab_group(m, g);
	struct pf_page *v5[10] = { g[5], g[3], NULL, g[1], g[7], g[0], g[6], g[2], g[4], g[5] };
	release_dups(m, v5, 10, 8, 1, "the group, its first page again at the end");
	all_back(m, 1);

	/* the repeat in a later batch than the first: 40 entries, 31 to a batch (RELEASE_BATCH) */
	m = boot(0);
	grab_group(m, g);
	struct pf_page *v6[40];
	for (int i = 0; i < 8; i++)
		v6[i] = g[i];
	for (int i = 8; i < 39; i++) {
		v6[i] = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
		assert_non_null(v6[i]);
	}
	v6[39] = g[2];
	release_dups(m, v6, 40, 39, 1, "a group and 31 more, one group page again after the first batch");
	all_back(m, 1);
}

int main(void)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof one, &one))
		perror("sched_setaffinity (the comparison may then depend on scheduling)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(release_equals_one_by_one),
		cmocka_unit_test(long_runs),
		cmocka_unit_test(trace_is_the_kernels),
		cmocka_unit_test(two_machines),
		cmocka_unit_test(charged_pages),
		cmocka_unit_test(duplicates_in_one_array),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
