/* SPDX-License-Identifier: MIT */
/*
 * tools/simulate.c - `pageframe run -m MACHINE SCENARIO`: a workload of
 * streams of allocations (slab-like, caches, page cache, anonymous memory,
 * THP, interrupt bursts) with rates, lifetimes and phases, run on a simulated
 * clock, deterministic from the scenario's seed (docs/SCENARIO.md).
 *
 * One thread plays every CPU in turn (pf_bind_cpu) tick by tick, so the same
 * seed gives the same machine.  Reclaim is the library's: page-cache pages go
 * on the LRU through an address space the simulator owns (release_folio
 * forgets the page), reclaimable caches are one shrinker's objects, the
 * allocation slow path reclaims directly, and kswapd (pf_kswapd_run),
 * kcompactd (pf_kcompactd_run) and the vmstat worker (pf_vmstat_refresh) are
 * stepped on the simulated clock.  Streams put in a memcg (pf_memcg_create)
 * allocate attached to it (pf_memcg_attach) with __GFP_ACCOUNT.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "commands.h"
#include "report.h"
#include "scenario.h"
#include "trace_parse.h"

#include <pageframe/pageframe.h>
#include <pageframe/page.h>
#include <pageframe/reclaim.h>
#include <pageframe/shrinker.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct rec {
	struct pf_page *page;	/* NULL: a free slot */
	uint8_t order, cpu, stream, phase;	/* phase and stream: where it was made */
	bool lru;		/* on the library's LRU (pagecache, reclaim on) */
	bool cache;		/* on the shrinker's list (reclaimable, reclaim on) */
	int32_t prev, next;	/* shrinker list links, or the free-slot chain in next */
	int32_t heap;		/* index in the expiry heap, -1 when held to the end */
	uint64_t expiry;	/* tick */
};

struct stream_stats {
	long allocated, failed, freed, reclaimed;
};

struct sim {
	struct pf_machine *m;
	const struct scenario *sc;
	struct rec *recs;
	int32_t nrecs, cap, free_slot;
	int32_t lru_head, lru_tail;	/* the shrinker's objects, oldest at the head */
	long cache_objs;
	struct pf_address_space mapping;	/* the page cache's owner */
	struct pf_shrinker *shrinker;
	int32_t *heap;
	int32_t nheap;
	uint64_t rng;
	int ncpus, bound;
	int nnodes;
	long kswapd_runs, direct_reclaims, reclaimed_pages, kcompactd_runs, held_pages;
	struct stream_stats st[SC_MAX_PHASES][SC_MAX_STREAMS];
	double acc[SC_MAX_STREAMS][SC_MAX_CPUS];
	struct pf_memcg *memcgs[SC_MAX_MEMCGS];
	unsigned long long throttle_ns;	/* set by the throttle hook during an allocation */
	uint64_t paused[SC_MAX_STREAMS][SC_MAX_CPUS];	/* a stream sleeps on a CPU until this tick */
	long throttles[SC_MAX_MEMCGS];
	unsigned long long throttled_ns[SC_MAX_MEMCGS];
	char memcg_path[SC_MAX_MEMCGS][SC_MAX_MEMCG_DEPTH * SC_NAME + 1];
	struct rp_report *rep;
	double now_s;
	char cur_gfp[64];
	long extfrag;
};

static struct sim *g_sim;	/* the movable-page callbacks find their records here */

static uint64_t rnd(struct sim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 2685821657736338717ull;
}

static double rnd01(struct sim *s)
{
	return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

/* ---- movable pages: the owner's callbacks keep the record pointing at the page ---- */
static bool sim_isolate(struct pf_page *page, int mode)
{
	(void)page;
	(void)mode;
	return true;
}
static int sim_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)mode;
	g_sim->recs[src->private].page = dst;
	dst->private = src->private;
	return 0;
}
static void sim_putback(struct pf_page *page)
{
	(void)page;
}
static const struct pf_movable_operations sim_ops = { sim_isolate, sim_migrate, sim_putback };

