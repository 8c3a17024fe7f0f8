/* test_sysctl: vm sysctl values are parsed as Linux 6.12's proc_dointvec_minmax parses a write, and a description's sysctl lines are written after every boot-time computation, as the kernel applies sysctl.*= and sysctl.conf after its initcalls. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"

/* 64 MiB, one CPU, no memory behind the pages: enough for the parser tests. */
#define SMALL "cpus 1\nmem 0 0x100000-0x3ffffff\nbacking none\n"

static struct pf_machine *boot(const char *desc)
{
	char err[512] = "";
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (!m)
		print_error("refused: %s\n", err);
	assert_non_null(m);
	return m;
}

static void refused(const char *desc, int line, const char *word)
{
	char err[512] = "";
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (m) {
		pf_machine_destroy(m);
		print_error("accepted: %s\n", desc);
		fail();
	}
	char want[32];
	snprintf(want, sizeof want, "line %d: ", line);
	if (strncmp(err, want, strlen(want)) || (word && !strstr(err, word))) {
		print_error("error '%s': want '%s...%s'\n", err, want, word ? word : "");
		fail();
	}
}

static const char *get(struct pf_machine *m, const char *name)
{
	static char buf[128];
	assert_int_equal(pf_sysctl_get(m, name, buf, sizeof buf), 0);
	return buf;
}

/* Write @value to @name, expect @rc, then expect @name to read @after. */
static void wr(struct pf_machine *m, const char *name, const char *value, int rc, const char *after)
{
	int got = pf_sysctl_set(m, name, value);
	if (got != rc)
		print_error("pf_sysctl_set(%s, \"%s\") = %d, want %d\n", name, value, got, rc);
	assert_int_equal(got, rc);
	const char *now = get(m, name);
	if (strcmp(now, after))
		print_error("after \"%s\": %s reads '%s', want '%s'\n", value, name, now, after);
	assert_string_equal(now, after);
}

/*
 * __do_proc_dointvec (6.12): proc_skip_spaces, then "if (!left) break"
 * with nothing read, and "if (write && first) return err ? : -EINVAL".
 * A value of spaces only (isspace: \t \n \v \f \r, space) is -EINVAL and
 * changes nothing.
 */
static void whitespace_only_is_einval(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	static const char *const blanks[] = { "\n", "   ", "\t \n", "\r\n", "\v\f" };
	for (size_t i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
		wr(m, "min_free_kbytes", "2048", 0, "2048");
		wr(m, "min_free_kbytes", blanks[i], -EINVAL, "2048");
		wr(m, "watermark_boost_factor", "15000", 0, "15000");
		wr(m, "watermark_boost_factor", blanks[i], -EINVAL, "15000");
		wr(m, "percpu_pagelist_high_fraction", "0", 0, "0");
		wr(m, "percpu_pagelist_high_fraction", blanks[i], -EINVAL, "0");
		wr(m, "watermark_scale_factor", "10", 0, "10");
		wr(m, "watermark_scale_factor", blanks[i], -EINVAL, "10");
	}
	pf_machine_destroy(m);
}

/* An empty write: "if (... !*lenp ...) { *lenp = 0; return 0; }" - nothing read, success. */
static void empty_write(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	int before = m->min_free_kbytes;
	assert_int_equal(m->user_min_free_kbytes, -1);
	assert_int_equal(pf_sysctl_set(m, "min_free_kbytes", ""), 0);
	assert_int_equal(m->min_free_kbytes, before);
	/* min_free_kbytes_sysctl_handler still runs its write branch: the value becomes the user's */
	assert_int_equal(m->user_min_free_kbytes, before);
	wr(m, "watermark_scale_factor", "", 0, "10");
	pf_machine_destroy(m);
}

