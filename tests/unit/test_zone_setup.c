/* test_zone_setup: boot-time zone set-up (spans, watermarks, min_free_kbytes, lowmem reserve, pcp batch/high, stat thresholds) and its live sysctl recomputation match Linux 6.12's formulas as printed by zoneinfo. */
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

/*
 * Every expected number here and in the tests/data/zone_setup .zoneinfo files is
 * worked by hand from the 6.12 kernel formulas in tests/data/zone_setup/WORKED.md.
 */

#define M1_MOVABLECORE \
	"cpus 2\n" \
	"mem 0 0x1000-0x9efff\n" \
	"mem 0 0x100000-0xbfffffff\n" \
	"mem 0 0x100000000-0x13fffffff\n" \
	"reserve 0x1000-0xfffff\n" \
	"cmdline movablecore=512M\n"

#define M2_TWO_NODES \
	"cpus 4\n" \
	"node 0 cpus 0-1\n" \
	"node 1 cpus 2-3\n" \
	"distance 0 1 21\n" \
	"mem 0 0x1000-0x9efff\n" \
	"mem 0 0x100000-0x7fffffff\n" \
	"mem 0 0x100000000-0x13fffffff\n" \
	"mem 1 0x140000000-0x1bfffffff\n" \
	"reserve 0x1000-0xfffff\n"

#define M3_THP_NEVER_256M \
	"cpus 2\n" \
	"mem 0 0x1000-0x9efff\n" \
	"mem 0 0x100000-0xfffffff\n" \
	"reserve 0x1000-0xfffff\n" \
	"thp never\n"

#define M4_TINY_CLAMP \
	"cpus 1\n" \
	"mem 0 0x100000-0x17ffff\n" \
	"thp never\n"

static struct pf_machine *boot(const char *desc)
{
	return pf_test_boot(desc);
}

static char *zoneinfo(struct pf_machine *m)
{
	return pf_test_show(m, "zoneinfo");
}

static char *slurp(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/zone_setup/%s", PF_TEST_DATA, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		print_error("cannot open %s\n", path);
	assert_non_null(f);
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);
	assert_non_null(o);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, o);
	fclose(f);
	fclose(o);
	return buf;
}

/* Byte-compare; on a difference, name the first differing line of each. */
static void compare_with_file(struct pf_machine *m, const char *name)
{
	char *got = zoneinfo(m);
	char *want = slurp(name);
	if (strcmp(got, want) != 0) {
		const char *g = got, *w = want;
		int line = 1;
		for (;;) {
			const char *ge = strchr(g, '\n'), *we = strchr(w, '\n');
			size_t gl = ge ? (size_t)(ge - g) : strlen(g);
			size_t wl = we ? (size_t)(we - w) : strlen(w);
			if (gl != wl || memcmp(g, w, gl) != 0 || !ge || !we) {
				print_error("%s: first difference at line %d\n  want: %.*s\n  got:  %.*s\n",
					    name, line, (int)wl, w, (int)gl, g);
				break;
			}
			g = ge + 1;
			w = we + 1;
			line++;
		}
	}
	int same = strcmp(got, want) == 0;
	free(got);
	free(want);
	assert_true(same);
}

static void boot_movablecore(void **state)
{
	(void)state;
	struct pf_machine *m = boot(M1_MOVABLECORE);
	char buf[64];
	assert_int_equal(pf_sysctl_get(m, "min_free_kbytes", buf, sizeof buf), 0);
	assert_string_equal(buf, "67584");	/* khugepaged's 16896 pages * 4 */
	compare_with_file(m, "movablecore.zoneinfo");
	pf_machine_destroy(m);
}

static void boot_two_nodes(void **state)
{
	(void)state;
	struct pf_machine *m = boot(M2_TWO_NODES);
	char buf[64];
	assert_int_equal(pf_sysctl_get(m, "min_free_kbytes", buf, sizeof buf), 0);
	assert_string_equal(buf, "90112");	/* khugepaged's 22528 pages * 4 */
	compare_with_file(m, "two_nodes.zoneinfo");
	pf_machine_destroy(m);
}

static void boot_thp_never_256m(void **state)
{
	(void)state;
	struct pf_machine *m = boot(M3_THP_NEVER_256M);
	char buf[64];
	assert_int_equal(pf_sysctl_get(m, "min_free_kbytes", buf, sizeof buf), 0);
	assert_string_equal(buf, "2043");	/* int_sqrt(65280 * 4 * 16) */
	compare_with_file(m, "thp_never_256m.zoneinfo");
	pf_machine_destroy(m);
}

static void boot_tiny_clamp(void **state)
{
	(void)state;
	struct pf_machine *m = boot(M4_TINY_CLAMP);
	char buf[64];
	assert_int_equal(pf_sysctl_get(m, "min_free_kbytes", buf, sizeof buf), 0);
	assert_string_equal(buf, "128");	/* int_sqrt(128 * 4 * 16) = 90, clamped up to 128 */
	compare_with_file(m, "tiny_clamp.zoneinfo");
	pf_machine_destroy(m);
}

