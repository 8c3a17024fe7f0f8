/* stress_allocfree.h: the random alloc/free engine shared by test_stress_allocfree*.c (not a test itself). */
#ifndef PF_STRESS_ALLOCFREE_H
#define PF_STRESS_ALLOCFREE_H

#include "stress_common.h"

#define SA_LIVE_CAP	48	/* live blocks a worker keeps at most */
#define SA_INBOX_CAP	64	/* blocks waiting in one worker's inbox */
#define SA_MAX_THREADS	64
#define SA_MAX_MSGS	12

struct sa_blk {
	struct pf_page *page;
	unsigned order;
	unsigned owner;		/* allocating thread */
	uint32_t gen;		/* allocating thread's generation */
	uint64_t token;		/* what the shadow map holds for its pages */
};

struct sa_inbox {
	pthread_mutex_t lock;
	int head, count;
	struct sa_blk q[SA_INBOX_CAP];
};

struct sa_ctx {
	struct pf_machine *m;
	int nthreads;
	bool two_node;
	double seconds;
	atomic_int stop;		/* workers stop */
	atomic_int stop_drainer;
	atomic_long iters_done;
	pthread_barrier_t start;
	unsigned long npfns;
	_Atomic uint64_t *shadow;	/* per pfn: token of the block owning it, 0 when free */
	struct sa_inbox inbox[SA_MAX_THREADS];

	atomic_long allocs, frees, cross_sent, cross_freed, bulk_pages, local_drains;
	atomic_long fails[NR_PAGE_ORDERS], tries[NR_PAGE_ORDERS];
	atomic_long remote_node, thisnode_allocs;
	atomic_long drains, refreshes;

	/* failures */
	atomic_long stamp_bad, shadow_bad, thisnode_bad, align_bad;
	pthread_mutex_t msg_lock;
	int nmsg;
	char msgs[SA_MAX_MSGS][200];
};

static void sa_msg(struct sa_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sa_msg(struct sa_ctx *c, const char *fmt, ...)
{
	pthread_mutex_lock(&c->msg_lock);
	if (c->nmsg < SA_MAX_MSGS) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->msgs[c->nmsg++], sizeof c->msgs[0], fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&c->msg_lock);
}

static inline uint64_t sa_stamp(unsigned long pfn, unsigned owner, uint32_t gen)
{
	return (uint64_t)pfn | ((uint64_t)(owner & 0xff) << 32) | ((uint64_t)(gen & 0xffffff) << 40);
}

static void sa_write_stamps(struct sa_blk *b)
{
	unsigned long pfn = pf_page_to_pfn(b->page);
	char *base = pf_page_address(b->page);
	for (unsigned long i = 0; i < (1UL << b->order); i++) {
		uint64_t *w = (uint64_t *)(base + i * PF_PAGE_SIZE);
		uint64_t v = sa_stamp(pfn + i, b->owner, b->gen);
		w[0] = v;
		w[PF_PAGE_SIZE / sizeof(uint64_t) - 1] = ~v;
	}
}

static void sa_check_stamps(struct sa_ctx *c, const struct sa_blk *b, unsigned by)
{
	unsigned long pfn = pf_page_to_pfn(b->page);
	char *base = pf_page_address(b->page);
	for (unsigned long i = 0; i < (1UL << b->order); i++) {
		uint64_t *w = (uint64_t *)(base + i * PF_PAGE_SIZE);
		uint64_t v = sa_stamp(pfn + i, b->owner, b->gen);
		uint64_t first = w[0], last = w[PF_PAGE_SIZE / sizeof(uint64_t) - 1];
		if (first != v || last != ~v) {
			if (atomic_fetch_add(&c->stamp_bad, 1) < 4)
				sa_msg(c, "stamp mismatch (block handed out twice?): pfn %#lx (block %#lx order %u, "
					  "owner %u gen %u, checked by %u): first %#llx last %#llx, want %#llx",
				       pfn + i, pfn, b->order, b->owner, b->gen, by, (unsigned long long)first,
				       (unsigned long long)~last, (unsigned long long)v);
			return;
		}
	}
}

