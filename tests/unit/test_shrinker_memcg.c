/* test_shrinker_memcg: memcg-aware shrinkers as Linux 6.12's SHRINKER_MEMCG_AWARE (mm/shrinker.c): shrink_slab for a memcg other than the root runs only the memcg-aware shrinkers marked in that memcg's map (shrink_slab_memcg), with sc->memcg named, their deferred work kept per memcg (and per node when NUMA-aware); SHRINK_EMPTY clears the mark after a second count; drop_caches walks the memcgs; a destroyed memcg hands its marks and deferred work to its parent; bad arguments are refused.  Every number is do_shrink_slab's arithmetic worked by hand below. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/shrinker.h"
#include "mm/memcontrol.h"
#include "pf_testlib.h"

#define SMALL "cpus 1\nmem 0 0x100000-0x3ffffff\nbacking none\n"
#define TWO_NODES "cpus 2\nnode 0 cpus 0\nnode 1 cpus 1\nmem 0 0x100000-0x3ffffff\nmem 1 0x4000000-0x7ffffff\n" \
		  "backing none\n"

/*
 * A cache kept per memcg: slot 0 is the root's objects, slots 1.. the
 * memcgs registered with cache_add_group.  Counting and scanning use the
 * slot of pf_shrink_control_memcg(sc).
 */
#define NR_GROUPS 4
struct mcache {
	struct pf_memcg *group[NR_GROUPS];	/* [0] NULL: the root */
	unsigned long objects[NR_GROUPS];
	unsigned long counts[NR_GROUPS], scans[NR_GROUPS];
	int empty_counts[NR_GROUPS];	/* answer SHRINK_EMPTY to this many counts first */
	int unknown_memcg;		/* a call named a memcg not in group[] */
};

static int slot_of(struct mcache *c, struct pf_shrink_control *sc)
{
	struct pf_memcg *cg = pf_shrink_control_memcg(sc);
	for (int i = 0; i < NR_GROUPS; i++)
		if (c->group[i] == cg && (i == 0 || cg))
			return i;
	c->unknown_memcg++;
	return 0;
}

static unsigned long mcache_count(void *arg, struct pf_shrink_control *sc)
{
	struct mcache *c = arg;
	int i = slot_of(c, sc);
	c->counts[i]++;
	if (c->empty_counts[i]) {
		c->empty_counts[i]--;
		return PF_SHRINK_EMPTY;
	}
	return c->objects[i];
}

static unsigned long mcache_scan(void *arg, struct pf_shrink_control *sc)
{
	struct mcache *c = arg;
	int i = slot_of(c, sc);
	c->scans[i]++;
	unsigned long n = sc->nr_to_scan < c->objects[i] ? sc->nr_to_scan : c->objects[i];
	c->objects[i] -= n;
	return n;
}

static const struct pf_shrinker_ops mcache_ops = { mcache_count, mcache_scan };

/* a plain (not memcg-aware) cache: must never be called for a memcg */
struct plain {
	unsigned long objects, counts, saw_memcg;
};

static unsigned long plain_count(void *arg, struct pf_shrink_control *sc)
{
	struct plain *p = arg;
	p->counts++;
	p->saw_memcg += pf_shrink_control_memcg(sc) != NULL;
	return p->objects;
}

static unsigned long plain_scan(void *arg, struct pf_shrink_control *sc)
{
	struct plain *p = arg;
	unsigned long n = sc->nr_to_scan < p->objects ? sc->nr_to_scan : p->objects;
	p->objects -= n;
	return n;
}

static const struct pf_shrinker_ops plain_ops = { plain_count, plain_scan };

static char reported[32][256];
static int nr_reported;

static void keep_report(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	if (nr_reported < 32)
		snprintf(reported[nr_reported], sizeof reported[0], "%s", line);
	nr_reported++;
}