/* ---- the expiry heap (by tick, then slot for a fixed order) ---- */
static bool before(struct sim *s, int32_t a, int32_t b)
{
	return s->recs[a].expiry < s->recs[b].expiry || (s->recs[a].expiry == s->recs[b].expiry && a < b);
}
static void heap_set(struct sim *s, int32_t i, int32_t r)
{
	s->heap[i] = r;
	s->recs[r].heap = i;
}
static void heap_up(struct sim *s, int32_t i)
{
	int32_t r = s->heap[i];
	while (i > 0 && before(s, r, s->heap[(i - 1) / 2])) {
		heap_set(s, i, s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(s, i, r);
}
static void heap_down(struct sim *s, int32_t i)
{
	int32_t r = s->heap[i];
	for (;;) {
		int32_t c = 2 * i + 1;
		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && before(s, s->heap[c + 1], s->heap[c]))
			c++;
		if (!before(s, s->heap[c], r))
			break;
		heap_set(s, i, s->heap[c]);
		i = c;
	}
	heap_set(s, i, r);
}
static void heap_remove(struct sim *s, int32_t r)
{
	int32_t i = s->recs[r].heap;
	if (i < 0)
		return;
	s->recs[r].heap = -1;
	int32_t last = s->heap[--s->nheap];
	if (i == s->nheap)
		return;
	heap_set(s, i, last);
	heap_up(s, i);
	heap_down(s, s->recs[last].heap);
}

/* ---- records ---- */
static int32_t rec_new(struct sim *s)
{
	if (s->free_slot >= 0) {
		int32_t r = s->free_slot;
		s->free_slot = s->recs[r].next;
		return r;
	}
	if (s->nrecs == s->cap) {
		int32_t ncap = s->cap ? s->cap * 2 : 4096;
		struct rec *nr = realloc(s->recs, (size_t)ncap * sizeof *nr);
		int32_t *nh = realloc(s->heap, (size_t)ncap * sizeof *nh);
		if (nr)
			s->recs = nr;
		if (nh)
			s->heap = nh;
		if (!nr || !nh)
			return -1;
		s->cap = ncap;
	}
	return s->nrecs++;
}

static void cache_unlink(struct sim *s, int32_t r)
{
	struct rec *x = &s->recs[r];
	if (x->prev >= 0)
		s->recs[x->prev].next = x->next;
	else
		s->lru_head = x->next;
	if (x->next >= 0)
		s->recs[x->next].prev = x->prev;
	else
		s->lru_tail = x->prev;
	x->cache = false;
	s->cache_objs--;
}

static void rec_free(struct sim *s, int32_t r, bool reclaimed)
{
	struct rec *x = &s->recs[r];
	heap_remove(s, r);
	if (x->cache)
		cache_unlink(s, r);
	if (x->lru) {
		pf_lru_del(x->page);
		x->lru = false;
	}
	if (x->page)	/* NULL: reclaim took it (release_folio), the library frees it */
		pf_free_pages(x->page, x->order);
	s->held_pages -= 1L << x->order;
	if (reclaimed) {
		s->st[x->phase][x->stream].reclaimed++;
		s->reclaimed_pages += 1L << x->order;
	} else
		s->st[x->phase][x->stream].freed++;
	x->page = NULL;
	x->next = s->free_slot;
	s->free_slot = r;
}

/* release_folio: reclaim takes a clean page-cache page; forget it (the library frees the page). */
static bool sim_release_folio(struct pf_address_space *mapping, struct pf_page *page, unsigned long shadow)
{
	struct sim *s = mapping->host;
	(void)shadow;
	int32_t r = (int32_t)page->private;
	if (r < 0 || r >= s->nrecs || s->recs[r].page != page || !s->recs[r].lru)
		return false;	/* not (or no longer) ours */
	s->recs[r].lru = false;
	s->recs[r].page = NULL;
	rec_free(s, r, true);
	return true;
}
static const struct pf_address_space_operations sim_aops = { .release_folio = sim_release_folio };

/* The reclaimable caches as one shrinker: an object is one allocation, the oldest go first. */
static unsigned long sim_count(void *arg, struct pf_shrink_control *sc)
{
	struct sim *s = arg;
	(void)sc;
	return s->cache_objs ? (unsigned long)s->cache_objs : PF_SHRINK_EMPTY;
}
static unsigned long sim_scan(void *arg, struct pf_shrink_control *sc)
{
	struct sim *s = arg;
	unsigned long freed = 0;
	while (freed < sc->nr_to_scan && s->lru_head >= 0) {
		rec_free(s, s->lru_head, true);
		freed++;
	}
	sc->nr_scanned = freed;
	return freed;
}
static const struct pf_shrinker_ops sim_shrinker_ops = { sim_count, sim_scan };

static void bind(struct sim *s, int cpu)
{
	if (cpu != s->bound) {
		pf_bind_cpu(cpu);
		s->bound = cpu;
	}
}

static void on_trace(void *arg, const char *line)
{
	struct sim *s = arg;
	struct tp_record t;
	char err[64];
	if (strstr(line, "mm_vmscan_direct_reclaim_begin:")) {
		s->direct_reclaims++;	/* a stall: an allocation entered direct reclaim */
		return;
	}
	if (tp_parse_line(line, strlen(line), &t, err, sizeof err) != 1 || t.event != TP_ALLOC_EXTFRAG)
		return;
	s->extfrag++;
	if (s->rep)
		rp_extfrag_event(s->rep, s->now_s, t.pfn, t.order, t.fallback_order, t.migratetype,
				 t.fallback_migratetype, t.change_ownership, s->cur_gfp);
}

static char *show(struct pf_machine *m, const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	pf_show(m, what, f);
	fclose(f);
	return buf;
}

/* ---- memcgs ---- */

/* One of a memcg's files, as text (NULL: out of memory). */
static char *memcg_file(struct pf_memcg *cg, const char *file)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	pf_memcg_show(cg, file, f);
	fclose(f);
	return buf;
}

