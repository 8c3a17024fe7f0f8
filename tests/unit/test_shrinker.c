/* test_shrinker: shrink_slab asks each shrinker for (count >> priority) * 4 / seeks objects plus its deferred work, in batches of 128, at most twice its count, as Linux 6.12's do_shrink_slab (each case worked by hand below); drop_slab repeats while a round frees more than 2^round; drop_caches 2 runs it and counts drop_slab; lying shrinkers are bounded and reported once; unregister is safe from inside a callback and refuses unknown pointers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/shrinker.h"
#include "pf_testlib.h"

/* 64 MiB, one CPU, no memory behind the pages */
#define SMALL "cpus 1\nmem 0 0x100000-0x3ffffff\nbacking none\n"
#define TWO_NODES "cpus 2\nnode 0 cpus 0\nnode 1 cpus 1\nmem 0 0x100000-0x3ffffff\nmem 1 0x4000000-0x7ffffff\n" \
		  "backing none\n"

/* ---- a cache of N objects: scanning frees what is there, up to nr_to_scan ---------------- */

struct cache {
	unsigned long objects;
	unsigned long counts, scans;	/* calls */
	unsigned long asked[64];	/* nr_to_scan of each scan call */
	int nids[64];
	/* lies */
	unsigned long fixed_count;	/* nonzero: count_objects always says this */
	unsigned long fixed_ret;	/* nonzero: scan_objects always returns this */
	int set_scanned;		/* >= 0: scan_objects sets nr_scanned to this */
	bool stop;			/* scan_objects returns SHRINK_STOP */
	bool empty;			/* count_objects returns SHRINK_EMPTY */
	bool free_nothing;		/* scan_objects frees nothing, returns 0 */
	/* unregister from a callback */
	struct pf_shrinker **unregister_in_scan;
};

static unsigned long cache_count(void *arg, struct pf_shrink_control *sc)
{
	struct cache *c = arg;
	(void)sc;
	c->counts++;
	if (c->empty)
		return PF_SHRINK_EMPTY;
	if (c->fixed_count)
		return c->fixed_count;
	return c->objects;
}

static unsigned long cache_scan(void *arg, struct pf_shrink_control *sc)
{
	struct cache *c = arg;
	if (c->scans < 64) {
		c->asked[c->scans] = sc->nr_to_scan;
		c->nids[c->scans] = sc->nid;
	}
	c->scans++;
	if (c->unregister_in_scan && *c->unregister_in_scan) {
		pf_shrinker_unregister(*c->unregister_in_scan);
		*c->unregister_in_scan = NULL;
	}
	if (c->stop)
		return PF_SHRINK_STOP;
	if (c->set_scanned >= 0)
		sc->nr_scanned = (unsigned long)c->set_scanned;
	if (c->fixed_ret)
		return c->fixed_ret;
	if (c->free_nothing)
		return 0;
	unsigned long n = sc->nr_to_scan < c->objects ? sc->nr_to_scan : c->objects;
	c->objects -= n;
	return n;
}

static const struct pf_shrinker_ops cache_ops = { cache_count, cache_scan };

static struct cache *new_cache(unsigned long objects)
{
	struct cache *c = calloc(1, sizeof *c);
	assert_non_null(c);
	c->objects = objects;
	c->set_scanned = -1;
	return c;
}

/* ---- the report hook: lines kept for the test ------------------------------------------ */

static char reported[64][256];
static int nr_reported;

static void keep_report(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	if (nr_reported < 64)
		snprintf(reported[nr_reported], sizeof reported[0], "%s", line);
	nr_reported++;
}

static int reports_with(const char *word)
{
	int n = 0;
	for (int i = 0; i < nr_reported && i < 64; i++)
		n += strstr(reported[i], word) != NULL;
	return n;
}

static struct pf_machine *boot(const char *desc)
{
	struct pf_machine *m = pf_test_boot(desc);
	nr_reported = 0;
	pf_set_report_hook(m, keep_report, NULL);
	return m;
}

static char traced[8][512];
static int nr_traced;

