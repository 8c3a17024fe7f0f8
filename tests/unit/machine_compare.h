/* SPDX-License-Identifier: MIT */
/*
 * machine_compare.h - for the differential tests (test_fastpath_diff, test_rmqueue_carve): every
 * observable piece of allocator state of two machines that ran the same operations, compared -
 * each struct page and allocation record (and the first word of its memory), every free list and
 * per-CPU list in order with the lists' count/high/batch/free_count/alloc_factor/flags, zone flags
 * and boost, and every counter as /proc shows it (vmstat, zoneinfo, buddyinfo, pagetypeinfo).
 * The first difference fails the test, saying where.  Needs mm/internal.h and pf_testlib.h.
 */
#ifndef PF_TEST_MACHINE_COMPARE_H
#define PF_TEST_MACHINE_COMPARE_H

static void compare_list(struct pf_machine *a, struct pf_machine *b, struct list_head *la, struct list_head *lb,
			 size_t off, const char *what, int i, int j)
{
	struct list_head *ea = la->next, *eb = lb->next;
	for (; ea != la && eb != lb; ea = ea->next, eb = eb->next) {
		long fa = (long)((struct pf_page *)((char *)ea - off) - a->mem_map);
		long fb = (long)((struct pf_page *)((char *)eb - off) - b->mem_map);
		if (fa != fb)
			fail_msg("%s %d/%d: the first machine's list holds pfn %#lx, the second's %#lx", what, i, j, fa, fb);
	}
	if (ea != la || eb != lb)
		fail_msg("%s %d/%d: lists of different lengths", what, i, j);
}

/* Every observable piece of allocator state of @a and @b, compared (@a is named first in messages). */
/*
 * How compare_machines compares page contents: MC_CONTENTS_EXACT the first word of every page;
 * MC_CONTENTS_POISON the same, except that a page of the second machine may hold PAGE_POISON
 * (its free pages are poisoned, the first machine's keep what they held); MC_CONTENTS_NONE not
 * at all (the second machine's free pages are unmapped: debug_pagealloc).
 */
enum { MC_CONTENTS_EXACT, MC_CONTENTS_POISON, MC_CONTENTS_NONE };
static int machine_compare_contents = MC_CONTENTS_EXACT;

/* the first word of a page, free pages included: past the library's ASan poisoning of free pages (kasan.c) */
__attribute__((no_sanitize("address"))) static unsigned long machine_compare_word(const char *mem)
{
	return *(const volatile unsigned long *)mem;
}

/*
 * Whether the two machines each have their own memcgs (made alike, test_view_unperturbed): then a
 * page's memcg_data points into its own machine's group, and only whether it is charged and the
 * low flag bits are compared.  Otherwise (no memcgs) memcg_data must be equal.
 */
static bool machine_compare_own_memcgs;

static bool memcg_data_differs(unsigned long a, unsigned long b)
{
	if (!machine_compare_own_memcgs)
		return a != b;
	return (a == 0) != (b == 0) || (a & 7) != (b & 7);
}

