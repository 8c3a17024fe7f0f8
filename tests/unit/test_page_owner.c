/* test_page_owner: page_owner=on records each block's order, gfp, thread, time and call stack and prints them as 6.12's /sys/kernel/debug/page_owner; frees, splits and moves update the record; show_stacks counts pages per stack with count_threshold; off costs the fast paths nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include "mm/internal.h"

/* 128 MiB less the PC holes, one CPU: the per-CPU lists are one list */
#define DESC "cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\n"

static struct pf_machine *boot_owner(void)
{
	prctl(PR_SET_NAME, "po-test", 0, 0, 0);
	return pf_test_boot(DESC "cmdline page_owner=on\n");
}

/* Distinct call sites whose names the stacks must show (from the program's symbol table). */
__attribute__((noinline)) struct pf_page *owner_site_a(struct pf_machine *m, pf_gfp_t gfp, unsigned order)
{
	struct pf_page *p = pf_alloc_pages(m, gfp, order);
	__asm__ volatile("" ::: "memory");	/* keeps the call from becoming a tail call */
	return p;
}

__attribute__((noinline)) struct pf_page *owner_site_b(struct pf_machine *m, pf_gfp_t gfp, unsigned order)
{
	struct pf_page *p = pf_alloc_pages(m, gfp, order);
	__asm__ volatile("" ::: "memory");
	return p;
}

__attribute__((noinline)) void owner_free_site(struct pf_page *p, unsigned order)
{
	pf_free_pages(p, order);
	__asm__ volatile("" ::: "memory");
}

/* The record of @pfn in the page_owner view (malloc'd, its two header lines to the blank line), or NULL. */
static char *record_of(const char *view, unsigned long pfn)
{
	char key[64];
	snprintf(key, sizeof key, "PFN 0x%lx type ", pfn);
	for (const char *p = view; (p = strstr(p, key)); p++) {
		if (p == view || p[-1] != '\n')
			continue;
		const char *start = p - 1;
		while (start > view && start[-1] != '\n')
			start--;
		const char *end = strstr(p, "\n\n");
		assert_non_null(end);
		size_t n = (size_t)(end - start) + 1;
		char *r = malloc(n + 1);
		memcpy(r, start, n);
		r[n] = '\0';
		return r;
	}
	return NULL;
}

static int count_records(const char *view)
{
	int n = 0;
	for (const char *p = view; (p = strstr(p, "Page allocated via order ")); p++)
		n++;
	return n;
}

static void off_by_default(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(DESC);
	char buf[64];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	/* the debugfs files do not exist while page_owner is off */
	assert_int_equal(pf_show(m, "page_owner", f), -ENOENT);
	assert_int_equal(pf_show(m, "page_owner_stacks", f), -ENOENT);
	fclose(f);
	assert_int_equal(pf_page_owner_set(m, "count_threshold", "1"), -ENOENT);
	assert_false(m->fast_off & FAST_OFF_OWNER);
	assert_null(m->page_ext_base);
	/* no "Number of mixed blocks" table in pagetypeinfo */
	char *pti = pf_test_show(m, "pagetypeinfo");
	assert_null(strstr(pti, "Number of mixed blocks"));
	free(pti);
	pf_machine_destroy(m);
}

static void cmdline_parsing(void **state)
{
	(void)state;
	char err[256];
	struct pf_machine *m = pf_machine_create(DESC "cmdline page_owner=maybe\n", err, sizeof err);
	assert_null(m);
	assert_non_null(strstr(err, "line 4"));
	assert_non_null(strstr(err, "page_owner=maybe is not a boolean"));
	/* kstrtobool's spellings: off leaves it off, 1 turns it on */
	m = pf_test_boot(DESC "cmdline page_owner=off\n");
	assert_false(m->page_owner_enabled);
	pf_machine_destroy(m);
	m = pf_test_boot(DESC "cmdline mem=200M page_owner=1\n");
	assert_true(m->page_owner_enabled);
	assert_true(m->fast_off & FAST_OFF_OWNER);
	assert_non_null(m->page_ext_base);
	pf_machine_destroy(m);
}