static void keep_trace(void *arg, const char *line)
{
	(void)arg;
	if (nr_traced < 8)
		snprintf(traced[nr_traced], sizeof traced[0], "%s", line);
	nr_traced++;
}

static long deferred(struct pf_shrinker *s, int nid)
{
	return atomic_load(&s->nr_deferred[nid]);
}

/* ---- do_shrink_slab's arithmetic ----------------------------------------------------- */

/*
 * Priority 2, seeks 2, batch 128, a cache of 1000 that frees what it scans:
 * call 1: delta = (1000 >> 2) * 4 / 2 = 500; total_scan = 0 + 500 (cap 2000);
 *         batches 128, 128, 128 leave 116 < 128 and < 1000: scanned 384;
 *         deferred = 0 + 500 - 384 = 116; 616 objects left.
 * call 2: delta = (616 >> 2) * 4 / 2 = 154 * 2 = 308; total = (116 >> 2) + 308 = 29 + 308 = 337;
 *         batches 128, 128 leave 81: scanned 256; deferred = 116 + 308 - 256 = 168; 360 left.
 * call 3: delta = (360 >> 2) * 2 = 180; total = (168 >> 2) + 180 = 42 + 180 = 222;
 *         one batch of 128 leaves 94: deferred = 168 + 180 - 128 = 220 (cap 720); 232 left.
 */
static void test_priority_arithmetic(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct cache *c = new_cache(1000);
	struct pf_shrinker *s = pf_shrinker_register(m, "cache", &cache_ops, c, PF_DEFAULT_SEEKS);
	assert_non_null(s);

	assert_int_equal(pf_set_trace(m, "mm_shrink_slab_start,mm_shrink_slab_end", keep_trace, NULL), 0);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 2), 384);
	pf_set_trace(m, NULL, NULL, NULL);
	/* the events' bodies as 6.12's TP_printk lays them out (the shrinker's name for the %pS symbol) */
	char want[256];
	assert_int_equal(nr_traced, 2);
	snprintf(want, sizeof want, "mm_shrink_slab_start: cache %016lx: nid: 0 objects to shrink 0 gfp_flags "
		 "GFP_KERNEL cache items 1000 delta 500 total_scan 500 priority 2", (unsigned long)s);
	if (!strstr(traced[0], want))
		print_error("%s\nwant %s\n", traced[0], want);
	assert_non_null(strstr(traced[0], want));
	snprintf(want, sizeof want, "mm_shrink_slab_end: cache %016lx: nid: 0 unused scan count 0 new scan count "
		 "116 total_scan 116 last shrinker return val 384", (unsigned long)s);
	if (!strstr(traced[1], want))
		print_error("%s\nwant %s\n", traced[1], want);
	assert_non_null(strstr(traced[1], want));
	assert_int_equal(c->scans, 3);
	assert_int_equal(c->asked[0], 128);
	assert_int_equal(c->asked[2], 128);
	assert_int_equal(deferred(s, 0), 116);
	assert_int_equal(c->objects, 616);

	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 2), 256);
	assert_int_equal(c->scans, 5);
	assert_int_equal(deferred(s, 0), 168);
	assert_int_equal(c->objects, 360);

	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 2), 128);
	assert_int_equal(c->scans, 6);
	assert_int_equal(deferred(s, 0), 220);
	assert_int_equal(c->objects, 232);

	long v;
	assert_int_equal(pf_vmstat_get(m, "slabs_scanned", &v), 0);
	assert_int_equal(v, 384 + 256 + 128);
	assert_int_equal(nr_reported, 0);
	pf_shrinker_unregister(s);
	free(c);
	pf_machine_destroy(m);
}

/*
 * DEF_PRIORITY 12, seeks 2, 100000 objects: delta = (100000 >> 12) * 4 / 2 =
 * 24 * 2 = 48; total_scan 48 < 128 and < 100000: nothing scanned, 48 deferred.
 * The next call: total = (48 >> 12) + 48 = 48 again, deferred 96.
 */