static int reports_with(const char *word)
{
	int n = 0;
	for (int i = 0; i < nr_reported && i < 32; i++)
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

static long memcg_deferred(struct pf_memcg *cg, int nid, struct pf_shrinker *s)
{
	struct mem_cgroup *memcg = (struct mem_cgroup *)cg;
	return atomic_load(&memcg->nodeinfo[nid]->shrinker_info.nr_deferred[s->id]);
}

static bool marked_id(struct pf_memcg *cg, int nid, int id)
{
	struct mem_cgroup *memcg = (struct mem_cgroup *)cg;
	return atomic_load(&memcg->nodeinfo[nid]->shrinker_info.map[id / 64]) & (1UL << (id % 64));
}

static bool marked(struct pf_memcg *cg, int nid, struct pf_shrinker *s)
{
	return marked_id(cg, nid, s->id);
}

/*
 * Group A's cache of 1000 objects, priority 2, seeks 2, batch 128
 * (do_shrink_slab):
 *   call 1: delta = (1000 >> 2) * 4 / 2 = 500; total_scan = (0 >> 2) + 500
 *           = 500 (cap 2000); batches of 128 while total >= 128: 3 (384),
 *           116 left < 128 and < 1000; deferred = 0 + 500 - 384 = 116, kept
 *           in A's shrinker_info; A has 616 objects.
 *   call 2: delta = (616 >> 2) * 2 = 308; total = (116 >> 2) + 308 = 337;
 *           2 batches (256), 81 left; deferred = 116 + 308 - 256 = 168; 360 left.
 * The root's walk at priority 2 on the root slot's 1000 objects is call 1
 * again, with its deferred 116 in the shrinker's own counter, and A's
 * untouched; the plain shrinker's 1000 go the same way (384 freed).
 */
static void test_memcg_walk(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct pf_memcg *a = pf_memcg_create(m, NULL, "a");
	struct pf_memcg *b = pf_memcg_create(m, NULL, "b");
	assert_non_null(a);
	assert_non_null(b);
	struct mcache *c = calloc(1, sizeof *c);
	struct plain *p = calloc(1, sizeof *p);
	c->group[1] = a;
	c->group[2] = b;
	c->objects[0] = 1000;
	c->objects[1] = 1000;
	c->objects[2] = 1000;
	p->objects = 1000;
	struct pf_shrinker *sp = pf_shrinker_register(m, "plain", &plain_ops, p, PF_DEFAULT_SEEKS);
	struct pf_shrinker *sq = pf_shrinker_register_flags(m, "percg", &mcache_ops, c, PF_DEFAULT_SEEKS,
							    PF_SHRINKER_MEMCG_AWARE);
	assert_non_null(sp);
	assert_non_null(sq);
	assert_int_equal(sp->id, -1);
	assert_int_equal(sq->id, 0);	/* the lowest free id */

	/* nothing marked: A's reclaim calls nobody */
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)a, 2), 0);
	assert_int_equal(c->counts[1], 0);
	assert_int_equal(p->counts, 0);

	assert_int_equal(pf_shrinker_mark_memcg(sq, a, 0), 0);
	assert_true(marked(a, 0, sq));
	assert_false(marked(b, 0, sq));
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)a, 2), 384);
	assert_int_equal(c->counts[1], 1);
	assert_int_equal(c->scans[1], 3);
	assert_int_equal(c->objects[1], 616);
	assert_int_equal(memcg_deferred(a, 0, sq), 116);
	assert_int_equal(atomic_load(&sq->nr_deferred[0]), 0);
	assert_int_equal(p->counts, 0);		/* not memcg-aware: never called for a memcg */
	assert_int_equal(c->counts[0] + c->counts[2], 0);

	/* call 2 */
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)a, 2), 256);
	assert_int_equal(memcg_deferred(a, 0, sq), 168);
	assert_int_equal(c->objects[1], 360);

	/* B unmarked: nothing; the root walk: both shrinkers, the root's objects only */
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)b, 2), 0);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, m->root_mem_cgroup, 2), 384 + 384);
	assert_int_equal(c->objects[0], 616);
	assert_int_equal(p->objects, 616);
	assert_int_equal(atomic_load(&sq->nr_deferred[0]), 116);
	assert_int_equal(memcg_deferred(a, 0, sq), 168);
	assert_int_equal(p->saw_memcg, 0);
	assert_int_equal(c->unknown_memcg, 0);

	/* outside a callback, or for a control that is not ours, no memcg */
	struct pf_shrink_control mine = { PF_GFP_KERNEL, 0, 1, 1 };
	assert_null(pf_shrink_control_memcg(&mine));
	assert_null(pf_shrink_control_memcg(NULL));

	pf_shrinker_unregister(sq);
	pf_shrinker_unregister(sp);
	/* the id is free again, and A's stale bit for it is cleared by the next walk */
	assert_null(m->shrinker_idr[0]);
	assert_true(marked_id(a, 0, 0));
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)a, 2), 0);
	assert_false(marked_id(a, 0, 0));
	assert_int_equal(nr_reported, 0);
	free(c);
	free(p);
	pf_machine_destroy(m);
}