/* proc_get_long and strtoul_lenient (base 0), one int (maxlen sizeof(int)). */
static void scalar_syntax(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	const char *n = "watermark_boost_factor";	/* extra1 = SYSCTL_ZERO, no maximum */

	wr(m, n, "  123\n", 0, "123");		/* leading spaces skipped, a trailing newline is a separator */
	wr(m, n, "\r\v124", 0, "124");		/* any isspace before the number */
	wr(m, n, "125\t", 0, "125");
	wr(m, n, "126\r", -EINVAL, "125");	/* after the number only ' ', '\t', '\n' (proc_wspace_sep) */
	wr(m, n, "127x", -EINVAL, "125");
	wr(m, n, "+128", -EINVAL, "125");	/* no '+': a digit must follow the optional '-' */
	wr(m, n, "-1", -EINVAL, "125");		/* below extra1 */
	wr(m, n, "-0", 0, "0");			/* "-0" is 0 */
	wr(m, n, "-", -EINVAL, "0");
	wr(m, n, "0x10", 0, "16");		/* base 0: hex */
	wr(m, n, "010", 0, "8");		/* base 0: octal */
	wr(m, n, "08", -EINVAL, "8");		/* octal stops at '8', which is no separator */
	wr(m, n, "0x", -EINVAL, "8");		/* no hex digit after 0x: octal "0", then 'x' */
	wr(m, n, "2147483647", 0, "2147483647");
	wr(m, n, "2147483648", -EINVAL, "2147483647");	/* above INT_MAX */
	wr(m, n, "99999999999999999999", -EINVAL, "2147483647");	/* overflows unsigned long */
	/* 20 characters fit the 22-byte TMPBUFLEN copy; 21 are refused whatever they say */
	wr(m, n, "00000000000000000005", 0, "5");
	wr(m, n, "000000000000000000006", -EINVAL, "5");
	/* one int wanted: what follows it is not read (the write reports a short count) */
	wr(m, n, "7 8", 0, "7");
	wr(m, n, "9 junk", 0, "9");
	wr(m, n, "10\n\n\n", 0, "10");

	/* only the first PAGE_SIZE - 1 = 4095 bytes count */
	char big[4200];
	memset(big, ' ', 4094);
	strcpy(big + 4094, "11");
	wr(m, n, big, 0, "1");			/* the second '1' is byte 4096: only "1" is read */
	memset(big, ' ', 4095);
	strcpy(big + 4095, "12");
	wr(m, n, big, -EINVAL, "1");		/* nothing but spaces in the first 4095 */

	/* the bounds of the other scalars */
	wr(m, "watermark_scale_factor", "1", 0, "1");
	wr(m, "watermark_scale_factor", "3000", 0, "3000");
	wr(m, "watermark_scale_factor", "0", -EINVAL, "3000");
	wr(m, "watermark_scale_factor", "3001", -EINVAL, "3000");
	wr(m, "min_free_kbytes", "4096", 0, "4096");
	wr(m, "min_free_kbytes", "-5", -EINVAL, "4096");
	pf_machine_destroy(m);
}

/* percpu_pagelist_high_fraction_sysctl_handler: 0, or at least 8; a refused value keeps the old one. */
static void percpu_fraction(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	wr(m, "percpu_pagelist_high_fraction", "8", 0, "8");
	wr(m, "percpu_pagelist_high_fraction", "7", -EINVAL, "8");
	wr(m, "percpu_pagelist_high_fraction", "1", -EINVAL, "8");
	wr(m, "percpu_pagelist_high_fraction", "0", 0, "0");
	wr(m, "percpu_pagelist_high_fraction", "-8", -EINVAL, "0");
	pf_machine_destroy(m);
}

/*
 * lowmem_reserve_ratio: proc_dointvec over MAX_NR_ZONES (5) ints, no
 * bounds.  Entries are stored as they are read; the handler ignores the
 * parser's answer, sets ratios below 1 to 0, and returns 0.
 */
static void lowmem_vector(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	const char *n = "lowmem_reserve_ratio";
	assert_string_equal(get(m, n), "256\t256\t32\t0\t0");
	wr(m, n, "32 16 8", 0, "32\t16\t8\t0\t0");		/* the rest are kept */
	wr(m, n, "\t1\n2  3\t4 5\n", 0, "1\t2\t3\t4\t5");
	wr(m, n, "6 7 8 9 10 11 12", 0, "6\t7\t8\t9\t10");	/* five read, the rest not */
	wr(m, n, "64 x 1", 0, "64\t7\t8\t9\t10");		/* stops at 'x' but succeeds */
	wr(m, n, "65,66", 0, "64\t7\t8\t9\t10");		/* ',' is no separator: nothing stored */
	wr(m, n, "\n", 0, "64\t7\t8\t9\t10");			/* -EINVAL ignored */
	wr(m, n, "-3 0 -2147483648", 0, "0\t0\t0\t9\t10");	/* below 1 -> 0 */
	wr(m, n, "2147483648", 0, "0\t0\t0\t9\t10");		/* not an int: nothing stored */
	wr(m, n, "256 256 32 0 0", 0, "256\t256\t32\t0\t0");
	pf_machine_destroy(m);
}