static void test_gentle_priority_defers(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct cache *c = new_cache(100000);
	struct pf_shrinker *s = pf_shrinker_register(m, "big", &cache_ops, c, PF_DEFAULT_SEEKS);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 12), 0);
	assert_int_equal(c->scans, 0);
	assert_int_equal(deferred(s, 0), 48);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 12), 0);
	assert_int_equal(deferred(s, 0), 96);
	pf_shrinker_unregister(s);
	free(c);
	pf_machine_destroy(m);
}

/*
 * seeks 0 ("free to rebuild"): delta = freeable / 2 whatever the priority.
 * 1000 objects at priority 12: delta 500, batches 128 x 3 = 384, deferred 116.
 * seeks 4: 1000 at priority 0: delta = 1000 * 4 / 4 = 1000, 7 batches (896),
 * 104 left: deferred 104.
 */
static void test_seeks(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct cache *c = new_cache(1000);
	struct pf_shrinker *s = pf_shrinker_register(m, "cheap", &cache_ops, c, 0);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 12), 384);
	assert_int_equal(deferred(s, 0), 116);
	pf_shrinker_unregister(s);

	c->objects = 1000;
	c->scans = 0;
	s = pf_shrinker_register(m, "dear", &cache_ops, c, 4);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 0), 896);
	assert_int_equal(c->scans, 7);
	assert_int_equal(deferred(s, 0), 104);
	pf_shrinker_unregister(s);

	/* a bad seeks is refused */
	assert_null(pf_shrinker_register(m, "bad", &cache_ops, c, -1));
	assert_int_equal(reports_with("seeks -1 is outside 0..1000"), 1);
	struct pf_shrinker_ops half = { cache_count, NULL };
	assert_null(pf_shrinker_register(m, "half", &half, c, 2));
	assert_int_equal(reports_with("both required"), 1);
	free(c);
	pf_machine_destroy(m);
}

/*
 * A cache smaller than a batch under pressure: 50 objects at priority 0,
 * seeks 2: delta 100, total min(100, 100) = 100 < 128 but >= 50: one call
 * with nr_to_scan 100 frees the 50; deferred 0 + 100 - 100 = 0.
 * batch 32 (pf_shrinker_set_batch): 100 objects at priority 0: total 200,
 * six batches of 32 (192), 8 left: deferred 8, 100 freed.
 */
static void test_small_cache_and_batch(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct cache *c = new_cache(50);
	struct pf_shrinker *s = pf_shrinker_register(m, "small", &cache_ops, c, PF_DEFAULT_SEEKS);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 0), 50);
	assert_int_equal(c->scans, 1);
	assert_int_equal(c->asked[0], 100);
	assert_int_equal(deferred(s, 0), 0);

	c->objects = 100;
	c->scans = 0;
	assert_int_equal(pf_shrinker_set_batch(s, 32), 0);
	assert_int_equal(pf_shrinker_set_batch(s, -1), -EINVAL);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 0), 100);
	assert_int_equal(c->scans, 6);
	assert_int_equal(c->asked[5], 32);
	assert_int_equal(deferred(s, 0), 8);
	pf_shrinker_unregister(s);
	free(c);
	pf_machine_destroy(m);
}

/*
 * SHRINK_EMPTY: no scan, no deferred work, nothing freed.  SHRINK_STOP from
 * scan: 1000 objects at priority 0 ask for min(2000, 2000); the first batch
 * stops, so deferred = 0 + 2000 - 0 = 2000 (cap 2 * 1000); the next call
 * asks (2000 >> 0) + 2000 capped at 2000, stops again, deferred stays 2000.
 * After 16 stops in a row it is reported once, however long it goes on.
 */
