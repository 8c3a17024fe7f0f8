/* test_stress_memcg: threads charging and uncharging __GFP_ACCOUNT blocks in two memcgs at once (two threads each, both limited), while another thread creates child memcgs of a third, charges in them, destroys them with the pages still charged and frees those pages later, and another reads the files: the "kernel" stat never exceeds memory.max, every charge comes back (the kernel stat ends at 0, memory.current at no more than the per-CPU stocks, which drain to 0), no page is lost. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>
#include "mm/memcontrol.h"
#include "pf_testlib.h"

#define MACHINE "cpus 4\nmem 0 0x1000000-0x3fffffff\n"
#define ITERS 20000
#define HELD 256

struct ctx {
	struct pf_machine *m;
	struct mem_cgroup *a, *b, *c;
	atomic_int errors;
	atomic_int stop_readers;
	atomic_long charged, refused, reparented;
	char msg[256];
};

static void error(struct ctx *c, const char *what, unsigned long v)
{
	if (atomic_fetch_add(&c->errors, 1) == 0)
		snprintf(c->msg, sizeof c->msg, "%s (%lu)", what, v);
}

struct worker {
	struct ctx *c;
	struct mem_cgroup *cg;
	unsigned id;
};

static void check_bound(struct ctx *c, struct mem_cgroup *cg)
{
	unsigned long kmem = memcg_page_state(cg, MEMCG_KMEM);
	if (kmem > PC_READ(cg->memory.max))
		error(c, "kernel stat above memory.max", kmem);
}

static void *charger(void *arg)
{
	struct worker *w = arg;
	struct ctx *c = w->c;
	struct pf_page *held[HELD];
	unsigned order[HELD];
	int n = 0;
	uint64_t rs = 0x9E3779B97F4A7C15ULL * (w->id + 1);

	pf_memcg_attach((struct pf_memcg *)w->cg);
	for (int it = 0; it < ITERS; it++) {
		uint64_t r = pf_test_xorshift64s(&rs);
		if (n < HELD && (n == 0 || (r & 3) != 0)) {
			unsigned o = (unsigned)(r >> 8) % 3;
			pf_gfp_t gfp = PF_GFP_KERNEL_ACCOUNT | PF___GFP_NOWARN | ((r >> 16) & 1 ? PF___GFP_NORETRY : 0);
			struct pf_page *p = pf_alloc_pages(c->m, gfp, o);
			if (p) {
				held[n] = p;
				order[n++] = o;
				atomic_fetch_add_explicit(&c->charged, 1, memory_order_relaxed);
			} else {
				atomic_fetch_add_explicit(&c->refused, 1, memory_order_relaxed);
			}
			check_bound(c, w->cg);
		} else {
			int i = (int)((r >> 24) % (uint64_t)n);
			pf_free_pages(held[i], order[i]);
			held[i] = held[--n];
			order[i] = order[n];
		}
	}
	while (n > 0) {
		n--;
		pf_free_pages(held[n], order[n]);
	}
	pf_memcg_attach(NULL);
	return NULL;
}

/* children of c come and go with pages still charged; the pages are freed after the destroy */
static void *churner(void *arg)
{
	struct worker *w = arg;
	struct ctx *c = w->c;
	struct pf_page *keep[8];

	for (int round = 0; round < 400; round++) {
		char name[32];
		snprintf(name, sizeof name, "child%d", round);
		struct pf_memcg *child = pf_memcg_create(c->m, (struct pf_memcg *)c->c, name);
		if (!child) {
			error(c, "create failed", (unsigned long)round);
			break;
		}
		pf_memcg_set(child, "memory.max", "1M");
		pf_memcg_attach(child);
		int k = 0;
		for (int i = 0; i < 8; i++) {
			struct pf_page *p = pf_alloc_pages(c->m, PF_GFP_KERNEL_ACCOUNT | PF___GFP_NORETRY | PF___GFP_NOWARN, 0);
			if (p)
				keep[k++] = p;
		}
		pf_memcg_attach(NULL);
		pf_memcg_destroy(child);
		for (int i = 0; i < k; i++)
			pf_free_pages(keep[i], 0);	/* uncharges c (reparented) */
		atomic_fetch_add_explicit(&c->reparented, k, memory_order_relaxed);
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct worker *w = arg;
	struct ctx *c = w->c;
	FILE *null = fopen("/dev/null", "w");
	while (!atomic_load(&c->stop_readers)) {
		pf_memcg_show((struct pf_memcg *)c->a, "memory.stat", null);
		pf_memcg_show((struct pf_memcg *)c->b, "memory.events", null);
		pf_memcg_show((struct pf_memcg *)c->a, "memory.current", null);
	}
	fclose(null);
	return NULL;
}

static void two_memcgs(void **state)
{
	(void)state;
	static struct ctx c;
	c.m = pf_test_boot(MACHINE);
	pf_drain_all_pages(c.m);
	long free_boot = pf_test_vmstat(c.m, "nr_free_pages");
	c.a = (struct mem_cgroup *)pf_memcg_create(c.m, NULL, "a");
	c.b = (struct mem_cgroup *)pf_memcg_create(c.m, NULL, "b");
	c.c = (struct mem_cgroup *)pf_memcg_create(c.m, NULL, "c");
	assert_int_equal(pf_memcg_set((struct pf_memcg *)c.a, "memory.max", "2M"), 0);
	assert_int_equal(pf_memcg_set((struct pf_memcg *)c.b, "memory.max", "1M"), 0);

	pthread_t th[6];
	struct worker w[6];
	for (unsigned i = 0; i < 6; i++) {
		w[i].c = &c;
		w[i].id = i;
		w[i].cg = i < 2 ? c.a : c.b;
	}
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, charger, &w[i]), 0);
	assert_int_equal(pthread_create(&th[4], NULL, churner, &w[4]), 0);
	assert_int_equal(pthread_create(&th[5], NULL, reader, &w[5]), 0);
	for (unsigned i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	atomic_store(&c.stop_readers, 1);
	pthread_join(th[5], NULL);
	if (atomic_load(&c.errors))
		fail_msg("%d error(s), first: %s", atomic_load(&c.errors), c.msg);
	/* both outcomes happened: the limits are tight enough to refuse, loose enough to charge */
	assert_true(atomic_load(&c.charged) > 1000);
	assert_true(atomic_load(&c.refused) > 0);
	assert_int_equal(atomic_load(&c.reparented), 400 * 8);

	/* every charge came back: nothing in the stat, only stocks (at most 64 pages per CPU) in the counters */
	assert_int_equal(memcg_page_state(c.a, MEMCG_KMEM), 0);
	assert_int_equal(memcg_page_state(c.b, MEMCG_KMEM), 0);
	assert_int_equal(memcg_page_state(c.c, MEMCG_KMEM), 0);
	assert_true(page_counter_read(&c.a->memory) <= 4 * MEMCG_CHARGE_BATCH);
	assert_true(page_counter_read(&c.b->memory) <= 4 * MEMCG_CHARGE_BATCH);
	drain_all_stock(c.a);
	drain_all_stock(c.b);
	drain_all_stock(c.c);
	assert_int_equal(page_counter_read(&c.c->memory), 0);
	assert_int_equal(page_counter_read(&c.a->memory), 0);
	assert_int_equal(page_counter_read(&c.b->memory), 0);
	assert_int_equal(page_counter_read(&c.m->root_mem_cgroup->memory), 0);

	pf_memcg_destroy((struct pf_memcg *)c.a);
	pf_memcg_destroy((struct pf_memcg *)c.b);
	pf_memcg_destroy((struct pf_memcg *)c.c);
	pf_drain_all_pages(c.m);
	assert_int_equal(pf_test_vmstat(c.m, "nr_free_pages"), free_boot);
	assert_int_equal(pf_test_vmstat(c.m, "pageframe_bad_pages"), 0);
	pf_test_check(c.m, "end");
	pf_machine_destroy(c.m);
}

int main(void)
{
	pf_test_watchdog("test_stress_memcg", 120);
	const struct CMUnitTest tests[] = { cmocka_unit_test(two_memcgs) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
