/* test_pageblocks_view: pf_show(m, "pageblocks") prints one line per pageblock - its type and how many of its pages are free, movable, unmovable, reclaimable, highatomic, CMA, isolated and not the allocator's, and whether it is mixed - exactly as docs/VIEWS.md says, for states built by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include "mm/internal.h"
#include "mm/migrate.h"

/*
 * One zone, DMA32 = pfn 0x1000..0x1ffd: 16 MiB less the two reserved pages
 * at its end, eight pageblocks.  Boot frees [0x1000, 0x1ffe) in the largest
 * aligned blocks, in ascending order to the list tails: order 10 at 0x1000,
 * 0x1400, 0x1800, order 9 at 0x1c00, then orders 8..1 up to 0x1ffc.  Every
 * pageblock is Movable.
 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x1ffffff\nreserve 0x1ffe000-0x1ffffff\nthp never\n"

#define HEADER "node zone            pfn type         free movable unmovable reclaimable highatomic   cma isolated reserved mixed\n"
#define LINE(pfn, type, free, mov, unmov, recl, hato, cma, iso, res, mixed)                                           \
	"   0 DMA32    " pfn " " type " " free " " mov " " unmov " " recl " " hato " " cma " " iso " " res " " mixed "\n"
#define FREE_BLOCK(pfn) LINE(pfn, "Movable    ", "  512", "      0", "        0", "          0", "         0", "    0", \
			     "       0", "       0", "-")
#define LAST_BLOCK LINE("    0x1e00", "Movable    ", "  510", "      0", "        0", "          0", "         0",       \
			"    0", "       0", "       2", "-")

static const struct pf_movable_operations ops;	/* never called: nothing migrates here */

static void expect_view(struct pf_machine *m, const char *want, const char *when)
{
	char *got = pf_test_show(m, "pageblocks");
	if (strcmp(got, want))
		fail_msg("%s: pageblocks view\n--- got\n%s--- want\n%s", when, got, want);
	free(got);
}

static void test_boot(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	expect_view(m,
		    HEADER FREE_BLOCK("    0x1000") FREE_BLOCK("    0x1200") FREE_BLOCK("    0x1400")
			    FREE_BLOCK("    0x1600") FREE_BLOCK("    0x1800") FREE_BLOCK("    0x1a00")
				    FREE_BLOCK("    0x1c00") LAST_BLOCK,
		    "after boot");
	pf_machine_destroy(m);
}

/* One order-9 block allocated and seen as each kind of page in turn. */
static void test_allocated_block(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	/* the order-9 movable list holds 0x1c00 from boot: the per-CPU refill takes it and splits 0x1000 for a second */
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 9);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p), 0x1c00);
	const char *head = HEADER FREE_BLOCK("    0x1000") FREE_BLOCK("    0x1200") FREE_BLOCK("    0x1400")
		FREE_BLOCK("    0x1600") FREE_BLOCK("    0x1800") FREE_BLOCK("    0x1a00");
	char want[4096];

	/* allocated, not made movable: an unmovable page in a movable block */
	snprintf(want, sizeof want, "%s%s%s", head,
		 LINE("    0x1c00", "Movable    ", "    0", "      0", "      512", "          0", "         0", "    0",
		      "       0", "       0", "mixed"),
		 LAST_BLOCK);
	expect_view(m, want, "an allocated page that is not movable");

	/* made movable by its owner (__PageMovable) */
	p->mapping = (void *)((uintptr_t)&ops | PAGE_MAPPING_MOVABLE);
	snprintf(want, sizeof want, "%s%s%s", head,
		 LINE("    0x1c00", "Movable    ", "    0", "    512", "        0", "          0", "         0", "    0",
		      "       0", "       0", "-"),
		 LAST_BLOCK);
	expect_view(m, want, "a movable page");

	/* the same in an unmovable block: mixed */
	set_pageblock_migratetype(p, MIGRATE_UNMOVABLE);
	snprintf(want, sizeof want, "%s%s%s", head,
		 LINE("    0x1c00", "Unmovable  ", "    0", "    512", "        0", "          0", "         0", "    0",
		      "       0", "       0", "mixed"),
		 LAST_BLOCK);
	expect_view(m, want, "movable pages in an unmovable block");

	/* isolated for migration */
	SetPageIsolated(p);
	set_pageblock_migratetype(p, MIGRATE_MOVABLE);
	snprintf(want, sizeof want, "%s%s%s", head,
		 LINE("    0x1c00", "Movable    ", "    0", "      0", "        0", "          0", "         0", "    0",
		      "     512", "       0", "-"),
		 LAST_BLOCK);
	expect_view(m, want, "a page isolated for migration");
	ClearPageIsolated(p);
	p->mapping = NULL;

	/* not movable, in reclaimable, highatomic and CMA blocks: counted by the block's type */
	static const struct {
		int mt;
		const char *line;
	} by_type[] = {
		{ MIGRATE_RECLAIMABLE, LINE("    0x1c00", "Reclaimable", "    0", "      0", "        0", "        512",
					    "         0", "    0", "       0", "       0", "-") },
		{ MIGRATE_HIGHATOMIC, LINE("    0x1c00", "HighAtomic ", "    0", "      0", "        0", "          0",
					   "       512", "    0", "       0", "       0", "-") },
		{ MIGRATE_CMA, LINE("    0x1c00", "CMA        ", "    0", "      0", "        0", "          0",
				    "         0", "  512", "       0", "       0", "mixed") },
	};
	for (size_t i = 0; i < sizeof by_type / sizeof by_type[0]; i++) {
		set_pageblock_migratetype(p, by_type[i].mt);
		snprintf(want, sizeof want, "%s%s%s", head, by_type[i].line, LAST_BLOCK);
		expect_view(m, want, by_type[i].line);
	}
	set_pageblock_migratetype(p, MIGRATE_MOVABLE);
	pf_free_pages(p, 9);
	pf_test_check(m, "after the free");
	pf_machine_destroy(m);
}