/*
 * SHRINK_EMPTY for a memcg clears its bit, then the shrinker is counted
 * once more (an object may have come in between): when that count finds
 * objects, the bit is set again and the work goes on (A: 1000 objects at
 * priority 2, the 384 of test_memcg_walk's call 1); when it is empty too
 * the bit stays clear and later walks do not call the shrinker.
 */
static void test_empty_clears_mark(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct pf_memcg *a = pf_memcg_create(m, NULL, "a");
	struct mcache *c = calloc(1, sizeof *c);
	c->group[1] = a;
	c->objects[1] = 1000;
	struct pf_shrinker *sq = pf_shrinker_register_flags(m, "percg", &mcache_ops, c, PF_DEFAULT_SEEKS,
							    PF_SHRINKER_MEMCG_AWARE);
	assert_int_equal(pf_shrinker_mark_memcg(sq, a, -1), 0);

	c->empty_counts[1] = 1;
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)a, 2), 384);
	assert_int_equal(c->counts[1], 2);
	assert_true(marked(a, 0, sq));

	c->empty_counts[1] = 2;
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)a, 2), 0);
	assert_int_equal(c->counts[1], 4);
	assert_false(marked(a, 0, sq));
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)a, 2), 0);
	assert_int_equal(c->counts[1], 4);

	/* marked again: called again (616 left: delta (616 >> 2) * 2 = 308, total (116 >> 2) + 308 = 337: 256) */
	assert_int_equal(pf_shrinker_mark_memcg(sq, a, 0), 0);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)a, 2), 256);
	pf_shrinker_unregister(sq);
	free(c);
	pf_machine_destroy(m);
}

/*
 * drop_caches 2 walks every memcg (drop_slab_node): A's 200 objects at
 * priority 0: delta = 200 * 4 / 2 = 400, total min(400, 400) = 400;
 * batches 128 (128 freed), 128 (72), 128 (0): 384 scanned, 16 < 128 and
 * < 200 left; deferred 400 - 384 = 16 in A.  Round 0 freed 200 > 1: round
 * 1 counts 0 everywhere and ends it.  The root's 0 objects: counted, never
 * scanned.  B (unmarked) is not called.
 */
static void test_drop_caches_walks_memcgs(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct pf_memcg *a = pf_memcg_create(m, NULL, "a");
	struct pf_memcg *b = pf_memcg_create(m, a, "b");
	struct mcache *c = calloc(1, sizeof *c);
	c->group[1] = a;
	c->group[2] = b;
	c->objects[1] = 200;
	c->objects[2] = 50;
	struct pf_shrinker *sq = pf_shrinker_register_flags(m, "percg", &mcache_ops, c, PF_DEFAULT_SEEKS,
							    PF_SHRINKER_MEMCG_AWARE);
	assert_int_equal(pf_shrinker_mark_memcg(sq, a, 0), 0);
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "2"), 0);
	assert_int_equal(c->objects[1], 0);
	assert_int_equal(c->scans[1], 3);
	assert_int_equal(c->counts[1], 2);
	assert_int_equal(memcg_deferred(a, 0, sq), 16);
	assert_int_equal(c->counts[0], 2);
	assert_int_equal(c->scans[0], 0);
	assert_int_equal(c->counts[2], 0);
	assert_int_equal(c->objects[2], 50);
	pf_shrinker_unregister(sq);
	free(c);
	pf_machine_destroy(m);
}

