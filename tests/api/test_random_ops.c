/* test_random_ops: 10^6 seeded random allocs/frees of orders 0..10 with every zone modifier never hand out a block twice, from a zone its gfp forbids, or unzeroed with __GFP_ZERO; pf_check holds and buddyinfo returns to boot. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include <pageframe/page.h>

#define NR_OPS		1000000UL
#define CHECK_EVERY	10000UL
/* Zone boundaries of x86-64, in pfns: DMA below 16 MiB, DMA32 below 4 GiB. */
#define DMA_END_PFN	4096UL
#define DMA32_END_PFN	1048576UL
#define MAX_PFN		0x180000UL

/* DMA, DMA32 and Normal zones; the DMA32 zone has a hole of whole memory sections (2..4 GiB, as a PCI hole). */
static const char *machine_with_hole =
	"cpus 2\n"
	"mem 0 0x1000-0x9efff\n"
	"mem 0 0x100000-0x7fffffff\n"
	"mem 0 0x100000000-0x17fffffff\n";
/* The same zones with no hole larger than a page range inside the first section. */
static const char *machine_no_section_hole =
	"cpus 2\n"
	"mem 0 0x1000-0x9efff\n"
	"mem 0 0x100000-0x17fffffff\n";

/* xorshift64*: a fixed-seed PRNG independent of libc. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	return pf_test_xorshift64s(&rng_state);
}
static unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

struct live {
	struct pf_page *page;
	unsigned long pfn;
	unsigned order;
	pf_gfp_t gfp;
	uint64_t gen;
};

static struct live *lives;
static size_t nr_live, cap_live;
static uint64_t *live_map;	/* one bit per pfn: part of a live block */
static uint64_t *dirty_map;	/* one bit per pfn: the test has written into this page */

static inline bool bit_test(const uint64_t *map, unsigned long b)
{
	return (map[b / 64] >> (b % 64)) & 1;
}
static inline void bit_set(uint64_t *map, unsigned long b)
{
	map[b / 64] |= 1ULL << (b % 64);
}
static inline void bit_clear(uint64_t *map, unsigned long b)
{
	map[b / 64] &= ~(1ULL << (b % 64));
}

/* Content stamps (tests/lib): pf_test_stamp_of, and pf_test_stamped for which pages carry one. */
#define stamp_of pf_test_stamp_of
#define stamped pf_test_stamped

static void page_text(struct pf_machine *m, const char *what, char **buf)
{
	*buf = pf_test_show_drained(m, what);
}

/* gfp_zone's rule, written out from the flags: the highest zone index allowed (0 DMA, 1 DMA32, 2 Normal, 3 Movable). */
static unsigned highest_zone(pf_gfp_t gfp)
{
	if (gfp & PF___GFP_DMA)
		return 0;
	if (gfp & PF___GFP_DMA32)
		return 1;
	if ((gfp & (PF___GFP_HIGHMEM | PF___GFP_MOVABLE)) == (PF___GFP_HIGHMEM | PF___GFP_MOVABLE))
		return 3;
	return 2;
}

static unsigned zone_of_pfn(unsigned long pfn)
{
	if (pfn < DMA_END_PFN)
		return 0;
	if (pfn < DMA32_END_PFN)
		return 1;
	return 2;	/* Normal: no kernelcore/movablecore, so no Movable zone on this machine */
}

static pf_gfp_t random_gfp(void)
{
	static const pf_gfp_t base[] = { PF_GFP_KERNEL, PF_GFP_ATOMIC, PF_GFP_NOWAIT, PF_GFP_USER,
					 PF_GFP_HIGHUSER_MOVABLE };
	unsigned b = rnd_below(5);
	pf_gfp_t gfp = base[b];
	if (gfp != PF_GFP_HIGHUSER_MOVABLE) {
		/* zone modifier: none, DMA or DMA32 (never both, never with HIGHMEM) */
		switch (rnd_below(4)) {
		case 0: gfp |= PF_GFP_DMA; break;
		case 1: gfp |= PF_GFP_DMA32; break;
		default: break;
		}
		/* mobility: none, MOVABLE or RECLAIMABLE (never both) */
		switch (rnd_below(3)) {
		case 0: gfp |= PF_GFP_MOVABLE; break;
		case 1: gfp |= PF_GFP_RECLAIMABLE; break;
		default: break;
		}
	}
	if (rnd_below(6) == 0)
		gfp |= PF_GFP_ZERO;
	if (rnd_below(3) == 0)
		gfp |= PF_GFP_COMP;
	return gfp | PF_GFP_NOWARN;
}

/* Orders 0..10: uniform half of the time, small (0..3) otherwise, to keep the run short. */
static unsigned random_order(void)
{
	if (rnd_below(2))
		return rnd_below(PF_MAX_PAGE_ORDER + 1);
	return rnd_below(4);
}

static char *base;	/* the address of pfn 0 */

