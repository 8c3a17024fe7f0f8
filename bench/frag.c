/* SPDX-License-Identifier: MIT */
/*
 * frag.c - the fragmentation benchmark: how many 2 MiB (order-9) blocks a
 * machine can still hand out after a workload has mixed unmovable and
 * movable pages, without and with compaction.  Fixed seeds; figures only,
 * never a failure.  Output: one line per figure,
 *   "pageframe F<n> <key> <value> <unit>"
 * which bench/run.sh gathers into a table (a scenario whose pieces are not
 * in the library prints "pageframe F<n> status not-built -").
 *
 * The workloads, exactly:
 *
 * F0  no compaction.  A 1 GiB machine ("cpus 2", "mem 0 0x1000-0x3fffffff").
 *     Order-0 allocations until the first failure, each one at random
 *     (xorshift64*, seed 1) unmovable (GFP_KERNEL, 1 in 10) or movable
 *     (GFP_HIGHUSER_MOVABLE, 9 in 10), all with __GFP_NOWARN.  The unmovable
 *     pages are kept; every movable page is freed; every CPU's per-CPU list
 *     is drained.  possible = NR_FREE_PAGES / 512; allocatable = order-9
 *     GFP_TRANSHUGE_LIGHT allocations that succeed in a row.  Reported:
 *     allocatable, possible and their ratio, the free 2 MiB blocks buddyinfo
 *     shows (orders 9 and 10) over possible - what pollution left, watermarks
 *     aside - and the blocks above the reserves (per zone: free - min watermark - protection for a request
 *     that may use ZONE_MOVABLE, over 512), with grouping by mobility on
 *     and off (the description's "mobility_grouping off"), and on with
 *     "thp never" (min_free_kbytes = 4 * sqrt(lowmem in kB), without
 *     khugepaged's larger recommendation that "thp madvise" brings).
 *
 * F1  (F2) A 4 GiB hosted machine ("cpus 2", "mem 0 0x1000-0xffffffff",
 *     no holes: DMA, DMA32, 1 GiB of... as the description gives) filled the
 *     same way with order-0 pages, 1 in 10 (F2: 1 in 4) unmovable
 *     (GFP_KERNEL, kept, seed 2 / 3), the rest GFP_HIGHUSER_MOVABLE made
 *     movable with pf_set_page_movable() by an owner that accepts every
 *     move and tracks where each page lives (page->private holds its slot).
 *     A random half of the movable pages (Fisher-Yates, same seed) is
 *     freed, the per-CPU lists drained.  Counted: order-9 blocks
 *     allocatable without compaction (GFP_TRANSHUGE_LIGHT until the first
 *     failure, then given back), then again after
 *     pf_sysctl_set(m, "compact_memory", "1"), each over the possible
 *     (NR_FREE_PAGES / 512 before the count), and the time compact_memory
 *     took.  Grouping by mobility on and off.
 *
 * F3  the Linux 5.9 proactive compaction test, on a 1 GiB hosted machine:
 *     fill memory with movable owned order-0 pages, free 3 of every 4 pages
 *     of each 2 MiB block (all but the pages at offsets 0, 4, 8, ...),
 *     then allocate order-9 blocks (GFP_TRANSHUGE: direct compaction
 *     allowed) until the first failure, timing each.  Proactive compaction
 *     off (vm.compaction_proactiveness=0), and on (=20, kcompactd stepped
 *     until it stops making progress before the allocations); the same
 *     allocations on an unfragmented machine give the base latency.
 *     Reported: p50/p90/p99 latency, blocks allocated, and p50 over the
 *     base p50.
 *
 * Usage: frag [F0|F1|F2|F3 ...] (default all).  FRAG_VERBOSE=1 adds the
 * diagnosis of F0: fallbacks by type (trace mm_page_alloc_extfrag) and the
 * pageblocks that hold the kept unmovable pages.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pageframe/pageframe.h>
#include <pageframe/page.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Pieces other engineers are building: absent from an older library, they read as NULL. */
#pragma weak pf_set_page_movable
#pragma weak pf_kcompactd_run

