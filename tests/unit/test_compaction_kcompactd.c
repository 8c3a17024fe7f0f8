/* test_compaction_kcompactd: kcompactd stepped with pf_kcompactd_run decides as 6.12's kcompactd() loop - proactive compaction exactly when the node's fragmentation score exceeds min(max(100 - proactiveness, 5) + 10, 100) (worked by hand), a run that does not lower the score sleeps 64 periods, a wakeup for an order runs kcompactd_do_work - and two identical machines stepped alike end with the same counters; the threaded worker serves a wakeup too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include "mm/internal.h"
#include "test_compaction_owner.h"

/*
 * One zone, DMA32 = pfn 0x1000..0x2fff: 8192 pages, 16 pageblocks, the node's only zone
 * (node_present_pages 8192); min_free_kbytes 0: min 0, low 0 + 8192 * 10 / 10000 = 8.
 * Every page is allocated and owned (movable); then the even pfns of the lower half
 * (0x1000..0x1ffe) are freed: 2048 free order-0 pages, nothing free of order >= 9.
 *   extfrag_for_order(9) = (2048 - 0) * 100 / 2048 = 100;
 *   fragmentation_score_node = 8192 * 100 / (8192 + 1) = 99 (integer division).
 * Marks (fragmentation_score_wmark): low = max(100 - p, 5), high = min(low + 10, 100):
 *   p = 11: low 89, high 99: 99 > 99 is false, no proactive compaction;
 *   p = 12: low 88, high 98: 99 > 98, proactive compaction runs.
 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x2ffffff\nthp never\nsysctl vm.min_free_kbytes=0\n"
#define NPAGES 8192

static struct pf_machine *half_free(struct cmp_owner **op)
{
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct cmp_owner *o = cmp_owner_new(m, NPAGES);
	struct pf_page *p;
	unsigned n = 0;
	while ((p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 0)) != NULL) {
		unsigned long pfn = pf_page_to_pfn(p);
		cmp_owner_adopt(o, (unsigned)(pfn - 0x1000), p);
		n++;
	}
	assert_int_equal(n, NPAGES);
	for (unsigned s = 0; s < NPAGES / 2; s += 2)
		cmp_owner_free(o, s);
	pf_drain_all_pages(m);
	*op = o;
	return m;
}

static long vm(struct pf_machine *m, const char *name)
{
	return pf_test_vmstat(m, name);
}

static void proactive_threshold(void **state)
{
	(void)state;
	struct cmp_owner *o;
	struct pf_machine *m = half_free(&o);
	pg_data_t *pgdat = m->node_data[0];
	struct zone *z = &pgdat->node_zones[ZONE_DMA32];

	assert_int_equal(extfrag_for_order(z, 9), 100);
	assert_int_equal(fragmentation_score_node(pgdat), 99);
	/* a proactiveness write wakes kcompactd to look at once (compaction_proactiveness_sysctl_handler) */
	assert_int_equal(pf_sysctl_set(m, "compaction_proactiveness", "11"), 0);
	assert_int_equal(fragmentation_score_wmark(m, true), 89);
	assert_int_equal(fragmentation_score_wmark(m, false), 99);
	assert_int_equal(pf_kcompactd_run(m, 0), PF_KCOMPACTD_IDLE);
	assert_int_equal(vm(m, "compact_migrate_scanned"), 0);

	assert_int_equal(pf_sysctl_set(m, "compaction_proactiveness", "12"), 0);
	assert_int_equal(fragmentation_score_wmark(m, false), 98);
	assert_int_equal(pf_kcompactd_run(m, 0), PF_KCOMPACTD_PROACTIVE);
	long scanned = vm(m, "compact_migrate_scanned");
	assert_true(scanned > 0);
	assert_int_equal(vm(m, "compact_daemon_migrate_scanned"), scanned);
	assert_int_equal(vm(m, "compact_daemon_free_scanned"), vm(m, "compact_free_scanned"));
	assert_true(vm(m, "pgmigrate_success") > 0);
	assert_int_equal(vm(m, "compact_daemon_wake"), 0);	/* proactive runs are not wakeups */
	/*
	 * compact_node(order -1, MIGRATE_SYNC_LIGHT, whole zone, skip hints ignored), by hand:
	 * the free scanner's stride is 1 in sync modes and doubles (to at most 32) after each
	 * block that gives nothing.  0x2e00 .. 0x2000 are full: strides 1, 2, 4, 8, 16, 32, 32,
	 * 32.  0x1e00 is then sampled every 32nd pfn: its 16 sampled pfns are even, so free, and
	 * taken; its other 240 holes are never visited.  With the stride back at 1 the holes of
	 * 0x1c00, 0x1a00 and 0x1800 follow in order.  The migrate scanner empties 0x1000, 0x1200
	 * and 0x1400 (768 pages into 16 + 256 + 256 + 240 holes), then isolates 32 pages of 0x1600
	 * with 16 holes left (0x19e0 .. 0x19fe): 16 move, compaction_alloc finds nothing more,
	 * migrate_pages ends with -ENOMEM and the other 16 are put back; the free scanner stands
	 * at 0x1600: COMPACT_COMPLETE.  784 pages moved.  The freed pages wait on the per-CPU list
	 * (order -1 never drains, as in 6.12); drained, 0x1000 and 0x1200 merge into one order-10
	 * block and 0x1400 is an order-9 one: extfrag_for_order(9) = (2048 - 3 * 512) * 100 / 2048
	 * = 25, node score 8192 * 25 / 8193 = 24.
	 */
	assert_int_equal(vm(m, "pgmigrate_success"), 784);
	pf_drain_all_pages(m);
	assert_int_equal(z->free_area[10].nr_free, 1);
	assert_int_equal(z->free_area[9].nr_free, 1);
	assert_true(PageBuddy(pf_pfn_to_page(m, 0x1000)) && buddy_order(pf_pfn_to_page(m, 0x1000)) == 10);
	assert_true(PageBuddy(pf_pfn_to_page(m, 0x1400)) && buddy_order(pf_pfn_to_page(m, 0x1400)) == 9);
	assert_int_equal(extfrag_for_order(z, 9), 25);
	assert_int_equal(fragmentation_score_node(pgdat), 24);
	for (unsigned s = 0; s < NPAGES; s++)
		assert_true(o->migrated[s] <= 1);
	assert_int_equal(cmp_owner_check(o), -1);
	pf_test_check(m, "after proactive compaction");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * Every owner refuses isolation: a proactive run moves nothing and the score stays 99, so
 * kcompactd() sleeps default_timeout << COMPACT_MAX_DEFER_SHIFT = 64 periods of 500 ms: the
 * next 63 steps only sleep, the 64th ends the sleep and runs again.  With proactiveness 0
 * the sleep has no timeout: steps do nothing.
 */