static uint64_t *page_word(unsigned long pfn)
{
	return (uint64_t *)(void *)(base + pfn * PF_PAGE_SIZE);
}

static void check_zero_block(struct pf_page *page, unsigned long pfn, unsigned order)
{
	static const unsigned char zero[PF_PAGE_SIZE];
	unsigned long n = 1UL << order;
	/* first and last page in full, and every page the test ever wrote into (no one else writes) */
	for (unsigned long i = 0; i < n; i++) {
		if (i != 0 && i != n - 1 && !bit_test(dirty_map, pfn + i)) {
			if ((pfn + i) % 64 == 0 && i + 64 < n && dirty_map[(pfn + i) / 64] == 0)
				i += 63;
			continue;
		}
		const void *addr = base + (pfn + i) * PF_PAGE_SIZE;
		if (memcmp(addr, zero, PF_PAGE_SIZE) != 0)
			fail_msg("__GFP_ZERO block pfn %#lx order %u: page %lu is not zero", pfn, order, i);
	}
	(void)page;
}

static void do_alloc(struct pf_machine *m, uint64_t gen, unsigned long *nr_fail)
{
	pf_gfp_t gfp = random_gfp();
	unsigned order = random_order();
	struct pf_page *page = pf_alloc_pages(m, gfp, order);
	if (!page) {
		(*nr_fail)++;
		return;
	}
	unsigned long pfn = pf_page_to_pfn(page), n = 1UL << order;
	if (pfn % n)
		fail_msg("order-%u block at pfn %#lx is not aligned", order, pfn);
	if (pfn + n > MAX_PFN)
		fail_msg("block pfn %#lx order %u is beyond memory", pfn, order);
	unsigned zl = zone_of_pfn(pfn), zh = zone_of_pfn(pfn + n - 1);
	if (zl != zh)
		fail_msg("block pfn %#lx order %u straddles zones %u and %u", pfn, order, zl, zh);
	if (zl > highest_zone(gfp))
		fail_msg("gfp %#x (highest zone %u) got pfn %#lx in zone %u", gfp, highest_zone(gfp), pfn, zl);
	if (pf_page_address(page) != base + pfn * PF_PAGE_SIZE)
		fail_msg("page_address of pfn %#lx is not base + pfn * PAGE_SIZE", pfn);
	if (pf_page_count(page) != 1)
		fail_msg("fresh block pfn %#lx has refcount %d", pfn, pf_page_count(page));
	if ((gfp & PF_GFP_COMP) && order > 0 && !pf_PageHead(page))
		fail_msg("__GFP_COMP block pfn %#lx order %u is not a compound head", pfn, order);

	/* no page handed out twice: the live bitmap, word-wise for big aligned blocks */
	if (order >= 6) {
		for (unsigned long w = pfn / 64; w < (pfn + n) / 64; w++) {
			if (live_map[w])
				fail_msg("block pfn %#lx order %u overlaps a live block (pfn word %#lx)", pfn, order, w * 64);
			live_map[w] = ~0ULL;
		}
	} else {
		for (unsigned long i = 0; i < n; i++) {
			if (bit_test(live_map, pfn + i))
				fail_msg("block pfn %#lx order %u overlaps a live block at pfn %#lx", pfn, order, pfn + i);
			bit_set(live_map, pfn + i);
		}
	}
	if (gfp & PF_GFP_ZERO)
		check_zero_block(page, pfn, order);
	for (unsigned long i = 0; i < n; i++) {
		if (!stamped(i, order)) {
			if (i % 32 == 0 && i + 17 < n)
				i += 16;
			continue;
		}
		*page_word(pfn + i) = stamp_of(pfn + i, gen);
		bit_set(dirty_map, pfn + i);
	}
	if (nr_live == cap_live) {
		cap_live = cap_live ? cap_live * 2 : 4096;
		lives = realloc(lives, cap_live * sizeof *lives);
		assert_non_null(lives);
	}
	lives[nr_live++] = (struct live){ page, pfn, order, gfp, gen };
}

static void do_free(size_t idx)
{
	struct live l = lives[idx];
	lives[idx] = lives[--nr_live];
	unsigned long n = 1UL << l.order;
	for (unsigned long i = 0; i < n; i++) {
		if (!stamped(i, l.order)) {
			if (i % 32 == 0 && i + 17 < n)
				i += 16;
			continue;
		}
		uint64_t got = *page_word(l.pfn + i), want = stamp_of(l.pfn + i, l.gen);
		if (got != want)
			fail_msg("block pfn %#lx order %u gen %llu: page %lu stamp %#llx, expected %#llx "
				 "(the block was handed out again while live)", l.pfn, l.order,
				 (unsigned long long)l.gen, i, (unsigned long long)got, (unsigned long long)want);
	}
	if (l.order >= 6) {
		for (unsigned long w = l.pfn / 64; w < (l.pfn + n) / 64; w++)
			live_map[w] = 0;
	} else {
		for (unsigned long i = 0; i < n; i++)
			bit_clear(live_map, l.pfn + i);
	}
	if ((l.gfp & PF_GFP_COMP) && (rnd() & 1))
		pf_put_page(l.page);
	else
		pf_free_pages(l.page, l.order);
}