/* Claim every pfn of a freshly allocated block in the shadow map: each must be unowned. */
static void sa_claim(struct sa_ctx *c, struct sa_blk *b)
{
	unsigned long pfn = pf_page_to_pfn(b->page);
	if (pfn & ((1UL << b->order) - 1))
		if (atomic_fetch_add(&c->align_bad, 1) < 4)
			sa_msg(c, "order-%u block at misaligned pfn %#lx", b->order, pfn);
	for (unsigned long i = 0; i < (1UL << b->order); i++) {
		if (pfn + i >= c->npfns)
			break;
		uint64_t prev = atomic_exchange_explicit(&c->shadow[pfn + i], b->token, memory_order_acq_rel);
		if (prev != 0)
			if (atomic_fetch_add(&c->shadow_bad, 1) < 4)
				sa_msg(c, "double handout: pfn %#lx (order-%u block %#lx to thread %u) is still owned by "
					  "thread %llu gen %llu",
				       pfn + i, b->order, pfn, b->owner, (unsigned long long)(prev >> 32) - 1,
				       (unsigned long long)(prev & 0xffffffffu));
	}
}

static void sa_release(struct sa_ctx *c, struct sa_blk *b, unsigned by)
{
	unsigned long pfn = pf_page_to_pfn(b->page);
	sa_check_stamps(c, b, by);
	for (unsigned long i = 0; i < (1UL << b->order); i++) {
		if (pfn + i >= c->npfns)
			break;
		uint64_t prev = atomic_exchange_explicit(&c->shadow[pfn + i], 0, memory_order_acq_rel);
		if (prev != b->token)
			if (atomic_fetch_add(&c->shadow_bad, 1) < 4)
				sa_msg(c, "pfn %#lx of thread %u's order-%u block %#lx was taken over by token %#llx",
				       pfn + i, b->owner, b->order, pfn, (unsigned long long)prev);
	}
	pf_free_pages(b->page, b->order);
	atomic_fetch_add_explicit(&c->frees, 1, memory_order_relaxed);
}

/* Weighted to small orders: per mille. */
static const int sa_order_weight[NR_PAGE_ORDERS] = { 400, 150, 120, 100, 50, 40, 30, 25, 20, 45, 20 };

static unsigned sa_pick_order(uint64_t *rs)
{
	int r = (int)(stress_rand(rs) % 1000);
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		if (r < sa_order_weight[o])
			return o;
		r -= sa_order_weight[o];
	}
	return 0;
}

static pf_gfp_t sa_pick_gfp(uint64_t *rs, unsigned order)
{
	unsigned r = (unsigned)(stress_rand(rs) % 100);
	pf_gfp_t g;
	if (r < 40)
		g = PF_GFP_KERNEL;
	else if (r < 80)
		g = PF_GFP_HIGHUSER_MOVABLE;
	else if (r < 97 || order > 3)
		g = PF_GFP_KERNEL | PF_GFP_RECLAIMABLE;
	else
		g = PF_GFP_KERNEL | PF_GFP_DMA;	/* a little traffic on the small DMA zone */
	return g | PF_GFP_NOWARN;
}

struct sa_worker {
	struct sa_ctx *c;
	unsigned id;
	int bound_cpu;	/* -1: runs unbound (the host CPU it is on) */
};

static int sa_node_of_pfn(struct sa_ctx *c, unsigned long pfn)
{
	for (int nid = 0; nid < c->m->nr_node_ids; nid++) {
		pg_data_t *pg = c->m->node_data[nid];
		if (pfn >= pg->node_start_pfn && pfn < pgdat_end_pfn(pg))
			return nid;
	}
	return -1;
}

static void sa_inbox_drain(struct sa_ctx *c, unsigned id)
{
	struct sa_blk got[SA_INBOX_CAP];
	int n = 0;
	struct sa_inbox *in = &c->inbox[id];
	pthread_mutex_lock(&in->lock);
	while (in->count) {
		got[n++] = in->q[in->head];
		in->head = (in->head + 1) % SA_INBOX_CAP;
		in->count--;
	}
	pthread_mutex_unlock(&in->lock);
	for (int i = 0; i < n; i++) {
		sa_release(c, &got[i], id);
		atomic_fetch_add_explicit(&c->cross_freed, 1, memory_order_relaxed);
	}
}