/* ---- live sysctl changes, checked by parsing zoneinfo ---------------------- */

struct zone_want {
	const char *zone;
	long min, low, high, promo;
	long prot[5];
	long batch, high_min, high_max;
};

/* The record of "Node nid, zone NAME" as a malloc'd string. */
static char *zone_record(const char *text, int nid, const char *zone)
{
	char head[64];
	snprintf(head, sizeof head, "Node %d, zone %8s\n", nid, zone);
	const char *s = strstr(text, head);
	if (!s)
		print_error("no record \"%s\"\n", head);
	assert_non_null(s);
	const char *e = strstr(s + 1, "\nNode ");
	size_t n = e ? (size_t)(e - s + 1) : strlen(s);
	char *r = malloc(n + 1);
	assert_non_null(r);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static long field(const char *rec, const char *label)
{
	const char *p = strstr(rec, label);
	if (!p)
		print_error("no \"%s\" in record\n", label);
	assert_non_null(p);
	return strtol(p + strlen(label), NULL, 10);
}

static void check_zone(const char *text, const char *step, const struct zone_want *w)
{
	char *rec = zone_record(text, 0, w->zone);
	long got[4] = { field(rec, "\n        min      "), field(rec, "\n        low      "),
			field(rec, "\n        high     "), field(rec, "\n        promo    ") };
	long want[4] = { w->min, w->low, w->high, w->promo };
	static const char *const wm[4] = { "min", "low", "high", "promo" };
	int bad = 0;
	for (int i = 0; i < 4; i++)
		if (got[i] != want[i]) {
			print_error("%s: %s %s: want %ld got %ld\n", step, w->zone, wm[i], want[i], got[i]);
			bad = 1;
		}

	const char *p = strstr(rec, "\n        protection: (");
	assert_non_null(p);
	p += strlen("\n        protection: (");
	for (int i = 0; i < 5; i++) {
		char *end;
		long v = strtol(p, &end, 10);
		if (v != w->prot[i]) {
			print_error("%s: %s protection[%d]: want %ld got %ld\n", step, w->zone, i, w->prot[i], v);
			bad = 1;
		}
		p = end + (i < 4 ? 2 : 0);
	}

	/* Every CPU's pageset carries the zone's batch/high_min/high_max; high is 0. */
	int cpus = 0;
	for (const char *c = strstr(rec, "\n    cpu: "); c; c = strstr(c + 1, "\n    cpu: ")) {
		long hi = field(c, "\n              high:     ");
		long b = field(c, "\n              batch:    ");
		long hmin = field(c, "\n              high_min: ");
		long hmax = field(c, "\n              high_max: ");
		if (hi != 0 || b != w->batch || hmin != w->high_min || hmax != w->high_max) {
			print_error("%s: %s cpu block %d: high %ld batch %ld high_min %ld high_max %ld, "
				    "want 0 %ld %ld %ld\n", step, w->zone, cpus, hi, b, hmin, hmax,
				    w->batch, w->high_min, w->high_max);
			bad = 1;
		}
		cpus++;
	}
	if (cpus != 2) {
		print_error("%s: %s: %d cpu blocks, want 2\n", step, w->zone, cpus);
		bad = 1;
	}
	free(rec);
	assert_false(bad);
}

static void check_step(struct pf_machine *m, const char *step, const struct zone_want w[4])
{
	char *text = zoneinfo(m);
	for (int i = 0; i < 4; i++)
		check_zone(text, step, &w[i]);
	free(text);
}

static void set(struct pf_machine *m, const char *name, const char *value)
{
	int rc = pf_sysctl_set(m, name, value);
	if (rc)
		print_error("pf_sysctl_set(%s, %s) = %d\n", name, value, rc);
	assert_int_equal(rc, 0);
}

static void sysctl_live(void **state)
{
	(void)state;
	struct pf_machine *m = boot(M1_MOVABLECORE);

	/* S0: as booted (min_free_kbytes 67584, watermark_scale_factor 10). */
	static const struct zone_want s0[4] = {
		{ "DMA",     70,    87,    104,   121,   { 0, 3056, 3568, 4080, 4080 }, 1,  43,   240 },
		{ "DMA32",   14410, 18012, 21614, 25216, { 0, 0, 512, 1024, 1024 },     63, 9006, 48896 },
		{ "Normal",  2414,  3017,  3620,  4223,  { 0, 0, 0, 4096, 4096 },       31, 1508, 8192 },
		{ "Movable", 128,   731,   1334,  1937,  { 0, 0, 0, 0, 0 },             31, 365,  8192 },
	};
	check_step(m, "S0 boot", s0);

	/* S1: min_free_kbytes=16384. */
	set(m, "min_free_kbytes", "16384");
	static const struct zone_want s1[4] = {
		{ "DMA",     17,   21,   25,   29,   { 0, 3056, 3568, 4080, 4080 }, 1,  10,   240 },
		{ "DMA32",   3493, 4366, 5239, 6112, { 0, 0, 512, 1024, 1024 },     63, 2183, 48896 },
		{ "Normal",  585,  731,  877,  1023, { 0, 0, 0, 4096, 4096 },       31, 365,  8192 },
		{ "Movable", 128,  274,  420,  566,  { 0, 0, 0, 0, 0 },             31, 137,  8192 },
	};
	check_step(m, "S1 min_free_kbytes=16384", s1);

	/* S2: watermark_scale_factor=200. */
	set(m, "watermark_scale_factor", "200");
	static const struct zone_want s2[4] = {
		{ "DMA",     17,   93,    169,   245,   { 0, 3056, 3568, 4080, 4080 }, 1,  46,   240 },
		{ "DMA32",   3493, 19139, 34785, 50431, { 0, 0, 512, 1024, 1024 },     63, 9569, 48896 },
		{ "Normal",  585,  3206,  5827,  8448,  { 0, 0, 0, 4096, 4096 },       31, 1603, 8192 },
		{ "Movable", 128,  2749,  5370,  7991,  { 0, 0, 0, 0, 0 },             31, 1374, 8192 },
	};
	check_step(m, "S2 watermark_scale_factor=200", s2);

	/* S3: lowmem_reserve_ratio=32 16 8 0 0. */
	set(m, "lowmem_reserve_ratio", "32 16 8 0 0");
	static const struct zone_want s3[4] = {
		{ "DMA",     17,   93,    169,   245,   { 0, 24448, 28544, 32640, 32640 }, 1,  46,   240 },
		{ "DMA32",   3493, 19139, 34785, 50431, { 0, 0, 8192, 16384, 16384 },      63, 9569, 48896 },
		{ "Normal",  585,  3206,  5827,  8448,  { 0, 0, 0, 16384, 16384 },         31, 1603, 8192 },
		{ "Movable", 128,  2749,  5370,  7991,  { 0, 0, 0, 0, 0 },                 31, 1374, 8192 },
	};
	check_step(m, "S3 lowmem_reserve_ratio=32 16 8 0 0", s3);

	/* S4: lowmem_reserve_ratio back to the defaults 256 256 32 0 0. */
	set(m, "lowmem_reserve_ratio", "256 256 32 0 0");
	check_step(m, "S4 lowmem_reserve_ratio=256 256 32 0 0", s2);

	/* S5: percpu_pagelist_high_fraction=8: high_min = high_max = managed / 8 / 2 CPUs. */
	set(m, "percpu_pagelist_high_fraction", "8");
	static const struct zone_want s5[4] = {
		{ "DMA",     17,   93,    169,   245,   { 0, 3056, 3568, 4080, 4080 }, 1,  240,   240 },
		{ "DMA32",   3493, 19139, 34785, 50431, { 0, 0, 512, 1024, 1024 },     63, 48896, 48896 },
		{ "Normal",  585,  3206,  5827,  8448,  { 0, 0, 0, 4096, 4096 },       31, 8192,  8192 },
		{ "Movable", 128,  2749,  5370,  7991,  { 0, 0, 0, 0, 0 },             31, 8192,  8192 },
	};
	check_step(m, "S5 percpu_pagelist_high_fraction=8", s5);

	/* S6: min_free_kbytes=4096 while the fraction is set: pcp high stays fraction-based. */
	set(m, "min_free_kbytes", "4096");
	static const struct zone_want s6[4] = {
		{ "DMA",     4,   80,    156,   232,   { 0, 3056, 3568, 4080, 4080 }, 1,  240,   240 },
		{ "DMA32",   873, 16519, 32165, 47811, { 0, 0, 512, 1024, 1024 },     63, 48896, 48896 },
		{ "Normal",  146, 2767,  5388,  8009,  { 0, 0, 0, 4096, 4096 },       31, 8192,  8192 },
		{ "Movable", 128, 2749,  5370,  7991,  { 0, 0, 0, 0, 0 },             31, 8192,  8192 },
	};
	check_step(m, "S6 min_free_kbytes=4096", s6);

	char buf[64];
	assert_int_equal(pf_sysctl_get(m, "min_free_kbytes", buf, sizeof buf), 0);
	assert_string_equal(buf, "4096");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_zone_setup", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boot_movablecore),
		cmocka_unit_test(boot_two_nodes),
		cmocka_unit_test(boot_thp_never_256m),
		cmocka_unit_test(boot_tiny_clamp),
		cmocka_unit_test(sysctl_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