/*
 * An unmovable order-0 request on a machine with only movable blocks: the
 * fallback claims the largest free movable block, order 10 at 0x1000 (the
 * first on the list), and re-types both its pageblocks (6.12
 * try_to_steal_block at current_order >= pageblock_order).  The per-CPU
 * refill takes more pages from that block; they are free in the view.
 */
static void test_fallback_claim(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p) & ~0x3ffUL, 0x1000);
	expect_view(m,
		    HEADER LINE("    0x1000", "Unmovable  ", "  511", "      0", "        1", "          0", "         0",
				"    0", "       0", "       0", "-")
			    LINE("    0x1200", "Unmovable  ", "  512", "      0", "        0", "          0", "         0",
				 "    0", "       0", "       0", "-")
				    FREE_BLOCK("    0x1400") FREE_BLOCK("    0x1600") FREE_BLOCK("    0x1800")
					    FREE_BLOCK("    0x1a00") FREE_BLOCK("    0x1c00") LAST_BLOCK,
		    "one unmovable page");
	pf_free_pages(p, 0);
	pf_test_check(m, "after the free");
	pf_machine_destroy(m);
}

/* Through the public call: a block handed to pf_set_page_movable counts as movable, and back after pf_clear_page_movable. */
static bool iso(struct pf_page *page, int mode)
{
	(void)page;
	(void)mode;
	return false;
}
static int mig(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)dst;
	(void)src;
	(void)mode;
	return -EBUSY;
}
static void putback(struct pf_page *page)
{
	(void)page;
}
static const struct pf_movable_operations owner = { iso, mig, putback };

static void test_set_page_movable(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 9);
	assert_int_equal(pf_page_to_pfn(p), 0x1c00);
	pf_set_page_movable(p, &owner);
	const char *head = HEADER FREE_BLOCK("    0x1000") FREE_BLOCK("    0x1200") FREE_BLOCK("    0x1400")
		FREE_BLOCK("    0x1600") FREE_BLOCK("    0x1800") FREE_BLOCK("    0x1a00");
	char want[4096];
	snprintf(want, sizeof want, "%s%s%s", head,
		 LINE("    0x1c00", "Movable    ", "    0", "    512", "        0", "          0", "         0", "    0",
		      "       0", "       0", "-"),
		 LAST_BLOCK);
	expect_view(m, want, "after pf_set_page_movable");
	pf_clear_page_movable(p);
	snprintf(want, sizeof want, "%s%s%s", head,
		 LINE("    0x1c00", "Movable    ", "    0", "      0", "      512", "          0", "         0", "    0",
		      "       0", "       0", "mixed"),
		 LAST_BLOCK);
	expect_view(m, want, "after pf_clear_page_movable");
	pf_free_pages(p, 9);
	pf_test_check(m, "after the free");
	pf_machine_destroy(m);
}

/* A view that is not a view: -ENOENT; the CLI prints the same text. */
static void test_cli(void **state)
{
	(void)state;
	char path[] = "/tmp/pf_pageblocks_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs(MACHINE, f);
	fclose(f);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s pageblocks -m %s", PF_CLI, path);
	FILE *out = popen(cmd, "r");
	assert_non_null(out);
	char got[4096];
	size_t n = fread(got, 1, sizeof got - 1, out);
	got[n] = '\0';
	assert_int_equal(pclose(out), 0);
	unlink(path);
	assert_string_equal(got, HEADER FREE_BLOCK("    0x1000") FREE_BLOCK("    0x1200") FREE_BLOCK("    0x1400")
					 FREE_BLOCK("    0x1600") FREE_BLOCK("    0x1800") FREE_BLOCK("    0x1a00")
						 FREE_BLOCK("    0x1c00") LAST_BLOCK);
}

int main(void)
{
	pf_test_watchdog("test_pageblocks_view", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot),
		cmocka_unit_test(test_allocated_block),
		cmocka_unit_test(test_fallback_claim),
		cmocka_unit_test(test_set_page_movable),
		cmocka_unit_test(test_cli),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
