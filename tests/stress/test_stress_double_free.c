/* test_stress_double_free: two threads free the same order-0 page at the same moment, thousands of times (free/free, free/put_page, put_page/put_page, and pf_release_pages against each; unbound threads on the fast path and threads bound to two CPUs on the general path, with and without speculative references on): every race gives exactly one "BUG: Bad page state" report and one pageframe_bad_pages count, the page is freed once (refcount 0, never twice on a list), pf_check holds and buddy+pcp == managed. Then races inside one group of eight allocation records (pfns sharing pfn >> 3): pf_release_pages of the whole group against a free of one of its pages (one report a round), of half the group against the other half freed, released or freed and allocated again by another thread (no report), with speculative references on and switched on mid-run by a third thread; and the split of a non-compound order-2 block against a free of its head at order 0 (one report exactly when the head lives on).  Each page freed once: refcount 0, record 0, the free pages up by exactly the pages freed. */
#include "stress_common.h"

/* 64 MiB, two simulated CPUs: small enough for a pf_check every few hundred races */
#define DF_MACHINE "cpus 2\nmem 0 0x1000-0x3ffffff\n"

enum df_how { DF_FREE, DF_PUT, DF_RELEASE };

struct df_ctx {
	struct pf_machine *m;
	struct pf_page *_Atomic page;	/* the page of this round */
	atomic_uint round;		/* main starts round r by storing r */
	atomic_uint ready;		/* workers waiting at the start line */
	atomic_uint finished;		/* workers done with the round */
	atomic_uint armed;		/* the worker saw round r: main waits for it, so that both start together */
	atomic_int stop;
	enum df_how how[2];
	bool bind;
};

static void df_spin(unsigned *spins)
{
	if (++*spins > 2048) {
		sched_yield();	/* two host cores serve everyone: never spin for long */
		*spins = 0;
	}
}

/*
 * One side of a race: a random head start sweeps the two frees across each other's window.  The
 * worker (id 1) starts as soon as it sees the round, main only once it has seen the worker start,
 * a cache line's trip later: the worker's range (0..255 spins) is the wider one, main's 0..127.
 */
static void df_free(struct df_ctx *x, int id, struct pf_page *p, uint64_t *rs)
{
	for (uint64_t d = stress_rand(rs) & (id ? 255 : 127); d; d--)
		__asm__ __volatile__("" ::: "memory");
	if (x->how[id] == DF_FREE) {
		pf_free_pages(p, 0);
	} else if (x->how[id] == DF_RELEASE) {
		struct pf_page *v[3] = { NULL, p, NULL };	/* the batch free's claim, among empty slots */
		pf_release_pages(v, 3);
	} else {
		pf_put_page(p);
	}
}

/* The second racer; the main thread is the first (two host cores: a third spinning thread would keep them apart). */
static void *df_worker_main(void *arg)
{
	struct df_ctx *x = arg;
	unsigned seen = 0;
	uint64_t rs = 0x9E3779B97F4A7C15ULL;
	if (x->bind)
		pf_bind_cpu(1);	/* bound threads take the general path, each its own CPU's list */
	for (;;) {
		unsigned spins = 0;
		atomic_fetch_add(&x->ready, 1);
		while (atomic_load_explicit(&x->round, memory_order_acquire) == seen && !atomic_load(&x->stop))
			df_spin(&spins);
		if (atomic_load(&x->stop))
			break;
		seen = atomic_load(&x->round);
		atomic_store_explicit(&x->armed, seen, memory_order_release);
		df_free(x, 1, atomic_load(&x->page), &rs);
		atomic_fetch_add_explicit(&x->finished, 1, memory_order_release);
	}
	pf_bind_cpu(-1);
	return NULL;
}