/* One record in print_page_owner's exact layout, and nothing for free or never-recorded pages. */
static void record_format(void **state)
{
	(void)state;
	struct pf_machine *m = boot_owner();
	char *view = pf_test_show(m, "page_owner");
	assert_string_equal(view, "");	/* a fresh machine: every page free or reserved */
	free(view);

	struct pf_page *p = owner_site_a(m, PF_GFP_KERNEL, 2);
	assert_non_null(p);
	unsigned long pfn = pf_page_to_pfn(p);
	view = pf_test_show(m, "page_owner");
	assert_int_equal(count_records(view), 1);

	/* line 1: GFP_KERNEL is 0xcc0 and %pGg names it by its composite name */
	char expect[512];
	snprintf(expect, sizeof expect, "Page allocated via order 2, mask 0xcc0(GFP_KERNEL), pid %d, tgid %d (po-test), ts ",
		 (int)gettid(), (int)getpid());
	assert_memory_equal(view, expect, strlen(expect));
	const char *ts = view + strlen(expect);
	char *end;
	unsigned long long t = strtoull(ts, &end, 10);
	assert_true(t > 0);
	assert_memory_equal(end, " ns\n", 4);
	/* line 2: pageblock 9 bits; a GFP_KERNEL block in an Unmovable pageblock; %pGp of the head's flags */
	char flags[256];
	format_page_flags(p->flags, flags, sizeof flags);
	snprintf(expect, sizeof expect, "PFN 0x%lx type Unmovable Block %lu type Unmovable Flags %s\n", pfn, pfn >> 9,
		 flags);
	assert_non_null(strstr(view, expect));
	/* zone=1 (DMA32) node=0 and no flag names: a fresh non-compound block */
	assert_non_null(strstr(flags, "(node=0|zone=1|lastcpupid="));
	/* the stack: one " sym+0xoff/0xsize" line per frame, the call site among them, then the blank line */
	assert_non_null(strstr(view, "\n owner_site_a+0x"));
	/* the allocator's own frames, named from the symbol table although the library exports none of them */
	assert_non_null(strstr(view, "\n __alloc_pages+0x"));
	/* frames in shared objects carry the object's name as a module (cmocka's runner, libc) */
	assert_non_null(strstr(view, " [lib"));
	assert_int_equal(view[strlen(view) - 1], '\n');
	assert_int_equal(view[strlen(view) - 2], '\n');
	free(view);

	/* freed: the record stays, the view leaves it out */
	owner_free_site(p, 2);
	view = pf_test_show(m, "page_owner");
	assert_int_equal(count_records(view), 0);
	free(view);
	pf_machine_destroy(m);
}

/* ts_nsec is the allocation's time since boot: later allocations have later stamps. */
static void timestamps(void **state)
{
	(void)state;
	struct pf_machine *m = boot_owner();
	struct pf_page *a = owner_site_a(m, PF_GFP_KERNEL, 3);
	usleep(2000);
	struct pf_page *b = owner_site_a(m, PF_GFP_KERNEL, 3);
	char *view = pf_test_show(m, "page_owner");
	char *ra = record_of(view, pf_page_to_pfn(a)), *rb = record_of(view, pf_page_to_pfn(b));
	assert_non_null(ra);
	assert_non_null(rb);
	unsigned long long ta = strtoull(strstr(ra, ", ts ") + 5, NULL, 10);
	unsigned long long tb = strtoull(strstr(rb, ", ts ") + 5, NULL, 10);
	assert_true(tb >= ta + 2000000ULL);	/* the 2 ms sleep lies between them */
	free(ra);
	free(rb);
	free(view);
	pf_free_pages(a, 3);
	pf_free_pages(b, 3);
	pf_machine_destroy(m);
}

/* The page count of the show_stacks entry whose frames include @site, or -1. */
static long stack_pages(const char *stacks, const char *site)
{
	const char *p = stacks;
	while (*p) {
		const char *end = strstr(p, "nr_base_pages: ");
		if (!end)
			return -1;
		char frames[8192];
		size_t n = (size_t)(end - p) < sizeof frames - 1 ? (size_t)(end - p) : sizeof frames - 1;
		memcpy(frames, p, n);
		frames[n] = '\0';
		long v = strtol(end + 15, NULL, 10);
		if (strstr(frames, site))
			return v;
		p = strstr(end, "\n\n");
		if (!p)
			return -1;
		p += 2;
	}
	return -1;
}

/* @n allocations from one call site: a loop gcc cannot unroll into several return addresses */
__attribute__((noinline)) static void alloc_n(struct pf_machine *m,
					      struct pf_page *(*site)(struct pf_machine *, pf_gfp_t, unsigned),
					      unsigned order, int n, struct pf_page **out)
{
	volatile int count = n;
	for (int i = 0; i < count; i++)
		out[i] = site(m, PF_GFP_KERNEL, order);
}

