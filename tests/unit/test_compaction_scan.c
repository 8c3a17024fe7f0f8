/* test_compaction_scan: compact_memory on a hand-built zone takes migration sources and free targets in the order 6.12's scanners do (isolate_migratepages_block / isolate_freepages_block ranges and counts, worked by hand below), every movable page moves once with its contents, a refusing owner keeps its page while the rest moves (pgmigrate_fail), and the emptied pageblock becomes a free order-9 block. */
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
#include "mm/internal.h"
#include "test_compaction_owner.h"

/*
 * The machine: one zone, DMA32 = pfn 0x1000..0x1fff (16..32 MiB: DMA is empty), 4096 pages,
 * eight pageblocks B0..B7 at 0x1000 + 0x200 * i, all MOVABLE; min_free_kbytes 0, so min = 0
 * and __isolate_free_page only needs free pages > 2^order.  One CPU, the test bound to it.
 *
 * The state, built by allocating every page (order 0, movable gfp) and freeing some:
 *   B0: 0x1000..0x1027 owned movable pages (slots 0..39, slot i at 0x1000 + i);
 *       0x1028..0x11ff free, merged into 0x1028 (o3), 0x1030 (o4), 0x1040 (o6), 0x1080 (o7), 0x1100 (o8).
 *   B1..B6: allocated, not movable.
 *   B7: allocated except the even pfns 0x1f00, 0x1f02, ..., 0x1ffe (128 free order-0 pages).
 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x1ffffff\nthp never\nsysctl vm.min_free_kbytes=0\n"
#define NR_SLOTS 40

struct trace_buf {
	char lines[64][200];
	int n;
};

static void collect(void *arg, const char *line)
{
	struct trace_buf *t = arg;
	const char *ev = strstr(line, ": mm_");
	if (!ev || t->n >= 64)
		return;
	snprintf(t->lines[t->n++], sizeof t->lines[0], "%s", ev + 2);
}

static struct pf_page *all_pages[0x2000];

static struct pf_machine *build(struct cmp_owner **op)
{
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	assert_int_equal(z->zone_start_pfn, 0x1000);
	assert_int_equal(zone_end_pfn(z), 0x2000);
	assert_int_equal(z->_watermark[WMARK_MIN], 0);
	memset(all_pages, 0, sizeof all_pages);
	unsigned n = 0;
	struct pf_page *p;
	while ((p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 0)) != NULL) {
		all_pages[pf_page_to_pfn(p)] = p;
		n++;
	}
	assert_int_equal(n, 4096);
	struct cmp_owner *o = cmp_owner_new(m, NR_SLOTS);
	for (unsigned i = 0; i < NR_SLOTS; i++)
		cmp_owner_adopt(o, i, all_pages[0x1000 + i]);
	for (unsigned long pfn = 0x1028; pfn < 0x1200; pfn++)
		pf_free_pages(all_pages[pfn], 0);
	for (unsigned long pfn = 0x1f00; pfn < 0x2000; pfn += 2)
		pf_free_pages(all_pages[pfn], 0);
	pf_drain_all_pages(m);
	assert_int_equal(z->free_area[8].nr_free, 1);
	assert_int_equal(z->free_area[0].nr_free, 128);
	assert_int_equal(z->free_area[9].nr_free, 0);
	*op = o;
	return m;
}

/*
 * compact_memory = compact_node(order -1, MIGRATE_SYNC, whole zone, skip hints ignored):
 *
 * Pass 1.  isolate_migratepages_block(0x1000, 0x1200) isolates slots 0..31 and stops at
 *   COMPACT_CLUSTER_MAX: range 0x1000 ~ 0x1020, 32 scanned, 32 taken.  migrate_pages asks
 *   compaction_alloc for slot 31 first (isolation pushes on the list head); the private
 *   lists are empty, so isolate_freepages runs: no fast search for order -1; free_pfn =
 *   pageblock_start(0x1fff) = 0x1e00; B7 starts with an allocated page in a MOVABLE block, so
 *   it is a target; stride 1 (sync): the 32nd free page is 0x1f3e, then blockpfn = 0x1f3f:
 *   range 0x1e00 ~ 0x1f3f, 0x1f3e - 0x1e00 + 1 = 319 scanned, 32 taken; free_pfn = 0x1f3f.
 *   Targets are handed out from the head of freepages[0] (added at the tail): slot 31 ->
 *   0x1f00, slot 30 -> 0x1f02, ..., slot 0 -> 0x1f3e, i.e. slot s -> 0x1f00 + 2 * (31 - s).
 * Pass 2.  migrate_pfn 0x1020 is in the block just migrated from, so finish_pageblock:
 *   0x1020..0x1027 isolated (slots 32..39), then the buddy blocks 0x1028 (o3), 0x1030 (o4),
 *   0x1040 (o6), 0x1080 (o7), 0x1100 (o8) are stepped over: 8 + 8 + 16 + 64 + 128 + 256 = 480
 *   scanned, 8 taken, range 0x1020 ~ 0x1200.  Free scan from 0x1f3f (odd, allocated): the 8th
 *   free page is 0x1f4e: range 0x1f3f ~ 0x1f4f, 16 scanned, 8 taken.  Slot 39 -> 0x1f40, ...,
 *   slot 32 -> 0x1f4e, i.e. slot s -> 0x1f40 + 2 * (39 - s).
 * Each migrate_pages call ends with its mm_migrate_pages line (32, then 8 moved, mode
 *   MIGRATE_SYNC, reason compaction).
 * Passes 3..8.  B1..B6 hold nothing movable: one line each, 512 scanned, 0 taken.  After B6
 *   migrate_pfn = 0x1e00 and free_pfn 0x1f4f is in the same block: the scanners met,
 *   COMPACT_COMPLETE.
 */