static void df_run(enum df_how a, enum df_how b, bool bind, bool speculative, int rounds)
{
	struct stress_reports rep = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct df_ctx x = { .how = { a, b }, .bind = bind };
	x.m = pf_test_boot(DF_MACHINE);
	pf_set_report_hook(x.m, stress_report_hook, &rep);
	if (speculative)
		__atomic_store_n(&x.m->speculative_refs, true, __ATOMIC_RELAXED);	/* as once a page was movable */
	long bad0 = stress_vmstat(x.m, "pageframe_bad_pages");

	pthread_t t;
	uint64_t rs = 0xD1B54A32D192ED03ULL;
	char why[512] = "";
	assert_int_equal(pthread_create(&t, NULL, df_worker_main, &x), 0);

	/* time-boxed as the other stress tests: on a loaded host the two racers may share one core */
	double until = stress_now() + stress_seconds(1.5);
	for (int r = 1; r <= rounds && stress_now() < until; r++) {
		static const char *const names[] = { "free", "put", "release" };
		pf_test_phase("round %d of %d (%s/%s, %s, speculative %d)", r, rounds, names[a], names[b],
			      bind ? "bound" : "unbound", speculative);
		struct pf_page *p = pf_alloc_pages(x.m, PF_GFP_KERNEL, 0);
		assert_non_null(p);
		unsigned spins = 0;
		while (atomic_load(&x.ready) < (unsigned)r)
			df_spin(&spins);
		atomic_store(&x.page, p);
		if (bind)
			pf_bind_cpu(0);
		atomic_store_explicit(&x.round, (unsigned)r, memory_order_release);
		while (atomic_load_explicit(&x.armed, memory_order_acquire) != (unsigned)r)
			df_spin(&spins);
		df_free(&x, 0, p, &rs);
		pf_bind_cpu(-1);
		while (atomic_load_explicit(&x.finished, memory_order_acquire) < (unsigned)r)
			df_spin(&spins);
		/* one free won, one was reported: exactly one more report per race, never two, never none */
		pthread_mutex_lock(&rep.lock);
		int errors = rep.errors;
		pthread_mutex_unlock(&rep.lock);
		long bad = stress_vmstat(x.m, "pageframe_bad_pages") - bad0;
		if (bad != r) {
			snprintf(why, sizeof why, "round %d: pageframe_bad_pages rose by %ld, expected %d (one per race)", r,
				 bad, r);
			break;
		}
		/* bad_page prints its first 60 reports of a minute (then counts them only) */
		if ((r <= 60 && errors != r) || errors > r) {
			snprintf(why, sizeof why, "round %d: %d reports printed, expected %d", r, errors, r);
			break;
		}
		if (pf_page_count(p) != 0) {
			snprintf(why, sizeof why, "round %d: page_count %d after the race, expected 0", r, pf_page_count(p));
			break;
		}
		if (r % 500 == 0 && pf_check(x.m, why, sizeof why) != 0)
			break;
	}
	atomic_store(&x.stop, 1);
	pthread_join(t, NULL);	/* first: a failed test must not leave the racer running */
	if (why[0]) {
		stress_print_reports(&rep);
		fail_msg("%s", why);
	}

	pf_test_check(x.m, "after the races");
	pf_drain_all_pages(x.m);
	assert_int_equal(stress_check_accounting(x.m, "after the races"), 0);
	/* every page is back: an order-0 allocation of each free page works and none comes twice */
	assert_int_equal(stress_pcp_total(x.m), 0);
	pf_machine_destroy(x.m);
}

static int df_rounds(void)
{
	int n = (int)(4000 * stress_scale());
	return n < 200 ? 200 : n;
}

static void free_free_unbound(void **state)
{
	(void)state;
	df_run(DF_FREE, DF_FREE, false, false, df_rounds());
}

static void free_free_bound(void **state)
{
	(void)state;
	df_run(DF_FREE, DF_FREE, true, false, df_rounds());
}

static void free_put_bound(void **state)
{
	(void)state;
	df_run(DF_FREE, DF_PUT, true, false, df_rounds());
}

static void put_put_unbound(void **state)
{
	(void)state;
	df_run(DF_PUT, DF_PUT, false, false, df_rounds());
}

static void free_free_speculative(void **state)
{
	(void)state;
	df_run(DF_FREE, DF_FREE, false, true, df_rounds());
	df_run(DF_FREE, DF_PUT, true, true, df_rounds() / 2);
}

/* pf_release_pages against itself and against a single free (its compare-and-swap claim) */
static void release_races(void **state)
{
	(void)state;
	df_run(DF_RELEASE, DF_RELEASE, false, false, df_rounds() / 2);
	df_run(DF_RELEASE, DF_FREE, false, false, df_rounds() / 2);
	df_run(DF_PUT, DF_RELEASE, true, false, df_rounds() / 2);
}

