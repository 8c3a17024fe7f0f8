/* test_vmscan_reclaim: get_scan_count and inactive_is_low give 6.12's numbers, and try_to_free_pages reclaims exactly what 6.12's priority loop reclaims - clean file pages released, dirty ones written first, a failing writepage counted and the page kept, anonymous pages swapped out and read back intact, refaults activated by distance - every number worked by hand below; reclaim shrinks the slab, and drop_caches 1 drops clean file pages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include "mm/vmscan.h"
#include "test_vmscan_owner.h"

/* one zone: DMA32 = pfn 0x1000..0x2fff, 8192 pages; GFP_KERNEL's reclaim_idx is ZONE_NORMAL (2) */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x2ffffff\nthp never\nsysctl vm.min_free_kbytes=0\n"

static long vm(struct pf_machine *m, const char *name)
{
	return pf_test_vmstat(m, name);
}

/* ---- get_scan_count and inactive_is_low on list sizes set by hand ---- */

static void set_size(struct lruvec *lruvec, enum lru_list lru, unsigned long n)
{
	lruvec->nr_pages[lru][ZONE_DMA32] = n;
}

static void scan_count(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE "swap 1M\n");
	struct lruvec *lruvec = mem_cgroup_lruvec(NULL, m->node_data[0]);
	unsigned long nr[NR_LRU_LISTS];
	struct scan_control sc = { .m = m, .reclaim_idx = ZONE_NORMAL, .may_swap = 1, .priority = 4 };

	set_size(lruvec, LRU_INACTIVE_ANON, 2048);
	set_size(lruvec, LRU_INACTIVE_FILE, 2048);
	/*
	 * SCAN_FRACT, no costs yet, swappiness 60: total = 0, anon' = file' = 0,
	 * ap = 60 * 1 / 1 = 60, fp = 140 * 1 / 1 = 140, denominator 200.
	 * 2048 >> 4 = 128: anon 128 * 60 / 200 = 38 (38.4), file 128 * 140 / 200 = 89 (89.6).
	 */
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 38);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 89);
	assert_int_equal(nr[LRU_ACTIVE_ANON], 0);
	assert_int_equal(nr[LRU_ACTIVE_FILE], 0);

	/*
	 * anon_cost 100, file_cost 300: total 400, anon' 500, file' 700, total' 1200;
	 * ap = 60 * 1201 / 501 = 143 (143.8), fp = 140 * 1201 / 701 = 239 (239.9), denominator 382;
	 * anon 128 * 143 / 382 = 47 (47.9), file 128 * 239 / 382 = 80 (80.1).
	 */
	sc.anon_cost = 100;
	sc.file_cost = 300;
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 47);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 80);

	/* swappiness 200: fp = 0, everything goes to anon: 128 */
	int sw = 200;
	sc.swappiness = &sw;
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 128);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 0);
	sc.swappiness = NULL;

	/* priority 0 with swappiness: SCAN_EQUAL, the whole lists */
	sc.priority = 0;
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 2048);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 2048);
	/* no swapping allowed: SCAN_FILE, 2048 >> 4 = 128 */
	sc.priority = 4;
	sc.may_swap = 0;
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 0);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 128);
	/* file_is_tiny: SCAN_ANON; cache_trim_mode: SCAN_FILE */
	sc.may_swap = 1;
	sc.file_is_tiny = 1;
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 128);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 0);
	sc.file_is_tiny = 0;
	sc.cache_trim_mode = 1;
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 0);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 128);
	/* pages of zones above reclaim_idx do not count: reclaim_idx DMA (0) sees none */
	sc.reclaim_idx = ZONE_DMA;
	get_scan_count(lruvec, &sc, nr);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 0);

	/*
	 * inactive_is_low: below 1 GiB the ratio is 1: 100 < 200.  At 1,150,000 + ... pages:
	 * inactive 150000, active 1000000: gb = 1150000 >> 18 = 4, ratio int_sqrt(40) = 6,
	 * 900000 < 1000000: low.  inactive 200000: gb = 1200000 >> 18 = 4, 1200000 < 1000000: not low.
	 */
	set_size(lruvec, LRU_INACTIVE_FILE, 100);
	set_size(lruvec, LRU_ACTIVE_FILE, 200);
	assert_true(inactive_is_low(lruvec, LRU_INACTIVE_FILE));
	set_size(lruvec, LRU_INACTIVE_FILE, 150000);
	set_size(lruvec, LRU_ACTIVE_FILE, 1000000);
	assert_true(inactive_is_low(lruvec, LRU_INACTIVE_FILE));
	set_size(lruvec, LRU_INACTIVE_FILE, 200000);
	assert_false(inactive_is_low(lruvec, LRU_INACTIVE_FILE));

	memset(lruvec->nr_pages, 0, sizeof lruvec->nr_pages);
	pf_machine_destroy(m);
}

