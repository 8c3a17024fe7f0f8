/* test_stress_reclaim: owner threads add file and anonymous pages to the LRU, use them, dirty them, read swapped ones back and free them, while kswapd threads (one per node, "workers threads") and a direct-reclaim thread reclaim and swap: every page's contents survive swap-out and swap-in, no page or swap slot is lost (the free pages, the LRU and swap counters all come back to the start), pf_check is clean and nothing is reported as a bad page. */
#include "stress_common.h"
#include "mm/vmscan.h"
#include "../unit/test_vmscan_owner.h"

#define NOWNERS	4
#define NSLOTS	3500

/* two nodes of 24 MiB each (DMA32), 4 CPUs, a 16 MiB swap area, kswapd as threads */
#define MACHINE                                                                                    \
	"cpus 4\nnode 0 cpus 0-1\nnode 1 cpus 2-3\ndistance 0 1 21\n"                              \
	"mem 0 0x1000000-0x27fffff\nmem 1 0x2800000-0x3ffffff\nthp never\n"                        \
	"sysctl vm.min_free_kbytes=2048\nswap 16M\nworkers threads\n"

static struct {
	struct pf_machine *m;
	double deadline;
	struct lru_owner *owner[NOWNERS];
	atomic_long stamp_bad, ops, readbacks, alloc_fail, reclaimed;
} X;

static void stamp_failed(const char *where, struct pf_page *p)
{
	if (atomic_fetch_add(&X.stamp_bad, 1) < 4)
		fprintf(stderr, "stamp changed (%s) at pfn %#lx\n", where, pf_page_to_pfn(p));
}

/* the page of slot i is used: under the owner's lock, so reclaim cannot take it meanwhile */
static void use_slot(struct lru_owner *o, unsigned i, uint64_t r)
{
	pthread_mutex_lock(&o->lock);
	struct pf_page *p = o->slots[i].page;
	if (p) {
		if (*lru_word(p) != o->slots[i].stamp)
			stamp_failed("use", p);
		pf_mark_page_accessed(p);
		if ((r & 7) == 0 && o->slots[i].type == PF_LRU_FILE)
			pf_set_page_dirty(p);
	}
	pthread_mutex_unlock(&o->lock);
}

/* a swapped-out slot is read back onto the LRU */
static void swap_in(struct lru_owner *o, unsigned i)
{
	pthread_mutex_lock(&o->lock);
	unsigned long e = o->slots[i].entry;
	o->slots[i].entry = 0;
	pthread_mutex_unlock(&o->lock);
	if (!e)
		return;
	struct pf_page *p = pf_swap_readpage(X.m, e, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, &o->as, i);
	if (!p) {
		/* no memory: the data stays in swap */
		pthread_mutex_lock(&o->lock);
		o->slots[i].entry = e;
		pthread_mutex_unlock(&o->lock);
		atomic_fetch_add(&X.alloc_fail, 1);
		return;
	}
	pthread_mutex_lock(&o->lock);
	if (*lru_word(p) != o->slots[i].stamp)
		stamp_failed("swap-in", p);
	o->slots[i].page = p;
	pthread_mutex_unlock(&o->lock);
	atomic_fetch_add(&X.readbacks, 1);
}

static void *owner_main(void *arg)
{
	int t = (int)(intptr_t)arg;
	struct lru_owner *o = X.owner[t];
	uint64_t r = 0x9E3779B97F4A7C15ULL * (uint64_t)(t + 1);
	pf_bind_cpu(t % 4);
	while (stress_now() < X.deadline) {
		uint64_t v = stress_rand(&r);
		unsigned i = (unsigned)(v % NSLOTS);
		unsigned op = (unsigned)((v >> 32) % 16);
		pthread_mutex_lock(&o->lock);
		bool has_page = o->slots[i].page != NULL, has_entry = o->slots[i].entry != 0;
		pthread_mutex_unlock(&o->lock);
		if (!has_page && !has_entry) {
			int type = (v >> 40) & 1 ? PF_LRU_ANON : PF_LRU_FILE;
			if (!lru_owner_fill(o, i, type, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN)) {
				atomic_fetch_add(&X.alloc_fail, 1);
				/* what the slow path does: wake kswapd, reclaim directly */
				int nid = (t % 4) / 2;
				wakeup_kswapd(&X.m->node_data[nid]->node_zones[ZONE_DMA32], PF_GFP_KERNEL, 0, ZONE_NORMAL);
				atomic_fetch_add(&X.reclaimed, (long)pf_try_to_free_pages(X.m, PF_GFP_KERNEL, 0, nid));
			}
		} else if (has_entry && op < 6) {
			swap_in(o, i);
		} else if (op < 12) {
			use_slot(o, i, v >> 48);
		} else {
			lru_owner_drop(o, i);
		}
		atomic_fetch_add_explicit(&X.ops, 1, memory_order_relaxed);
	}
	return NULL;
}