/* memory.high's penalty: the stream sleeps it on the simulated clock (the allocation loop reads it). */
static void on_throttle(void *arg, unsigned long long ns)
{
	struct sim *s = arg;
	s->throttle_ns += ns;
}

/* A file of one number, or "max" (-1). */
static long long memcg_bytes(struct pf_memcg *cg, const char *file)
{
	char *t = memcg_file(cg, file);
	long long v = t && strncmp(t, "max", 3) ? strtoll(t, NULL, 10) : -1;
	free(t);
	return v;
}

/* "KEY N" of a flat-keyed file (memory.events, memory.stat); -1 when absent. */
static long long keyed(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p;) {
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return strtoll(p + kl + 1, NULL, 10);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return -1;
}

static const char *const memcg_events[RP_NR_MCE] = { "low", "high", "max", "oom", "oom_kill" };

static void memcg_figures(struct sim *s, int i, struct rp_memcg *out)
{
	struct pf_memcg *cg = s->memcgs[i];
	*out = (struct rp_memcg){ .path = s->memcg_path[i] };
	out->current = memcg_bytes(cg, "memory.current");
	out->max = memcg_bytes(cg, "memory.max");
	out->high = memcg_bytes(cg, "memory.high");
	out->low = memcg_bytes(cg, "memory.low");
	out->min = memcg_bytes(cg, "memory.min");
	char *ev = memcg_file(cg, "memory.events");
	for (int e = 0; e < RP_NR_MCE; e++)
		out->events[e] = (long)keyed(ev, memcg_events[e]);
	free(ev);
}

/*
 * Make the scenario's memcgs, parents first (a parent may be declared after its children), and write
 * their limits (memory.min, low, high, max: the order a limit lowered below usage would reclaim least).
 * Return: 0, or -1 with a message on standard error.
 */
static int memcgs_create(struct sim *s, const char *path)
{
	const struct scenario *sc = s->sc;
	for (int depth = 1; depth <= SC_MAX_MEMCG_DEPTH; depth++)
		for (int i = 0; i < sc->nmemcgs; i++) {
			const struct sc_memcg *d = &sc->memcgs[i];
			if (d->depth != depth)
				continue;
			struct pf_memcg *parent = d->parent >= 0 ? s->memcgs[d->parent] : NULL;
			snprintf(s->memcg_path[i], sizeof s->memcg_path[i], "%s/%s",
				 d->parent >= 0 ? s->memcg_path[d->parent] : "", d->name);
			s->memcgs[i] = pf_memcg_create(s->m, parent, d->name);
			if (!s->memcgs[i]) {
				fprintf(stderr, "pageframe: %s: line %d: memcg %s: pf_memcg_create failed\n", path, d->line,
					d->name);
				return -1;
			}
			static const char *const files[] = { "memory.min", "memory.low", "memory.high", "memory.max" };
			const uint64_t v[] = { d->min, d->low, d->high, d->max };
			for (int f = 0; f < 4; f++) {
				char val[32];
				if (v[f] == SC_UNLIMITED)
					snprintf(val, sizeof val, "max");
				else
					snprintf(val, sizeof val, "%" PRIu64, v[f]);
				if (pf_memcg_set(s->memcgs[i], files[f], val)) {
					fprintf(stderr, "pageframe: %s: line %d: memcg %s: %s %s refused\n", path, d->line,
						d->name, files[f], val);
					return -1;
				}
			}
		}
	return 0;
}