/*
 * ---- Races inside one group of eight records ----
 *
 * The allocation records of the eight pages whose pfns share pfn >> 3 fill one aligned 8-byte word
 * of m->alloc_order.  These runs free (and allocate) pages of one such group from two threads at
 * the same moment, so that a free which claims several records of a group at once must cope with
 * its neighbours' records changing under it: the pages of the group each round are exactly pfns
 * GR_BASE .. GR_BASE + 7, taken back before the round with pf_alloc_contig_range (eight order-0
 * allocations of exactly those pfns, each with its own reference and record).
 *
 * After every round, with both racers parked: the report count rose by what the round's frees
 * allow; each page freed has refcount 0 and record 0, each page still held refcount 1 and record
 * 1 (order 0); and the free pages of the machine (buddy + per-CPU lists) rose by exactly the
 * pages freed, so a page freed twice (on a list twice) or not at all shows at once.
 */
#define GR_BASE 0x2a08UL	/* group 0x541: DMA32, a movable pageblock boot leaves alone (checked) */

enum gr_mode {
	GR_DOUBLE,	/* A releases all 8 (shuffled, NULLs among), B frees one of them: a double free */
	GR_NB_FREE,	/* A releases 4 of them, B frees the other 4 one at a time (legit, no report) */
	GR_NB_RELEASE,	/* A releases 4, B releases the other 4 with its own pf_release_pages */
	GR_NB_ALLOC,	/* A releases 4, B frees the other 4 and allocates 4 again: the same from its CPU's list */
	GR_SPLIT,	/* a non-compound order-2 block with an extra reference: A frees it at order 2, B drops */
};

struct gr_ctx {
	struct pf_machine *m;
	enum gr_mode mode;
	enum df_how how;		/* B's free (GR_DOUBLE, GR_SPLIT) */
	unsigned border;		/* GR_SPLIT with DF_FREE: the order B's pf_free_pages passes */
	bool bind;			/* A on CPU 0, B on CPU 1 (the general path); else both unbound */
	struct pf_page *a[12];		/* A's pf_release_pages array, NULL slots among */
	int na;
	struct pf_page *b[8];		/* B's pages (GR_DOUBLE: b[0], the victim), or B's allocations */
	int nb;
	atomic_uint round, ready, finished;
	atomic_uint armed;		/* B saw round r: A waits for it, so that both start together */
	atomic_int stop;
	/* the third party of gr_flip_main: speculative references switched on mid-run */
	atomic_int flip_go, flipped;
	struct pf_page *flip_page;
};

/*
 * A head start of 0..@mask spins.  B starts as soon as it sees the round, A only once it has seen
 * B start, a cache line's trip later: B's range is the wider one, so that each side goes first in
 * a good share of the rounds (the split rounds count both outcomes).
 */
#define GR_DELAY_B 255
static void gr_delay(uint64_t *rs, uint64_t mask)
{
	for (uint64_t d = stress_rand(rs) & mask; d; d--)
		__asm__ __volatile__("" ::: "memory");
}

static void gr_side_b(struct gr_ctx *x, uint64_t *rs)
{
	gr_delay(rs, GR_DELAY_B);
	switch (x->mode) {
	case GR_DOUBLE:
	case GR_SPLIT:
		if (x->how == DF_FREE) {
			pf_free_pages(x->b[0], x->mode == GR_SPLIT ? x->border : 0);
		} else if (x->how == DF_PUT) {
			pf_put_page(x->b[0]);
		} else {
			struct pf_page *v[1] = { x->b[0] };	/* a one-entry array */
			pf_release_pages(v, 1);
		}
		break;
	case GR_NB_FREE:
		for (int i = 0; i < x->nb; i++)
			pf_free_pages(x->b[i], 0);
		break;
	case GR_NB_RELEASE:
		pf_release_pages(x->b, x->nb);
		break;
	case GR_NB_ALLOC:
		/*
		 * A CPU's list hands out the page freed last first: B's allocations take back its own
		 * four (or one of A's, when A freed to the same list), writing their records while A
		 * clears its own in the same word.
		 */
		for (int i = 0; i < x->nb; i++)
			pf_free_pages(x->b[i], 0);
		for (int i = 0; i < x->nb; i++)
			x->b[i] = pf_alloc_pages(x->m, PF_GFP_HIGHUSER_MOVABLE, 0);
		break;
	}
}

