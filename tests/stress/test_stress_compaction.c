/* test_stress_compaction: owner threads allocate, stamp, touch, pin (extra references held across their own lock), make unmovable again and free movable pages (order 0, plain order 1, compound order 2), each owner's pages in its own table under its own lock; a compactor thread runs compact_memory and kcompactd passes in a loop; a contiguous thread takes and gives back ranges (pf_alloc_contig_pages of random sizes, pf_alloc_contig_range over ranges that hold the owners' pages, some as one compound page).  At the end: every stamp and move count intact, each owner's moves between pgmigrate_success's bounds, no page lost, pf_check clean, nothing reported. */
#include "stress_common.h"

#define NOWNERS		3
#define NSLOTS		64
#define ZONE_LO		0x1000UL	/* DMA32: [16 MiB, 128 MiB) */
#define ZONE_HI		0x8000UL
#define MACHINE		"cpus 4\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\nbacking hosted\n"

struct slot {
	struct pf_page *page;	/* where the block is now; NULL when none */
	unsigned order;
	bool compound;
	bool frozen;		/* isolated: the owner does not write the contents */
	bool movable;		/* pf_set_page_movable in force */
	bool keep;		/* about to be made unmovable: isolate_page refuses */
	int extra;		/* references held beside the first */
	uint64_t tag;
	uint64_t moves;		/* also in word 1 of the head page */
};

struct owner {
	pthread_mutex_t lock;	/* the table, and every reference change to its pages */
	struct slot slot[NSLOTS];
	int id;
	bool refuses;		/* this owner sometimes says no */
	uint64_t cb_rand;	/* under lock */
	long moves, moved_pages, frozen_free_pages, isolations, putbacks, refusals;
};

static struct {
	struct pf_machine *m;
	double deadline;	/* the run ends here once something moved and a contiguous range was taken, */
	double hard_deadline;	/* and here at the latest (a loaded machine may schedule the threads late) */
	atomic_long any_moves;
	struct owner own[NOWNERS];
	atomic_long stamp_bad, foreign, contig_ok, contig_busy, contig_nomem, contig_rc_bad, contig_pages;
	atomic_long compactions, kcompactd_runs, kcompactd_rc_bad;
} X;



static bool keep_running(void)
{
	double now = stress_now();
	if (now < X.deadline)
		return true;
	return now < X.hard_deadline && (atomic_load(&X.any_moves) == 0 || atomic_load(&X.contig_ok) == 0);
}

static bool block_holds(struct pf_page *page, unsigned order, uint64_t tag, uint64_t moves)
{
	return stress_stamps_hold(page, order, tag) && ((uint64_t *)pf_page_address(page))[1] == moves;
}

static void stamp_failed(const char *where, struct pf_page *page)
{
	if (atomic_fetch_add(&X.stamp_bad, 1) < 4)
		fprintf(stderr, "stamp or move count changed (%s) at pfn %#lx\n", where, pf_page_to_pfn(page));
}

/* ---- the owners' callbacks: page->private is owner * NSLOTS + slot + 1 ---- */

static struct owner *owner_of(struct pf_page *page, struct slot **sp)
{
	unsigned long idx = page->private;
	if (idx == 0 || idx > NOWNERS * NSLOTS) {
		atomic_fetch_add(&X.foreign, 1);
		return NULL;
	}
	struct owner *o = &X.own[(idx - 1) / NSLOTS];
	*sp = &o->slot[(idx - 1) % NSLOTS];
	return o;
}

static bool own_isolate(struct pf_page *page, int mode)
{
	(void)mode;
	struct slot *s;
	struct owner *o = owner_of(page, &s);
	if (!o)
		return false;
	pthread_mutex_lock(&o->lock);
	bool ok = s->page == page && s->movable && !s->keep && !s->frozen;
	if (ok && o->refuses && stress_rand(&o->cb_rand) % 8 == 0) {
		o->refusals++;
		ok = false;
	}
	if (ok) {
		s->frozen = true;
		o->isolations++;
	}
	pthread_mutex_unlock(&o->lock);
	return ok;
}