/* The summary's memcg lines: the files in bytes, memory.events, and the memory.stat lines not 0. */
static void memcgs_summary(struct sim *s)
{
	if (!s->sc->nmemcgs)
		return;
	printf("== memcgs at the end (bytes)\n");
	for (int i = 0; i < s->sc->nmemcgs; i++) {
		struct pf_memcg *cg = s->memcgs[i];
		struct rp_memcg f;
		memcg_figures(s, i, &f);
		char lim[4][24];
		const long long v[4] = { f.max, f.high, f.low, f.min };
		for (int k = 0; k < 4; k++)
			if (v[k] < 0)
				snprintf(lim[k], sizeof lim[k], "max");
			else
				snprintf(lim[k], sizeof lim[k], "%lld", v[k]);
		printf("memcg %s: current %lld peak %lld max %s high %s low %s min %s\n", f.path, f.current,
		       memcg_bytes(cg, "memory.peak"), lim[0], lim[1], lim[2], lim[3]);
		char *ev = memcg_file(cg, "memory.events");
		printf("  memory.events:");
		for (char *p = ev; p && *p;) {
			char *nl = strchr(p, '\n');
			printf(" %.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
			p = nl ? nl + 1 : NULL;
		}
		free(ev);
		char *st = memcg_file(cg, "memory.stat");
		printf("\n  memory.high throttling: %ld sleeps, %.3f simulated seconds", s->throttles[i],
		       (double)s->throttled_ns[i] / 1e9);
		printf("\n  memory.stat:");
		for (char *p = st; p && *p;) {
			char *nl = strchr(p, '\n');
			int l = (int)(nl ? nl - p : (long)strlen(p));
			const char *sp = memchr(p, ' ', (size_t)l);
			if (sp && strtoll(sp + 1, NULL, 10) != 0)
				printf(" %.*s", l, p);
			p = nl ? nl + 1 : NULL;
		}
		free(st);
		printf("\n");
	}
}

static void snapshot(struct sim *s)
{
	if (!s->rep)
		return;
	struct rp_snapshot snap = { .t = s->now_s };
	char *bi = show(s->m, "buddyinfo"), *zi = show(s->m, "zoneinfo"), *ef = show(s->m, "extfrag_index");
	char *un = show(s->m, "unusable_index"), *pb = show(s->m, "pageblocks");
	snap.buddyinfo = bi;
	snap.zoneinfo = zi;
	snap.extfrag = ef;
	snap.unusable = un;
	snap.pageblocks = pb;
	long v = 0;
	snap.vm[RP_VM_KSWAPD] = s->kswapd_runs;
	snap.vm[RP_VM_KCOMPACTD] = s->kcompactd_runs;
	snap.vm[RP_VM_ALLOCSTALL] = s->direct_reclaims;
	snap.vm[RP_VM_COMPACTSTALL] = pf_vmstat_get(s->m, "compact_stall", &v) ? -1 : v;
	struct rp_memcg mc[SC_MAX_MEMCGS];
	for (int i = 0; i < s->sc->nmemcgs; i++)
		memcg_figures(s, i, &mc[i]);
	snap.nmemcgs = s->sc->nmemcgs;
	snap.memcgs = mc;
	rp_snapshot(s->rep, &snap);
	free(bi);
	free(zi);
	free(ef);
	free(un);
	free(pb);
}

/* A progress bar on a terminal (percent, simulated seconds a second, ETA); plain lines every 10% elsewhere. */
static void progress(double done_s, double total_s, double elapsed, bool tty, int *last)
{
	double frac = total_s > 0 ? done_s / total_s : 1;
	int pct = (int)(frac * 100);
	double rate = elapsed > 0 ? done_s / elapsed : 0;
	double eta = rate > 0 ? (total_s - done_s) / rate : 0;
	if (tty) {
		if (pct == *last && frac < 1)
			return;
		*last = pct;
		int bar = (int)(frac * 30);
		fprintf(stderr, "\r%3d%% [%.*s%.*s] %.2f simulated s/s, ETA %.0f s  ", pct, bar,
			"##############################", 30 - bar, "..............................", rate, eta);
		if (frac >= 1)
			fputc('\n', stderr);
	} else {
		if (pct / 10 == *last / 10 && frac < 1)
			return;
		*last = pct;
		fprintf(stderr, "run: %3d%% (%.2f of %.2f simulated s), %.2f simulated s/s, ETA %.0f s\n", pct, done_s,
			total_s, rate, eta);
	}
}

static void usage_run(FILE *f)
{
	fprintf(f, "usage: pageframe run [-m MACHINE] [--report FILE.html] [--seed N] [--progress|--no-progress] "
		   "SCENARIO\n  (without SCENARIO: the demo)\n");
}

int cmd_run_scenario(int argc, char **argv)
{
	const char *machine = NULL, *path = NULL, *report = NULL;
	int prog = -1;
	bool seed_set = false;
	unsigned long long seed = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (!strcmp(a, "-m") && more)
			machine = argv[++i];
		else if (!strcmp(a, "--report") && more)
			report = argv[++i];
		else if (!strcmp(a, "--seed") && more) {
			char *end;
			seed = strtoull(argv[++i], &end, 0);
			if (*end || !*argv[i]) {
				fprintf(stderr, "pageframe: --seed wants a number, not '%s'\n", argv[i]);
				return 2;
			}
			seed_set = true;
		} else if (!strcmp(a, "--progress"))
			prog = 1;
		else if (!strcmp(a, "--no-progress"))
			prog = 0;
		else if ((a[0] != '-' || !strcmp(a, "-")) && !path)
			path = a;
		else {
			fprintf(stderr, "pageframe: run: unexpected argument '%s'\n", a);
			usage_run(stderr);
			return 2;
		}
	}
	if (!path) {
		usage_run(stderr);
		return 2;
	}
	char err[512];
	size_t len;
	char *text = rp_slurp(path, &len, err, sizeof err);
	if (!text) {
		fprintf(stderr, "pageframe: %s\n", err);
		return 1;
	}
	static struct scenario sc;
	int bad = sc_parse(text, len, &sc, err, sizeof err);
	free(text);
	if (bad) {
		fprintf(stderr, "pageframe: %s: %s\n", path, err);
		return 1;
	}
	if (seed_set)
		sc.seed = seed;
	char *desc = machine ? rp_slurp(machine, NULL, err, sizeof err) : strdup("");
	if (!desc) {
		fprintf(stderr, "pageframe: %s\n", machine ? err : "out of memory");
		return 1;
	}
	static struct sim s;
	memset(&s, 0, sizeof s);
	s.m = pf_machine_create(desc, err, sizeof err);
	free(desc);
	if (!s.m) {
		fprintf(stderr, "pageframe: %s: %s\n", machine ? machine : "default machine", err);
		return 1;
	}
	/* the CPU count: the zoneinfo pagesets of the first zone */
	{
		char *zi = show(s.m, "zoneinfo");
		int n = 0;
		const char *p = zi ? strstr(zi, "pagesets") : NULL;
		const char *stop = p ? strstr(p, "Node ") : NULL;
		for (const char *q = p; q && (q = strstr(q, "cpu:")) != NULL && (!stop || q < stop); q++)
			n++;
		s.ncpus = n > 0 ? n : 1;
		free(zi);
	}
	if (s.ncpus > SC_MAX_CPUS) {
		/* a stream's CPU set is a 64-bit mask: say so rather than leave the others idle unsaid */
		fprintf(stderr, "pageframe: %s: the machine has %d CPUs; the simulator runs streams on the first %d\n",
			path, s.ncpus, SC_MAX_CPUS);
		s.ncpus = SC_MAX_CPUS;
	}
	if (sc.max_cpu >= s.ncpus) {
		fprintf(stderr, "pageframe: %s: line %d: CPU %d, but the machine has %d CPUs\n", path, sc.max_cpu_line,
			sc.max_cpu, s.ncpus);
		pf_machine_destroy(s.m);
		return 1;
	}
	s.sc = &sc;
	s.rng = sc.seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	s.free_slot = -1;
	s.lru_head = s.lru_tail = -1;
	s.bound = -1;
	g_sim = &s;
	s.mapping = (struct pf_address_space){ &sim_aops, &s };
	{
		/* the nodes: pf_kcompactd_run answers -EINVAL past the last one */
		int n = 0;
		while (n < 64 && pf_kcompactd_run(s.m, n) != -EINVAL)
			n++;
		s.nnodes = n;
	}
	pf_memcg_set_throttle_hook(s.m, on_throttle, &s);
	if (memcgs_create(&s, path)) {
		pf_machine_destroy(s.m);
		return 1;
	}
	if (sc.reclaim && !(s.shrinker = pf_shrinker_register(s.m, "scenario-caches", &sim_shrinker_ops, &s,
							      PF_DEFAULT_SEEKS))) {
		fprintf(stderr, "pageframe: out of memory\n");
		pf_machine_destroy(s.m);
		return 1;
	}
	uint64_t total_us = sc_total_us(&sc);
	uint64_t ticks = total_us / sc.tick_us;
	uint64_t snap_every = (sc.snapshot_us ? sc.snapshot_us : (total_us / 40 ? total_us / 40 : 1)) / sc.tick_us;
	if (!snap_every)
		snap_every = 1;
	if (report) {
		char title[512];
		snprintf(title, sizeof title, "pageframe run of %s on %s (seed %" PRIu64 ")", path,
			 machine ? machine : "the default machine", sc.seed);
		s.rep = rp_new(title, "run", "simulated seconds");
		if (!s.rep || rp_run_begin(s.rep, "scenario")) {
			fprintf(stderr, "pageframe: out of memory\n");
			rp_free(s.rep);
			pf_machine_destroy(s.m);
			return 1;
		}
	}
	pf_set_trace(s.m, "mm_page_alloc_extfrag,mm_vmscan_direct_reclaim_begin", on_trace, &s);
	bool tty = prog >= 0 ? prog : isatty(STDERR_FILENO);
	int lastpct = -1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	printf("== %s: %d phases, %.3f simulated seconds in ticks of %" PRIu64 " us, seed %" PRIu64 ", %d CPUs\n",
	       path, sc.nphases, (double)total_us / 1e6, sc.tick_us, sc.seed, s.ncpus);

	int phase = 0;
	uint64_t phase_end = sc.phases[0].duration_us / sc.tick_us;
	int32_t *pending = malloc(sizeof *pending * 1024);
	int32_t npending = 0, cappending = 1024;
	if (!pending) {
		fprintf(stderr, "pageframe: out of memory\n");
		rp_free(s.rep);
		pf_machine_destroy(s.m);
		return 1;
	}
	long allocs = 0, failed = 0;
	snapshot(&s);
	for (uint64_t tick = 0; tick < ticks; tick++) {
		while (tick >= phase_end && phase + 1 < sc.nphases) {
			phase++;
			phase_end += sc.phases[phase].duration_us / sc.tick_us;
			/* stream k of the new phase is another stream: it starts with no fraction of its own */
			memset(s.acc, 0, sizeof s.acc);
			memset(s.paused, 0, sizeof s.paused);
		}
		const struct sc_phase *ph = &sc.phases[phase];
		s.now_s = (double)(tick * sc.tick_us) / 1e6;
		double dt = (double)sc.tick_us / 1e6;
		/* lifetimes that end this tick, freed on the CPU that allocated */
		npending = 0;
		while (s.nheap && s.recs[s.heap[0]].expiry <= tick) {
			int32_t r = s.heap[0];
			heap_remove(&s, r);
			/* out of reclaim's reach: it is freed below */
			if (s.recs[r].cache)
				cache_unlink(&s, r);
			if (s.recs[r].lru) {
				pf_lru_del(s.recs[r].page);
				s.recs[r].lru = false;
			}
			if (npending == cappending) {
				int32_t *np = realloc(pending, sizeof *np * (size_t)cappending * 2);
				if (!np)
					break;
				pending = np;
				cappending *= 2;
			}
			pending[npending++] = r;
		}
		for (int cpu = 0; cpu < s.ncpus; cpu++) {
			bool bound_here = false;
			for (int32_t i = 0; i < npending; i++)
				if (s.recs[pending[i]].cpu == cpu) {
					if (!bound_here) {
						bind(&s, cpu);
						bound_here = true;
					}
					rec_free(&s, pending[i], false);
				}
			for (int k = 0; k < ph->nstreams; k++) {
				const struct sc_stream *st = &ph->streams[k];
				uint64_t mask = st->cpus ? st->cpus : (s.ncpus >= 64 ? ~0ull : (1ull << s.ncpus) - 1);
				if (!(mask & (1ull << cpu)) || tick < s.paused[k][cpu])
					continue;	/* not its CPU, or its thread sleeps there (memory.high) */
				int ncpu = __builtin_popcountll(mask & (s.ncpus >= 64 ? ~0ull : (1ull << s.ncpus) - 1));
				/* bursts a tick on this CPU, rounded at random */
				double want = s.acc[k][cpu] + st->rate / st->burst * dt / ncpu;
				long nb = (long)want;
				s.acc[k][cpu] = want - (double)nb;
				if (rnd01(&s) < s.acc[k][cpu]) {
					nb++;
					s.acc[k][cpu] -= 1;
				}
				if (nb <= 0)
					continue;
				if (!bound_here) {
					bind(&s, cpu);
					bound_here = true;
				}
				snprintf(s.cur_gfp, sizeof s.cur_gfp, "%s (%s)", st->name, sc_kind_name(st->kind));
				/* in a memcg: its thread's allocations, charged as the kernel's GFP_KERNEL_ACCOUNT and
				 * user pages are (the page-cache page keeps its charge on the memcg's LRU) */
				pf_gfp_t gfp = st->gfp | PF_GFP_NOWARN;
				if (st->memcg >= 0) {
					pf_memcg_attach(s.memcgs[st->memcg]);
					gfp |= PF___GFP_ACCOUNT;
				}
				for (long n = 0; n < nb * (long)st->burst; n++) {
					struct pf_page *p = pf_alloc_pages(s.m, gfp, st->order);
					if (s.throttle_ns) {
						/* over memory.high and throttled: the stream's thread on this CPU sleeps
						 * the penalty, whole ticks from the next, making nothing meanwhile */
						uint64_t t = (s.throttle_ns + sc.tick_us * 1000 - 1) / (sc.tick_us * 1000);
						s.paused[k][cpu] = tick + 1 + t;
						if (st->memcg >= 0) {	/* always: only an attached thread is throttled */
							s.throttles[st->memcg]++;
							s.throttled_ns[st->memcg] += s.throttle_ns;
						}
						s.throttle_ns = 0;
						n = nb * (long)st->burst;	/* the rest of the tick's bursts: not made */
					}
					if (!p) {
						s.st[phase][k].failed++;
						failed++;
						continue;
					}
					int32_t r = rec_new(&s);
					if (r < 0) {
						pf_free_pages(p, st->order);
						s.st[phase][k].failed++;
						failed++;
						continue;
					}
					struct rec *x = &s.recs[r];
					*x = (struct rec){ .page = p, .order = (uint8_t)st->order, .cpu = (uint8_t)cpu,
							   .stream = (uint8_t)k, .phase = (uint8_t)phase, .prev = -1, .next = -1, .heap = -1 };
					s.held_pages += 1L << st->order;
					allocs++;
					s.st[phase][k].allocated++;
					p->private = (unsigned long)r;
					if (st->kind == SC_PAGECACHE && sc.reclaim && st->order == 0) {
						/* on the LRU through our address space: reclaim may release it */
						if (pf_lru_cache_add(p, &s.mapping, PF_LRU_FILE) == 0)
							x->lru = true;
					} else if (st->kind == SC_PAGECACHE || st->kind == SC_ANON || st->kind == SC_THP)
						pf_set_page_movable(p, &sim_ops);
					if (st->kind == SC_RECLAIMABLE && sc.reclaim) {
						x->cache = true;
						x->prev = s.lru_tail;
						if (s.lru_tail >= 0)
							s.recs[s.lru_tail].next = r;
						else
							s.lru_head = r;
						s.lru_tail = r;
						s.cache_objs++;
					}
					if (st->lifetime_us) {
						double life = (double)st->lifetime_us * (0.5 + rnd01(&s));
						x->expiry = tick + 1 + (uint64_t)(life / (double)sc.tick_us);
						s.heap[s.nheap] = r;
						x->heap = s.nheap++;
						heap_up(&s, x->heap);
					}
				}
				if (st->memcg >= 0)
					pf_memcg_attach(NULL);
			}
		}
		/* kswapd, every millisecond of simulated time: a pass of each node's (it runs only when woken) */
		if (sc.reclaim && (tick * sc.tick_us) % 1000 < sc.tick_us) {
			/* on CPU 0: unbound, the pages it frees would go to the host CPU's lists (not deterministic) */
			bind(&s, 0);
			for (int nid = 0; nid < s.nnodes; nid++)
				if (pf_kswapd_run(s.m, nid) > PF_KSWAPD_IDLE)
					s.kswapd_runs++;
		}
		uint64_t next_us = (tick + 1) * sc.tick_us;
		if (sc.kcompactd_us && next_us % sc.kcompactd_us < sc.tick_us) {
			for (int nid = 0; nid < s.nnodes; nid++)
				pf_kcompactd_run(s.m, nid);
			s.kcompactd_runs++;
		}
		if (sc.vmstat_us && next_us % sc.vmstat_us < sc.tick_us)
			pf_vmstat_refresh(s.m);
		if ((tick + 1) % snap_every == 0) {
			s.now_s = (double)next_us / 1e6;
			snapshot(&s);
		}
		if (prog != 0 && (int)((tick + 1) * 100 / ticks) != lastpct) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			progress((double)((tick + 1) * sc.tick_us) / 1e6, (double)total_us / 1e6,
				 (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, tty, &lastpct);
		}
	}
	free(pending);
	s.now_s = (double)ticks * (double)sc.tick_us / 1e6;
	if (ticks % snap_every)
		snapshot(&s);
	bind(&s, -1);
	pf_set_trace(s.m, NULL, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	/* the summary */
	printf("%-10s %-12s %-12s %5s %10s %8s %10s %10s\n", "phase", "stream", "kind", "order", "allocated", "failed",
	       "freed", "reclaimed");
	for (int i = 0; i < sc.nphases; i++)
		for (int k = 0; k < sc.phases[i].nstreams; k++) {
			const struct sc_stream *st = &sc.phases[i].streams[k];
			printf("%-10s %-12s %-12s %5u %10ld %8ld %10ld %10ld\n", sc.phases[i].name, st->name,
			       sc_kind_name(st->kind), st->order, s.st[i][k].allocated, s.st[i][k].failed, s.st[i][k].freed,
			       s.st[i][k].reclaimed);
		}
	long stalls = 0;
	static const char *const allocstall[] = { "allocstall_dma", "allocstall_dma32", "allocstall_normal",
						   "allocstall_movable" };
	for (size_t i = 0; i < sizeof allocstall / sizeof allocstall[0]; i++) {
		long v = 0;
		if (!pf_vmstat_get(s.m, allocstall[i], &v))
			stalls += v;
	}
	printf("reclaim: %ld kswapd passes, %ld direct reclaims (allocstall %ld), %ld pages reclaimed; kcompactd: "
	       "%ld passes; mm_page_alloc_extfrag: %ld; pages held at the end: %ld\n", s.kswapd_runs,
	       s.direct_reclaims, stalls, s.reclaimed_pages, s.kcompactd_runs, s.extfrag, s.held_pages);
	memcgs_summary(&s);
	printf("== buddyinfo at the end\n");
	fflush(stdout);
	pf_show(s.m, "buddyinfo", stdout);
	fprintf(stderr, "pageframe: %" PRIu64 " ticks in %.3f s\n", ticks,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

	char check[512] = "";
	int crc = pf_check(s.m, check, sizeof check);
	/* give everything back: the machine must be whole again */
	pf_shrinker_unregister(s.shrinker);
	for (int32_t r = 0; r < s.nrecs; r++)
		if (s.recs[r].page) {
			s.recs[r].heap = -1;
			if (s.recs[r].lru)
				pf_lru_del(s.recs[r].page);
			pf_free_pages(s.recs[r].page, s.recs[r].order);
			s.recs[r].page = NULL;
		}
	pf_drain_all_pages(s.m);
	if (!crc)
		crc = pf_check(s.m, check, sizeof check);
	int rc = 0;
	if (s.rep) {
		char note[256];
		snprintf(note, sizeof note, "A snapshot every %.3f simulated seconds; kswapd marks are passes of the "
			 "library's kswapd that ran, stall marks its direct reclaims (mm_vmscan_direct_reclaim_begin).", (double)(snap_every * sc.tick_us) / 1e6);
		rp_note(s.rep, note);
		if (rp_write(s.rep, report, err, sizeof err)) {
			fprintf(stderr, "pageframe: %s\n", err);
			rc = 1;
		}
		rp_free(s.rep);
	}
	pf_machine_destroy(s.m);
	free(s.recs);
	free(s.heap);
	printf("run: %.3f simulated seconds, %ld allocations, %ld failed, %ld pages reclaimed, %s%s\n",
	       (double)total_us / 1e6, allocs, failed, s.reclaimed_pages, crc ? "pf_check: " : "pf_check clean",
	       crc ? check : "");
	fflush(stdout);
	return crc ? 1 : rc;
}