static void test_empty_and_stop(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct cache *c = new_cache(1000);
	c->empty = true;
	struct pf_shrinker *s = pf_shrinker_register(m, "empty", &cache_ops, c, PF_DEFAULT_SEEKS);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 0), 0);
	assert_int_equal(c->counts, 1);
	assert_int_equal(c->scans, 0);
	assert_int_equal(deferred(s, 0), 0);

	c->empty = false;
	c->stop = true;
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 0), 0);
	assert_int_equal(c->scans, 1);
	assert_int_equal(deferred(s, 0), 2000);
	for (int i = 0; i < 14; i++)
		shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 0);
	assert_int_equal(deferred(s, 0), 2000);
	assert_int_equal(reports_with("SHRINK_STOP"), 0);	/* 15 in a row */
	shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 0);
	assert_int_equal(reports_with("SHRINK_STOP on 16 calls in a row"), 1);
	for (int i = 0; i < 40; i++)
		shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 0);
	assert_int_equal(reports_with("SHRINK_STOP"), 1);
	/* drop_caches over a shrinker that always stops ends after one round */
	unsigned long before = c->counts;
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "2"), 0);
	assert_int_equal(c->counts - before, 1);
	pf_shrinker_unregister(s);
	free(c);
	pf_machine_destroy(m);
}

/* ---- lies ------------------------------------------------------------------------------- */

/*
 * Bounded and reported once each: freed more than scanned (taken as
 * scanned); nr_scanned 0 (taken as nr_to_scan, or the loop would never
 * end); a count beyond the machine's bytes (clamped); a count of twice as
 * many objects scanned at priority 0 with none freed.
 */
static void test_lies(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct cache *c = new_cache(1000);
	c->fixed_ret = 100000;
	struct pf_shrinker *s = pf_shrinker_register(m, "liar", &cache_ops, c, PF_DEFAULT_SEEKS);
	/* priority 2: 500 asked, three batches of 128: freed counted 384, not 300000 */
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 2), 384);
	/* deferred 116: total (116 >> 2) + 500 = 529, four batches (512), 17 left */
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 2), 512);
	assert_int_equal(deferred(s, 0), 116 + 500 - 512);
	assert_int_equal(reports_with("liar: scan_objects freed 100000 of 128"), 1);
	pf_shrinker_unregister(s);

	/* nr_scanned 0 forever: the loop still ends after total_scan / batch rounds */
	c->fixed_ret = 0;
	c->set_scanned = 0;
	c->scans = 0;
	s = pf_shrinker_register(m, "stuck", &cache_ops, c, PF_DEFAULT_SEEKS);
	shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 0);	/* 1000 objects: 2000 asked, 15 batches then 80 left */
	assert_int_equal(c->scans, 15);
	assert_int_equal(reports_with("stuck: scan_objects set nr_scanned to 0 when asked to scan 128"), 1);
	pf_shrinker_unregister(s);

	/* a count no machine of 64 MiB could hold */
	c->set_scanned = -1;
	c->objects = 0;
	c->fixed_count = ~0UL / 3;
	c->scans = 0;
	s = pf_shrinker_register(m, "huge", &cache_ops, c, PF_DEFAULT_SEEKS);
	shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 12);
	assert_int_equal(reports_with("huge: count_objects returned"), 1);
	/* clamped to B = managed pages * 4096: delta = (B >> 12) * 4 / 2 = 2 * managed, in batches of 128 */
	unsigned long managed = 0;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		managed += zone_managed_pages(&m->node_data[0]->node_zones[z]);
	assert_true(managed > 15000);
	assert_int_equal(c->scans, 2 * managed / 128);
	shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 12);
	assert_int_equal(reports_with("huge: count_objects returned"), 1);
	pf_shrinker_unregister(s);

	/* counts 1000, frees nothing: priority 0 scans 2000 (15 batches of 128 + the rest deferred) */
	c->fixed_count = 0;
	c->objects = 1000;
	c->free_nothing = true;
	c->counts = 0;
	s = pf_shrinker_register(m, "barren", &cache_ops, c, PF_DEFAULT_SEEKS);
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "2"), 0);	/* one round: nothing freed */
	assert_int_equal(reports_with("barren: count_objects counted 1000 objects, scan_objects freed none of the "
				      "1920 it scanned at priority 0"), 1);
	assert_int_equal(c->counts, 1);	/* nothing freed: drop_slab's first round is its last */
	pf_shrinker_unregister(s);
	free(c);
	pf_machine_destroy(m);
}

/* ---- drop_slab and drop_caches ------------------------------------------------------- */