#define ORDER9_PAGES 512UL

static bool verbose;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* xorshift64*, fixed seeds */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/*
 * The fills run "until the first failure": since the slow path has direct
 * reclaim and the OOM killer, each run ends in an OOM report (nothing to
 * kill), which the kernel prints whatever the gfp says.  Counted, not shown.
 */
static long oom_reports;
static void quiet(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	if (strstr(line, "invoked oom-killer"))
		oom_reports++;
	if (verbose)
		fprintf(stderr, "%s\n", line);
}

static struct pf_machine *boot(const char *desc)
{
	char err[512];
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (!m && verbose)
		fprintf(stderr, "frag: machine refused: %s\n", err);
	if (m)
		pf_set_report_hook(m, quiet, NULL);
	return m;
}

static long vmstat(struct pf_machine *m, const char *name)
{
	long v = 0;
	pf_vmstat_get(m, name, &v);
	return v;
}

static void fig(const char *scn, const char *key, double v, const char *unit)
{
	printf("pageframe %s %s %.6g %s\n", scn, key, v, unit);
}

static void not_built(const char *scn, const char *what)
{
	printf("pageframe %s status not-built %s\n", scn, what);
}

/* ---- a growable array of pages ---- */

struct pages {
	struct pf_page **v;
	size_t n, cap;
};

static void push(struct pages *a, struct pf_page *p)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 65536;
		a->v = realloc(a->v, a->cap * sizeof *a->v);
		if (!a->v)
			abort();
	}
	a->v[a->n++] = p;
}

/*
 * above_reserves - the order-9 blocks the watermarks let a movable request
 * take: in each zone, (free - min watermark - protection against a request
 * that may use ZONE_MOVABLE) / 512, from zoneinfo.  The free memory under
 * that line is the reserve no such request may touch.
 */
static long above_reserves(struct pf_machine *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return 0;
	pf_show(m, "zoneinfo", f);
	fclose(f);
	long total = 0, free_pages = -1, min = -1;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long p[5];
		if (sscanf(line, " pages free %ld", &free_pages) == 1)
			continue;
		if (sscanf(line, " min %ld", &min) == 1)
			continue;
		if (sscanf(line, " protection: (%ld, %ld, %ld, %ld, %ld)", &p[0], &p[1], &p[2], &p[3], &p[4]) == 5 &&
		    free_pages >= 0 && min >= 0) {
			long room = free_pages - min - p[4];
			total += room > 0 ? room / (long)ORDER9_PAGES : 0;
			free_pages = min = -1;
		}
	}
	free(buf);
	return total;
}

/*
 * count_order9 - order-9 GFP_TRANSHUGE_LIGHT allocations that succeed in a
 * row; then they are given back and the per-CPU lists drained, so the
 * machine is as before apart from pageblocks the allocations re-typed.
 */
/* free 2 MiB blocks as buddyinfo shows them: each free order-9 block, two per order-10 block */
static long free_order9_blocks(struct pf_machine *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	long n = 0;
	if (!f)
		return -1;
	if (pf_show(m, "buddyinfo", f)) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		char *p = strstr(line, "zone");
		if (p && (!nl || p < nl)) {
			p += 4;
			while (*p == ' ')
				p++;
			while (*p && *p != ' ')
				p++;	/* the zone name */
			long c[11];
			int k = 0;
			for (; k < 11; k++) {
				char *end;
				c[k] = strtol(p, &end, 10);
				if (end == p)
					break;
				p = end;
			}
			if (k == 11)
				n += c[9] + 2 * c[10];
		}
		line = nl ? nl + 1 : NULL;
	}
	free(buf);
	return n;
}