/* A description's sysctl line is checked when read and refused with its line. */
static void description_values(void **state)
{
	(void)state;
	refused(SMALL "sysctl vm.min_free_kbytes=\n", 4, "min_free_kbytes");	/* process_sysctl_arg: empty */
	refused(SMALL "sysctl vm.min_free_kbytes=   \n", 4, "min_free_kbytes");
	refused(SMALL "sysctl vm.watermark_boost_factor=1x\n", 4, NULL);
	refused(SMALL "\nsysctl vm.lowmem_reserve_ratio=32 x\n", 5, "lowmem_reserve_ratio");
	refused(SMALL "sysctl vm.lowmem_reserve_ratio=32,16\n", 4, NULL);
	/* found by the handler once the machine is up, still named by its line */
	refused(SMALL "sysctl vm.percpu_pagelist_high_fraction=4\n", 4, "percpu_pagelist_high_fraction");

	struct pf_machine *m = boot(SMALL "sysctl vm.lowmem_reserve_ratio = 32 16 \n"
				  "sysctl vm.watermark_boost_factor=0x20\n");
	assert_string_equal(get(m, "lowmem_reserve_ratio"), "32\t16\t32\t0\t0");
	assert_string_equal(get(m, "watermark_boost_factor"), "32");
	pf_machine_destroy(m);
}

/*
 * Boot order.  A 3 GiB machine, pfns:
 *   mem 0x1000-0x9efff      1..158 (158 pages), all inside reserve 0x1000-0xfffff (1..255)
 *   mem 0x100000-0xbfffffff 256..786431
 * managed: DMA [256, 4096) = 3840, DMA32 [4096, 786432) = 782336;
 * lowmem_pages = 3840 + 782336 = 786176.
 *
 * The kernel boots first (init_per_zone_wmark_min: 4 * sqrt(786176 * 4) =
 * int_sqrt(50315264) = 7093 kB; with THP, khugepaged then asks for
 * 5632 * 2 zones = 11264 pages = 45056 kB), and only then writes the
 * sysctl, whose handler sets user_min_free_kbytes and redoes
 * __setup_per_zone_wmarks (6.12) with the written value:
 *   pages_min = min_free_kbytes >> 2
 *   tmp = pages_min * managed / lowmem_pages  -> min
 *   delta = max(tmp >> 2, mult_frac(managed, watermark_scale_factor, 10000))
 *   low = min + delta, high = low + delta, promo = high + delta
 * Before this order was kept, the first example came out as 7093 and the
 * second as 45056.
 */
#define M3G \
	"cpus 2\n" \
	"mem 0 0x1000-0x9efff\n" \
	"mem 0 0x100000-0xbfffffff\n" \
	"reserve 0x1000-0xfffff\n" \
	"backing none\n"

static void wmarks(struct pf_machine *m, int zid, unsigned long min, unsigned long low, unsigned long high,
		   unsigned long promo)
{
	struct zone *z = &m->node_data[0]->node_zones[zid];
	assert_int_equal(z->_watermark[WMARK_MIN], min);
	assert_int_equal(z->_watermark[WMARK_LOW], low);
	assert_int_equal(z->_watermark[WMARK_HIGH], high);
	assert_int_equal(z->_watermark[WMARK_PROMO], promo);
}