static int own_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)mode;
	struct slot *s;
	struct owner *o = owner_of(src, &s);
	if (!o)
		return -EBUSY;
	pthread_mutex_lock(&o->lock);
	if (s->page != src) {
		/* freed by the owner while isolated: not ours any more */
		pthread_mutex_unlock(&o->lock);
		return -EAGAIN;
	}
	if (o->refuses && stress_rand(&o->cb_rand) % 8 == 0) {
		o->refusals++;
		int rc = (stress_rand(&o->cb_rand) & 1) ? -EAGAIN : -EBUSY;
		pthread_mutex_unlock(&o->lock);
		return rc;
	}
	/* the library copied the block before asking; the owner adds its move count */
	if (!block_holds(dst, s->order, s->tag, s->moves))
		stamp_failed("dst as handed to migrate_page", dst);
	((uint64_t *)pf_page_address(dst))[1] = ++s->moves;
	dst->private = src->private;
	s->page = dst;
	s->frozen = false;
	o->moves++;
	atomic_fetch_add(&X.any_moves, 1);
	o->moved_pages += 1L << s->order;
	pthread_mutex_unlock(&o->lock);
	return 0;
}

static void own_putback(struct pf_page *page)
{
	struct slot *s;
	struct owner *o = owner_of(page, &s);
	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	if (s->page == page) {
		s->frozen = false;
		o->putbacks++;
	}
	pthread_mutex_unlock(&o->lock);
}

static const struct pf_movable_operations own_ops = { own_isolate, own_migrate, own_putback };

/* ---- threads ---- */

/* One reference dropped, the owner's lock held. */
static void drop_ref(struct slot *s, struct pf_page *p, uint64_t *rs)
{
	if (s->compound && (stress_rand(rs) & 1))
		pf_put_page(p + 1 + stress_rand(rs) % 3);
	else if (s->order == 0 && (stress_rand(rs) & 1))
		pf_put_page(p);
	else
		pf_free_pages(p, s->order);
}

static void owner_step(struct owner *o, uint64_t *rs, uint64_t *next_tag)
{
	int idx = (int)(stress_rand(rs) % NSLOTS);
	struct slot *s = &o->slot[idx];
	pthread_mutex_lock(&o->lock);
	struct pf_page *p = s->page;
	unsigned r = (unsigned)(stress_rand(rs) % 16);
	if (!p) {
		s->order = r < 2 ? 2 : r < 4 ? 1 : 0;
		s->compound = s->order == 2;
		p = pf_alloc_pages(X.m, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN | (s->compound ? PF___GFP_COMP : 0),
				   s->order);
		if (p) {
			s->tag = ++*next_tag;
			s->moves = 0;
			stress_stamp_block(p, s->order, s->tag);
			((uint64_t *)pf_page_address(p))[1] = 0;
			p->private = (unsigned long)(o->id * NSLOTS + idx + 1);
			s->frozen = s->keep = false;
			s->extra = 0;
			s->page = p;
			s->movable = true;
			pf_set_page_movable(p, &own_ops);
		}
		pthread_mutex_unlock(&o->lock);
		return;
	}
	/* reading is always allowed: nobody writes an isolated page */
	if (!block_holds(p, s->order, s->tag, s->moves))
		stamp_failed("owner", p);
	if (r < 5) {
		if (!s->frozen) {	/* touch: new contents */
			s->tag = ++*next_tag;
			stress_stamp_block(p, s->order, s->tag);
		}
	} else if (r < 7) {
		if (s->extra < 2) {	/* a pin held for a while, also while isolated */
			pf_get_page(s->compound ? p + 3 : p);
			s->extra++;
		}
	} else if (r < 9) {
		if (s->extra > 0) {
			drop_ref(s, p, rs);
			s->extra--;
		}
	} else if (r == 9) {
		if (s->movable && !s->frozen) {
			/* not isolated, and isolate_page refuses from now on: safe to clear without our lock */
			s->keep = true;
			pthread_mutex_unlock(&o->lock);
			pf_clear_page_movable(p);
			pthread_mutex_lock(&o->lock);
			s->movable = false;
		} else if (!s->movable) {
			s->keep = false;
			s->movable = true;
			pf_set_page_movable(p, &own_ops);
		}
	} else if (r >= 12) {
		if (s->frozen)
			o->frozen_free_pages += 1L << s->order;
		s->page = NULL;
		s->frozen = false;
		for (; s->extra > 0; s->extra--)
			drop_ref(s, p, rs);
		drop_ref(s, p, rs);
	}
	pthread_mutex_unlock(&o->lock);
}