static void compare_machines(struct pf_machine *a, struct pf_machine *b)
{
	const unsigned long id = PF_MACHINE_MASK << PF_MACHINE_PGSHIFT;	/* each machine's own index */
	assert_int_equal(a->memmap_pfns, b->memmap_pfns);
	for (unsigned long pfn = 0; pfn < a->memmap_pfns; pfn++) {
		if (!pfn_valid(a, pfn))
			continue;
		struct pf_page *pa = &a->mem_map[pfn], *pb = &b->mem_map[pfn];
		if ((pa->flags & ~id) != (pb->flags & ~id) || pa->private != pb->private ||
		    pa->page_type != pb->page_type || pa->_refcount != pb->_refcount ||
		    memcg_data_differs(pa->memcg_data, pb->memcg_data) || a->alloc_order[pfn] != b->alloc_order[pfn])
			fail_msg("pfn %#lx differs (first/second machine): flags %#lx/%#lx private %lu/%lu type %#x/%#x "
				 "ref %d/%d record %u/%u memcg_data %#lx/%#lx", pfn, pa->flags & ~id, pb->flags & ~id,
				 pa->private, pb->private, pa->page_type, pb->page_type, pa->_refcount, pb->_refcount,
				 a->alloc_order[pfn], b->alloc_order[pfn], pa->memcg_data, pb->memcg_data);
		if (a->base && machine_compare_contents != MC_CONTENTS_NONE) {
			unsigned long wa = machine_compare_word(a->base + pfn * PAGE_SIZE);
			unsigned long wb = machine_compare_word(b->base + pfn * PAGE_SIZE);
			if (wa != wb && !(machine_compare_contents == MC_CONTENTS_POISON && wb == 0xaaaaaaaaaaaaaaaaUL))
				fail_msg("pfn %#lx: contents %#lx / %#lx", pfn, wa, wb);
		}
	}
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *za = &a->node_data[0]->node_zones[zi], *zb = &b->node_data[0]->node_zones[zi];
		if (!populated_zone(za))
			continue;
		assert_int_equal(za->flags, zb->flags);
		assert_int_equal(za->watermark_boost, zb->watermark_boost);
		for (int o = 0; o < NR_PAGE_ORDERS; o++) {
			assert_int_equal(za->free_area[o].nr_free, zb->free_area[o].nr_free);
			for (int mt = 0; mt < MIGRATE_TYPES; mt++)
				compare_list(a, b, &za->free_area[o].free_list[mt], &zb->free_area[o].free_list[mt],
					     offsetof(struct pf_page, buddy_list), "free list order/type", o, mt);
		}
		for (int cpu = 0; cpu < a->nr_cpus; cpu++) {
			struct per_cpu_pages *pa = &za->per_cpu_pageset[cpu], *pb = &zb->per_cpu_pageset[cpu];
			assert_int_equal(pa->count, pb->count);
			assert_int_equal(pa->high, pb->high);
			assert_int_equal(pa->high_min, pb->high_min);
			assert_int_equal(pa->high_max, pb->high_max);
			assert_int_equal(pa->batch, pb->batch);
			assert_int_equal(pa->flags, pb->flags);
			assert_int_equal(pa->free_count, pb->free_count);
			assert_int_equal(pa->alloc_factor, pb->alloc_factor);
			for (int i = 0; i < NR_PCP_LISTS; i++)
				compare_list(a, b, &pa->lists[i], &pb->lists[i], offsetof(struct pf_page, pcp_list),
					     "pcp cpu/list", cpu, i);
		}
	}
	/* every counter, folded as /proc shows it */
	static const char *const views[] = { "vmstat", "zoneinfo", "buddyinfo", "pagetypeinfo" };
	for (unsigned v = 0; v < sizeof views / sizeof views[0]; v++) {
		char *sa = pf_test_show(a, views[v]), *sb = pf_test_show(b, views[v]);
		if (strcmp(sa, sb)) {
			size_t i = 0;
			while (sa[i] == sb[i])
				i++;
			while (i && sa[i - 1] != '\n')
				i--;
			fail_msg("%s differs (first machine first):\n%.200s\n---\n%.200s", views[v], sa + i, sb + i);
		}
		free(sa);
		free(sb);
	}
}

/* Bulk refills of every size from 1 to 200 on both machines: the same pages, freed again at once. */
static void compare_bulk_refills(struct pf_machine *a, struct pf_machine *b)
{
	struct pf_page *va[200], *vb[200];
	for (unsigned n = 1; n <= 200; n += 13) {
		memset(va, 0, sizeof va);
		memset(vb, 0, sizeof vb);
		unsigned long ga = pf_alloc_pages_bulk(a, PF_GFP_KERNEL, n, va);
		unsigned long gb = pf_alloc_pages_bulk(b, PF_GFP_KERNEL, n, vb);
		assert_int_equal(ga, gb);
		for (unsigned long i = 0; i < ga; i++) {
			assert_int_equal(pf_page_to_pfn(va[i]), pf_page_to_pfn(vb[i]));
			pf_free_pages(va[i], 0);
			pf_free_pages(vb[i], 0);
		}
	}
}

#endif