static bool sa_inbox_send(struct sa_ctx *c, unsigned to, const struct sa_blk *b)
{
	struct sa_inbox *in = &c->inbox[to];
	bool ok = false;
	pthread_mutex_lock(&in->lock);
	if (in->count < SA_INBOX_CAP) {
		in->q[(in->head + in->count) % SA_INBOX_CAP] = *b;
		in->count++;
		ok = true;
	}
	pthread_mutex_unlock(&in->lock);
	return ok;
}

static void *sa_worker_main(void *arg)
{
	struct sa_worker *w = arg;
	struct sa_ctx *c = w->c;
	struct sa_blk live[SA_LIVE_CAP];
	int nlive = 0;
	uint32_t gen = 0;
	uint64_t rs = 0x9E3779B97F4A7C15ULL * (w->id + 1) ^ (uint64_t)time(NULL);

	if (w->bound_cpu >= 0)
		pf_bind_cpu(w->bound_cpu);
	pthread_barrier_wait(&c->start);

	long it;
	for (it = 0; !atomic_load_explicit(&c->stop, memory_order_relaxed); it++) {
		if ((it & 7) == 0)
			sa_inbox_drain(c, w->id);
		unsigned r = (unsigned)(stress_rand(&rs) % 1000);

		if (nlive == 0 || (nlive < SA_LIVE_CAP && r < 540)) {
			if (r < 25) {
				/* a bulk allocation of order-0 pages */
				struct pf_page *arr[16] = { 0 };
				unsigned long want = 1 + stress_rand(&rs) % 16;
				unsigned long got = pf_alloc_pages_bulk(c->m, PF_GFP_KERNEL | PF_GFP_NOWARN, want, arr);
				atomic_fetch_add_explicit(&c->bulk_pages, (long)got, memory_order_relaxed);
				for (unsigned long i = 0; i < want; i++) {
					if (!arr[i])
						continue;
					struct sa_blk b = { arr[i], 0, w->id, ++gen, 0 };
					b.token = ((uint64_t)(w->id + 1) << 32) | b.gen;
					sa_claim(c, &b);
					sa_write_stamps(&b);
					atomic_fetch_add_explicit(&c->allocs, 1, memory_order_relaxed);
					if (nlive < SA_LIVE_CAP)
						live[nlive++] = b;
					else
						sa_release(c, &b, w->id);
				}
				continue;
			}
			unsigned order = sa_pick_order(&rs);
			pf_gfp_t gfp = sa_pick_gfp(&rs, order);
			struct pf_page *p;
			int nid = -1;
			bool thisnode = false;
			if (c->two_node) {
				unsigned q = (unsigned)(stress_rand(&rs) % 100);
				nid = q < 30 ? -1 : q < 65 ? 0 : 1;
				if (nid >= 0 && (stress_rand(&rs) % 5) == 0) {
					thisnode = true;
					gfp |= PF_GFP_THISNODE;
				}
				p = pf_alloc_pages_node(c->m, nid, gfp, order);
			} else {
				p = pf_alloc_pages(c->m, gfp, order);
			}
			atomic_fetch_add_explicit(&c->tries[order], 1, memory_order_relaxed);
			if (!p) {
				atomic_fetch_add_explicit(&c->fails[order], 1, memory_order_relaxed);
				continue;
			}
			struct sa_blk b = { p, order, w->id, ++gen, 0 };
			b.token = ((uint64_t)(w->id + 1) << 32) | b.gen;
			sa_claim(c, &b);
			sa_write_stamps(&b);
			atomic_fetch_add_explicit(&c->allocs, 1, memory_order_relaxed);
			if (nid >= 0) {
				int got = sa_node_of_pfn(c, pf_page_to_pfn(p));
				if (got != nid)
					atomic_fetch_add_explicit(&c->remote_node, 1, memory_order_relaxed);
				if (thisnode) {
					atomic_fetch_add_explicit(&c->thisnode_allocs, 1, memory_order_relaxed);
					if (got != nid && atomic_fetch_add(&c->thisnode_bad, 1) < 4)
						sa_msg(c, "__GFP_THISNODE order-%u for node %d got pfn %#lx of node %d",
						       order, nid, pf_page_to_pfn(p), got);
				}
			}
			live[nlive++] = b;
		} else {
			int idx = (int)(stress_rand(&rs) % (uint64_t)nlive);
			struct sa_blk b = live[idx];
			live[idx] = live[--nlive];
			if (r < 540 + 140 && c->nthreads > 1) {
				/* hand it to another thread, which frees it */
				unsigned to = (unsigned)(stress_rand(&rs) % (uint64_t)(c->nthreads - 1));
				if (to >= w->id)
					to++;
				if (sa_inbox_send(c, to, &b)) {
					atomic_fetch_add_explicit(&c->cross_sent, 1, memory_order_relaxed);
					continue;
				}
			}
			sa_release(c, &b, w->id);
			if (r >= 998) {
				pf_drain_local_pages(c->m);
				atomic_fetch_add_explicit(&c->local_drains, 1, memory_order_relaxed);
			}
		}
	}
	atomic_fetch_add(&c->iters_done, it);
	while (nlive)
		sa_release(c, &live[--nlive], w->id);
	sa_inbox_drain(c, w->id);
	pf_bind_cpu(-1);
	return NULL;
}