/*
 * drop_slab repeats while (freed >> round) > 1.  A cache of 1000 that frees
 * what it scans: round 0 frees 1000 (1000 > 1), round 1 finds it empty
 * (count 0, skipped): 0 >> 1 = 0, stop.  2 rounds: 2 counts.
 * A shrinker that claims to free every object it scans but never shrinks
 * (count 1000 forever): each round scans 1920 (15 batches; 80 left) and
 * frees 1920; rounds go on while 1920 >> r > 1: r = 0..9 continue (1920 >> 9
 * = 3), r = 10 gives 1: stop after 11 rounds.
 */
static void test_drop_slab_rounds(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct cache *c = new_cache(1000);
	struct pf_shrinker *s = pf_shrinker_register(m, "cache", &cache_ops, c, PF_DEFAULT_SEEKS);
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "2"), 0);
	assert_int_equal(c->objects, 0);
	assert_int_equal(c->counts, 2);
	assert_int_equal(pf_test_vmstat(m, "drop_slab"), 1);
	assert_int_equal(pf_test_vmstat(m, "drop_pagecache"), 0);
	assert_int_equal(reports_with("drop_caches: 2"), 1);
	pf_shrinker_unregister(s);

	struct cache *liar = new_cache(0);
	liar->fixed_count = 1000;
	liar->fixed_ret = 128;	/* all it was asked (the last batch of 80 is never asked) */
	s = pf_shrinker_register(m, "regrows", &cache_ops, liar, PF_DEFAULT_SEEKS);
	drop_slab(m);
	assert_int_equal(liar->counts, 11);
	assert_int_equal(liar->scans, 11 * 15);
	pf_shrinker_unregister(s);
	free(liar);
	free(c);

	/* 1 and 3: the page-cache half counts its event; 4 silences the log line for good */
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "1"), 0);
	assert_int_equal(pf_test_vmstat(m, "drop_pagecache"), 1);
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "3"), 0);
	assert_int_equal(pf_test_vmstat(m, "drop_pagecache"), 2);
	assert_int_equal(pf_test_vmstat(m, "drop_slab"), 2);
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "4"), 0);
	assert_int_equal(reports_with("drop_caches: 4"), 1);
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "2"), 0);
	assert_int_equal(reports_with("drop_caches:"), 4);	/* 2, 1, 3, 4; not the last */
	/* the kernel's range is 1..4 */
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "0"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "5"), -EINVAL);
	pf_machine_destroy(m);
}

/* The root memcg (made with the first memcg) shrinks every shrinker; another memcg none (no memcg-aware ones). */
static void test_memcg_root(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct pf_memcg *child = pf_memcg_create(m, NULL, "child");
	assert_non_null(child);
	assert_non_null(m->root_mem_cgroup);
	struct cache *c = new_cache(1000);
	struct pf_shrinker *s = pf_shrinker_register(m, "cache", &cache_ops, c, PF_DEFAULT_SEEKS);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)child, 2), 0);
	assert_int_equal(c->counts, 0);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, m->root_mem_cgroup, 2), 384);	/* test_priority_arithmetic */
	pf_shrinker_unregister(s);
	free(c);
	pf_machine_destroy(m);
}

