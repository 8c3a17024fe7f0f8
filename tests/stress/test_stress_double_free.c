/* test_stress_double_free: two threads free the same order-0 page at the same moment, thousands of times (free/free, free/put_page, put_page/put_page, and pf_release_pages against each; unbound threads on the fast path and threads bound to two CPUs on the general path, with and without speculative references on): every race gives exactly one "BUG: Bad page state" report and one pageframe_bad_pages count, the page is freed once (refcount 0, never twice on a list), pf_check holds and buddy+pcp == managed. */
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

/* One side of a race: a random head start of 0..127 spins sweeps the two frees across each other's window. */
static void df_free(struct df_ctx *x, int id, struct pf_page *p, uint64_t *rs)
{
	for (uint64_t d = stress_rand(rs) & 127; d; d--)
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

int main(void)
{
	pf_test_watchdog("test_stress_double_free", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(free_free_unbound), cmocka_unit_test(free_free_bound),
		cmocka_unit_test(free_put_bound),   cmocka_unit_test(put_put_unbound),
		cmocka_unit_test(free_free_speculative), cmocka_unit_test(release_races),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