static long count_order9(struct pf_machine *m, long *possible, long *reachable, long *free9)
{
	pf_drain_all_pages(m);
	*possible = vmstat(m, "nr_free_pages") / (long)ORDER9_PAGES;
	*reachable = above_reserves(m);
	*free9 = free_order9_blocks(m);
	struct pages got = { 0 };
	struct pf_page *p;
	while ((p = pf_alloc_pages(m, PF_GFP_TRANSHUGE_LIGHT | PF___GFP_NOWARN, 9)))
		push(&got, p);
	for (size_t i = 0; i < got.n; i++)
		pf_free_pages(got.v[i], 9);
	pf_drain_all_pages(m);
	free(got.v);
	return (long)got.n;
}

/* ---- the F0 diagnosis: which fallbacks happened ---- */

static long extfrag[8][8][2];	/* [alloc_mt][fallback_mt][change_ownership] */

static void extfrag_sink(void *arg, const char *line)
{
	(void)arg;
	const char *s = strstr(line, "alloc_migratetype=");
	int am, fm, own;
	if (s && sscanf(s, "alloc_migratetype=%d fallback_migratetype=%d", &am, &fm) == 2 &&
	    (s = strstr(line, "change_ownership=")) && sscanf(s, "change_ownership=%d", &own) == 1 && am >= 0 &&
	    am < 8 && fm >= 0 && fm < 8)
		extfrag[am][fm][own != 0]++;
}

static const char *const mt_name[] = { "Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate" };

/* With FRAG_VERBOSE: how the kept unmovable pages spread, from the pageblocks view. */
static void diagnose(struct pf_machine *m, const char *scn)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f || pf_show(m, "pageblocks", f)) {
		if (f)
			fclose(f);
		free(buf);
		fprintf(stderr, "%s: no pageblocks view\n", scn);
		return;
	}
	fclose(f);
	long blocks[6] = { 0 }, mixed[6] = { 0 }, with_unmov[6] = { 0 }, unmov_pages[6] = { 0 };
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int node;
		char zone[16], pfn[32], type[16], mix[8];
		unsigned c[8];
		if (sscanf(line, "%d %15s %31s %15s %u %u %u %u %u %u %u %u %7s", &node, zone, pfn, type, &c[0], &c[1],
			   &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], mix) != 13)
			continue;
		for (int t = 0; t < 6; t++)
			if (!strcmp(type, mt_name[t])) {
				blocks[t]++;
				mixed[t] += !strcmp(mix, "mixed");
				with_unmov[t] += c[2] > 0;
				unmov_pages[t] += c[2];
			}
	}
	free(buf);
	fprintf(stderr, "%s pageblocks by type: blocks / mixed / holding unmovable pages / unmovable pages\n", scn);
	for (int t = 0; t < 6; t++)
		if (blocks[t])
			fprintf(stderr, "  %-11s %5ld %5ld %5ld %7ld\n", mt_name[t], blocks[t], mixed[t], with_unmov[t],
				unmov_pages[t]);
	fprintf(stderr, "%s fallbacks (mm_page_alloc_extfrag): alloc type <- fallback type: stolen pages / claimed\n",
		scn);
	for (int a = 0; a < 6; a++)
		for (int b = 0; b < 6; b++)
			if (extfrag[a][b][0] || extfrag[a][b][1])
				fprintf(stderr, "  %-11s <- %-11s %8ld steals, %6ld claims\n", mt_name[a], mt_name[b],
					extfrag[a][b][0], extfrag[a][b][1]);
}

/* ---- F0 ---- */