/*
 * show_stacks: each stack's pages allocated now (inc at alloc by 2^order,
 * dec at free); count_threshold leaves out stacks with fewer.
 *   site a: 3 x order 0 = 3 pages; site b: 2 x order 1 = 4 pages.
 */
static void stacks_and_threshold(void **state)
{
	(void)state;
	struct pf_machine *m = boot_owner();
	struct pf_page *a[3], *b[2];
	alloc_n(m, owner_site_a, 0, 3, a);
	alloc_n(m, owner_site_b, 1, 2, b);
	char *s = pf_test_show(m, "page_owner_stacks");
	assert_int_equal(stack_pages(s, " owner_site_a+0x"), 3);
	assert_int_equal(stack_pages(s, " owner_site_b+0x"), 4);
	free(s);

	/* count_threshold 4: only b's stack */
	assert_int_equal(pf_page_owner_set(m, "count_threshold", "4"), 0);
	s = pf_test_show(m, "page_owner_stacks/count_threshold");
	assert_string_equal(s, "4\n");
	free(s);
	s = pf_test_show(m, "page_owner_stacks/show_stacks");
	assert_int_equal(stack_pages(s, " owner_site_a+0x"), -1);
	assert_int_equal(stack_pages(s, " owner_site_b+0x"), 4);
	free(s);
	assert_int_equal(pf_page_owner_set(m, "count_threshold", "-1"), -EINVAL);
	assert_int_equal(pf_page_owner_set(m, "count_threshold", "x"), -EINVAL);
	assert_int_equal(pf_page_owner_set(m, "nothing", "1"), -ENOENT);
	assert_int_equal(pf_page_owner_set(m, "count_threshold", "0"), 0);

	/* frees take pages off their allocation's stack: a 3 -> 1, b 4 -> 2 */
	owner_free_site(a[0], 0);
	owner_free_site(a[1], 0);
	owner_free_site(b[0], 1);
	s = pf_test_show(m, "page_owner_stacks");
	assert_int_equal(stack_pages(s, " owner_site_a+0x"), 1);
	assert_int_equal(stack_pages(s, " owner_site_b+0x"), 2);
	free(s);
	/* a stack with no pages left is not shown (nr_base_pages < 1) */
	owner_free_site(a[2], 0);
	s = pf_test_show(m, "page_owner_stacks");
	assert_int_equal(stack_pages(s, " owner_site_a+0x"), -1);
	free(s);
	owner_free_site(b[1], 1);
	pf_machine_destroy(m);
}

static char dumped[16384];
static void capture(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	size_t n = strlen(dumped);
	snprintf(dumped + n, sizeof dumped - n, "%s\n", line);
}

/* dump_page ends with __dump_page_owner's lines: allocated or freed, the record, both stacks. */
static void dump_page_includes_owner(void **state)
{
	(void)state;
	struct pf_machine *m = boot_owner();
	pf_set_report_hook(m, capture, NULL);
	struct pf_page *p = owner_site_a(m, PF_GFP_KERNEL | PF_GFP_COMP, 1);
	dumped[0] = '\0';
	dump_page(p, "test");
	char expect[512];
	assert_non_null(strstr(dumped, "page dumped because: test\npage_owner tracks the page as allocated\n"));
	snprintf(expect, sizeof expect,
		 "page last allocated via order 1, migratetype Unmovable, gfp_mask 0x40cc0(GFP_KERNEL|__GFP_COMP), pid %d, tgid %d (po-test), ts ",
		 (int)gettid(), (int)getpid());
	assert_non_null(strstr(dumped, expect));
	assert_non_null(strstr(dumped, ", free_ts 0\n"));
	assert_non_null(strstr(dumped, " owner_site_a+0x"));
	assert_non_null(strstr(dumped, "page_owner free stack trace missing\n"));

	owner_free_site(p, 1);
	dumped[0] = '\0';
	dump_page(p, NULL);
	assert_non_null(strstr(dumped, "page_owner tracks the page as freed\n"));
	snprintf(expect, sizeof expect, "page last free pid %d tgid %d stack trace:\n", (int)gettid(), (int)getpid());
	const char *fr = strstr(dumped, expect);
	assert_non_null(fr);
	assert_non_null(strstr(fr, " owner_free_site+0x"));
	assert_null(strstr(dumped, "free_ts 0\n"));
	pf_machine_destroy(m);
}

/*
 * Contiguous ranges hand out order-0 pages split from larger free blocks
 * (split_free_pages -> split_page_owner): one record per page, order 0.
 * A movable page in the range moves out first: its record follows it,
 * with "last migrate reason: contig_range".
 */
