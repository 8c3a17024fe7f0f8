/*
 * test_page_reporting_rss: free page reporting gives memory back to the
 * host, measured as the process's resident set (/proc/self/statm).
 *
 * The machine has 2 GiB (DMA 16 MiB, DMA32 the rest); 1 GiB of order-0
 * pages is allocated, every page written, and freed.  Each reported block
 * is a free block of page_reporting_order (9) or more: after the frees the
 * pages merge back into such blocks, so with reporting on every freed page
 * goes back to the host and RSS returns to where it started (within 5 %,
 * the bound); with it off RSS stays up by the 1 GiB written
 * (at least 90 % of it: nothing gives it back).
 *
 * Backings: hosted (MADV_DONTNEED drops the pages), memfd (a punched hole
 * drops them), and MADV_FREE, whose pages stay resident but are counted
 * as LazyFree in /proc/self/smaps_rollup until the host needs them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

#define GIB_PAGES (1UL << 18)	/* 1 GiB of 4 KiB pages */

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld %ld", &size, &rss), 2);
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static long smaps_kib(const char *field)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long v = -1;
	size_t n = strlen(field);
	assert_non_null(f);
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static struct pf_page **pages;

/* Allocate 1 GiB of order-0 pages, write each, free them all. */
static void touch_and_free_gib(struct pf_machine *m)
{
	for (unsigned long i = 0; i < GIB_PAGES; i++) {
		pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
		assert_non_null(pages[i]);
		memset(pf_page_address(pages[i]), 0x5a, 4096);
	}
	for (unsigned long i = 0; i < GIB_PAGES; i++)
		pf_free_pages(pages[i], 0);
}

static struct pf_machine *boot(const char *extra)
{
	char desc[256];
	snprintf(desc, sizeof desc, "cpus 2\nmem 0 0x1000-0x7fffffff\n%s", extra);
	struct pf_machine *m = pf_test_boot(desc);
	pf_page_reporting_stop(m);	/* stepped: the test calls the reports itself */
	return m;
}

static void dontneed_gives_rss_back(void **state)
{
	(void)state;
	struct pf_machine *m = boot("free_page_reporting dontneed\n");
	long start = rss_kib();
	touch_and_free_gib(m);
	long high = rss_kib();
	assert_true(high - start >= 1024 * 1024 * 9 / 10);	/* the written GiB is resident */
	long reported = pf_report_free_pages(m);
	long end = rss_kib();
	print_message("dontneed: RSS %ld KiB at start, %ld after writing 1 GiB, %ld after reporting %ld pages\n",
		      start, high, end, reported);
	assert_true(reported >= (long)GIB_PAGES);
	assert_true(labs(end - start) <= start / 20);
	/* reported once: nothing is left to report */
	assert_int_equal(pf_report_free_pages(m), 0);
	pf_test_check(m, "after reporting");
	pf_machine_destroy(m);
}

static void off_keeps_rss(void **state)
{
	(void)state;
	struct pf_machine *m = boot("free_page_reporting off\n");
	long start = rss_kib();
	touch_and_free_gib(m);
	pf_drain_all_pages(m);
	assert_int_equal(pf_report_free_pages(m), -ENODEV);
	assert_int_equal(pf_page_reporting_run(m), -ENODEV);
	long end = rss_kib();
	print_message("off: RSS %ld KiB at start, %ld after writing and freeing 1 GiB\n", start, end);
	assert_true(end - start >= 1024 * 1024 * 9 / 10);
	pf_machine_destroy(m);
}

static void memfd_punches_holes(void **state)
{
	(void)state;
	struct pf_machine *m = boot("backing memfd\nfree_page_reporting dontneed\n");
	long start = rss_kib();
	touch_and_free_gib(m);
	long high = rss_kib();
	assert_true(high - start >= 1024 * 1024 * 9 / 10);
	assert_true(pf_report_free_pages(m) >= (long)GIB_PAGES);
	long end = rss_kib();
	print_message("memfd: RSS %ld KiB at start, %ld after writing 1 GiB, %ld after reporting\n", start, high, end);
	assert_true(labs(end - start) <= start / 20);
	/* a page handed out again reads as zero: its memory was given back */
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	const unsigned char *a = pf_page_address(p);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(a[i], 0);
	pf_free_pages(p, 0);
	pf_machine_destroy(m);
}

static void free_marks_lazyfree(void **state)
{
	(void)state;
	struct pf_machine *m = boot("free_page_reporting free\n");
	long lazy0 = smaps_kib("LazyFree");
	touch_and_free_gib(m);
	assert_true(pf_report_free_pages(m) >= (long)GIB_PAGES);
	long lazy1 = smaps_kib("LazyFree");
	print_message("free: LazyFree %ld KiB before, %ld after reporting\n", lazy0, lazy1);
	/* the written GiB is now lazily freeable (unless the host already took some back) */
	assert_true(lazy1 - lazy0 >= 1024 * 1024 * 9 / 10 || rss_kib() < 1024 * 1024);
	pf_machine_destroy(m);
}

/* The machine's own thread, with its real 2 s delay: RSS falls without a call (bounded wait). */
static void thread_gives_rss_back(void **state)
{
	(void)state;
	char err[256];
	/* 256 MiB: a sixteenth of DMA32's 508 order-10 blocks per pass covers it in one pass (see the unit test) */
	struct pf_machine *m = pf_machine_create("cpus 2\nmem 0 0x1000-0x7fffffff\nfree_page_reporting dontneed\n",
						 err, sizeof err);
	if (!m)
		fail_msg("%s", err);
	assert_int_equal(pf_page_reporting_run(m), -EBUSY);	/* the thread runs */
	long start = rss_kib();
	struct pf_page *blocks[64];
	for (int i = 0; i < 64; i++) {
		blocks[i] = pf_alloc_pages(m, PF_GFP_KERNEL, 10);	/* 4 MiB each */
		assert_non_null(blocks[i]);
		memset(pf_page_address(blocks[i]), 0x5a, 4096UL << 10);
	}
	long high = rss_kib();
	assert_true(high - start >= 256 * 1024 * 9 / 10);
	for (int i = 0; i < 64; i++)
		pf_free_pages(blocks[i], 10);
	long now = high;
	for (int tenths = 0; tenths < 300 && now - start > start / 20; tenths++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		now = rss_kib();
	}
	print_message("thread: RSS %ld KiB at start, %ld after writing 256 MiB, %ld after the thread's passes\n",
		      start, high, now);
	assert_true(labs(now - start) <= start / 20);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_page_reporting_rss", 120);
	pages = malloc(GIB_PAGES * sizeof *pages);
	if (!pages)
		return 1;
	memset(pages, 0xff, GIB_PAGES * sizeof *pages);	/* resident before any start is measured (not 0: that would become calloc) */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dontneed_gives_rss_back),
		cmocka_unit_test(off_keeps_rss),
		cmocka_unit_test(memfd_punches_holes),
		cmocka_unit_test(free_marks_lazyfree),
		cmocka_unit_test(thread_gives_rss_back),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(pages);
	return rc;
}