static void gr_side_a(struct gr_ctx *x, uint64_t *rs)
{
	gr_delay(rs, 127);
	if (x->mode == GR_SPLIT)
		pf_free_pages(x->a[0], 2);
	else
		pf_release_pages(x->a, x->na);
}

static void *gr_worker_main(void *arg)
{
	struct gr_ctx *x = arg;
	unsigned seen = 0;
	uint64_t rs = 0x9E3779B97F4A7C15ULL;
	if (x->bind)
		pf_bind_cpu(1);
	for (;;) {
		unsigned spins = 0;
		atomic_fetch_add(&x->ready, 1);
		while (atomic_load_explicit(&x->round, memory_order_acquire) == seen && !atomic_load(&x->stop))
			df_spin(&spins);
		if (atomic_load(&x->stop))
			break;
		seen = atomic_load(&x->round);
		atomic_store_explicit(&x->armed, seen, memory_order_release);
		gr_side_b(x, &rs);
		atomic_fetch_add_explicit(&x->finished, 1, memory_order_release);
	}
	pf_bind_cpu(-1);
	return NULL;
}

/* A migration's owner that never lets its page go: only its pf_set_page_movable matters here. */
static bool gr_no_isolate(struct pf_page *page, int mode)
{
	(void)page;
	(void)mode;
	return false;
}

static int gr_no_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)dst;
	(void)src;
	(void)mode;
	return -11;	/* -EAGAIN */
}

static void gr_no_putback(struct pf_page *page)
{
	(void)page;
}

static const struct pf_movable_operations gr_pin_ops = { gr_no_isolate, gr_no_migrate, gr_no_putback };

/* The third party: once told, makes a page of its own movable, which sets m->speculative_refs for good. */
static void *gr_flip_main(void *arg)
{
	struct gr_ctx *x = arg;
	while (!atomic_load(&x->flip_go) && !atomic_load(&x->stop)) {
		struct timespec ts = { 0, 20000 };
		nanosleep(&ts, NULL);
	}
	pf_set_page_movable(x->flip_page, &gr_pin_ops);
	atomic_store(&x->flipped, 1);
	return NULL;
}

/* the machine's free pages: buddy lists plus per-CPU lists */
static unsigned long gr_free_total(struct pf_machine *m)
{
	unsigned long buddy = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (!populated_zone(zone))
				continue;
			for (int o = 0; o < NR_PAGE_ORDERS; o++)
				buddy += zone->free_area[o].nr_free << o;
		}
	return buddy + stress_pcp_total(m);
}

static unsigned gr_record(struct pf_machine *m, struct pf_page *p)
{
	return __atomic_load_n(&m->alloc_order[pf_page_to_pfn(p)], __ATOMIC_RELAXED);
}

/* @p is free: refcount 0, no allocation record */
static bool gr_is_free(struct pf_machine *m, struct pf_page *p, char *why, size_t len, const char *what)
{
	if (pf_page_count(p) == 0 && gr_record(m, p) == 0)
		return true;
	snprintf(why, len, "%s: pfn %#lx has refcount %d, record %u after its free (expected 0, 0)", what,
		 pf_page_to_pfn(p), pf_page_count(p), gr_record(m, p));
	return false;
}

/* @p is held once at order 0: refcount 1, record 1 */
static bool gr_is_held(struct pf_machine *m, struct pf_page *p, char *why, size_t len, const char *what)
{
	if (pf_page_count(p) == 1 && gr_record(m, p) == 1)
		return true;
	snprintf(why, len, "%s: pfn %#lx has refcount %d, record %u (expected 1, 1: held at order 0)", what,
		 pf_page_to_pfn(p), pf_page_count(p), gr_record(m, p));
	return false;
}

/* Fisher-Yates over @v[0..n) */
static void gr_shuffle(struct pf_page **v, int n, uint64_t *rs)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(stress_rand(rs) % (uint64_t)(i + 1));
		struct pf_page *t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* A's array: @n pages and 0..3 NULL slots, in a random order */
