/*
 * test_meminfo: pf_show(m, "meminfo") prints 6.12's /proc/meminfo lines in
 * the kernel's order and widths, with values from the kernel's formulas:
 *   MemTotal      = the managed pages of every zone (totalram_pages)
 *   MemFree       = NR_FREE_PAGES
 *   MemAvailable  = free - totalreserve_pages (no page cache or slab here),
 *                   totalreserve_pages = sum over zones of
 *                   min(managed, high watermark + largest lowmem_reserve)
 *                   (calculate_totalreserve_pages), read off zoneinfo
 *   CommitLimit   = totalram * overcommit_ratio (50) / 100 + swap (none)
 *   CmaTotal      = the cma= area, CmaFree its free pages
 * all in kB (pages * 4).
 */
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

static unsigned long field_kb(const char *text, const char *label)
{
	const char *p = strstr(text, label);
	if (!p)
		fail_msg("meminfo has no line '%s'", label);
	unsigned long v;
	char unit[8];
	if (sscanf(p + strlen(label), " %lu %7s", &v, unit) != 2 || strcmp(unit, "kB"))
		fail_msg("meminfo line '%s' is not '<n> kB'", label);
	return v;
}

/* totalreserve_pages and the managed total from zoneinfo's high / protection / managed lines */
static void reserves_from_zoneinfo(const char *zi, unsigned long *reserve, unsigned long *managed_total)
{
	*reserve = 0;
	*managed_total = 0;
	const char *p = zi;
	while ((p = strstr(p, "Node ")) != NULL) {
		const char *next = strstr(p + 5, "Node ");
		unsigned long high = 0, managed = 0, maxprot = 0;
		const char *h = strstr(p, "\n        high ");
		const char *mg = strstr(p, "\n        managed ");
		const char *pr = strstr(p, "protection: (");
		assert_non_null(h);
		assert_non_null(mg);
		assert_non_null(pr);
		if (next && (h > next || mg > next || pr > next))
			fail_msg("zoneinfo zone without its lines");
		high = strtoul(h + strlen("\n        high "), NULL, 10);
		managed = strtoul(mg + strlen("\n        managed "), NULL, 10);
		pr += strlen("protection: (");
		for (;;) {
			char *end;
			unsigned long v = strtoul(pr, &end, 10);
			if (v > maxprot)
				maxprot = v;
			if (*end != ',')
				break;
			pr = end + 2;
		}
		unsigned long max = maxprot + high;
		*reserve += max > managed ? managed : max;
		*managed_total += managed;
		p = next ? next : p + 5;
		if (!next)
			break;
	}
}

static void meminfo_formulas(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 2\nmem 0 0x1000-0x3fffffff\ncma 16M\n");
	char *zi = pf_test_show(m, "zoneinfo");
	unsigned long reserve, managed;
	reserves_from_zoneinfo(zi, &reserve, &managed);
	free(zi);
	/* 1 GiB less the first page: 262143 pages managed (nothing reserved by the description) */
	assert_int_equal(managed, 262143);

	char *mi = pf_test_show_drained(m, "meminfo");
	assert_int_equal(field_kb(mi, "MemTotal:"), managed * 4);
	assert_int_equal(field_kb(mi, "MemFree:"), managed * 4);
	assert_int_equal(field_kb(mi, "MemAvailable:"), (managed - reserve) * 4);
	assert_int_equal(field_kb(mi, "CommitLimit:"), managed * 50 / 100 * 4);
	assert_int_equal(field_kb(mi, "CmaTotal:"), 16384);
	assert_int_equal(field_kb(mi, "CmaFree:"), 16384);
	assert_int_equal(field_kb(mi, "SwapTotal:"), 0);
	assert_int_equal(field_kb(mi, "Hugepagesize:"), 2048);
	/* the kernel's layout: label padded to 16 columns, value right-aligned in 8, " kB" */
	assert_non_null(strstr(mi, "MemTotal:        1048572 kB\nMemFree:         1048572 kB\n"));
	assert_non_null(strstr(mi, "HardwareCorrupted:     0 kB\n"));
	assert_non_null(strstr(mi, "VmallocTotal:   34359738367 kB\n"));
	assert_non_null(strstr(mi, "HugePages_Total:       0\n"));
	/* line order: a few anchors */
	assert_true(strstr(mi, "MemAvailable:") < strstr(mi, "Buffers:"));
	assert_true(strstr(mi, "Mlocked:") < strstr(mi, "SwapTotal:"));
	assert_true(strstr(mi, "Zswapped:") < strstr(mi, "Dirty:"));
	assert_true(strstr(mi, "FilePmdMapped:") < strstr(mi, "CmaTotal:"));
	assert_true(strstr(mi, "Unaccepted:") < strstr(mi, "HugePages_Total:"));
	free(mi);

	/* 1000 unmovable pages: MemFree and MemAvailable fall by 4000 kB, CmaFree does not */
	struct pf_page *pages[1000];
	for (int i = 0; i < 1000; i++)
		assert_non_null(pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL, 0));
	mi = pf_test_show_drained(m, "meminfo");
	assert_int_equal(field_kb(mi, "MemFree:"), managed * 4 - 4000);
	assert_int_equal(field_kb(mi, "MemAvailable:"), (managed - reserve) * 4 - 4000);
	assert_int_equal(field_kb(mi, "CmaFree:"), 16384);
	free(mi);
	for (int i = 0; i < 1000; i++)
		pf_free_pages(pages[i], 0);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_meminfo", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(meminfo_formulas) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