static bool iso(struct pf_page *page, int mode)
{
	(void)page;
	(void)mode;
	return true;
}
static struct pf_page *moved_to;
static int mig(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)src;
	(void)mode;
	moved_to = dst;
	return 0;
}
static void putback(struct pf_page *page)
{
	(void)page;
}
static const struct pf_movable_operations ops = { iso, mig, putback };

static void contig_split_and_migrate(void **state)
{
	(void)state;
	struct pf_machine *m = boot_owner();
	struct pf_page *mv = owner_site_b(m, PF_GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(mv);
	pf_set_page_movable(mv, &ops);
	unsigned long pfn = pf_page_to_pfn(mv);
	char *before = pf_test_show(m, "page_owner");
	char *rec0 = record_of(before, pfn);
	assert_non_null(rec0);
	unsigned long long ts0 = strtoull(strstr(rec0, ", ts ") + 5, NULL, 10);

	/* a pageblock-aligned range of 16 pages around the movable page */
	unsigned long start = pfn & ~15UL;
	assert_int_equal(pf_alloc_contig_range(m, start, start + 16, PF_GFP_KERNEL), 0);
	assert_non_null(moved_to);
	char *view = pf_test_show(m, "page_owner");
	/* 16 order-0 records in the range, plus the moved page's */
	for (unsigned long i = 0; i < 16; i++) {
		char *r = record_of(view, start + i);
		assert_non_null(r);
		assert_memory_equal(r, "Page allocated via order 0, mask ", 33);
		free(r);
	}
	assert_int_equal(count_records(view), 17);
	char *r = record_of(view, pf_page_to_pfn(moved_to));
	assert_non_null(r);
	/* the allocation's order, gfp (GFP_HIGHUSER_MOVABLE: __GFP_HARDWALL 0x100000 | reclaim 0xc00 | FS 0x80 | IO 0x40 | MOVABLE 0x8 | HIGHMEM 0x2 = 0x100cca), time and stack, and the reason */
	assert_memory_equal(r, "Page allocated via order 0, mask 0x100cca(GFP_HIGHUSER_MOVABLE), ", 65);
	assert_int_equal(strtoull(strstr(r, ", ts ") + 5, NULL, 10), ts0);
	assert_non_null(strstr(r, " owner_site_b+0x"));
	assert_non_null(strstr(r, "Page has been migrated, last migrate reason: contig_range\n"));
	free(r);
	free(rec0);
	free(before);
	free(view);
	pf_free_contig_range(m, start, 16);
	pf_clear_page_movable(moved_to);
	pf_free_pages(moved_to, 0);
	char *s = pf_test_show(m, "page_owner");
	assert_int_equal(count_records(s), 0);
	free(s);
	pf_test_check(m, "after the contiguous range");
	pf_machine_destroy(m);
}

/* With page_owner on, the bulk allocator hands out one page per call (6.12: a stack per page). */
static void bulk_one_at_a_time(void **state)
{
	(void)state;
	struct pf_machine *m = boot_owner();
	struct pf_page *arr[8] = { 0 };
	assert_int_equal(pf_alloc_pages_bulk(m, PF_GFP_KERNEL, 8, arr), 1);
	assert_non_null(arr[0]);
	assert_null(arr[1]);
	char *view = pf_test_show(m, "page_owner");
	assert_int_equal(count_records(view), 1);
	free(view);
	pf_free_pages(arr[0], 0);
	pf_machine_destroy(m);
}

/* pagetypeinfo gains 6.12's "Number of mixed blocks" table; nothing is mixed on a fresh machine. */
static void pagetypeinfo_mixed(void **state)
{
	(void)state;
	struct pf_machine *m = boot_owner();
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	char *pti = pf_test_show(m, "pagetypeinfo");
	const char *t = strstr(pti, "\nNumber of mixed blocks    Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate \n");
	assert_non_null(t);
	assert_non_null(strstr(t, "Node 0, zone      DMA            0            0            0            0            0            0 \n"));
	assert_non_null(strstr(t, "Node 0, zone    DMA32            0            0            0            0            0            0 \n"));
	free(pti);
	pf_free_pages(p, 0);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(off_by_default),
		cmocka_unit_test(cmdline_parsing),
		cmocka_unit_test(record_format),
		cmocka_unit_test(timestamps),
		cmocka_unit_test(stacks_and_threshold),
		cmocka_unit_test(dump_page_includes_owner),
		cmocka_unit_test(contig_split_and_migrate),
		cmocka_unit_test(bulk_one_at_a_time),
		cmocka_unit_test(pagetypeinfo_mixed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