static void gr_fill_a(struct gr_ctx *x, struct pf_page *const *pages, int n, uint64_t *rs)
{
	int nulls = (int)(stress_rand(rs) % 4);
	x->na = 0;
	for (int i = 0; i < n; i++)
		x->a[x->na++] = pages[i];
	for (int i = 0; i < nulls; i++)
		x->a[x->na++] = NULL;
	gr_shuffle(x->a, x->na, rs);
}

struct gr_outcomes {
	int split_kept;		/* GR_SPLIT rounds where B's free was refused and the head lived on */
	int split_whole;	/* GR_SPLIT rounds where both drops counted and every page was freed */
	long group_allocs;	/* GR_NB_ALLOC: B's allocations that got a page of the group */
};

/*
 * One round's set-up, before the start line: the group taken back (or the order-2 block), who
 * frees what.  Returns the pages the race must leave free (@freed) and how many; B's allocations
 * are checked separately.
 */
static int gr_setup(struct gr_ctx *x, struct pf_page **freed, uint64_t *rs, char *why, size_t len)
{
	struct pf_machine *m = x->m;
	if (x->mode == GR_SPLIT) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 2);	/* no __GFP_COMP */
		if (!p) {
			snprintf(why, len, "no order-2 block");
			return -1;
		}
		pf_get_page(p);	/* the extra reference B drops */
		x->a[0] = x->b[0] = p;
		for (int i = 0; i < 4; i++)
			freed[i] = p + i;
		return 4;
	}
	int rc = pf_alloc_contig_range(m, GR_BASE, GR_BASE + 8, PF_GFP_KERNEL);
	if (rc != 0) {
		snprintf(why, len, "pf_alloc_contig_range of the group: %d", rc);
		return -1;
	}
	struct pf_page *g[8];
	for (int i = 0; i < 8; i++) {
		g[i] = pf_pfn_to_page(m, GR_BASE + i);
		if (!gr_is_held(m, g[i], why, len, "the group taken back"))
			return -1;
	}
	gr_shuffle(g, 8, rs);
	if (x->mode == GR_DOUBLE) {
		gr_fill_a(x, g, 8, rs);
		x->b[0] = g[stress_rand(rs) % 8];	/* the victim: freed by both */
		x->nb = 1;
		memcpy(freed, g, sizeof g);
		return 8;
	}
	gr_fill_a(x, g, 4, rs);		/* A's four, B's four: their records interleave in the word */
	x->nb = 4;
	memcpy(x->b, g + 4, 4 * sizeof g[0]);
	memcpy(freed, g, sizeof g);
	return 8;
}