static void *owner_main(void *arg)
{
	struct owner *o = arg;
	uint64_t rs = 0xA0761D6478BD642FULL * (uint64_t)(o->id + 1);
	uint64_t next_tag = (uint64_t)o->id << 40;
	pf_bind_cpu(o->id);
	while (keep_running())
		for (int k = 0; k < 64; k++)
			owner_step(o, &rs, &next_tag);
	return NULL;
}

static void *compactor_main(void *arg)
{
	(void)arg;
	uint64_t rs = 0x1D8E4E27C47D124FULL;
	static const char *const proactive[] = { "0", "20", "90", "100" };
	pf_bind_cpu(3);
	while (keep_running()) {
		if (stress_rand(&rs) % 4 == 0)
			pf_sysctl_set(X.m, "compaction_proactiveness", proactive[stress_rand(&rs) % 4]);
		if (stress_rand(&rs) & 1) {
			if (pf_sysctl_set(X.m, "compact_memory", "1") == 0)
				atomic_fetch_add(&X.compactions, 1);
		} else {
			int rc = pf_kcompactd_run(X.m, 0);
			if (rc < 0)
				atomic_fetch_add(&X.kcompactd_rc_bad, 1);
			atomic_fetch_add(&X.kcompactd_runs, 1);
		}
	}
	return NULL;
}

static void contig_stamp(struct pf_page *p, unsigned long n, uint64_t tag)
{
	for (unsigned long i = 0; i < n; i++)
		*(uint64_t *)pf_page_address(p + i) = stress_stamp_of(tag, i, 7);
}

static void contig_check(struct pf_page *p, unsigned long n, uint64_t tag)
{
	for (unsigned long i = 0; i < n; i++)
		if (*(uint64_t *)pf_page_address(p + i) != stress_stamp_of(tag, i, 7)) {
			stamp_failed("contiguous range", p + i);
			return;
		}
}

static void contig_rc(int rc)
{
	if (rc == 0)
		atomic_fetch_add(&X.contig_ok, 1);
	else if (rc == -EBUSY)
		atomic_fetch_add(&X.contig_busy, 1);
	else if (rc == -ENOMEM)
		atomic_fetch_add(&X.contig_nomem, 1);
	else if (atomic_fetch_add(&X.contig_rc_bad, 1) < 4)
		fprintf(stderr, "pf_alloc_contig_range returned %d\n", rc);
}

static void *contig_main(void *arg)
{
	(void)arg;
	uint64_t rs = 0x8EBC6AF09C88C6E3ULL, tag = 1ULL << 50;
	pf_bind_cpu(2);
	while (keep_running()) {
		unsigned long n, pfn;
		struct pf_page *p = NULL;
		bool compound = false;
		unsigned r = (unsigned)(stress_rand(&rs) % 4);
		if (r == 0) {
			n = 1 + stress_rand(&rs) % 700;
			p = pf_alloc_contig_pages(X.m, n, PF_GFP_KERNEL | PF___GFP_NOWARN, NUMA_NO_NODE);
			contig_rc(p ? 0 : -EBUSY);
		} else {
			/*
			 * A range where the owners' pages live: 1..512 pages, or 1024 aligned as one compound
			 * page (a smaller one inside a larger free block is refused with a warning, as 6.12's).
			 */
			compound = r == 3 && (stress_rand(&rs) & 1);
			n = compound ? 1UL << PF_MAX_PAGE_ORDER : 1 + stress_rand(&rs) % 512;
			pfn = ZONE_LO + stress_rand(&rs) % (ZONE_HI - ZONE_LO - n);
			if (compound)
				pfn &= ~(n - 1);
			int rc = pf_alloc_contig_range(X.m, pfn, pfn + n,
						       PF_GFP_KERNEL | PF___GFP_NOWARN | (compound ? PF___GFP_COMP : 0));
			contig_rc(rc);
			if (rc == 0)
				p = pf_pfn_to_page(X.m, pfn);
		}
		if (!p)
			continue;
		atomic_fetch_add(&X.contig_pages, (long)n);
		contig_stamp(p, n, ++tag);
		sched_yield();
		contig_check(p, n, tag);
		if (!compound && n > 1 && (stress_rand(&rs) & 1)) {
			for (unsigned long i = 0; i < n; i++)
				pf_free_pages(p + i, 0);
		} else {
			pf_free_contig_range(X.m, pf_page_to_pfn(p), n);
		}
	}
	return NULL;
}