static void *sa_drainer_main(void *arg)
{
	struct sa_ctx *c = arg;
	long n = 0;
	pthread_barrier_wait(&c->start);
	while (!atomic_load(&c->stop_drainer)) {
		pf_drain_all_pages(c->m);
		pf_vmstat_refresh(c->m);
		long v;
		pf_vmstat_get(c->m, "nr_free_pages", &v);
		n++;
		if ((n & 3) == 0)
			sched_yield();
	}
	atomic_store(&c->drains, n);
	atomic_store(&c->refreshes, n);
	return NULL;
}

/* The whole test: boot, stress, join, then the invariants. */
__attribute__((unused)) static void sa_run(const char *desc, bool two_node, double seconds)
{
	char err[256];
	struct stress_reports rep = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pf_test_phase("%s: boot", two_node ? "2-node" : "1-node");
	struct pf_machine *m = pf_test_boot(desc);
	pf_set_report_hook(m, stress_report_hook, &rep);
	char *boot_buddy = stress_buddyinfo(m);
	assert_int_equal(stress_check_accounting(m, "boot"), 0);

	struct sa_ctx *c = calloc(1, sizeof *c);
	assert_non_null(c);
	c->m = m;
	c->two_node = two_node;
	c->nthreads = stress_nthreads();
	if (c->nthreads > SA_MAX_THREADS)
		c->nthreads = SA_MAX_THREADS;
	c->seconds = seconds;
	pthread_barrier_init(&c->start, NULL, (unsigned)c->nthreads + 2);
	c->npfns = m->memmap_pfns;
	c->shadow = calloc(c->npfns, sizeof *c->shadow);
	assert_non_null(c->shadow);
	pthread_mutex_init(&c->msg_lock, NULL);
	for (int i = 0; i < c->nthreads; i++)
		pthread_mutex_init(&c->inbox[i].lock, NULL);

	struct sa_worker w[SA_MAX_THREADS];
	pthread_t th[SA_MAX_THREADS], drainer;
	double t0 = stress_now();
	for (int i = 0; i < c->nthreads; i++) {
		w[i].c = c;
		w[i].id = (unsigned)i;
		/* even threads bind to simulated CPUs (some shared with unbound ones), odd ones run unbound */
		w[i].bound_cpu = (i % 2 == 0) ? (i / 2 + 2) % m->nr_cpus : -1;
		assert_int_equal(pthread_create(&th[i], NULL, sa_worker_main, &w[i]), 0);
	}
	assert_int_equal(pthread_create(&drainer, NULL, sa_drainer_main, c), 0);
	pf_test_phase("waiting for %d workers and the drainer to start", c->nthreads);
	pthread_barrier_wait(&c->start);
	pf_test_phase("workers running for %.1f s", c->seconds);
	t0 = stress_now();
	while (stress_now() - t0 < c->seconds)
		usleep(20000);
	atomic_store(&c->stop, 1);
	for (int i = 0; i < c->nthreads; i++) {
		pf_test_phase("joining worker %d of %d (stop was set)", i, c->nthreads);
		pthread_join(th[i], NULL);
	}
	atomic_store(&c->stop_drainer, 1);
	pf_test_phase("joining the drain_all/vmstat_refresh thread");
	pthread_join(drainer, NULL);
	pf_test_phase("final checks (pf_check, drain, buddyinfo)");
	/* blocks sent to a thread after it had finished */
	for (int i = 0; i < c->nthreads; i++)
		sa_inbox_drain(c, (unsigned)i);
	double t1 = stress_now();

	long tries = 0, fails = 0;
	fprintf(stderr, "%s: %d threads, %ld iterations in all, %.2f s%s\n", two_node ? "2-node" : "1-node",
		c->nthreads, atomic_load(&c->iters_done), t1 - t0, STRESS_TSAN ? " (TSan)" : "");
	fprintf(stderr, "  allocs %ld (bulk pages %ld) frees %ld, cross-thread %ld sent / %ld freed, "
			"drain_all+refresh %ld, local drains %ld\n",
		atomic_load(&c->allocs), atomic_load(&c->bulk_pages), atomic_load(&c->frees),
		atomic_load(&c->cross_sent), atomic_load(&c->cross_freed), atomic_load(&c->drains),
		atomic_load(&c->local_drains));
	fprintf(stderr, "  failed/tried by order:");
	for (int o = 0; o < NR_PAGE_ORDERS; o++) {
		fprintf(stderr, " %d:%ld/%ld", o, atomic_load(&c->fails[o]), atomic_load(&c->tries[o]));
		tries += atomic_load(&c->tries[o]);
		fails += atomic_load(&c->fails[o]);
	}
	fprintf(stderr, "\n");
	if (two_node)
		fprintf(stderr, "  node-preferred allocs served remotely %ld, THISNODE allocs %ld\n",
			atomic_load(&c->remote_node), atomic_load(&c->thisnode_allocs));
	for (int i = 0; i < c->nmsg; i++)
		fprintf(stderr, "  FAIL: %s\n", c->msgs[i]);
	stress_print_reports(&rep);

	fprintf(stderr, "  pages on per-CPU lists before the final drain: %lu\n", stress_pcp_total(m));
	long bad_pages = stress_vmstat(m, "pageframe_bad_pages");
	int acct_bad = stress_check_accounting(m, "after join");
	int check = pf_check(m, err, sizeof err);
	if (check)
		fprintf(stderr, "pf_check after join: %s\n", err);

	pf_drain_all_pages(m);
	unsigned long pcp_left = stress_pcp_total(m);
	int acct_bad2 = stress_check_accounting(m, "after drain");
	long nr_free = stress_vmstat(m, "nr_free_pages");
	unsigned long managed = stress_managed_total(m);
	int check2 = pf_check(m, err, sizeof err);
	if (check2)
		fprintf(stderr, "pf_check after drain: %s\n", err);
	char *end_buddy = stress_buddyinfo(m);
	if (strcmp(boot_buddy, end_buddy))
		fprintf(stderr, "buddyinfo at boot:\n%sbuddyinfo after drain:\n%s", boot_buddy, end_buddy);
	if ((unsigned long)nr_free != managed)
		fprintf(stderr, "nr_free_pages %ld != managed %lu after drain\n", nr_free, managed);

	assert_int_equal(atomic_load(&c->stamp_bad), 0);
	assert_int_equal(atomic_load(&c->shadow_bad), 0);
	assert_int_equal(atomic_load(&c->thisnode_bad), 0);
	assert_int_equal(atomic_load(&c->align_bad), 0);
	assert_int_equal(atomic_load(&c->allocs), atomic_load(&c->frees));
	assert_int_equal(rep.errors, 0);
	assert_int_equal(bad_pages, 0);
	assert_int_equal(check, 0);
	assert_int_equal(acct_bad, 0);
	assert_int_equal(check2, 0);
	assert_int_equal(pcp_left, 0);
	assert_int_equal(acct_bad2, 0);
	assert_int_equal(nr_free, (long)managed);
	assert_string_equal(boot_buddy, end_buddy);
	assert_true(tries > fails); /* the machine did hand out memory */

	free(boot_buddy);
	free(end_buddy);
	free(c->shadow);
	free(c);
	pf_machine_destroy(m);
}

#endif