/*
 * NUMA- and memcg-aware: the deferred work is per memcg and per node.
 * 100000 objects at priority 12: delta = (100000 >> 12) * 4 / 2 = 48 <
 * 128: nothing scanned, 48 deferred (test_shrinker's gentle case), on
 * node 1 of A only.  Memcg-aware alone: node 0's slot of A.
 */
static void test_numa_and_memcg(void **state)
{
	(void)state;
	struct pf_machine *m = boot(TWO_NODES);
	struct pf_memcg *a = pf_memcg_create(m, NULL, "a");
	struct mcache *c = calloc(1, sizeof *c);
	c->group[1] = a;
	c->objects[1] = 100000;
	struct pf_shrinker *s = pf_shrinker_register_flags(m, "both", &mcache_ops, c, PF_DEFAULT_SEEKS,
							   PF_SHRINKER_MEMCG_AWARE | PF_SHRINKER_NUMA_AWARE);
	struct pf_shrinker *t = pf_shrinker_register_flags(m, "memcg", &mcache_ops, c, PF_DEFAULT_SEEKS,
							   PF_SHRINKER_MEMCG_AWARE);
	assert_int_equal(t->id, 1);
	assert_int_equal(pf_shrinker_mark_memcg(s, a, 1), 0);
	assert_int_equal(pf_shrinker_mark_memcg(t, a, 1), 0);
	assert_false(marked(a, 0, s));
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)a, 12), 0);
	assert_int_equal(c->counts[1], 0);	/* nothing marked on node 0 */
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 1, (struct mem_cgroup *)a, 12), 0);
	assert_int_equal(c->counts[1], 2);
	assert_int_equal(memcg_deferred(a, 1, s), 48);
	assert_int_equal(memcg_deferred(a, 0, s), 0);
	assert_int_equal(memcg_deferred(a, 0, t), 48);
	assert_int_equal(memcg_deferred(a, 1, t), 0);
	pf_shrinker_unregister(s);
	pf_shrinker_unregister(t);
	free(c);
	pf_machine_destroy(m);
}

/*
 * A destroyed memcg hands its deferred work and marks to its parent
 * (reparent_shrinker_deferred): C under A with 116 deferred (call 1 of
 * test_memcg_walk) -> A has 116 and is marked; A then destroyed -> the
 * root's counter (the shrinker's own) has 116.  An offline memcg is not
 * shrunk.
 */
static void test_reparent(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct pf_memcg *a = pf_memcg_create(m, NULL, "a");
	struct pf_memcg *cc = pf_memcg_create(m, a, "c");
	struct mcache *c = calloc(1, sizeof *c);
	c->group[1] = a;
	c->group[2] = cc;
	c->objects[2] = 1000;
	struct pf_shrinker *sq = pf_shrinker_register_flags(m, "percg", &mcache_ops, c, PF_DEFAULT_SEEKS,
							    PF_SHRINKER_MEMCG_AWARE);
	assert_int_equal(pf_shrinker_mark_memcg(sq, cc, 0), 0);
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)cc, 2), 384);
	assert_int_equal(memcg_deferred(cc, 0, sq), 116);
	assert_false(marked(a, 0, sq));
	pf_memcg_destroy(cc);
	assert_int_equal(memcg_deferred(a, 0, sq), 116);
	assert_true(marked(a, 0, sq));
	assert_int_equal(shrink_slab(m, PF_GFP_KERNEL, 0, (struct mem_cgroup *)cc, 2), 0);	/* offline */
	assert_int_equal(c->counts[2], 1);
	pf_memcg_destroy(a);
	assert_int_equal(atomic_load(&sq->nr_deferred[0]), 116);
	pf_shrinker_unregister(sq);
	free(c);
	pf_machine_destroy(m);
}