static void stress_compaction(void **state)
{
	(void)state;
	static struct stress_reports reports = { .lock = PTHREAD_MUTEX_INITIALIZER };
	X.m = pf_test_boot(MACHINE);
	pf_set_report_hook(X.m, stress_report_hook, &reports);
	for (int i = 0; i < NOWNERS; i++) {
		pthread_mutex_init(&X.own[i].lock, NULL);
		X.own[i].id = i;
		X.own[i].refuses = i == NOWNERS - 1;
		X.own[i].cb_rand = 0x9E3779B97F4A7C15ULL + (uint64_t)i;
	}
	pf_drain_all_pages(X.m);
	pf_vmstat_refresh(X.m);
	long free0 = stress_vmstat(X.m, "nr_free_pages");
	long migrated0 = stress_vmstat(X.m, "pgmigrate_success");
	X.deadline = stress_now() + stress_seconds(2.5);
	X.hard_deadline = X.deadline + 15.0;
	pf_test_phase("owners, compactor and contiguous allocator running");

	pthread_t t[NOWNERS + 2];
	int nt = 0;
	for (int i = 0; i < NOWNERS; i++)
		pthread_create(&t[nt++], NULL, owner_main, &X.own[i]);
	pthread_create(&t[nt++], NULL, compactor_main, NULL);
	pthread_create(&t[nt++], NULL, contig_main, NULL);
	for (int i = 0; i < nt; i++)
		pthread_join(t[i], NULL);

	pf_test_phase("checking");
	long moves = 0, moved_pages = 0, frozen_free = 0;
	for (int i = 0; i < NOWNERS; i++) {
		struct owner *o = &X.own[i];
		uint64_t rs = 0x2545F4914F6CDD1DULL + (uint64_t)i;
		uint64_t slot_moves = 0;
		int live = 0;
		for (int k = 0; k < NSLOTS; k++) {
			struct slot *s = &o->slot[k];
			struct pf_page *p = s->page;
			if (!p)
				continue;
			assert_false(s->frozen);
			assert_int_equal(pf_page_count(p), 1 + s->extra);
			if (!block_holds(p, s->order, s->tag, s->moves))
				stamp_failed("final", p);
			slot_moves += s->moves;
			live++;
			s->page = NULL;
			for (; s->extra > 0; s->extra--)
				drop_ref(s, p, &rs);
			drop_ref(s, p, &rs);
		}
		fprintf(stderr, "owner %d: moves %ld (%ld pages; %llu on %d live slots) isolations %ld putbacks %ld "
			"refusals %ld freed while isolated %ld pages\n", i, o->moves, o->moved_pages,
			(unsigned long long)slot_moves, live, o->isolations, o->putbacks, o->refusals, o->frozen_free_pages);
		/* every move was one isolation; every isolation ended in a move, a putback or a free */
		assert_true(o->moves <= o->isolations);
		assert_true(o->moves + o->putbacks <= o->isolations);
		moves += o->moves;
		moved_pages += o->moved_pages;
		frozen_free += o->frozen_free_pages;
	}
	long migrated = stress_vmstat(X.m, "pgmigrate_success") - migrated0;
	fprintf(stderr, "moves %ld (%ld pages), pgmigrate_success %ld, compact_memory %ld, kcompactd passes %ld, "
		"contiguous: %ld taken (%ld pages), %ld busy, %ld no memory\n", moves, moved_pages, migrated,
		atomic_load(&X.compactions), atomic_load(&X.kcompactd_runs), atomic_load(&X.contig_ok),
		atomic_load(&X.contig_pages), atomic_load(&X.contig_busy), atomic_load(&X.contig_nomem));
	stress_print_reports(&reports);
	assert_int_equal(atomic_load(&X.stamp_bad), 0);
	assert_int_equal(atomic_load(&X.foreign), 0);
	assert_int_equal(atomic_load(&X.contig_rc_bad), 0);
	assert_int_equal(atomic_load(&X.kcompactd_rc_bad), 0);
	/* the library counts a page as migrated when its owner moved it, or freed it while it was isolated */
	assert_true(migrated >= moved_pages);
	assert_true(migrated <= moved_pages + frozen_free);
	assert_true(moves > 0);
	assert_true(atomic_load(&X.contig_ok) > 0);
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

/*
 * pin_while_isolated: the owner takes a second reference to its page while
 * the page is isolated and migrate_page has not yet run (under the lock
 * migrate_page takes, as the contract allows), then, once migrate_page has
 * published dst and before it returns, drops both references on dst (it
 * uses dst from then on).  The library counted the owner's references on
 * src before calling migrate_page; dst must not reach zero in its hands.
 */
static struct {
	pthread_mutex_t lock;
	struct pf_page *page;
	atomic_int entered, published, dropped;
	int migrated;
} P = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool pin_isolate(struct pf_page *page, int mode)
{
	(void)page;
	(void)mode;
	return true;
}

static int pin_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)mode;
	atomic_store(&P.entered, 1);
	pthread_mutex_lock(&P.lock);	/* the owner holds it until it took its pin */
	assert_ptr_equal(P.page, src);
	P.page = dst;
	P.migrated++;
	pthread_mutex_unlock(&P.lock);
	atomic_store(&P.published, 1);
	while (!atomic_load(&P.dropped))	/* the owner uses dst at once */
		sched_yield();
	return 0;
}