static const char *const expected[] = {
	"mm_compaction_isolate_migratepages: range=(0x1000 ~ 0x1020) nr_scanned=32 nr_taken=32",
	"mm_compaction_isolate_freepages: range=(0x1e00 ~ 0x1f3f) nr_scanned=319 nr_taken=32",
	"mm_migrate_pages: nr_succeeded=32 nr_failed=0 nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 nr_split=0 "
	"mode=MIGRATE_SYNC reason=compaction",
	"mm_compaction_isolate_migratepages: range=(0x1020 ~ 0x1200) nr_scanned=480 nr_taken=8",
	"mm_compaction_isolate_freepages: range=(0x1f3f ~ 0x1f4f) nr_scanned=16 nr_taken=8",
	"mm_migrate_pages: nr_succeeded=8 nr_failed=0 nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 nr_split=0 "
	"mode=MIGRATE_SYNC reason=compaction",
	"mm_compaction_isolate_migratepages: range=(0x1200 ~ 0x1400) nr_scanned=512 nr_taken=0",
	"mm_compaction_isolate_migratepages: range=(0x1400 ~ 0x1600) nr_scanned=512 nr_taken=0",
	"mm_compaction_isolate_migratepages: range=(0x1600 ~ 0x1800) nr_scanned=512 nr_taken=0",
	"mm_compaction_isolate_migratepages: range=(0x1800 ~ 0x1a00) nr_scanned=512 nr_taken=0",
	"mm_compaction_isolate_migratepages: range=(0x1a00 ~ 0x1c00) nr_scanned=512 nr_taken=0",
	"mm_compaction_isolate_migratepages: range=(0x1c00 ~ 0x1e00) nr_scanned=512 nr_taken=0",
	"mm_compaction_end: zone_start=0x1000 migrate_pfn=0x1e00 free_pfn=0x1f4f zone_end=0x2000, mode=sync status=complete",
};

