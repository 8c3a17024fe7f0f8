/* test_stress_compound_refs: pf_get_page/pf_put_page (and a final pf_free_pages) racing from several threads on shared PF_GFP_COMP pages, through head and tail pages, free each compound page exactly once: never while a reference is held, never twice (no bad-page report, pageframe_bad_pages 0), never leaked. */
#include "stress_allocfree.h"

#define CR_BLOCKS	8
#define CR_OPS		16

struct cr_block {
	struct sa_blk b;	/* page NULL when the allocation failed */
	atomic_int mirror;	/* references the test believes are held */
};

struct cr_ctx {
	struct sa_ctx *c;
	int nworkers;
	pthread_barrier_t round;	/* main + workers */
	atomic_int done;
	struct cr_block blk[CR_BLOCKS];
	atomic_long gets, puts, frees_by_put, frees_by_free, low_count, rounds, churn_allocs;
};

struct cr_worker {
	struct cr_ctx *x;
	unsigned id;
};

static struct pf_page *cr_subpage(struct cr_block *k, uint64_t *rs)
{
	return k->b.page + (stress_rand(rs) % (1UL << k->b.order));
}

/* This holder's last reference: the one who takes the mirror to zero retires the shadow first. */
static void cr_drop_final(struct cr_ctx *x, struct cr_block *k, uint64_t *rs, unsigned by)
{
	struct sa_ctx *c = x->c;
	if (atomic_fetch_sub(&k->mirror, 1) == 1) {
		unsigned long pfn = pf_page_to_pfn(k->b.page);
		sa_check_stamps(c, &k->b, by);
		for (unsigned long i = 0; i < (1UL << k->b.order); i++) {
			uint64_t prev = atomic_exchange(&c->shadow[pfn + i], 0);
			if (prev != k->b.token && atomic_fetch_add(&c->shadow_bad, 1) < 4)
				sa_msg(c, "compound pfn %#lx taken over by token %#llx while referenced", pfn + i,
				       (unsigned long long)prev);
		}
	}
	if (stress_rand(rs) & 1) {
		pf_put_page(cr_subpage(k, rs));
		atomic_fetch_add_explicit(&x->frees_by_put, 1, memory_order_relaxed);
	} else {
		pf_free_pages(k->b.page, k->b.order);
		atomic_fetch_add_explicit(&x->frees_by_free, 1, memory_order_relaxed);
	}
}

static void *cr_worker_main(void *arg)
{
	struct cr_worker *w = arg;
	struct cr_ctx *x = w->x;
	struct sa_ctx *c = x->c;
	uint64_t rs = 0xD1B54A32D192ED03ULL * (w->id + 7) ^ (uint64_t)time(NULL);
	if (w->id % 2 == 0)
		pf_bind_cpu((int)(w->id / 2) % c->m->nr_cpus);

	for (;;) {
		pthread_barrier_wait(&x->round);	/* A: blocks published (or done) */
		if (atomic_load(&x->done))
			break;
		for (int i = 0; i < CR_BLOCKS; i++)
			if (x->blk[i].b.page) {
				pf_get_page(cr_subpage(&x->blk[i], &rs));
				atomic_fetch_add_explicit(&x->gets, 1, memory_order_relaxed);
			}
		pthread_barrier_wait(&x->round);	/* B: everyone holds a reference */
		for (int op = 0; op < CR_OPS; op++) {
			struct cr_block *k = &x->blk[stress_rand(&rs) % CR_BLOCKS];
			if (!k->b.page)
				continue;
			pf_get_page(cr_subpage(k, &rs));
			int cnt = pf_page_count(cr_subpage(k, &rs));
			if (cnt < 2 && atomic_fetch_add(&x->low_count, 1) < 4)
				sa_msg(c, "page_count %d of a compound page while this thread holds two references", cnt);
			sa_check_stamps(c, &k->b, w->id);
			pf_put_page(cr_subpage(k, &rs));
			atomic_fetch_add_explicit(&x->gets, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&x->puts, 1, memory_order_relaxed);
		}
		/* drop this thread's references in a random order */
		int perm[CR_BLOCKS];
		for (int i = 0; i < CR_BLOCKS; i++)
			perm[i] = i;
		for (int i = CR_BLOCKS - 1; i > 0; i--) {
			int j = (int)(stress_rand(&rs) % (uint64_t)(i + 1)), t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		for (int i = 0; i < CR_BLOCKS; i++)
			if (x->blk[perm[i]].b.page)
				cr_drop_final(x, &x->blk[perm[i]], &rs, w->id);
		pthread_barrier_wait(&x->round);	/* C: round over */
	}
	pf_bind_cpu(-1);
	return NULL;
}

/* Allocates and frees small blocks all the time: a compound page freed early would be handed to it. */
static void *cr_churn_main(void *arg)
{
	struct cr_ctx *x = arg;
	struct sa_ctx *c = x->c;
	unsigned id = (unsigned)x->nworkers + 1;
	struct sa_blk live[16];
	int nlive = 0;
	uint32_t gen = 0;
	uint64_t rs = 0x94D049BB133111EBULL ^ (uint64_t)time(NULL);
	pthread_barrier_wait(&c->start);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		if (nlive < 16 && (stress_rand(&rs) & 1)) {
			unsigned order = (unsigned)(stress_rand(&rs) % 6);
			pf_gfp_t gfp = PF_GFP_KERNEL | PF_GFP_NOWARN | ((stress_rand(&rs) & 1) ? PF_GFP_COMP : 0);
			struct pf_page *p = pf_alloc_pages(c->m, gfp, order);
			if (!p)
				continue;
			struct sa_blk b = { p, order, id, ++gen, 0 };
			b.token = ((uint64_t)(id + 1) << 32) | b.gen;
			sa_claim(c, &b);
			sa_write_stamps(&b);
			atomic_fetch_add_explicit(&x->churn_allocs, 1, memory_order_relaxed);
			live[nlive++] = b;
		} else if (nlive) {
			int i = (int)(stress_rand(&rs) % (uint64_t)nlive);
			struct sa_blk b = live[i];
			live[i] = live[--nlive];
			sa_release(c, &b, id);
		}
	}
	while (nlive)
		sa_release(c, &live[--nlive], id);
	return NULL;
}