static void gr_run(enum gr_mode mode, enum df_how how, unsigned border, bool bind, bool speculative, bool flip,
		   int rounds, struct gr_outcomes *out)
{
	static const char *const modes[] = { "double", "neighbour-free", "neighbour-release", "neighbour-alloc",
					     "split" };
	static const char *const names[] = { "free", "put", "release" };
	struct stress_reports rep = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct gr_ctx x = { .mode = mode, .how = how, .border = border, .bind = bind };
	struct gr_outcomes dummy;
	if (!out)
		out = &dummy;
	memset(out, 0, sizeof *out);
	x.m = pf_test_boot(DF_MACHINE);
	pf_set_report_hook(x.m, stress_report_hook, &rep);
	/* the group's pageblock is movable: B's PF_GFP_HIGHUSER_MOVABLE allocations use its pages' list */
	assert_int_equal(get_pageblock_migratetype(pf_pfn_to_page(x.m, GR_BASE)), MIGRATE_MOVABLE);
	if (speculative)
		__atomic_store_n(&x.m->speculative_refs, true, __ATOMIC_RELAXED);	/* as once a page was movable */
	pthread_t flipper;
	if (flip) {
		x.flip_page = pf_alloc_pages(x.m, PF_GFP_KERNEL, 0);
		assert_non_null(x.flip_page);
		/* (an unmovable page: never in the group's pageblock, which pf_alloc_contig_range isolates) */
		assert_int_not_equal(pf_page_to_pfn(x.flip_page) >> 9, GR_BASE >> 9);
		assert_false(__atomic_load_n(&x.m->speculative_refs, __ATOMIC_RELAXED));
		assert_int_equal(pthread_create(&flipper, NULL, gr_flip_main, &x), 0);
	}
	long bad0 = stress_vmstat(x.m, "pageframe_bad_pages");

	pthread_t t;
	uint64_t rs = 0xD1B54A32D192ED03ULL;
	char why[512] = "";
	int expected = 0, r, flip_round = 0;
	assert_int_equal(pthread_create(&t, NULL, gr_worker_main, &x), 0);

	double start = stress_now(), box = stress_seconds(0.75);
	for (r = 1; r <= rounds && stress_now() < start + box; r++) {
		pf_test_phase("group round %d of %d (%s, %s, %s, speculative %d%s)", r, rounds, modes[mode], names[how],
			      x.bind ? "bound" : "unbound", speculative, flip ? ", flipped mid-run" : "");
		if (flip && !flip_round && (r > rounds / 2 || stress_now() > start + box / 2)) {
			flip_round = r;
			atomic_store(&x.flip_go, 1);	/* from about now, during the rounds that follow */
		}
		unsigned spins = 0;
		while (atomic_load(&x.ready) < (unsigned)r)
			df_spin(&spins);
		struct pf_page *freed[8];
		if (x.bind)
			pf_bind_cpu(0);
		int nfreed = gr_setup(&x, freed, &rs, why, sizeof why);
		if (nfreed < 0)
			break;
		unsigned long free0 = gr_free_total(x.m);
		atomic_store_explicit(&x.round, (unsigned)r, memory_order_release);
		/* B's start seen: from here the two head starts alone decide who goes first */
		while (atomic_load_explicit(&x.armed, memory_order_acquire) != (unsigned)r)
			df_spin(&spins);
		gr_side_a(&x, &rs);
		pf_bind_cpu(-1);
		while (atomic_load_explicit(&x.finished, memory_order_acquire) < (unsigned)r)
			df_spin(&spins);

		/* the reports the round allows */
		pthread_mutex_lock(&rep.lock);
		int errors = rep.errors;
		pthread_mutex_unlock(&rep.lock);
		long bad = stress_vmstat(x.m, "pageframe_bad_pages") - bad0;
		long rose = bad - expected;
		unsigned long free1 = gr_free_total(x.m);
		long gained = (long)(free1 - free0);
		if (mode == GR_DOUBLE) {
			if (rose != 1) {
				snprintf(why, sizeof why, "round %d: pageframe_bad_pages rose by %ld, expected 1 (the double free)",
					 r, rose);
				break;
			}
		} else if (mode == GR_SPLIT && how == DF_FREE) {
			/*
			 * __free_pages(head, 2) with a reference left (the split) against B's __free_pages,
			 * worked from __free_pages: A marks the head's record order 0, drops its reference
			 * (2 -> 1) and frees pages 1..3 as blocks of order 1 and 0.
			 * B at order 0 (the wrong order while the block is whole):
			 * - B reads the record before A marked it: order 0 is not the allocated order 2,
			 *   B's free is reported and changes nothing; the head lives on (refcount 1, order 0).
			 * - B reads it after: order 0 is right.  If A's drop came first B's is the last and
			 *   frees the head; if B's came first A's is the last, and A gives the record its
			 *   order 2 back and frees the block whole.  No report, all four pages free.
			 * B at order 2 (a second holder freeing as the owner would; the kernel wants
			 * put_page from it): whichever reads the record after the other marked it is
			 * reported (order 2 against a record of order 0) and the head lives on; with both
			 * drops counted the last one frees the block whole, once.
			 * Either way: one report exactly when the head lives on, none when everything is free.
			 */
			struct pf_page *head = x.a[0];
			if (rose == 1 && pf_page_count(head) == 1) {
				if (!gr_is_held(x.m, head, why, sizeof why, "split, B refused"))
					break;
				for (int i = 1; i < 4; i++)
					if (!gr_is_free(x.m, head + i, why, sizeof why, "split, B refused"))
						break;
				if (why[0])
					break;
				if (gained != 3) {
					snprintf(why, sizeof why, "round %d: split with B refused: %ld pages freed, expected 3", r,
						 gained);
					break;
				}
				pf_free_pages(head, 0);	/* the holder of the extra reference lets go */
				if (stress_vmstat(x.m, "pageframe_bad_pages") - bad0 != bad) {
					snprintf(why, sizeof why, "round %d: the head's own free at order 0 was reported", r);
					break;
				}
				out->split_kept++;
				expected++;
				free1 = gr_free_total(x.m);
				gained = (long)(free1 - free0);
			} else if (rose == 0) {
				out->split_whole++;
			} else {
				snprintf(why, sizeof why,
					 "round %d: split against a free at order 0: pageframe_bad_pages rose by %ld with the "
					 "head's refcount %d (allowed: 1 with the head held, 0 with all free)",
					 r, rose, pf_page_count(head));
				break;
			}
		} else if (rose != 0) {
			snprintf(why, sizeof why, "round %d: pageframe_bad_pages rose by %ld, expected 0 (no page freed twice)",
				 r, rose);
			break;
		}
		if (mode == GR_DOUBLE)
			expected++;
		if ((r <= 60 && errors != expected) || errors > expected) {
			snprintf(why, sizeof why, "round %d: %d reports printed, expected %d", r, errors, expected);
			break;
		}
		/* each page freed once: free (unless B has taken it again), and on the lists once */
		long want = nfreed;
		if (mode == GR_NB_ALLOC) {
			want -= x.nb;	/* B's four allocations came off the lists */
			for (int i = 0; i < x.nb && !why[0]; i++) {
				if (!x.b[i]) {
					snprintf(why, sizeof why, "round %d: B's allocation failed", r);
					break;
				}
				if (gr_is_held(x.m, x.b[i], why, sizeof why, "B's allocation") &&
				    pf_page_to_pfn(x.b[i]) >> 3 == GR_BASE >> 3)
					out->group_allocs++;
			}
		}
		for (int i = 0; i < nfreed && !why[0]; i++) {
			bool retaken = false;
			for (int j = 0; mode == GR_NB_ALLOC && j < x.nb; j++)
				retaken |= x.b[j] == freed[i];
			if (!retaken)
				gr_is_free(x.m, freed[i], why, sizeof why, "after the race");
		}
		if (why[0])
			break;
		if (gained != want) {
			snprintf(why, sizeof why, "round %d: the free pages rose by %ld, expected %ld (each page once)", r,
				 gained, want);
			break;
		}
		if (mode == GR_NB_ALLOC) {
			for (int i = 0; i < x.nb; i++)
				pf_free_pages(x.b[i], 0);
			if (stress_vmstat(x.m, "pageframe_bad_pages") - bad0 != expected) {
				snprintf(why, sizeof why, "round %d: freeing B's allocations was reported", r);
				break;
			}
		}
		if (r % 250 == 0 && pf_check(x.m, why, sizeof why) != 0)
			break;
	}
	atomic_store(&x.stop, 1);
	pthread_join(t, NULL);	/* first: a failed test must not leave the racer running */
	if (flip) {
		atomic_store(&x.flip_go, 1);
		pthread_join(flipper, NULL);
	}
	if (why[0]) {
		stress_print_reports(&rep);
		fail_msg("%s", why);
	}
	if (flip) {
		assert_true(atomic_load(&x.flipped));
		assert_true(__atomic_load_n(&x.m->speculative_refs, __ATOMIC_RELAXED));
		if (getenv("PF_STRESS_VERBOSE"))
			fprintf(stderr, "flip asked at round %d of %d\n", flip_round, r - 1);
		pf_free_pages(x.flip_page, 0);
	}
	if (getenv("PF_STRESS_VERBOSE"))
		fprintf(stderr, "%s/%s: %d rounds, split kept %d whole %d, group allocs %ld\n", modes[mode], names[how],
			r - 1, out->split_kept, out->split_whole, out->group_allocs);

	pf_test_check(x.m, "after the group races");
	pf_drain_all_pages(x.m);
	assert_int_equal(stress_check_accounting(x.m, "after the group races"), 0);
	assert_int_equal(stress_pcp_total(x.m), 0);
	pf_machine_destroy(x.m);
}