static void f0(const char *scn, bool grouping, bool thp)
{
	char desc[256];
	snprintf(desc, sizeof desc, "cpus 2\nmem 0 0x1000-0x3fffffff\n%s%s", grouping ? "" : "mobility_grouping off\n",
		 thp ? "" : "thp never\n");
	struct pf_machine *m = boot(desc);
	if (!m) {
		not_built(scn, "mobility_grouping");
		return;
	}
	memset(extfrag, 0, sizeof extfrag);
	if (verbose)
		pf_set_trace(m, "mm_page_alloc_extfrag", extfrag_sink, NULL);
	uint64_t seed = 1;
	struct pages unmov = { 0 }, mov = { 0 };
	for (;;) {
		bool u = rnd(&seed) % 10 == 0;
		struct pf_page *p = pf_alloc_pages(m, (u ? PF_GFP_KERNEL : PF_GFP_HIGHUSER_MOVABLE) | PF___GFP_NOWARN, 0);
		if (!p)
			break;
		push(u ? &unmov : &mov, p);
	}
	for (size_t i = 0; i < mov.n; i++)
		pf_free_pages(mov.v[i], 0);
	long possible, reachable, free9, got = count_order9(m, &possible, &reachable, &free9);
	if (verbose) {
		pf_set_trace(m, NULL, NULL, NULL);
		fprintf(stderr, "%s: %zu unmovable kept, %zu movable freed\n", scn, unmov.n, mov.n);
		diagnose(m, scn);
	}
	fig(scn, "order9", (double)got, "blocks");
	fig(scn, "possible", (double)possible, "blocks");
	fig(scn, "ratio", possible ? 100.0 * (double)got / (double)possible : 0, "%");
	fig(scn, "above_reserves", (double)reachable, "blocks");
	fig(scn, "free_order9", (double)free9, "blocks");
	for (size_t i = 0; i < unmov.n; i++)
		pf_free_pages(unmov.v[i], 0);
	free(unmov.v);
	free(mov.v);
	pf_machine_destroy(m);
}

/* ---- an owner of movable pages: accepts every move, page->private is the slot ---- */

static struct pf_page **owned;	/* slot -> page */

static bool own_isolate(struct pf_page *page, int mode)
{
	(void)page;
	(void)mode;
	return true;
}

static int own_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)mode;
	unsigned long slot = src->private;
	owned[slot] = dst;
	dst->private = slot;
	return 0;
}

static void own_putback(struct pf_page *page)
{
	(void)page;
}

static const struct pf_movable_operations own_ops = {
	.isolate_page = own_isolate,
	.migrate_page = own_migrate,
	.putback_page = own_putback,
};

/* ---- F1 / F2 ---- */

