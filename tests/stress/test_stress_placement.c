/*
 * test_stress_placement: threads with different cpusets and memory policies allocate and free
 * on one 2-node machine at once, unbound (through the fast path's door): every BIND, cpuset
 * (GFP_USER) and PREFERRED page lands where Linux 6.12 puts it while the nodes have room, each
 * interleaving thread alternates nodes on its own il_prev, a thread switching its policy on
 * and off keeps FAST_OFF_PLACEMENT honest for the others, and at the end nothing is lost.
 */
#include "stress_common.h"

/* 256 MiB per node: the working sets (a few thousand pages) never fill a node. */
#define MACHINE                                                                                    \
	"cpus 4\nnode 0 cpus 0-1\nnode 1 cpus 2-3\ndistance 0 1 21\n"                              \
	"mem 0 0x1000-0x9efff\nmem 0 0x100000-0xfffffff\nmem 1 0x10000000-0x1fffffff\n"

enum role { BIND0, BIND1, CPUSET1, INTERLEAVE, PREFERRED1, TOGGLER, PLAIN, NR_ROLES };

struct worker {
	struct pf_machine *m;
	enum role role;
	double until;
	uint64_t seed;
	long allocs;
	char failure[160];
};

#define RING 64

static bool want_node(struct worker *w, struct pf_page *p, int nid, const char *what)
{
	if (pf_page_to_nid(p) == nid)
		return true;
	snprintf(w->failure, sizeof w->failure, "role %d: %s page on node %d, expected %d", w->role, what,
		 pf_page_to_nid(p), nid);
	return false;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pf_machine *m = w->m;
	struct pf_page *ring[RING] = { NULL };
	unsigned order[RING] = { 0 };
	int head = 0, last = -1;
	bool toggled = false;

	switch (w->role) {
	case BIND0:
		pf_set_mempolicy(m, PF_MPOL_BIND, "0");
		break;
	case BIND1:
		pf_set_mempolicy(m, PF_MPOL_BIND, "1");
		break;
	case CPUSET1:
		pf_set_mems_allowed(m, "1");
		break;
	case INTERLEAVE:
		pf_set_mempolicy(m, PF_MPOL_INTERLEAVE, "0-1");
		break;
	case PREFERRED1:
		pf_set_mempolicy(m, PF_MPOL_PREFERRED, "1");
		break;
	default:
		break;
	}
	while (!w->failure[0]) {
		if ((w->allocs & 255) == 0 && stress_now() > w->until)
			break;
		if (w->role == TOGGLER && (w->allocs & 31) == 0) {
			toggled = !toggled;
			pf_set_mempolicy(m, toggled ? PF_MPOL_PREFERRED : PF_MPOL_DEFAULT, toggled ? "1" : NULL);
		}
		unsigned o = (unsigned)(stress_rand(&w->seed) % 4);	/* pcp orders: the fast path's */
		pf_gfp_t gfp = w->role == CPUSET1 ? PF_GFP_USER : PF_GFP_KERNEL;
		if (ring[head]) {
			pf_free_pages(ring[head], order[head]);
			ring[head] = NULL;
		}
		struct pf_page *p = pf_alloc_pages(m, gfp, o);
		if (!p) {
			snprintf(w->failure, sizeof w->failure, "role %d: order-%u allocation failed", w->role, o);
			break;
		}
		w->allocs++;
		switch (w->role) {
		case BIND0:
			want_node(w, p, 0, "BIND 0");
			break;
		case BIND1:
			want_node(w, p, 1, "BIND 1");
			break;
		case CPUSET1:
			want_node(w, p, 1, "cpuset 1 GFP_USER");
			break;
		case PREFERRED1:
			want_node(w, p, 1, "PREFERRED 1");
			break;
		case TOGGLER:
			if (toggled)
				want_node(w, p, 1, "PREFERRED 1 (toggled on)");
			break;
		case INTERLEAVE:
			if (last >= 0)
				want_node(w, p, 1 - last, "INTERLEAVE 0-1");
			last = pf_page_to_nid(p);
			break;
		default:
			break;
		}
		ring[head] = p;
		order[head] = o;
		head = (head + 1) % RING;
	}
	for (int i = 0; i < RING; i++)
		if (ring[i])
			pf_free_pages(ring[i], order[i]);
	pf_set_mempolicy(m, PF_MPOL_DEFAULT, NULL);
	pf_set_mems_allowed(m, NULL);
	return NULL;
}

static void placement_threads(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct stress_reports reports = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pf_set_report_hook(m, stress_report_hook, &reports);
	char *before = pf_test_show_drained(m, "buddyinfo");

	int n = stress_nthreads();
	if (n < NR_ROLES)
		n = NR_ROLES;
	struct worker *w = calloc((size_t)n, sizeof *w);
	pthread_t *t = calloc((size_t)n, sizeof *t);
	assert_non_null(w);
	assert_non_null(t);
	double until = stress_now() + stress_seconds(3.0);
	for (int i = 0; i < n; i++) {
		w[i].m = m;
		w[i].role = (enum role)(i % NR_ROLES);
		w[i].until = until;
		w[i].seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	long total = 0;
	int failed = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		total += w[i].allocs;
		if (w[i].failure[0]) {
			fprintf(stderr, "  %s\n", w[i].failure);
			failed++;
		}
	}
	fprintf(stderr, "  %d threads, %ld allocations\n", n, total);
	stress_print_reports(&reports);
	assert_int_equal(failed, 0);
	assert_int_equal(reports.errors, 0);
	assert_int_equal(atomic_load(&m->placement_threads), 0);
	assert_int_equal(m->fast_off & FAST_OFF_PLACEMENT, 0);
	for (int i = 0; i < n; i++)
		assert_true(w[i].allocs > 0);

	char *after = pf_test_show_drained(m, "buddyinfo");
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(stress_check_accounting(m, "after"), 0);
	pf_test_check(m, "after the placement stress");
	free(w);
	free(t);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_stress_placement", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(placement_threads) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