static int gr_rounds(void)
{
	int n = (int)(2000 * stress_scale());
	return n < 100 ? 100 : n;
}

/* pf_release_pages of a whole group against a free of one of its pages: one report a round */
static void group_double_free(void **state)
{
	(void)state;
	gr_run(GR_DOUBLE, DF_FREE, 0, false, false, false, gr_rounds(), NULL);
	gr_run(GR_DOUBLE, DF_PUT, 0, true, false, false, gr_rounds() / 2, NULL);
	gr_run(GR_DOUBLE, DF_RELEASE, 0, false, false, false, gr_rounds() / 2, NULL);
}

/* neighbours of one group freed by two threads at once, each its own pages: no report */
static void group_neighbours(void **state)
{
	(void)state;
	gr_run(GR_NB_FREE, DF_FREE, 0, false, false, false, gr_rounds(), NULL);
	gr_run(GR_NB_RELEASE, DF_RELEASE, 0, true, false, false, gr_rounds() / 2, NULL);
	struct gr_outcomes o;
	gr_run(GR_NB_ALLOC, DF_FREE, 0, false, false, false, gr_rounds(), &o);
	/* the allocations did take back the group's pages (else the race would be between other words) */
	assert_true(o.group_allocs > 0);
	gr_run(GR_NB_ALLOC, DF_FREE, 0, true, false, false, gr_rounds() / 2, &o);
	assert_true(o.group_allocs > 0);
}