static void f12(const char *scn, unsigned unmovable_in, uint64_t seed, bool grouping)
{
	if (!pf_set_page_movable) {
		not_built(scn, "pf_set_page_movable");
		return;
	}
	char desc[256];
	snprintf(desc, sizeof desc, "cpus 2\nmem 0 0x1000-0xffffffff\n%s", grouping ? "" : "mobility_grouping off\n");
	struct pf_machine *m = boot(desc);
	if (!m) {
		not_built(scn, "mobility_grouping");
		return;
	}
	char val[64];
	if (pf_sysctl_get(m, "compact_memory", val, sizeof val) == -ENOENT &&
	    pf_sysctl_set(m, "compact_memory", "0") == -ENOENT) {
		pf_machine_destroy(m);
		not_built(scn, "compact_memory");
		return;
	}
	size_t cap = 1UL << 20;
	owned = calloc(cap, sizeof *owned);
	struct pages unmov = { 0 };
	size_t nmov = 0;
	for (;;) {
		bool u = rnd(&seed) % unmovable_in == 0;
		struct pf_page *p = pf_alloc_pages(m, (u ? PF_GFP_KERNEL : PF_GFP_HIGHUSER_MOVABLE) | PF___GFP_NOWARN, 0);
		if (!p)
			break;
		if (u) {
			push(&unmov, p);
			continue;
		}
		if (nmov == cap) {
			owned = realloc(owned, (cap *= 2) * sizeof *owned);
			if (!owned)
				abort();
		}
		p->private = nmov;
		owned[nmov++] = p;
		pf_set_page_movable(p, &own_ops);
	}
	/* free a random half: shuffle the slot order, free the first half (slots keep their pages' index) */
	size_t *perm = malloc(nmov * sizeof *perm);
	for (size_t i = 0; i < nmov; i++)
		perm[i] = i;
	for (size_t i = nmov - 1; i > 0; i--) {
		size_t j = (size_t)(rnd(&seed) % (i + 1)), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < nmov / 2; i++) {
		pf_free_pages(owned[perm[i]], 0);
		owned[perm[i]] = NULL;
	}
	long possible0, reach0, free0, got0 = count_order9(m, &possible0, &reach0, &free0);
	uint64_t t0 = now_ns();
	int rc = pf_sysctl_set(m, "compact_memory", "1");
	double secs = (double)(now_ns() - t0) / 1e9;
	long possible1, reach1, free1, got1 = count_order9(m, &possible1, &reach1, &free1);
	fig(scn, "order9_before", (double)got0, "blocks");
	fig(scn, "possible_before", (double)possible0, "blocks");
	fig(scn, "ratio_before", possible0 ? 100.0 * (double)got0 / (double)possible0 : 0, "%");
	fig(scn, "above_reserves_before", (double)reach0, "blocks");
	fig(scn, "free_order9_before", (double)free0, "blocks");
	if (rc) {
		not_built(scn, "compact_memory");
	} else {
		fig(scn, "order9_after", (double)got1, "blocks");
		fig(scn, "possible_after", (double)possible1, "blocks");
		fig(scn, "ratio_after", possible1 ? 100.0 * (double)got1 / (double)possible1 : 0, "%");
		fig(scn, "above_reserves_after", (double)reach1, "blocks");
		fig(scn, "free_order9_after", (double)free1, "blocks");
		fig(scn, "compact_time", secs * 1e3, "ms");
	}
	for (size_t i = 0; i < nmov; i++)
		if (owned[i])
			pf_free_pages(owned[i], 0);
	for (size_t i = 0; i < unmov.n; i++)
		pf_free_pages(unmov.v[i], 0);
	free(perm);
	free(unmov.v);
	free(owned);
	owned = NULL;
	pf_machine_destroy(m);
}

/* ---- F3 ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * f3_alloc - order-9 GFP_TRANSHUGE allocations (direct compaction allowed)
 * until the first failure, each timed; figures under @key.  The blocks are
 * freed afterwards.
 */
static void f3_alloc(struct pf_machine *m, const char *key, double *p50_out)
{
	struct pages got = { 0 };
	uint64_t *lat = NULL;
	size_t cap = 0;
	for (;;) {
		uint64_t t0 = now_ns();
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_TRANSHUGE | PF___GFP_NOWARN, 9);
		uint64_t dt = now_ns() - t0;
		if (!p)
			break;
		if (got.n == cap) {
			cap = cap ? cap * 2 : 1024;
			lat = realloc(lat, cap * sizeof *lat);
			if (!lat)
				abort();
		}
		lat[got.n] = dt;
		push(&got, p);
	}
	qsort(lat, got.n, sizeof *lat, cmp_u64);
	char k[64];
	double p50 = got.n ? (double)lat[got.n / 2] / 1e3 : 0;
	snprintf(k, sizeof k, "%s_blocks", key);
	fig("F3", k, (double)got.n, "blocks");
	snprintf(k, sizeof k, "%s_p50", key);
	fig("F3", k, p50, "us");
	snprintf(k, sizeof k, "%s_p90", key);
	fig("F3", k, got.n ? (double)lat[got.n * 9 / 10] / 1e3 : 0, "us");
	snprintf(k, sizeof k, "%s_p99", key);
	fig("F3", k, got.n ? (double)lat[got.n * 99 / 100] / 1e3 : 0, "us");
	*p50_out = p50;
	if (verbose)
		fprintf(stderr, "F3 %s: compact_stall %ld compact_success %ld compact_fail %ld compact_migrate_scanned %ld "
			"pgmigrate_success %ld\n", key, vmstat(m, "compact_stall"), vmstat(m, "compact_success"),
			vmstat(m, "compact_fail"), vmstat(m, "compact_migrate_scanned"), vmstat(m, "pgmigrate_success"));
	for (size_t i = 0; i < got.n; i++)
		pf_free_pages(got.v[i], 9);
	free(got.v);
	free(lat);
}