static void scanners_order_and_moves(void **state)
{
	(void)state;
	struct cmp_owner *o;
	struct pf_machine *m = build(&o);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	struct trace_buf t = { .n = 0 };

	assert_int_equal(pf_set_trace(m, "mm_compaction_isolate_migratepages,mm_compaction_isolate_freepages,"
				      "mm_migrate_pages,mm_compaction_end", collect, &t), 0);
	assert_int_equal(pf_sysctl_set(m, "compact_memory", "1"), 0);
	pf_set_trace(m, NULL, NULL, NULL);

	int ne = (int)(sizeof expected / sizeof expected[0]);
	for (int i = 0; i < t.n || i < ne; i++) {
		const char *got = i < t.n ? t.lines[i] : "(none)";
		const char *want = i < ne ? expected[i] : "(none)";
		if (strcmp(got, want))
			fail_msg("trace line %d:\n  got  %s\n  want %s", i, got, want);
	}

	/* every page moved exactly once, to the pfn worked out above, contents intact */
	for (unsigned s = 0; s < NR_SLOTS; s++) {
		unsigned long want = s < 32 ? 0x1f00 + 2 * (31 - s) : 0x1f40 + 2 * (39 - s);
		assert_int_equal(o->isolated[s], 1);
		assert_int_equal(o->migrated[s], 1);
		assert_int_equal(o->putback[s], 0);
		if (pf_page_to_pfn(o->page[s]) != want)
			fail_msg("slot %u at %#lx, want %#lx", s, pf_page_to_pfn(o->page[s]), want);
	}
	assert_int_equal(cmp_owner_check(o), -1);
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_success"), 40);
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_fail"), 0);
	assert_int_equal(pf_test_vmstat(m, "compact_isolated"), 80);	/* 40 movable + 40 free */
	/* 32 + 480 + 6 * 512 by the migrate scanner, 319 + 16 by the free scanner */
	assert_int_equal(pf_test_vmstat(m, "compact_migrate_scanned"), 32 + 480 + 6 * 512);
	assert_int_equal(pf_test_vmstat(m, "compact_free_scanned"), 319 + 16);
	/* B6 got its skip hint, B0 (finished with pages isolated) did not */
	assert_true(get_pageblock_skip(pf_pfn_to_page(m, 0x1c00)));
	assert_false(get_pageblock_skip(pf_pfn_to_page(m, 0x1000)));

	/* B0 is empty: once the per-CPU lists are drained it is one free order-9 block */
	pf_drain_all_pages(m);
	assert_int_equal(z->free_area[9].nr_free, 1);
	assert_true(PageBuddy(pf_pfn_to_page(m, 0x1000)) && buddy_order(pf_pfn_to_page(m, 0x1000)) == 9);
	pf_test_check(m, "after compact_memory");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * The same zone; slot 5 refuses isolation, slot 9 refuses every migrate_page with -EAGAIN.
 * Slot 5 is passed over by the scanner (never isolated, so not a migration failure); slot 9 is
 * isolated, fails every retry of migrate_pages and is put back: pgmigrate_fail 1, 38 moved.
 * Both stay where they were with their contents; B0 cannot become free.
 */
static void refusing_owner_keeps_page(void **state)
{
	(void)state;
	struct cmp_owner *o;
	struct pf_machine *m = build(&o);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];

	o->refuse_isolate[5] = true;
	o->refuse_migrate[9] = true;
	assert_int_equal(pf_sysctl_set(m, "compact_memory", "1"), 0);

	for (unsigned s = 0; s < NR_SLOTS; s++) {
		if (s == 5 || s == 9) {
			assert_int_equal(pf_page_to_pfn(o->page[s]), 0x1000 + s);
			assert_int_equal(o->migrated[s], 0);
			continue;
		}
		assert_int_equal(o->migrated[s], 1);
		assert_true(pf_page_to_pfn(o->page[s]) >= 0x1e00);
	}
	assert_int_equal(o->isolated[5], 0);
	assert_int_equal(o->isolated[9], 1);
	assert_true(o->refused[9] >= 1);
	assert_int_equal(o->putback[9], 1);
	assert_int_equal(cmp_owner_check(o), -1);
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_success"), 38);
	assert_int_equal(pf_test_vmstat(m, "pgmigrate_fail"), 1);
	pf_drain_all_pages(m);
	assert_int_equal(z->free_area[9].nr_free, 0);
	pf_test_check(m, "after compact_memory with refusals");
	cmp_owner_destroy(o);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * compact_memory takes only 1 (6.12's sysctl_compaction_handler: the value is stored, then
 * anything but 1 is -EINVAL); the other compaction sysctls have the kernel's bounds and defaults.
 */
static void compaction_sysctls(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000000-0x1ffffff\n");
	char buf[32];
	assert_int_equal(pf_sysctl_set(m, "compact_memory", "2"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "compact_memory", "0"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "compact_memory", "1"), 0);
	assert_int_equal(pf_sysctl_get(m, "compaction_proactiveness", buf, sizeof buf), 0);
	assert_string_equal(buf, "20");
	assert_int_equal(pf_sysctl_get(m, "extfrag_threshold", buf, sizeof buf), 0);
	assert_string_equal(buf, "500");
	assert_int_equal(pf_sysctl_get(m, "compact_unevictable_allowed", buf, sizeof buf), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(pf_sysctl_get(m, "defrag_mode", buf, sizeof buf), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(pf_sysctl_set(m, "compaction_proactiveness", "101"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "extfrag_threshold", "1001"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "compact_unevictable_allowed", "2"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "defrag_mode", "2"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "extfrag_threshold", "1000"), 0);
	pf_machine_destroy(m);
}

/*
 * A page's first word (page->lru.next, shared with compound_head) belongs to its owner while
 * the page is allocated.  An owner's value with bit 0 set looks like a tail's link to its
 * head: compaction's pageblock_skip_persistent must not follow it out of the memmap (it did,
 * and read the "head" at 0x12344: a crash), nor follow the word a second time (a tail cleared
 * between two reads made it follow -1: found by the soak under ThreadSanitizer).
 */
static void owner_word_not_followed(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_page *blocks[8];
	int n = 0;
	/* the whole zone as eight non-compound order-9 blocks, then one given back as a target */
	while (n < 8 && (blocks[n] = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN, 9)))
		n++;
	assert_int_equal(n, 8);
	struct pf_page *first = NULL;
	for (int i = 0; i < n; i++)
		if (!first || blocks[i] < first)
			first = blocks[i];
	assert_int_equal(pf_page_to_pfn(first), 0x1000);	/* the zone's first pageblock */
	struct pf_page *last = first;
	for (int i = 0; i < n; i++)
		if (blocks[i] > last)
			last = blocks[i];
	for (int i = 0; i < n; i++)
		if (blocks[i] == last)
			blocks[i] = NULL;
	pf_free_pages(last, 9);

	void *saved = first->lru.next;
	first->lru.next = (void *)0x12345;	/* the owner's data: odd, and no struct page */
	unsigned long scanned = (unsigned long)pf_test_vmstat(m, "compact_migrate_scanned");
	assert_int_equal(pf_sysctl_set(m, "compact_memory", "1"), 0);
	/* the migration scanner did look at the zone (it starts at the first block) */
	assert_true((unsigned long)pf_test_vmstat(m, "compact_migrate_scanned") > scanned);
	first->lru.next = saved;

	for (int i = 0; i < n; i++)
		if (blocks[i])
			pf_free_pages(blocks[i], 9);
	pf_test_check(m, "after compacting past an owner's odd first word");
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

int main(void)
{
	pf_test_watchdog("test_compaction_scan", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scanners_order_and_moves),
		cmocka_unit_test(refusing_owner_keeps_page),
		cmocka_unit_test(compaction_sysctls),
		cmocka_unit_test(owner_word_not_followed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