/* the same with speculative references possible, and with them switched on by a third party mid-run */
static void group_speculative(void **state)
{
	(void)state;
	gr_run(GR_DOUBLE, DF_FREE, 0, false, true, false, gr_rounds() / 2, NULL);
	gr_run(GR_NB_FREE, DF_FREE, 0, true, true, false, gr_rounds() / 2, NULL);
	struct gr_outcomes o;
	gr_run(GR_NB_ALLOC, DF_FREE, 0, true, true, false, gr_rounds() / 2, &o);
	assert_true(o.group_allocs > 0);
	gr_run(GR_DOUBLE, DF_RELEASE, 0, false, false, true, gr_rounds(), NULL);
	gr_run(GR_NB_FREE, DF_FREE, 0, false, false, true, gr_rounds(), NULL);
}

/* the split of a non-compound order-2 block against a free of its head at order 0: both outcomes come */
static void split_races(void **state)
{
	(void)state;
	struct gr_outcomes o, o2;
	gr_run(GR_SPLIT, DF_FREE, 0, false, false, false, gr_rounds(), &o);
	gr_run(GR_SPLIT, DF_FREE, 0, true, true, false, gr_rounds() / 2, &o2);
	if (getenv("PF_STRESS_VERBOSE"))
		fprintf(stderr, "split/free at order 0: head kept %d + %d, all freed %d + %d\n", o.split_kept,
			o2.split_kept, o.split_whole, o2.split_whole);
}

/*
 * The split against a second holder's put_page (pf_put_page, or pf_release_pages, which hands a
 * block of order > 0 to put_page) and against a second holder's __free_pages at order 2.  Both
 * failed before fea41b2: put_page read the head's record (order 2) before its decrement, the split
 * marked it order 0 and freed pages 1..3, then put_page's decrement was the last and it freed the
 * block whole - pages 1..3 a second time (free pages up by 7, not 4; or, when a tail had merged in
 * the buddy lists, a "nonzero mapcount" report and the head kept).  Two __free_pages at order 2
 * both read order 2, both split, and the last freed the block whole.  Now put_page reads the
 * record after its decrement, only one holder splits (the other is refused, the head kept), and
 * the fast path reads an order > 0 record again after its compare-and-swap.
 */
static void split_races_second_holder(void **state)
{
	(void)state;
	gr_run(GR_SPLIT, DF_PUT, 0, false, false, false, gr_rounds(), NULL);
	gr_run(GR_SPLIT, DF_RELEASE, 0, true, false, false, gr_rounds(), NULL);
	gr_run(GR_SPLIT, DF_FREE, 2, false, false, false, gr_rounds(), NULL);
}

int main(void)
{
	pf_test_watchdog("test_stress_double_free", 120);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(free_free_unbound), cmocka_unit_test(free_free_bound),
		cmocka_unit_test(free_put_bound),   cmocka_unit_test(put_put_unbound),
		cmocka_unit_test(free_free_speculative), cmocka_unit_test(release_races),
		cmocka_unit_test(group_double_free), cmocka_unit_test(group_neighbours),
		cmocka_unit_test(group_speculative), cmocka_unit_test(split_races),
		cmocka_unit_test(split_races_second_holder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