static void boot_order_thp_never(void **state)
{
	(void)state;
	struct pf_machine *m = boot(M3G "thp never\nsysctl vm.min_free_kbytes=1024\n");
	assert_string_equal(get(m, "min_free_kbytes"), "1024");
	assert_int_equal(m->user_min_free_kbytes, 1024);
	/*
	 * pages_min = 1024 >> 2 = 256
	 * DMA:   tmp = 256*3840/786176 = 983040/786176 = 1; delta = max(1>>2 = 0,
	 *        mult_frac(3840, 10, 10000) = 3) = 3; low 4, high 7, promo 10
	 * DMA32: tmp = 256*782336/786176 = 200278016/786176 = 254; delta =
	 *        max(254>>2 = 63, mult_frac(782336, 10, 10000) = 782) = 782;
	 *        low 1036, high 1818, promo 2600
	 */
	wmarks(m, ZONE_DMA, 1, 4, 7, 10);
	wmarks(m, ZONE_DMA32, 254, 1036, 1818, 2600);
	/*
	 * setup_per_zone_wmarks then resizes the pagesets from the new low
	 * watermark (zone_highsize, 2 CPUs on the node):
	 * DMA32: batch = rounddown_pow_of_two(64 + 32) - 1 = 63 (min(782336>>10, 256)/4 = 64);
	 *        high_min = max(1036 / 2 = 518, 63*4 = 252) = 518
	 * DMA:   batch 1 (3840>>10 = 3, /4 = 0 -> 1); high_min = max(4 / 2 = 2, 4) = 4
	 */
	assert_int_equal(m->node_data[0]->node_zones[ZONE_DMA32].pageset_high_min, 518);
	assert_int_equal(m->node_data[0]->node_zones[ZONE_DMA].pageset_high_min, 4);
	pf_machine_destroy(m);
}

static void boot_order_thp_madvise(void **state)
{
	(void)state;
	struct pf_machine *m = boot(M3G "thp madvise\nsysctl vm.min_free_kbytes=20000\n");
	/* khugepaged's 45056 came first; the written value stays */
	assert_string_equal(get(m, "min_free_kbytes"), "20000");
	/*
	 * pages_min = 20000 >> 2 = 5000
	 * DMA:   tmp = 5000*3840/786176 = 19200000/786176 = 24; delta = max(24>>2 = 6, 3) = 6;
	 *        low 30, high 36, promo 42
	 * DMA32: tmp = 5000*782336/786176 = 3911680000/786176 = 4975; delta =
	 *        max(4975>>2 = 1243, 782) = 1243; low 6218, high 7461, promo 8704
	 */
	wmarks(m, ZONE_DMA, 24, 30, 36, 42);
	wmarks(m, ZONE_DMA32, 4975, 6218, 7461, 8704);
	pf_machine_destroy(m);

	/*
	 * Lines are written in their order: watermark_scale_factor=200 after it.
	 * DMA:   delta = max(6, mult_frac(3840, 200, 10000) = 76) = 76; low 100, high 176, promo 252
	 * DMA32: delta = max(1243, mult_frac(782336, 200, 10000) = 15600 + 46 = 15646) = 15646;
	 *        low 20621, high 36267, promo 51913
	 */
	m = boot(M3G "sysctl vm.min_free_kbytes=20000\nsysctl vm.watermark_scale_factor=200\n");
	assert_string_equal(get(m, "min_free_kbytes"), "20000");
	wmarks(m, ZONE_DMA, 24, 100, 176, 252);
	wmarks(m, ZONE_DMA32, 4975, 20621, 36267, 51913);
	pf_machine_destroy(m);
}

/* Without a sysctl line the boot-time values stand: 7093, raised by khugepaged to 45056. */
static void boot_without_sysctl(void **state)
{
	(void)state;
	struct pf_machine *m = boot(M3G "thp never\n");
	assert_string_equal(get(m, "min_free_kbytes"), "7093");
	assert_int_equal(m->user_min_free_kbytes, -1);
	pf_machine_destroy(m);
	m = boot(M3G "thp madvise\n");
	assert_string_equal(get(m, "min_free_kbytes"), "45056");
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whitespace_only_is_einval),
		cmocka_unit_test(empty_write),
		cmocka_unit_test(scalar_syntax),
		cmocka_unit_test(percpu_fraction),
		cmocka_unit_test(lowmem_vector),
		cmocka_unit_test(description_values),
		cmocka_unit_test(boot_order_thp_never),
		cmocka_unit_test(boot_order_thp_madvise),
		cmocka_unit_test(boot_without_sysctl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