/* direct reclaim and page cache drops beside the owners */
static void *reclaimer_main(void *arg)
{
	(void)arg;
	unsigned n = 0;
	while (stress_now() < X.deadline) {
		atomic_fetch_add(&X.reclaimed, (long)pf_try_to_free_pages(X.m, PF_GFP_KERNEL, 0, (int)(n & 1)));
		if ((++n & 63) == 0)
			atomic_fetch_add(&X.reclaimed, (long)drop_pagecache(X.m));
		sched_yield();
	}
	return NULL;
}

static void reclaim_beside_owners(void **state)
{
	(void)state;
	static struct stress_reports reports = { .lock = PTHREAD_MUTEX_INITIALIZER };
	X.m = pf_test_boot(MACHINE);
	pf_set_report_hook(X.m, stress_report_hook, &reports);
	pf_drain_all_pages(X.m);
	long free0 = pf_test_vmstat(X.m, "nr_free_pages");
	for (int t = 0; t < NOWNERS; t++)
		X.owner[t] = lru_owner_new(X.m, NSLOTS);
	X.deadline = stress_now() + stress_seconds(3.0);

	pthread_t th[NOWNERS + 1];
	for (int t = 0; t < NOWNERS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, owner_main, (void *)(intptr_t)t), 0);
	assert_int_equal(pthread_create(&th[NOWNERS], NULL, reclaimer_main, NULL), 0);
	for (int t = 0; t <= NOWNERS; t++)
		pthread_join(th[t], NULL);
	pf_kswapd_stop(X.m);

	fprintf(stderr, "ops %ld, reclaimed %ld, swap-ins %ld, allocation failures %ld, pswpout %ld, pgsteal_kswapd %ld, "
		"pgsteal_direct %ld, nr_vmscan_write %ld\n",
		atomic_load(&X.ops), atomic_load(&X.reclaimed), atomic_load(&X.readbacks), atomic_load(&X.alloc_fail),
		pf_test_vmstat(X.m, "pswpout"), pf_test_vmstat(X.m, "pgsteal_kswapd"),
		pf_test_vmstat(X.m, "pgsteal_direct"), pf_test_vmstat(X.m, "nr_vmscan_write"));
	assert_int_equal(atomic_load(&X.stamp_bad), 0);
	assert_true(pf_test_vmstat(X.m, "pgsteal_kswapd") + pf_test_vmstat(X.m, "pgsteal_direct") > 0);
	assert_int_equal(pf_test_vmstat(X.m, "nr_isolated_file") + pf_test_vmstat(X.m, "nr_isolated_anon"), 0);

	/* what the owners hold is what the counters say */
	long resident = 0, swapped = 0;
	for (int t = 0; t < NOWNERS; t++)
		for (unsigned i = 0; i < NSLOTS; i++) {
			resident += X.owner[t]->slots[i].page != NULL;
			swapped += X.owner[t]->slots[i].entry != 0;
		}
	long on_lru = pf_test_vmstat(X.m, "nr_inactive_anon") + pf_test_vmstat(X.m, "nr_active_anon") +
		      pf_test_vmstat(X.m, "nr_inactive_file") + pf_test_vmstat(X.m, "nr_active_file");
	assert_int_equal(on_lru, resident);
	assert_int_equal(pf_test_vmstat(X.m, "nr_file_pages") + pf_test_vmstat(X.m, "nr_anon_pages"), resident);
	unsigned long total, freep;
	pf_swap_info(X.m, &total, &freep);
	assert_int_equal((long)(total - freep), swapped);

	for (int t = 0; t < NOWNERS; t++)
		lru_owner_free(X.owner[t]);
	pf_drain_all_pages(X.m);
	assert_int_equal(pf_test_vmstat(X.m, "nr_free_pages"), free0);
	assert_int_equal(on_lru = pf_test_vmstat(X.m, "nr_inactive_file") + pf_test_vmstat(X.m, "nr_active_file") +
				  pf_test_vmstat(X.m, "nr_inactive_anon") + pf_test_vmstat(X.m, "nr_active_anon"), 0);
	assert_int_equal(pf_test_vmstat(X.m, "nr_dirty"), 0);
	pf_swap_info(X.m, &total, &freep);
	assert_int_equal(freep, total);
	assert_int_equal(pf_test_vmstat(X.m, "pageframe_bad_pages"), 0);
	stress_print_reports(&reports);
	assert_int_equal(reports.errors, 0);
	assert_int_equal(stress_check_accounting(X.m, "end"), 0);
	pf_test_check(X.m, "end");
	pf_machine_destroy(X.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reclaim_beside_owners),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