/* ---- try_to_free_pages ---- */

static struct pf_machine *machine_with(const char *extra, struct lru_owner **op, unsigned n, int type, bool dirty)
{
	char desc[512];
	pf_bind_cpu(0);
	snprintf(desc, sizeof desc, "%s%s", MACHINE, extra);
	struct pf_machine *m = pf_test_boot(desc);
	struct lru_owner *o = lru_owner_new(m, n);
	for (unsigned i = 0; i < n; i++) {
		assert_true(lru_owner_fill(o, i, type, PF_GFP_HIGHUSER_MOVABLE));
		if (dirty)
			pf_set_page_dirty(o->slots[i].page);
	}
	*op = o;
	return m;
}

static unsigned long direct_reclaim(struct pf_machine *m)
{
	return pf_try_to_free_pages(m, PF_GFP_KERNEL, 0, 0);
}

/*
 * 6000 clean inactive file pages, no swap.  Each priority: cache_trim_mode (file >> p is not 0,
 * no deactivation wanted), SCAN_FILE, scan = inactive >> p:
 *   p12: 6000 >> 12 = 1   (total 1)
 *   p11: 5999 >> 11 = 2   (3)
 *   p10: 5997 >> 10 = 5   (8)
 *   p9:  5992 >> 9 = 11   (19)
 *   p8:  5981 >> 8 = 23   (42) >= SWAP_CLUSTER_MAX: stop.
 * The oldest pages go first: slots 0..41.
 */
