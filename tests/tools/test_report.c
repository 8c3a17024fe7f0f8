/* SPDX-License-Identifier: MIT */
/*
 * tools/report.c: the data block of the HTML report, read back from the page
 * written - the pageblock map's zone segments and the x values - and the two
 * helpers the summaries share, over views written by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "report.h"

/* A pageblocks view (pf_show "pageblocks") of one Normal zone with a hole: pfns 0x100000 and
 * 0x100200, then nothing until 0x180000 (two `mem` ranges of one zone). */
static const char pageblocks_with_hole[] =
	"node zone            pfn type         free movable unmovable reclaimable highatomic   cma isolated reserved mixed\n"
	"   0 Normal     0x100000 Movable       512       0         0           0          0     0        0        0 -\n"
	"   0 Normal     0x100200 Unmovable     256       0       256           0          0     0        0        0 -\n"
	"   0 Normal     0x180000 Movable         0     500         0          12          0     0        0        0 mixed\n";

static char *write_report(struct rp_report *r)
{
	char chart[] = "/tmp/test_report_chartXXXXXX", page[] = "/tmp/test_report_pageXXXXXX";
	int fd = mkstemp(chart);
	assert_true(fd >= 0);
	static const char banner[] = "/*! Chart.js v3.9.1 */ var Chart = {};\n";
	assert_int_equal(write(fd, banner, sizeof banner - 1), (ssize_t)(sizeof banner - 1));
	close(fd);
	fd = mkstemp(page);
	assert_true(fd >= 0);
	close(fd);
	setenv("PAGEFRAME_CHARTJS", chart, 1);
	char err[256] = "";
	assert_int_equal(rp_write(r, page, err, sizeof err), 0);
	char *text = rp_slurp(page, NULL, err, sizeof err);
	assert_non_null(text);
	unlink(chart);
	unlink(page);
	return text;
}

/* Each run of contiguous pageblocks is a segment of its own [node, zone, first cell, first pfn]: the
 * page works out a cell's pfn from its segment, which across a hole would be wrong. */
static void test_pageblock_segments(void **state)
{
	(void)state;
	struct rp_report *r = rp_new("t", "run", "x");
	assert_non_null(r);
	struct rp_snapshot s = { .t = 0, .buddyinfo = "", .zoneinfo = "", .pageblocks = pageblocks_with_hole };
	assert_int_equal(rp_snapshot(r, &s), 0);
	char *text = write_report(r);
	/* 0x100000 = 1048576, 0x180000 = 1572864; cells: M full-free '0', U half used '5'
	 * ((256 * 9 + 511) / 512 = 5), m (mixed) all used '9' */
	assert_non_null(strstr(text, "\"pb\":{\"z\":[[0,\"Normal\",0,1048576],[0,\"Normal\",2,1572864]],\"c\":\"M0U5m9\"}"));
	free(text);
	rp_free(r);
}

/* x values as they are: the millionth event is 1000000, not 1e+06 (and 1234567 not 1.23457e+06). */
static void test_x_exact(void **state)
{
	(void)state;
	struct rp_report *r = rp_new("t", "replay", "events replayed");
	assert_non_null(r);
	assert_int_equal(rp_run_begin(r, "base"), 0);
	struct rp_snapshot s = { .t = 1234567, .buddyinfo = "", .zoneinfo = "" };
	assert_int_equal(rp_snapshot(r, &s), 0);
	s.t = 0.25;
	assert_int_equal(rp_snapshot(r, &s), 0);
	assert_int_equal(rp_extfrag_event(r, 2345678, 0x1000, 0, 9, 0, 1, 1, "GFP_KERNEL"), 0);
	char *text = write_report(r);
	assert_non_null(strstr(text, "{\"t\":1234567,"));
	assert_non_null(strstr(text, "{\"t\":0.25,"));
	assert_non_null(strstr(text, "\"extfrag\":[[2345678,4096,0,9,0,1,1,\"GFP_KERNEL\"]]"));
	free(text);
	rp_free(r);
}

/* rp_order9_blocks: order 9 counts once, order 10 twice, over the zones: 3 + 2*4 + 1 + 2*0 = 12. */
static void test_order9_blocks(void **state)
{
	(void)state;
	assert_int_equal(rp_order9_blocks("Node 0, zone      DMA      1      1      0      1      2      1      1      0      1      3      4 \n"
					  "Node 0, zone   Normal      9      9      9      9      9      9      9      9      9      1      0 \n"),
			 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pageblock_segments),
		cmocka_unit_test(test_x_exact),
		cmocka_unit_test(test_order9_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