static void compound_refs(void **state)
{
	(void)state;
	char err[256];
	struct stress_reports rep = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pf_test_phase("boot");
	struct pf_machine *m = pf_test_boot(STRESS_MACHINE_1NODE);
	pf_set_report_hook(m, stress_report_hook, &rep);
	char *boot_buddy = stress_buddyinfo(m);

	struct sa_ctx *c = calloc(1, sizeof *c);
	struct cr_ctx *x = calloc(1, sizeof *x);
	assert_non_null(c);
	assert_non_null(x);
	c->m = m;
	c->npfns = m->memmap_pfns;
	c->shadow = calloc(c->npfns, sizeof *c->shadow);
	assert_non_null(c->shadow);
	pthread_mutex_init(&c->msg_lock, NULL);
	pthread_barrier_init(&c->start, NULL, 3);	/* main, churn, drainer */
	x->c = c;
	x->nworkers = stress_nthreads();
	if (x->nworkers > SA_MAX_THREADS)
		x->nworkers = SA_MAX_THREADS;
	pthread_barrier_init(&x->round, NULL, (unsigned)x->nworkers + 1);

	pthread_t th[SA_MAX_THREADS], churn, drainer;
	struct cr_worker w[SA_MAX_THREADS];
	for (int i = 0; i < x->nworkers; i++) {
		w[i] = (struct cr_worker){ x, (unsigned)i };
		assert_int_equal(pthread_create(&th[i], NULL, cr_worker_main, &w[i]), 0);
	}
	assert_int_equal(pthread_create(&churn, NULL, cr_churn_main, x), 0);
	assert_int_equal(pthread_create(&drainer, NULL, sa_drainer_main, c), 0);
	pf_test_phase("waiting for the churn and drainer threads to start");
	pthread_barrier_wait(&c->start);

	uint64_t rs = 0xBF58476D1CE4E5B9ULL ^ (uint64_t)time(NULL);
	unsigned id = (unsigned)x->nworkers;	/* main's id in the stamps */
	uint32_t gen = 0;
	long failed = 0;
	double seconds = stress_seconds(5.0), t0 = stress_now();
	while (stress_now() - t0 < seconds) {
		pf_test_phase("round %ld: allocating %d blocks", atomic_load(&x->rounds), CR_BLOCKS);
		for (int i = 0; i < CR_BLOCKS; i++) {
			struct cr_block *k = &x->blk[i];
			unsigned r = (unsigned)(stress_rand(&rs) % 100);
			unsigned order = r < 85 ? r % 6 : r < 95 ? 9 : 1 + r % 8;
			pf_gfp_t gfp = ((r & 1) ? PF_GFP_KERNEL : PF_GFP_HIGHUSER_MOVABLE) | PF_GFP_COMP | PF_GFP_NOWARN;
			struct pf_page *p = pf_alloc_pages(m, gfp, order);
			k->b = (struct sa_blk){ p, order, id, ++gen, 0 };
			if (!p) {
				failed++;
				continue;
			}
			k->b.token = ((uint64_t)(id + 1) << 32) | k->b.gen;
			sa_claim(c, &k->b);
			sa_write_stamps(&k->b);
			atomic_store(&k->mirror, x->nworkers + 1);
		}
		pf_test_phase("round %ld: barrier A/B (workers taking and dropping references)", atomic_load(&x->rounds));
		pthread_barrier_wait(&x->round);	/* A */
		pthread_barrier_wait(&x->round);	/* B */
		/* main's own (the allocation's) reference goes in the same race */
		for (int i = 0; i < CR_BLOCKS; i++)
			if (x->blk[i].b.page)
				cr_drop_final(x, &x->blk[i], &rs, id);
		pf_test_phase("round %ld: barrier C (after main's final drops)", atomic_load(&x->rounds));
		pthread_barrier_wait(&x->round);	/* C */
		atomic_fetch_add(&x->rounds, 1);
	}
	atomic_store(&x->done, 1);
	pf_test_phase("last barrier (done set)");
	pthread_barrier_wait(&x->round);
	pf_test_phase("joining %d workers", x->nworkers);
	for (int i = 0; i < x->nworkers; i++)
		pthread_join(th[i], NULL);
	atomic_store(&c->stop, 1);
	pf_test_phase("joining the churn thread");
	pthread_join(churn, NULL);
	atomic_store(&c->stop_drainer, 1);
	pf_test_phase("joining the drainer thread");
	pthread_join(drainer, NULL);
	pf_test_phase("final checks");
	double t1 = stress_now();

	fprintf(stderr, "compound refs: %d workers, %ld rounds of %d blocks, %.2f s%s; gets %ld puts %ld, "
			"last drop by put_page %ld / free_pages %ld, churn allocs %ld, failed allocs %ld, drains %ld\n",
		x->nworkers, atomic_load(&x->rounds), CR_BLOCKS, t1 - t0, STRESS_TSAN ? " (TSan)" : "",
		atomic_load(&x->gets), atomic_load(&x->puts), atomic_load(&x->frees_by_put),
		atomic_load(&x->frees_by_free), atomic_load(&x->churn_allocs), failed, atomic_load(&c->drains));
	for (int i = 0; i < c->nmsg; i++)
		fprintf(stderr, "  FAIL: %s\n", c->msgs[i]);
	stress_print_reports(&rep);

	long bad_pages = stress_vmstat(m, "pageframe_bad_pages");
	int acct_bad = stress_check_accounting(m, "after join");
	int check = pf_check(m, err, sizeof err);
	if (check)
		fprintf(stderr, "pf_check: %s\n", err);
	pf_drain_all_pages(m);
	int acct_bad2 = stress_check_accounting(m, "after drain");
	char *end_buddy = stress_buddyinfo(m);
	if (strcmp(boot_buddy, end_buddy))
		fprintf(stderr, "buddyinfo at boot:\n%sbuddyinfo after drain:\n%s", boot_buddy, end_buddy);

	assert_int_equal(atomic_load(&c->stamp_bad), 0);
	assert_int_equal(atomic_load(&c->shadow_bad), 0);
	assert_int_equal(atomic_load(&x->low_count), 0);
	assert_int_equal(rep.errors, 0);
	assert_int_equal(bad_pages, 0);
	assert_int_equal(check, 0);
	assert_int_equal(acct_bad, 0);
	assert_int_equal(acct_bad2, 0);
	assert_int_equal(stress_pcp_total(m), 0);
	assert_string_equal(boot_buddy, end_buddy);
	assert_true(atomic_load(&x->rounds) > 0);

	free(boot_buddy);
	free(end_buddy);
	free(c->shadow);
	free(c);
	free(x);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_stress_compound_refs", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(compound_refs) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