static void pin_putback(struct pf_page *page)
{
	(void)page;
}

static const struct pf_movable_operations pin_ops = { pin_isolate, pin_migrate, pin_putback };

static void *pin_migrator(void *arg)
{
	unsigned long pfn = (unsigned long)(uintptr_t)arg;
	pf_bind_cpu(1);
	return (void *)(intptr_t)pf_alloc_contig_range(X.m, pfn, pfn + 1, PF_GFP_KERNEL);
}

static void pin_while_isolated(void **state)
{
	(void)state;
	static struct stress_reports reports = { .lock = PTHREAD_MUTEX_INITIALIZER };
	X.m = pf_test_boot(MACHINE);
	pf_set_report_hook(X.m, stress_report_hook, &reports);
	pf_bind_cpu(0);
	pf_drain_all_pages(X.m);
	long free0 = stress_vmstat(X.m, "nr_free_pages");
	struct pf_page *p = pf_alloc_pages(X.m, PF_GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(p);
	stress_stamp_block(p, 0, 77);
	P.page = p;
	pf_set_page_movable(p, &pin_ops);
	unsigned long pfn = pf_page_to_pfn(p);

	pthread_mutex_lock(&P.lock);
	pthread_t t;
	pthread_create(&t, NULL, pin_migrator, (void *)(uintptr_t)pfn);
	pf_test_phase("waiting for migrate_page");
	while (!atomic_load(&P.entered))
		sched_yield();
	pf_get_page(p);			/* a pin, under the lock migrate_page takes */
	pthread_mutex_unlock(&P.lock);
	while (!atomic_load(&P.published))
		sched_yield();
	pthread_mutex_lock(&P.lock);
	struct pf_page *d = P.page;
	pthread_mutex_unlock(&P.lock);
	assert_ptr_not_equal(d, p);
	assert_true(block_holds(d, 0, 77, ((uint64_t *)pf_page_address(p))[1]));
	pf_put_page(d);			/* the pin, then the page: the owner is done with it */
	pf_free_pages(d, 0);
	atomic_store(&P.dropped, 1);
	void *rc;
	pthread_join(t, &rc);
	pf_test_phase("checking");
	assert_int_equal((int)(intptr_t)rc, 0);
	assert_int_equal(P.migrated, 1);
	stress_print_reports(&reports);
	assert_int_equal(reports.errors, 0);
	assert_int_equal(reports.warnings, 0);
	assert_int_equal(stress_vmstat(X.m, "pageframe_bad_pages"), 0);
	pf_free_contig_range(X.m, pfn, 1);
	pf_drain_all_pages(X.m);
	assert_int_equal(stress_vmstat(X.m, "nr_free_pages"), free0);
	assert_int_equal(stress_check_accounting(X.m, "end"), 0);
	pf_test_check(X.m, "end");
	pf_machine_destroy(X.m);
}

int main(void)
{
	pf_test_watchdog("test_stress_compaction", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pin_while_isolated),
		cmocka_unit_test(stress_compaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
