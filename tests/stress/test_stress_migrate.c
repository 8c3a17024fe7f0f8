/* test_stress_migrate: owner threads allocate, stamp, touch, take references to and free movable pages (order 0, plain order 1, compound order 2) while migrator threads isolate them (and their neighbours) speculatively and migrate them, and a churn thread recycles freed pages: every stamp survives every move, no page is lost (free pages and zone accounting back to the start), pf_check is clean and nothing is reported. */
#include "stress_common.h"
#include "mm/migrate.h"

#define NOWNERS		3
#define NSLOTS		48
#define NMIGRATORS	2
#define NSLOT_ALL	(NOWNERS * NSLOTS)

struct slot {
	pthread_mutex_t lock;
	struct pf_page *_Atomic page;	/* where the block is now; NULL when none (peeked at by migrators) */
	unsigned order;
	bool compound;
	bool frozen;			/* isolated: the owner does not write the contents */
	uint64_t tag;
};

static struct {
	struct pf_machine *m;
	double deadline;
	atomic_int stop;
	struct slot slot[NSLOT_ALL];
	atomic_long stamp_bad, moves, isolations, refused, owner_frees_frozen, migrate_rc_bad, lost_src;
} X;




static void stamp_failed(const char *where, struct pf_page *page)
{
	if (atomic_fetch_add(&X.stamp_bad, 1) < 4)
		fprintf(stderr, "stamp changed (%s) at pfn %#lx\n", where, pf_page_to_pfn(page));
}

/* ---- the owner's callbacks: they find the slot through page->private ---- */

static struct slot *slot_of(struct pf_page *page)
{
	unsigned long idx = page->private;
	if (idx == 0 || idx > NSLOT_ALL)
		return NULL;
	return &X.slot[idx - 1];
}

static bool own_isolate(struct pf_page *page, int mode)
{
	(void)mode;
	struct slot *s = slot_of(page);
	if (!s)
		return false;
	pthread_mutex_lock(&s->lock);
	bool ok = atomic_load_explicit(&s->page, memory_order_relaxed) == page && !s->frozen;
	if (ok)
		s->frozen = true;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static _Thread_local uint64_t cb_rand = 0x9E3779B97F4A7C15ULL;

static int own_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)mode;
	struct slot *s = slot_of(src);
	if (!s)
		return -EBUSY;
	pthread_mutex_lock(&s->lock);
	if (atomic_load_explicit(&s->page, memory_order_relaxed) != src) {
		/* freed by us while isolated: not ours any more */
		pthread_mutex_unlock(&s->lock);
		return -EAGAIN;
	}
	if (stress_rand(&cb_rand) % 16 == 0) {
		pthread_mutex_unlock(&s->lock);
		return -EAGAIN;	/* a transient refusal: retried */
	}
	/* the library copied the block before asking */
	if (!stress_stamps_hold(dst, s->order, s->tag))
		stamp_failed("dst as handed to migrate_page", dst);
	dst->private = src->private;
	atomic_store_explicit(&s->page, dst, memory_order_relaxed);
	s->frozen = false;
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add_explicit(&X.moves, 1, memory_order_relaxed);
	return 0;
}

static void own_putback(struct pf_page *page)
{
	struct slot *s = slot_of(page);
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	if (atomic_load_explicit(&s->page, memory_order_relaxed) == page)
		s->frozen = false;
	pthread_mutex_unlock(&s->lock);
}

static const struct pf_movable_operations own_ops = { own_isolate, own_migrate, own_putback };

/* ---- threads ---- */

static void slot_free(struct slot *s, struct pf_page *p, uint64_t *rs)
{
	if (s->compound && (stress_rand(rs) & 1))
		pf_put_page(p + 1);
	else
		pf_free_pages(p, s->order);
}