/* Two nodes: a shrinker is asked once per node; NUMA-aware ones keep deferred work per node. */
static void test_nodes(void **state)
{
	(void)state;
	struct pf_machine *m = boot(TWO_NODES);
	struct cache *c = new_cache(100000);
	struct pf_shrinker *s = pf_shrinker_register(m, "numa", &cache_ops, c, PF_DEFAULT_SEEKS);
	/* priority 12: 48 deferred per call (see test_gentle_priority_defers) */
	shrink_slab(m, PF_GFP_KERNEL, 1, NULL, 12);
	assert_int_equal(deferred(s, 0), 48);
	assert_int_equal(deferred(s, 1), 0);
	assert_int_equal(pf_shrinker_set_numa_aware(s, true), 0);
	shrink_slab(m, PF_GFP_KERNEL, 1, NULL, 12);
	assert_int_equal(deferred(s, 0), 48);
	assert_int_equal(deferred(s, 1), 48);
	/*
	 * 200 objects, drop_slab: node 0 (deferred 48): total (48 >> 0) + 400
	 * capped at 400: batches 128, 128, 128 free 128, 72, 0; 16 left, deferred
	 * 48 + 400 - 384 = 64; node 1 counts 0 (skipped).  Round 0 freed 200:
	 * round 1 finds nothing on either node and ends it.
	 */
	c->objects = 200;
	c->scans = 0;
	c->counts = 0;
	drop_slab(m);
	assert_int_equal(c->scans, 3);
	assert_int_equal(c->nids[0], 0);
	assert_int_equal(c->objects, 0);
	assert_int_equal(c->counts, 4);
	assert_int_equal(deferred(s, 0), 64);
	assert_int_equal(deferred(s, 1), 48);
	pf_shrinker_unregister(s);
	free(c);
	pf_machine_destroy(m);
}

/* ---- lifetime ----------------------------------------------------------------------------- */

/*
 * A shrinker unregistering itself from scan_objects: no further batch (one
 * scan call, though 500 were asked), freed when that call returns, never
 * called again.  A callback unregistering the next shrinker: the walk goes
 * on to the one after it.
 */
static void test_unregister_from_callback(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct cache *a = new_cache(1000), *b = new_cache(1000), *c = new_cache(1000);
	struct pf_shrinker *sa = pf_shrinker_register(m, "a", &cache_ops, a, PF_DEFAULT_SEEKS);
	struct pf_shrinker *sb = pf_shrinker_register(m, "b", &cache_ops, b, PF_DEFAULT_SEEKS);
	struct pf_shrinker *sc = pf_shrinker_register(m, "c", &cache_ops, c, PF_DEFAULT_SEEKS);
	struct pf_shrinker *self = sa;
	a->unregister_in_scan = &self;
	struct pf_shrinker *next = sb;
	c->unregister_in_scan = NULL;
	b->unregister_in_scan = NULL;
	/* a's first scan unregisters a itself; the walk then reaches b and c */
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 2), 128 + 384 + 384);
	assert_int_equal(a->scans, 1);
	assert_null(self);
	shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 2);
	assert_int_equal(a->counts, 1);	/* gone */

	/* b unregisters c from its scan; the walk ends without calling c */
	b->unregister_in_scan = &next;
	next = sc;
	unsigned long c_counts = c->counts;
	shrink_slab(m, PF_GFP_KERNEL, 0, NULL, 2);
	assert_int_equal(c->counts, c_counts);
	assert_null(next);

	/* unknown and stale pointers: refused with a message on stderr (no machine to report to) */
	fflush(stderr);
	FILE *tmp = tmpfile();
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	int local;
	pf_shrinker_unregister((struct pf_shrinker *)&local);
	pf_shrinker_unregister(sa);	/* freed already */
	assert_int_equal(pf_shrinker_set_batch(sa, 1), -EINVAL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char buf[1024] = "";
	rewind(tmp);
	size_t n = fread(buf, 1, sizeof buf - 1, tmp);
	buf[n] = 0;
	fclose(tmp);
	int lines = 0;
	for (char *p = buf; (p = strstr(p, "not a registered shrinker")); p++)
		lines++;
	assert_int_equal(lines, 2);

	pf_shrinker_unregister(sb);
	/* a machine destroyed with shrinkers still registered frees them */
	pf_shrinker_register(m, "left", &cache_ops, c, PF_DEFAULT_SEEKS);
	pf_machine_destroy(m);
	free(a);
	free(b);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority_arithmetic),
		cmocka_unit_test(test_gentle_priority_defers),
		cmocka_unit_test(test_seeks),
		cmocka_unit_test(test_small_cache_and_batch),
		cmocka_unit_test(test_empty_and_stop),
		cmocka_unit_test(test_lies),
		cmocka_unit_test(test_drop_slab_rounds),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_memcg_root),
		cmocka_unit_test(test_unregister_from_callback),
	};
	pf_test_watchdog("test_shrinker", 20);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