#define F3_MACHINE "cpus 2\nmem 0 0x1000-0x3fffffff\n"

/* fill with owned movable order-0 pages, then free all but every fourth page of each 2 MiB block */
static size_t f3_fragment(struct pf_machine *m)
{
	size_t cap = 1UL << 18, n = 0;
	owned = calloc(cap, sizeof *owned);
	struct pf_page *p;
	while ((p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN, 0))) {
		if (n == cap) {
			owned = realloc(owned, (cap *= 2) * sizeof *owned);
			if (!owned)
				abort();
		}
		p->private = n;
		owned[n++] = p;
		pf_set_page_movable(p, &own_ops);
	}
	for (size_t i = 0; i < n; i++)
		if (pf_page_to_pfn(owned[i]) % 4) {
			pf_free_pages(owned[i], 0);
			owned[i] = NULL;
		}
	pf_drain_all_pages(m);
	return n;
}

static void f3_release(struct pf_machine *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (owned[i])
			pf_free_pages(owned[i], 0);
	free(owned);
	owned = NULL;
	pf_machine_destroy(m);
}

static void f3(void)
{
	struct pf_machine *m = boot(F3_MACHINE);
	if (!m)
		return;
	char val[64];
	bool have = pf_set_page_movable && pf_kcompactd_run &&
		    pf_sysctl_get(m, "compaction_proactiveness", val, sizeof val) == 0;
	if (!have) {
		pf_machine_destroy(m);
		not_built("F3", "compaction_proactiveness");
		return;
	}
	double base, off, on;
	f3_alloc(m, "unfragmented", &base);
	pf_machine_destroy(m);

	/* proactive compaction off: the allocations compact for themselves */
	m = boot(F3_MACHINE);
	pf_sysctl_set(m, "compaction_proactiveness", "0");
	size_t n = f3_fragment(m);
	f3_alloc(m, "off", &off);
	f3_release(m, n);

	/* on (the default 20): kcompactd passes until one finds nothing to do, then the allocations */
	m = boot(F3_MACHINE);
	pf_sysctl_set(m, "compaction_proactiveness", "20");
	n = f3_fragment(m);
	uint64_t t0 = now_ns();
	int passes = 0;
	while (passes < 1000 && pf_kcompactd_run(m, 0) != PF_KCOMPACTD_IDLE)
		passes++;
	fig("F3", "kcompactd_passes", passes, "passes");
	fig("F3", "kcompactd_time", (double)(now_ns() - t0) / 1e6, "ms");
	f3_alloc(m, "on", &on);
	f3_release(m, n);
	fig("F3", "off_over_unfragmented_p50", base > 0 ? off / base : 0, "x");
	fig("F3", "on_over_unfragmented_p50", base > 0 ? on / base : 0, "x");
}

int main(int argc, char **argv)
{
	const char *v = getenv("FRAG_VERBOSE");
	verbose = v && *v && strcmp(v, "0");
	pf_bind_cpu(0);	/* one CPU's lists: the counts do not depend on where the thread runs */
	bool all = argc < 2;
	for (int i = all ? 0 : 1; i < (all ? 1 : argc); i++) {
		const char *s = all ? "all" : argv[i];
		bool a = !strcmp(s, "all");
		if (a || !strcmp(s, "F0")) {
			f0("F0", true, true);
			f0("F0-nogroup", false, true);
			f0("F0-thpnever", true, false);
		}
		if (a || !strcmp(s, "F1")) {
			f12("F1", 10, 2, true);
			f12("F1-nogroup", 10, 2, false);
		}
		if (a || !strcmp(s, "F2")) {
			f12("F2", 4, 3, true);
			f12("F2-nogroup", 4, 3, false);
		}
		if (a || !strcmp(s, "F3"))
			f3();
	}
	return 0;
}