static int nr_reports;
static void count_reports(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	nr_reports++;
	fprintf(stderr, "report: %s\n", line);
}

static void random_ops(const char *machine_desc)
{
	char err[256];
	rng_state = 0x9e3779b97f4a7c15ULL;
	nr_reports = 0;
	struct pf_machine *m = pf_test_boot(machine_desc);
	pf_set_report_hook(m, count_reports, NULL);
	struct pf_page *p0 = pf_pfn_to_page(m, 0x1000);
	assert_non_null(p0);
	base = (char *)pf_page_address(p0) - 0x1000 * PF_PAGE_SIZE;
	live_map = calloc(MAX_PFN / 64, sizeof *live_map);
	dirty_map = calloc(MAX_PFN / 64, sizeof *dirty_map);
	assert_non_null(live_map);
	assert_non_null(dirty_map);

	if (pf_check(m, err, sizeof err) != 0)
		fail_msg("pf_check right after boot: %s", err);
	char *boot_buddyinfo = NULL;
	page_text(m, "buddyinfo", &boot_buddyinfo);

	unsigned long nr_fail = 0, nr_alloc = 0, nr_free = 0, live_pages = 0, peak_pages = 0;
	size_t peak_live = 0;
	for (unsigned long op = 1; op <= NR_OPS; op++) {
		/* 51% allocations in the first half, 49% in the second: the live set grows to about half of memory and back */
		unsigned alloc_pct = op <= NR_OPS / 2 ? 51 : 49;
		if (nr_live == 0 || rnd() % 100 < alloc_pct) {
			nr_alloc++;
			size_t before = nr_live;
			do_alloc(m, op, &nr_fail);
			if (nr_live > before)
				live_pages += 1UL << lives[nr_live - 1].order;
			if (nr_live > peak_live)
				peak_live = nr_live;
			if (live_pages > peak_pages)
				peak_pages = live_pages;
		} else {
			nr_free++;
			size_t idx = rnd() % nr_live;
			live_pages -= 1UL << lives[idx].order;
			do_free(idx);
		}
		if (op % CHECK_EVERY == 0) {
			pf_test_phase("%s: operation %lu of %lu, %zu live blocks", machine_desc == machine_with_hole ?
				      "section hole" : "contiguous", op, (unsigned long)NR_OPS, nr_live);
			if (pf_check(m, err, sizeof err) != 0)
				fail_msg("pf_check after %lu operations: %s", op, err);
		}
	}
	pf_test_phase("freeing the %zu live blocks", nr_live);
	fprintf(stderr, "random_ops: peak %zu live blocks (%lu pages); %lu allocations (%lu failed), %lu frees, %zu live at the end\n", peak_live, peak_pages,
		nr_alloc, nr_fail, nr_free, nr_live);
	/* nothing may be reported by correct use */
	assert_int_equal(nr_reports, 0);
	long bad = -1;
	assert_int_equal(pf_vmstat_get(m, "pageframe_bad_pages", &bad), 0);
	assert_int_equal(bad, 0);
	/* failures must be a minority, or the test has tested little */
	assert_true(nr_fail < nr_alloc / 2);

	while (nr_live)
		do_free(nr_live - 1);
	if (pf_check(m, err, sizeof err) != 0)
		fail_msg("pf_check after freeing everything: %s", err);

	char *end_buddyinfo = NULL;
	page_text(m, "buddyinfo", &end_buddyinfo);
	if (strcmp(boot_buddyinfo, end_buddyinfo) != 0) {
		fprintf(stderr, "boot buddyinfo:\n%s\nend buddyinfo:\n%s\n", boot_buddyinfo, end_buddyinfo);
		pf_show(m, "pagetypeinfo", stderr);
		fail_msg("buddyinfo after freeing everything differs from boot");
	}
	long free_pages = 0;
	assert_int_equal(pf_vmstat_get(m, "nr_free_pages", &free_pages), 0);
	assert_true(free_pages > 0);

	free(boot_buddyinfo);
	free(end_buddyinfo);
	free(lives);
	free(live_map);
	free(dirty_map);
	lives = NULL;
	nr_live = cap_live = 0;
	pf_machine_destroy(m);
}

static void random_ops_contiguous(void **state)
{
	(void)state;
	random_ops(machine_no_section_hole);
}

static void random_ops_section_hole(void **state)
{
	(void)state;
	random_ops(machine_with_hole);
}

int main(void)
{
	pf_test_watchdog("test_random_ops", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_ops_contiguous),
		cmocka_unit_test(random_ops_section_hole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