/* bad arguments */
static void test_refusals(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct pf_machine *other = pf_test_boot(SMALL);
	struct pf_memcg *a = pf_memcg_create(m, NULL, "a");
	struct pf_memcg *x = pf_memcg_create(other, NULL, "x");
	struct mcache *c = calloc(1, sizeof *c);
	struct plain *p = calloc(1, sizeof *p);
	struct pf_shrinker *sp = pf_shrinker_register(m, "plain", &plain_ops, p, PF_DEFAULT_SEEKS);
	struct pf_shrinker *sq = pf_shrinker_register_flags(m, "percg", &mcache_ops, c, PF_DEFAULT_SEEKS,
							    PF_SHRINKER_MEMCG_AWARE);
	assert_int_equal(pf_shrinker_mark_memcg(sp, a, 0), -EINVAL);	/* not memcg-aware */
	assert_int_equal(pf_shrinker_mark_memcg(sq, x, 0), -EINVAL);	/* another machine's memcg */
	assert_int_equal(pf_shrinker_mark_memcg(sq, a, 1), -EINVAL);	/* no node 1 */
	assert_int_equal(pf_shrinker_mark_memcg(sq, a, -2), -EINVAL);
	assert_int_equal(pf_shrinker_mark_memcg(NULL, a, 0), -EINVAL);
	assert_int_equal(pf_shrinker_mark_memcg(sq, NULL, 0), 0);	/* the root needs no mark */
	assert_false(marked(a, 0, sq));

	assert_null(pf_shrinker_register_flags(m, "odd", &mcache_ops, c, PF_DEFAULT_SEEKS, 1u));
	assert_int_equal(reports_with("unknown flags 0x1"), 1);

	/* 128 ids: the 128th memcg-aware shrinker is the last one a machine takes */
	struct pf_shrinker *many[SHRINKER_NR_MAX];
	for (int i = 1; i < SHRINKER_NR_MAX; i++) {
		many[i] = pf_shrinker_register_flags(m, "many", &mcache_ops, c, PF_DEFAULT_SEEKS,
						     PF_SHRINKER_MEMCG_AWARE);
		assert_non_null(many[i]);
		assert_int_equal(many[i]->id, i);
	}
	assert_null(pf_shrinker_register_flags(m, "one too many", &mcache_ops, c, PF_DEFAULT_SEEKS,
					       PF_SHRINKER_MEMCG_AWARE));
	assert_int_equal(reports_with("128 memcg-aware shrinkers are registered already"), 1);
	/* an id given back is taken again, the lowest first */
	pf_shrinker_unregister(many[5]);
	many[5] = pf_shrinker_register_flags(m, "again", &mcache_ops, c, PF_DEFAULT_SEEKS, PF_SHRINKER_MEMCG_AWARE);
	assert_non_null(many[5]);
	assert_int_equal(many[5]->id, 5);
	for (int i = 1; i < SHRINKER_NR_MAX; i++)
		pf_shrinker_unregister(many[i]);
	pf_shrinker_unregister(sq);
	assert_int_equal(pf_shrinker_mark_memcg(sq, a, 0), -EINVAL);	/* unregistered */
	pf_shrinker_unregister(sp);
	free(c);
	free(p);
	pf_machine_destroy(other);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcg_walk),
		cmocka_unit_test(test_empty_clears_mark),
		cmocka_unit_test(test_drop_caches_walks_memcgs),
		cmocka_unit_test(test_numa_and_memcg),
		cmocka_unit_test(test_reparent),
		cmocka_unit_test(test_refusals),
	};
	pf_test_watchdog("test_shrinker_memcg", 20);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