static void clean_file(void **state)
{
	(void)state;
	struct lru_owner *o;
	struct pf_machine *m = machine_with("", &o, 6000, PF_LRU_FILE, false);

	assert_int_equal(direct_reclaim(m), 42);
	assert_int_equal(o->released, 42);
	for (unsigned i = 0; i < 6000; i++)
		assert_true((o->slots[i].page == NULL) == (i < 42));
	assert_int_equal(vm(m, "pgscan_direct"), 42);
	assert_int_equal(vm(m, "pgsteal_direct"), 42);
	assert_int_equal(vm(m, "pgscan_file"), 42);
	assert_int_equal(vm(m, "pgsteal_file"), 42);
	assert_int_equal(vm(m, "pgscan_kswapd"), 0);
	assert_int_equal(vm(m, "allocstall_normal"), 1);
	assert_int_equal(vm(m, "nr_inactive_file"), 6000 - 42);
	assert_int_equal(vm(m, "nr_file_pages"), 6000 - 42);
	assert_int_equal(vm(m, "nr_isolated_file"), 0);
	assert_int_equal(vm(m, "pageframe_bad_pages"), 0);
	lru_owner_free(o);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

/*
 * 100 inactive file pages (slots 0..99), then slots 100..199 used twice each: active, in
 * that order (slot 100 at the active tail); the workingset clock is at 100.
 * No swap: SCAN_FILE throughout.  Per priority (I = inactive, A = active):
 *   p12..p7: every list >> p is 0.
 *   p6: I 100, A 100: not low, cache trim; I 1 -> slot 0 (1); A 1 skipped (no deactivation).
 *   p5: I 99 < A 100: low, deactivate; I 3 -> slots 1..3 (4); A 3: slots 100..102 to inactive.
 *   p4: I 99, A 97: not low; I 6 -> slots 4..9 (10); A 6 skipped.
 *   p3: I 93 < A 97: low; I 11 -> slots 10..20 (21); A 12: slots 103..114 to inactive.
 *   p2: I 94, A 85: not low; I 23 -> slots 21..43 (44) >= 32: stop.
 * Reclaimed 44; pgrefill = pgdeactivate = 15; clock 100 + 44 = 144.
 * Refault of slot 0 (evicted at 100): distance 44 <= active file 85: activated.
 * Then drop_pagecache releases the other 71 + 85 + 1 = 157 file pages: clock 145 + 157 = 302,
 * nothing active: the refault of slot 1 (evicted at 101, distance 201) is not activated.
 */
static void active_inactive_and_refault(void **state)
{
	(void)state;
	struct lru_owner *o;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	o = lru_owner_new(m, 200);
	for (unsigned i = 0; i < 200; i++)
		assert_true(lru_owner_fill(o, i, PF_LRU_FILE, PF_GFP_HIGHUSER_MOVABLE));
	for (unsigned i = 100; i < 200; i++) {
		pf_mark_page_accessed(o->slots[i].page);
		pf_mark_page_accessed(o->slots[i].page);
	}
	assert_int_equal(vm(m, "pgactivate"), 100);
	assert_int_equal(vm(m, "nr_active_file"), 100);

	assert_int_equal(direct_reclaim(m), 44);
	for (unsigned i = 0; i < 200; i++)
		assert_true((o->slots[i].page == NULL) == (i < 44));
	assert_int_equal(vm(m, "pgrefill"), 15);
	assert_int_equal(vm(m, "pgdeactivate"), 15);
	assert_int_equal(vm(m, "pgscan_direct"), 44);
	assert_int_equal(vm(m, "nr_inactive_file"), 71);
	assert_int_equal(vm(m, "nr_active_file"), 85);
	for (unsigned i = 100; i < 115; i++)
		assert_true(pf_PageWorkingset(o->slots[i].page) && !pf_PageActive(o->slots[i].page));
	assert_false(pf_PageWorkingset(o->slots[115].page));

	assert_true(lru_owner_fill(o, 0, PF_LRU_FILE, PF_GFP_HIGHUSER_MOVABLE));
	assert_true(pf_PageActive(o->slots[0].page));
	assert_int_equal(vm(m, "workingset_refault_file"), 1);
	assert_int_equal(vm(m, "workingset_activate_file"), 1);
	assert_int_equal(vm(m, "workingset_restore_file"), 0);
	assert_int_equal(vm(m, "nr_active_file"), 86);

	assert_int_equal(drop_pagecache(m), 157);
	assert_int_equal(vm(m, "nr_file_pages"), 0);
	assert_int_equal(vm(m, "drop_pagecache"), 1);
	assert_true(lru_owner_fill(o, 1, PF_LRU_FILE, PF_GFP_HIGHUSER_MOVABLE));
	assert_false(pf_PageActive(o->slots[1].page));
	assert_int_equal(vm(m, "workingset_refault_file"), 2);
	assert_int_equal(vm(m, "workingset_activate_file"), 1);
	lru_owner_free(o);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

/* the same 6000 pages, all dirty: the same 42 go, each written through writepage first */
static void dirty_file(void **state)
{
	(void)state;
	struct lru_owner *o;
	struct pf_machine *m = machine_with("", &o, 6000, PF_LRU_FILE, true);

	assert_int_equal(vm(m, "nr_dirty"), 6000);
	assert_int_equal(direct_reclaim(m), 42);
	assert_int_equal(o->written, 42);
	assert_int_equal(o->released, 42);
	assert_int_equal(vm(m, "nr_vmscan_write"), 42);
	assert_int_equal(vm(m, "nr_written"), 42);
	assert_int_equal(vm(m, "nr_dirty"), 6000 - 42);
	assert_int_equal(vm(m, "nr_writeback"), 0);
	lru_owner_free(o);
	assert_int_equal(vm(m, "nr_dirty"), 0);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

static char reports[8192];
static void capture(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	if (strlen(reports) + strlen(line) + 2 < sizeof reports) {
		strcat(reports, line);
		strcat(reports, "\n");
	}
}

/*
 * Every write fails (-EIO): each page scanned is written, fails, stays dirty and goes back.
 * Nothing is reclaimed, so the priority loop runs to 0: sum over p = 12..0 of 6000 >> p =
 * 1 + 2 + 5 + 11 + 23 + 46 + 93 + 187 + 375 + 750 + 1500 + 3000 + 6000 = 11993 scans, and
 * do_try_to_free_pages runs it a second time (memcg_full_walk): 23986 failed writes, two
 * allocstalls, 0 returned.
 */
static void writepage_fails(void **state)
{
	(void)state;
	struct lru_owner *o;
	struct pf_machine *m = machine_with("", &o, 6000, PF_LRU_FILE, true);
	o->writepage_rc = -5;
	pf_set_report_hook(m, capture, NULL);
	reports[0] = '\0';

	assert_int_equal(direct_reclaim(m), 0);
	assert_int_equal(o->write_failed, 23986);
	assert_int_equal(o->released, 0);
	assert_int_equal(vm(m, "pgscan_direct"), 23986);
	assert_int_equal(vm(m, "allocstall_normal"), 2);
	assert_int_equal(vm(m, "nr_dirty"), 6000);
	assert_int_equal(vm(m, "nr_inactive_file"), 6000);
	assert_int_equal(vm(m, "nr_vmscan_write"), 0);
	assert_int_equal(vm(m, "pageframe_writepage_errors"), 23986);
	assert_non_null(strstr(reports, "writepage of pfn"));
	assert_non_null(strstr(reports, "failed (-5); the page stays dirty on the LRU (1 failed writes)"));
	lru_owner_free(o);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

/*
 * 3000 anonymous pages and a 16 MiB swap area.  SCAN_FRACT with swappiness 60 on the
 * anon list alone (no file pages); each swapped page costs SWAP_CLUSTER_MAX (lru_note_cost):
 *   p12..p10: 3000 >> p is 0, 1, 2; times 60 / 200: 0.
 *   p9:  costs 0/0: ap 60, fp 140; 3000 >> 9 = 5; 5 * 60 / 200 = 1 (1); anon_cost 32.
 *   p8:  anon' 64, file' 32, total' 96: ap = 60*97/65 = 89, fp = 140*97/33 = 411;
 *        2999 >> 8 = 11; 11 * 89 / 500 = 1 (2); anon_cost 64.
 *   p7:  anon' 128, file' 64, total' 192: ap = 60*193/129 = 89, fp = 140*193/65 = 415;
 *        2998 >> 7 = 23; 23 * 89 / 504 = 4 (6); anon_cost 64 + 128 = 192.
 *   p6:  anon' 384, file' 192, total' 576: ap = 60*577/385 = 89, fp = 140*577/193 = 418;
 *        2994 >> 6 = 46; 46 * 89 / 507 = 8 (14); anon_cost 192 + 256 = 448.
 *   p5:  anon' 896, file' 448, total' 1344: ap = 60*1345/897 = 89, fp = 140*1345/449 = 419;
 *        2986 >> 5 = 93; 93 * 89 / 508 = 16 (30); anon_cost 448 + 512 = 960 > 2970 / 4:
 *        halved to 480.
 *   p4:  anon' 960, file' 480, total' 1440: ap = 60*1441/961 = 89, fp = 140*1441/481 = 419;
 *        2970 >> 4 = 185; 185 * 89 / 508 = 32 (62) >= 32: stop.
 * 62 pages swapped out (oldest first: slots 0..61); read back, each holds its stamp.
 */
static void anon_swap(void **state)
{
	(void)state;
	struct lru_owner *o;
	struct pf_machine *m = machine_with("swap 16M\n", &o, 3000, PF_LRU_ANON, false);

	assert_int_equal(direct_reclaim(m), 62);
	assert_int_equal(o->unmapped, 62);
	assert_int_equal(vm(m, "pswpout"), 62);
	assert_int_equal(vm(m, "pgsteal_anon"), 62);
	assert_int_equal(vm(m, "pgscan_anon"), 62);
	assert_int_equal(vm(m, "nr_inactive_anon"), 3000 - 62);
	assert_int_equal(vm(m, "nr_anon_pages"), 3000 - 62);
	unsigned long total, freep;
	pf_swap_info(m, &total, &freep);
	assert_int_equal(total - freep, 62);
	for (unsigned i = 0; i < 3000; i++)
		assert_true((o->slots[i].entry != 0) == (i < 62));

	/* read back: contents intact, slot freed, a refault counted (nothing active: not recent) */
	for (unsigned i = 0; i < 62; i++) {
		struct pf_page *p = pf_swap_readpage(m, o->slots[i].entry, PF_GFP_HIGHUSER_MOVABLE, &o->as, i);
		assert_non_null(p);
		assert_true(pf_PageLRU(p));
		assert_int_equal(p->index, i);
		assert_true(*lru_word(p) == o->slots[i].stamp);
		pthread_mutex_lock(&o->lock);
		o->slots[i].page = p;
		o->slots[i].entry = 0;
		pthread_mutex_unlock(&o->lock);
	}
	assert_int_equal(vm(m, "pswpin"), 62);
	assert_int_equal(vm(m, "workingset_refault_anon"), 62);
	assert_int_equal(vm(m, "workingset_activate_anon"), 0);
	pf_swap_info(m, &total, &freep);
	assert_int_equal(freep, total);
	assert_int_equal(vm(m, "nr_inactive_anon"), 3000);
	/* a freed entry is refused */
	assert_int_equal(pf_swap_free(m, 1), -EINVAL);
	lru_owner_free(o);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

/* without swap anonymous pages are not even scanned (SCAN_FILE): nothing to reclaim */
static void anon_without_swap(void **state)
{
	(void)state;
	struct lru_owner *o;
	struct pf_machine *m = machine_with("", &o, 3000, PF_LRU_ANON, false);
	assert_int_equal(direct_reclaim(m), 0);
	assert_int_equal(vm(m, "pgscan_direct"), 0);
	assert_int_equal(vm(m, "allocstall_normal"), 2);
	assert_int_equal(o->unmapped, 0);
	lru_owner_free(o);
	pf_machine_destroy(m);
}

/* an owner that refuses: the pages are activated (filemap_release_folio said no) and stay */
static void owner_refuses(void **state)
{
	(void)state;
	struct lru_owner *o;
	struct pf_machine *m = machine_with("", &o, 6000, PF_LRU_FILE, false);
	o->refuse = true;
	/* p12: the one page scanned is refused and activated; pgactivate counts it */
	unsigned long n = direct_reclaim(m);
	assert_int_equal(n, 0);
	assert_int_equal(o->released, 0);
	assert_true(vm(m, "pgactivate") > 0);
	assert_int_equal(vm(m, "nr_file_pages"), 6000);
	assert_int_equal(vm(m, "nr_active_file") + vm(m, "nr_inactive_file"), 6000);
	lru_owner_free(o);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

/* a shrinker's cache: count_objects says how many are left, scan_objects frees what it is asked */
static unsigned long cache_objects, cache_scans;
static unsigned long cache_count(void *arg, struct pf_shrink_control *sc)
{
	(void)arg;
	(void)sc;
	return cache_objects;
}
static unsigned long cache_scan(void *arg, struct pf_shrink_control *sc)
{
	(void)arg;
	unsigned long n = sc->nr_to_scan < cache_objects ? sc->nr_to_scan : cache_objects;
	cache_objects -= n;
	sc->nr_scanned = n;
	cache_scans++;
	return n;
}

/*
 * Reclaim shrinks the slab too (shrink_node_memcgs -> shrink_slab), and drop_caches 1 is
 * drop_pagecache: 100 clean and 10 dirty file pages, drop_caches=1 releases the 100 clean ones.
 */
static void slab_and_drop_caches(void **state)
{
	(void)state;
	struct lru_owner *o;
	struct pf_machine *m = machine_with("", &o, 110, PF_LRU_FILE, false);
	for (unsigned i = 100; i < 110; i++)
		pf_set_page_dirty(o->slots[i].page);
	static const struct pf_shrinker_ops ops = { cache_count, cache_scan };
	cache_objects = 100000;
	cache_scans = 0;
	struct pf_shrinker *s = pf_shrinker_register(m, "test-cache", &ops, NULL, 2);
	assert_non_null(s);
	pf_try_to_free_pages(m, PF_GFP_KERNEL, 0, 0);
	assert_true(cache_scans > 0);
	assert_int_equal(vm(m, "slabs_scanned"), 100000 - (long)cache_objects);
	pf_shrinker_unregister(s);

	long released = (long)o->released;
	long files = vm(m, "nr_file_pages");
	assert_int_equal(pf_sysctl_set(m, "drop_caches", "1"), 0);
	assert_int_equal(vm(m, "drop_pagecache"), 1);
	assert_int_equal(vm(m, "nr_file_pages"), 10);
	assert_int_equal((long)o->released - released, files - 10);
	for (unsigned i = 100; i < 110; i++)
		assert_non_null(o->slots[i].page);
	lru_owner_free(o);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scan_count),
		cmocka_unit_test(clean_file),
		cmocka_unit_test(active_inactive_and_refault),
		cmocka_unit_test(dirty_file),
		cmocka_unit_test(writepage_fails),
		cmocka_unit_test(anon_swap),
		cmocka_unit_test(anon_without_swap),
		cmocka_unit_test(owner_refuses),
		cmocka_unit_test(slab_and_drop_caches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
