/* test_pin_movablecore: movablecore= sizes that are not multiples of MAX_ORDER_NR_PAGES place ZONE_MOVABLE where 6.12's find_zone_movable_pfns_for_nodes does - the size rounded up to 1024 pages, then the start pfn rounded up to 1024 - worked by hand in tests/data/pinned/WORKED.md. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include "mm/internal.h"

/*
 * Node 0: pfn 1..0x9e (158 pages), 0x100..0xbffff (786176), 0x100000..0x13feff (261888; the end
 * is not 1024-aligned).  totalpages = 1048222; movable_zone = ZONE_NORMAL, usable_startpfn 0x100000.
 */
#define MEM "cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0xbfffffff\nmem 0 0x100000000-0x13fefffff\n"

static void expect(const char *size, unsigned long movable_start, unsigned long movable_pages)
{
	char desc[512];
	snprintf(desc, sizeof desc, MEM "cmdline movablecore=%s\n", size);
	pf_test_phase("movablecore=%s", size);
	struct pf_machine *m = pf_test_boot(desc);
	struct zone *normal = &m->node_data[0]->node_zones[ZONE_NORMAL];
	struct zone *movable = &m->node_data[0]->node_zones[ZONE_MOVABLE];
	if (movable->zone_start_pfn != movable_start || movable->spanned_pages != movable_pages)
		fail_msg("movablecore=%s: Movable starts at %#lx with %lu pages; 6.12: %#lx with %lu", size,
			 movable->zone_start_pfn, movable->spanned_pages, movable_start, movable_pages);
	assert_int_equal(movable->present_pages, movable_pages);
	assert_int_equal(normal->zone_start_pfn, 0x100000);
	assert_int_equal(normal->spanned_pages, movable_start - 0x100000);
	assert_int_equal(normal->present_pages, movable_start - 0x100000);
	pf_machine_destroy(m);
}

/*
 * movablecore=101M = 25856 pages -> roundup(25856, 1024) = 26624; corepages = 1048222 - 26624 = 1021598
 * = required_kernelcore.  The two ranges below 0x100000 take 158 + 786176 = 786334 of it, leaving
 * 235264: zone_movable_pfn = 0x100000 + 235264 = 0x139700 -> roundup(0x139700, 0x400) = 0x139800.
 * Movable = [0x139800, 0x13ff00) = 26368 pages.
 */
static void size_not_max_order_multiple(void **state)
{
	(void)state;
	expect("101M", 0x139800, 26368);
}

/*
 * movablecore=4097K = 1024.25 pages -> 1024 pages (memparse then >> PAGE_SHIFT) -> 1024;
 * corepages = 1047198; 1047198 - 786334 = 260864 -> 0x100000 + 0x3fb00 = 0x13fb00 -> roundup to
 * 0x400: 0x13fc00, so Movable = [0x13fc00, 0x13ff00) = 768 pages - fewer than asked, because the
 * node's end is not aligned.  movablecore=1M = 256 pages -> 1024, the same zone.
 */
static void sub_max_order_sizes(void **state)
{
	(void)state;
	expect("4097K", 0x13fc00, 768);
	expect("1M", 0x13fc00, 768);
}

/*
 * movablecore=5% of 1048222: (1048222 * 100 * 5) / 10000 = 52411 -> roundup 53248; corepages 994974;
 * 994974 - 786334 = 208640 = 0x32f00 -> 0x132f00 -> roundup 0x133000; Movable = 0x13ff00 - 0x133000 = 52992.
 */
static void percent(void **state)
{
	(void)state;
	expect("5%", 0x133000, 52992);
}

int main(void)
{
	pf_test_watchdog("test_pin_movablecore", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(size_not_max_order_multiple),
		cmocka_unit_test(sub_max_order_sizes),
		cmocka_unit_test(percent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