static void *owner_main(void *arg)
{
	int id = (int)(intptr_t)arg;
	uint64_t rs = 0xA0761D6478BD642FULL * (uint64_t)(id + 1);
	uint64_t next_tag = (uint64_t)id << 40;
	pf_bind_cpu(id % X.m->nr_cpus);
	while (!atomic_load_explicit(&X.stop, memory_order_relaxed) && stress_now() < X.deadline) {
		int idx = id * NSLOTS + (int)(stress_rand(&rs) % NSLOTS);
		struct slot *s = &X.slot[idx];
		pthread_mutex_lock(&s->lock);
		struct pf_page *p = atomic_load_explicit(&s->page, memory_order_relaxed);
		if (!p) {
			unsigned r = (unsigned)(stress_rand(&rs) % 8);
			s->order = r == 0 ? 2 : r == 1 ? 1 : 0;
			s->compound = s->order == 2;
			p = pf_alloc_pages(X.m, PF_GFP_HIGHUSER_MOVABLE | (s->compound ? PF___GFP_COMP : 0), s->order);
			if (p) {
				s->tag = ++next_tag;
				stress_stamp_block(p, s->order, s->tag);
				p->private = (unsigned long)idx + 1;
				s->frozen = false;
				pf_set_page_movable(p, &own_ops);
				atomic_store_explicit(&s->page, p, memory_order_relaxed);
			}
		} else {
			unsigned r = (unsigned)(stress_rand(&rs) % 8);
			if (!stress_stamps_hold(p, s->order, s->tag))
				stamp_failed("owner", p);
			if (r < 4) {
				if (!s->frozen) {	/* touch: new contents */
					s->tag = ++next_tag;
					stress_stamp_block(p, s->order, s->tag);
				}
			} else if (r == 4) {
				pf_get_page(p);	/* a second reference for a while */
				if (!stress_stamps_hold(p, s->order, s->tag))
					stamp_failed("owner, two references", p);
				pf_put_page(p);
			} else {
				if (s->frozen)
					atomic_fetch_add_explicit(&X.owner_frees_frozen, 1, memory_order_relaxed);
				atomic_store_explicit(&s->page, NULL, memory_order_relaxed);
				s->frozen = false;
				slot_free(s, p, &rs);
			}
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

static void *churn_main(void *arg)
{
	(void)arg;
	uint64_t rs = 0xE7037ED1A0B428DBULL;
	struct pf_page *held[64] = { 0 };
	unsigned ord[64] = { 0 };
	pf_bind_cpu(3 % X.m->nr_cpus);
	while (!atomic_load_explicit(&X.stop, memory_order_relaxed) && stress_now() < X.deadline) {
		int i = (int)(stress_rand(&rs) % 64);
		if (held[i]) {
			pf_free_pages(held[i], ord[i]);
			held[i] = NULL;
		} else {
			ord[i] = (unsigned)(stress_rand(&rs) % 4);
			held[i] = pf_alloc_pages(X.m, (stress_rand(&rs) & 1) ? PF_GFP_HIGHUSER_MOVABLE : PF_GFP_KERNEL, ord[i]);
		}
	}
	for (int i = 0; i < 64; i++)
		if (held[i])
			pf_free_pages(held[i], ord[i]);
	return NULL;
}

static bool in_memmap(struct pf_page *p)
{
	return p >= X.m->mem_map && p < X.m->mem_map + X.m->memmap_pfns;
}

static void *migrator_main(void *arg)
{
	int id = (int)(intptr_t)arg;
	uint64_t rs = 0x8EBC6AF09C88C6E3ULL * (uint64_t)(id + 3);
	struct migration_target_control mtc = { .nid = NUMA_NO_NODE, .gfp_mask = PF_GFP_HIGHUSER_MOVABLE,
						 .reason = MR_COMPACTION };
	while (!atomic_load_explicit(&X.stop, memory_order_relaxed) && stress_now() < X.deadline) {
		LIST_HEAD(list);
		int n = 0;
		for (int k = 0; k < 16; k++) {
			struct slot *s = &X.slot[stress_rand(&rs) % NSLOT_ALL];
			struct pf_page *p = atomic_load_explicit(&s->page, memory_order_relaxed);
			if (!p)
				continue;
			/* the page, or a neighbour: free, a tail, someone else's, another owner's */
			struct pf_page *c = p + (long)(stress_rand(&rs) % 3) - 1;
			if (!in_memmap(c) || !__PageMovable(c))
				continue;
			if (isolate_movable_page(c, ISOLATE_ASYNC_MIGRATE)) {
				list_add_tail(&c->lru, &list);
				n++;
			}
		}
		atomic_fetch_add_explicit(&X.isolations, n, memory_order_relaxed);
		if (!n)
			continue;
		int mode = (int)(stress_rand(&rs) % 3);
		unsigned int succeeded = 0;
		int rc = migrate_pages(X.m, &list, alloc_migration_target, NULL, (unsigned long)&mtc,
				       (enum migrate_mode)mode, MR_COMPACTION, &succeeded);
		if (rc < 0 && rc != -ENOMEM)
			atomic_fetch_add_explicit(&X.migrate_rc_bad, 1, memory_order_relaxed);
		if (rc) {
			atomic_fetch_add_explicit(&X.refused, rc > 0 ? rc : 0, memory_order_relaxed);
			putback_movable_pages(&list);
		}
		if (!list_empty(&list))
			atomic_fetch_add_explicit(&X.lost_src, 1, memory_order_relaxed);
	}
	return NULL;
}

static void stress_migrate(void **state)
{
	(void)state;
	static struct stress_reports reports = { .lock = PTHREAD_MUTEX_INITIALIZER };
	X.m = pf_test_boot(STRESS_MACHINE_1NODE);
	pf_set_report_hook(X.m, stress_report_hook, &reports);
	for (int i = 0; i < NSLOT_ALL; i++)
		pthread_mutex_init(&X.slot[i].lock, NULL);
	pf_drain_all_pages(X.m);
	pf_vmstat_refresh(X.m);
	long free0 = stress_vmstat(X.m, "nr_free_pages");
	X.deadline = stress_now() + stress_seconds(3.0);
	pf_test_phase("owners, churn and migrators running");

	pthread_t t[NOWNERS + NMIGRATORS + 1];
	int nt = 0;
	for (int i = 0; i < NOWNERS; i++)
		pthread_create(&t[nt++], NULL, owner_main, (void *)(intptr_t)i);
	for (int i = 0; i < NMIGRATORS; i++)
		pthread_create(&t[nt++], NULL, migrator_main, (void *)(intptr_t)i);
	pthread_create(&t[nt++], NULL, churn_main, NULL);
	for (int i = 0; i < nt; i++)
		pthread_join(t[i], NULL);

	pf_test_phase("checking");
	/* the owners' last pages: stamps, then freed */
	for (int i = 0; i < NSLOT_ALL; i++) {
		struct slot *s = &X.slot[i];
		struct pf_page *p = atomic_load(&s->page);
		if (!p)
			continue;
		assert_false(s->frozen);
		assert_int_equal(pf_page_count(p), 1);
		if (!stress_stamps_hold(p, s->order, s->tag))
			stamp_failed("final", p);
		pf_free_pages(p, s->order);
	}
	fprintf(stderr, "moves %ld isolations %ld not moved %ld owner frees while isolated %ld\n",
		atomic_load(&X.moves), atomic_load(&X.isolations), atomic_load(&X.refused),
		atomic_load(&X.owner_frees_frozen));
	stress_print_reports(&reports);
	assert_int_equal(atomic_load(&X.stamp_bad), 0);
	assert_int_equal(atomic_load(&X.migrate_rc_bad), 0);
	assert_int_equal(atomic_load(&X.lost_src), 0);
	assert_true(atomic_load(&X.moves) > 0);
	assert_int_equal(reports.errors, 0);
	assert_int_equal(reports.warnings, 0);
	assert_int_equal(stress_vmstat(X.m, "pageframe_bad_pages"), 0);
	pf_drain_all_pages(X.m);
	pf_vmstat_refresh(X.m);
	assert_int_equal(stress_vmstat(X.m, "nr_free_pages"), free0);
	assert_int_equal(stress_check_accounting(X.m, "end"), 0);
	pf_test_check(X.m, "end");
	pf_machine_destroy(X.m);
}

int main(void)
{
	pf_test_watchdog("test_stress_migrate", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stress_migrate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