static void proactive_backoff(void **state)
{
	(void)state;
	struct cmp_owner *o;
	struct pf_machine *m = half_free(&o);
	for (unsigned s = 0; s < NPAGES; s++)
		o->refuse_isolate[s] = true;
	assert_int_equal(pf_sysctl_set(m, "compaction_proactiveness", "12"), 0);
	assert_int_equal(pf_kcompactd_run(m, 0), PF_KCOMPACTD_PROACTIVE);
	assert_int_equal(fragmentation_score_node(m->node_data[0]), 99);
	long scanned = vm(m, "compact_daemon_migrate_scanned");
	for (int i = 1; i <= 63; i++)
		if (pf_kcompactd_run(m, 0) != PF_KCOMPACTD_IDLE)
			fail_msg("step %d of the 64-period back-off ran", i);
	assert_int_equal(vm(m, "compact_daemon_migrate_scanned"), scanned);
	assert_int_equal(pf_kcompactd_run(m, 0), PF_KCOMPACTD_PROACTIVE);
	assert_true(vm(m, "compact_daemon_migrate_scanned") > scanned);

	/* proactiveness 0: the write does not wake it, and sleeping has no timeout */
	assert_int_equal(pf_sysctl_set(m, "compaction_proactiveness", "0"), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(pf_kcompactd_run(m, 0), PF_KCOMPACTD_IDLE);
	assert_int_equal(pf_kcompactd_run(m, 1), -EINVAL);
	assert_int_equal(pf_kcompactd_run(NULL, 0), -EINVAL);
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

struct trace_buf {
	char lines[8][200];
	int n;
};

static void collect(void *arg, const char *line)
{
	struct trace_buf *t = arg;
	const char *ev = strstr(line, ": mm_compaction_");
	if (ev && t->n < 8)
		snprintf(t->lines[t->n++], sizeof t->lines[0], "%s", ev + 2);
}

/*
 * wakeup_kcompactd(order 9, DMA32): kcompactd_node_suitable -> compaction_suit_allocation_order
 * (min mark): no free order-9 block, and compaction_suitable(9): 2048 free > low 8 + 1024, index
 * 1000 - (1000 + 2048 * 1000 / 512) / 2048 = 998 > 500: CONTINUE, so it is woken.  One step runs
 * kcompactd_do_work(order 9): compact_daemon_wake 1, and the request is cleared.
 * The counters and buddyinfo after it are returned for the determinism check.
 */
static char *wakeup_run(void)
{
	struct cmp_owner *o;
	struct pf_machine *m = half_free(&o);
	pg_data_t *pgdat = m->node_data[0];
	struct trace_buf t = { .n = 0 };
	pf_set_trace(m, "mm_compaction_wakeup_kcompactd,mm_compaction_kcompactd_wake", collect, &t);
	wakeup_kcompactd(pgdat, 9, ZONE_DMA32);
	assert_int_equal(pgdat->kcompactd_max_order, 9);
	assert_int_equal(pf_kcompactd_run(m, 0), PF_KCOMPACTD_WORK);
	pf_set_trace(m, NULL, NULL, NULL);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.lines[0], "mm_compaction_wakeup_kcompactd: nid=0 order=9 classzone_idx=DMA32   ");
	assert_string_equal(t.lines[1], "mm_compaction_kcompactd_wake: nid=0 order=9 classzone_idx=DMA32   ");
	assert_int_equal(vm(m, "compact_daemon_wake"), 1);
	assert_int_equal(pgdat->kcompactd_max_order, 0);
	assert_int_equal(pgdat->kcompactd_highest_zoneidx, pgdat->nr_zones - 1);
	assert_true(vm(m, "pgmigrate_success") > 0);
	assert_int_equal(cmp_owner_check(o), -1);
	pf_test_check(m, "after kcompactd work");

	char *out = malloc(4096);
	size_t n = 0;
	static const char *const names[] = {
		"compact_migrate_scanned", "compact_free_scanned", "compact_isolated", "compact_daemon_wake",
		"compact_daemon_migrate_scanned", "compact_daemon_free_scanned", "pgmigrate_success", "pgmigrate_fail",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		n += (size_t)snprintf(out + n, 4096 - n, "%s %ld\n", names[i], vm(m, names[i]));
	char *bi = pf_test_show_drained(m, "buddyinfo");
	snprintf(out + n, 4096 - n, "%s", bi);
	free(bi);
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
	return out;
}

static void wakeup_deterministic(void **state)
{
	(void)state;
	char *a = wakeup_run();
	char *b = wakeup_run();
	print_message("%s", a);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/*
 * Linux 6.15's vm.defrag_mode (a later kernel than the one followed), with an order-9 wakeup.
 *   defrag_mode 0: kcompactd stops at the first free order-9 block (__compact_finished finds
 *     one on the movable list): 0x1000's 256 pages move, one free pageblock.
 *   defrag_mode 1: kcompactd stops once the high watermark is met by free pages in whole free
 *     pageblocks, tested at order 9: blocks - (2^9 - 1) > high.  high = 16 (min 0, low 8,
 *     high = low + 8): one block gives 512 - 511 = 1, not > 16; two give 1024 - 511 = 513.  So
 *     0x1000 and 0x1200 are emptied: 512 pages, two free pageblocks.
 *   With watermark_scale_factor 1000 (low 819, high 1638) the target, 2150 free pages in
 *     blocks, is more than the 2048 free pages: kcompactd runs until the scanners meet and
 *     moves more (some pages twice: fast_isolate_freepages may pick targets in the upper half
 *     of the space between the scanners, which the migrate scanner reaches later, as in 6.12).
 */
static long defrag_run(int mode, const char *wsf, unsigned long *blocks)
{
	struct cmp_owner *o;
	struct pf_machine *m = half_free(&o);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	char v[2] = { (char)('0' + mode), 0 };
	assert_int_equal(pf_sysctl_set(m, "watermark_scale_factor", wsf), 0);
	assert_int_equal(pf_sysctl_set(m, "defrag_mode", v), 0);
	wakeup_kcompactd(m->node_data[0], 9, ZONE_DMA32);
	assert_int_equal(pf_kcompactd_run(m, 0), PF_KCOMPACTD_WORK);
	long moved = vm(m, "pgmigrate_success");
	pf_drain_all_pages(m);
	*blocks = 0;
	for (unsigned ord = 9; ord < NR_PAGE_ORDERS; ord++)
		*blocks += z->free_area[ord].nr_free << (ord - 9);
	assert_int_equal(cmp_owner_check(o), -1);
	print_message("defrag_mode %d, watermark_scale_factor %s: %ld moved, %lu free pageblocks\n", mode, wsf, moved,
		      *blocks);
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
	return moved;
}

static void defrag_mode_targets_pageblocks(void **state)
{
	(void)state;
	unsigned long b0, b1;
	assert_int_equal(defrag_run(0, "10", &b0), 256);
	assert_int_equal(b0, 1);
	assert_int_equal(defrag_run(1, "10", &b1), 512);
	assert_int_equal(b1, 2);
	long moved0 = defrag_run(0, "1000", &b0), moved1 = defrag_run(1, "1000", &b1);
	assert_int_equal(moved0, 256);
	assert_true(moved1 > 512 && b1 > 2);
}

/* The threaded worker: a wakeup is served by the node's thread; stepping is refused meanwhile. */
static void threaded_worker(void **state)
{
	(void)state;
	struct cmp_owner *o;
	struct pf_machine *m = half_free(&o);
	assert_int_equal(pf_kcompactd_start(m), 0);
	assert_int_equal(pf_kcompactd_start(m), 0);	/* already running: left alone */
	assert_int_equal(pf_kcompactd_run(m, 0), -EBUSY);
	wakeup_kcompactd(m->node_data[0], 9, ZONE_DMA32);
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < 1000 && vm(m, "compact_daemon_wake") < 1; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(vm(m, "compact_daemon_wake"), 1);
	pf_kcompactd_stop(m);
	assert_int_equal(pf_kcompactd_run(m, 0), PF_KCOMPACTD_IDLE);
	assert_int_equal(cmp_owner_check(o), -1);
	pf_test_check(m, "after the threaded kcompactd");
	assert_int_equal(pf_kcompactd_start(m), 0);	/* left running: pf_machine_destroy stops it */
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

int main(void)
{
	pf_test_watchdog("test_compaction_kcompactd", 60);
	/* one host CPU: zone counter differentials follow it, and wakeup_deterministic compares two machines */
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof one, &one))
		perror("sched_setaffinity");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proactive_threshold),
		cmocka_unit_test(proactive_backoff),
		cmocka_unit_test(wakeup_deterministic),
		cmocka_unit_test(defrag_mode_targets_pageblocks),
		cmocka_unit_test(threaded_worker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
