/* SPDX-License-Identifier: MIT */
/*
 * tools/trace_parse.c: every kmem page event format since 2.6.33, one handwritten
 * line each, written from the TP_printk of the version named beside it
 * (include/trace/events/kmem.h of that version; 2.6.33's formats are also listed
 * in its Documentation/trace/events-kmem.txt), and the ways a line can be bad.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "trace_parse.h"

static struct tp_record rec;
static char err[256];

static int parse(const char *line)
{
	return tp_parse_line(line, strlen(line), &rec, err, sizeof err);
}

/* 2.6.33: "page=%p pfn=%lu order=%d migratetype=%d gfp_flags=%s", raw pointers, decimal pfns,
 * gfp names without "__" (gfpflags.h of the time). */
static void test_2_6_33(void **state)
{
	(void)state;
	assert_int_equal(parse("            bash-2211  [001]  1190.338406: mm_page_alloc: page=ffffea0000a1b2c0 "
			       "pfn=165038 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE"), 1);
	assert_int_equal(rec.event, TP_ALLOC);
	assert_int_equal(rec.cpu, 1);
	assert_true(rec.ts > 1190.338405 && rec.ts < 1190.338407);
	assert_int_equal(rec.pfn, 165038);
	assert_true(rec.has_page && !rec.page_null);
	assert_true(rec.page == 0xffffea0000a1b2c0ull);
	assert_int_equal(rec.order, 0);
	assert_int_equal(rec.migratetype, 1);
	assert_int_equal(rec.gfp, PF_GFP_HIGHUSER_MOVABLE);

	/* GFP_WAIT, GFP_REPEAT map to 6.12 bits; GFP_NOTRACK and GFP_COLD have none */
	assert_int_equal(parse("   make-3001  [000]  80.000001: mm_page_alloc: page=ffffea0000001000 pfn=128 order=2 "
			       "migratetype=0 gfp_flags=GFP_WAIT|GFP_IO|GFP_FS|GFP_REPEAT|GFP_COMP|GFP_ZERO|GFP_NOTRACK|GFP_COLD"), 1);
	assert_int_equal(rec.gfp, PF___GFP_RECLAIM | PF___GFP_IO | PF___GFP_FS | PF___GFP_RETRY_MAYFAIL |
				      PF___GFP_COMP | PF___GFP_ZERO);
	assert_int_equal(rec.gfp_mapped, 2);
	assert_int_equal(rec.gfp_ignored, 2);
	assert_int_equal(rec.order, 2);
	/* a mask of 0 printed as GFP_NOWAIT then; GFP_TEMPORARY until 4.14 */
	assert_int_equal(parse(" ksoftirqd/0-3  [000]  1.5: mm_page_alloc: page=ffffea0000001040 pfn=129 order=0 "
			       "migratetype=0 gfp_flags=GFP_TEMPORARY"), 1);
	assert_int_equal(rec.gfp, PF_GFP_KERNEL | PF___GFP_RECLAIMABLE);

	assert_int_equal(parse("            bash-2211  [001]  1190.338500: mm_page_free_direct: page=ffffea0000a1b2c0 "
			       "pfn=165038 order=0"), 1);
	assert_int_equal(rec.event, TP_FREE);
	assert_string_equal(rec.name, "mm_page_free_direct");
	assert_int_equal(rec.pfn, 165038);
	assert_int_equal(parse("            bash-2211  [001]  1190.338600: mm_pagevec_free: page=ffffea0000a1b300 "
			       "pfn=165039 order=0 cold=1"), 1);
	assert_int_equal(rec.event, TP_FREE_BATCHED);
	assert_int_equal(rec.pfn, 165039);
	assert_int_equal(parse("            bash-2211  [001]  1190.338700: mm_page_alloc_zone_locked: "
			       "page=ffffea0000a1b300 pfn=165039 order=0 migratetype=1 percpu_refill=1"), 1);
	assert_int_equal(rec.event, TP_ALLOC_ZONE_LOCKED);
	assert_int_equal(rec.percpu_refill, 1);
	assert_int_equal(parse("          <idle>-0     [000]  1190.338800: mm_page_pcpu_drain: page=ffffea0000a1b340 "
			       "pfn=165040 order=0 migratetype=2"), 1);
	assert_int_equal(rec.event, TP_PCPU_DRAIN);
	assert_int_equal(rec.migratetype, 2);
	assert_int_equal(parse("            bash-2211  [001]  1190.338900: mm_page_alloc_extfrag: page=ffffea0000a1b380 "
			       "pfn=165041 alloc_order=0 fallback_order=9 pageblock_order=9 alloc_migratetype=0 "
			       "fallback_migratetype=1 fragmenting=1 change_ownership=1"), 1);
	assert_int_equal(rec.event, TP_ALLOC_EXTFRAG);
	assert_int_equal(rec.order, 0);
	assert_int_equal(rec.fallback_order, 9);
	assert_int_equal(rec.migratetype, 0);
	assert_int_equal(rec.fallback_migratetype, 1);
	assert_int_equal(rec.change_ownership, 1);
}

/* 3.3 .. 4.14: mm_page_free and mm_page_free_batched ("... order=%d cold=%d" until 4.14);
 * a failed allocation prints page=(null) pfn=0; from 4.6 the gfp names carry "__". */
static void test_3_x_4_x(void **state)
{
	(void)state;
	assert_int_equal(parse("     kworker/1:2-412   [001] ....   310.117210: mm_page_free: page=ffffea0001f3a000 "
			       "pfn=511616 order=1"), 1);
	assert_int_equal(rec.event, TP_FREE);
	assert_int_equal(rec.order, 1);
	assert_int_equal(parse("     kworker/1:2-412   [001] ....   310.117211: mm_page_free_batched: "
			       "page=ffffea0001f3a040 pfn=511617 order=0 cold=0"), 1);
	assert_int_equal(rec.event, TP_FREE_BATCHED);
	assert_int_equal(parse("   khugepaged-37    [000] ....   400.000000: mm_page_alloc: page=(null) pfn=0 order=9 "
			       "migratetype=1 gfp_flags=GFP_TRANSHUGE|__GFP_THISNODE"), 1);
	assert_true(rec.page_null);
	assert_int_equal(rec.order, 9);
	assert_int_equal(rec.gfp, PF_GFP_TRANSHUGE | PF___GFP_THISNODE);
	/* 4.4 .. 6.2: __GFP_ATOMIC (no 6.12 bit), __GFP_OTHER_NODE (until 4.10), __GFP_NOTRACK (until 4.14) */
	assert_int_equal(parse("   irq/30-eth0-500  [000] d.s.   500.1: mm_page_alloc: page=ffffea0001f3a080 pfn=511618 "
			       "order=0 migratetype=0 gfp_flags=__GFP_HIGH|__GFP_ATOMIC|__GFP_KSWAPD_RECLAIM|__GFP_NOTRACK|__GFP_OTHER_NODE"), 1);
	assert_int_equal(rec.gfp, PF_GFP_ATOMIC);
	assert_int_equal(rec.gfp_ignored, 3);
	assert_int_equal(parse("  cc1-900 [001] .... 501.0: mm_page_alloc: page=ffffea0001f3a0c0 pfn=511619 order=3 "
			       "migratetype=0 gfp_flags=GFP_KERNEL|__GFP_REPEAT|__GFP_COLD|__GFP_NOACCOUNT"), 1);
	assert_int_equal(rec.gfp, PF_GFP_KERNEL | PF___GFP_RETRY_MAYFAIL);
	assert_int_equal(rec.gfp_mapped, 1);
	assert_int_equal(rec.gfp_ignored, 2);
}

/* 4.15 ..: hashed %p; mm_page_free_batched prints "order=0"; 6.12 prints pfn=0x%lx (kmem.h). */
static void test_6_12(void **state)
{
	(void)state;
	/* a line of the 6.18 excerpt (tests/data/replay) */
	assert_int_equal(parse("            bash-14792   [000] .....  2097.492687: mm_page_alloc: page=0000000024234eb1 "
			       "pfn=0x1003a4 order=1 migratetype=0 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP"), 1);
	assert_int_equal(rec.pfn, 0x1003a4);
	assert_int_equal(rec.order, 1);
	assert_int_equal(rec.cpu, 0);
	assert_int_equal(rec.gfp, PF_GFP_KERNEL_ACCOUNT | PF___GFP_ZERO | PF___GFP_COMP);
	assert_int_equal((int)rec.gfp_len, (int)strlen("GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP"));
	assert_int_equal(parse("              rm-14799   [001] ...4.  2097.494144: mm_page_free_batched: "
			       "page=00000000f0cb97a9 pfn=0x11a919 order=0"), 1);
	assert_int_equal(rec.cpu, 1);
	assert_int_equal(rec.pfn, 0x11a919);
	/* 6.12: a mask of 0 is "none"; bits without a name follow as hex (__print_flags) */
	assert_int_equal(parse("  a-1 [000] ..... 1.0: mm_page_alloc: page=00000000deadbeef pfn=0x10 order=0 migratetype=0 "
			       "gfp_flags=none"), 1);
	assert_int_equal(rec.gfp, 0);
	assert_int_equal(parse("  a-1 [000] ..... 1.0: mm_page_alloc: page=00000000deadbeef pfn=0x10 order=0 migratetype=0 "
			       "gfp_flags=GFP_NOWAIT|0x200"), 1);
	assert_int_equal(rec.gfp, PF_GFP_NOWAIT | 0x200);
	/* a numeric mask (trace-cmd without the format file): 6.12's layout, GFP_KERNEL = 0xcc0 */
	assert_int_equal(parse("  a-1 [000] ..... 1.0: mm_page_alloc: page=00000000deadbeef pfn=0x10 order=0 migratetype=0 "
			       "gfp_flags=0xcc0"), 1);
	assert_int_equal(rec.gfp, PF_GFP_KERNEL);
	assert_int_equal(parse("  a-1 [000] ..... 1.0: mm_page_alloc_extfrag: page=00000000deadbeef pfn=0x2000 "
			       "alloc_order=0 fallback_order=10 pageblock_order=9 alloc_migratetype=1 "
			       "fallback_migratetype=0 fragmenting=0 change_ownership=1"), 1);
	assert_int_equal(rec.pfn, 0x2000);
	assert_int_equal(rec.fallback_order, 10);
	/* nr_free= is read where a line has it (no kmem page event of 2.6.33 .. 6.12 prints it) */
	assert_int_equal(parse("  a-1 [000] ..... 1.0: mm_page_pcpu_drain: page=00000000deadbeef pfn=0x10 order=0 "
			       "migratetype=1 nr_free=31"), 1);
	assert_int_equal(rec.nr_free, 31);
}

/* The other printers: trace-cmd report, perf script ("kmem:" prefix), a function_graph comment. */
static void test_printers(void **state)
{
	(void)state;
	assert_int_equal(parse("            bash-14792 [000]  2097.492687: mm_page_alloc:        page=0xffffea0004003a40 "
			       "pfn=0x1003a4 order=1 migratetype=0 gfp_flags=GFP_KERNEL"), 1);
	assert_int_equal(rec.pfn, 0x1003a4);
	assert_int_equal(parse("            bash 14792 [001]  2097.492687: kmem:mm_page_free: page=0xffffea0004003a40 "
			       "pfn=0x1003a4 order=1"), 1);
	assert_int_equal(rec.event, TP_FREE);
	assert_int_equal(rec.cpu, 1);
	assert_int_equal(parse(" 1)               |  /* mm_page_alloc: page=000000002973047b pfn=0x1277aa order=0 "
			       "migratetype=0 gfp_flags=GFP_KERNEL */"), 1);
	assert_int_equal(rec.cpu, 1);
	assert_int_equal(rec.pfn, 0x1277aa);
	assert_int_equal(rec.gfp, PF_GFP_KERNEL);
}

/* What is not a kmem page event is ignored. */
static void test_ignored(void **state)
{
	(void)state;
	assert_int_equal(parse("# tracer: nop"), 0);
	assert_int_equal(parse("#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION"), 0);
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse("  bash-1 [000] ..... 1.0: kmem_cache_alloc: call_site=foo ptr=0000 bytes_req=8"), 0);
	assert_int_equal(parse("  bash-1 [000] ..... 1.0: mm_page_alloc_foo: page=1 pfn=2"), 0);
	assert_int_equal(parse(" 0)   0.123 us    |  __alloc_pages();"), 0);
}

/* Bad lines: each names what is wrong. */
static void test_bad(void **state)
{
	(void)state;
	assert_int_equal(parse("  bash-1 [000] ..... 1.0: mm_page_alloc: page=00000000deadbeef pfn=0x10 order=0 migra"), -1);
	assert_non_null(strstr(err, "field 'migra' has no '='"));
	assert_int_equal(parse("  bash-1 [000] ..... 1.0: mm_page_alloc: page=00000000deadbeef pfn=0x10 order=0"), -1);
	assert_non_null(strstr(err, "no migratetype="));
	assert_int_equal(parse("  bash-1 [000] ..... 1.0: mm_page_al"), -1);
	assert_non_null(strstr(err, "truncated"));
	assert_int_equal(parse("  a-1 [000] ..... 1.0: mm_page_alloc: page=0 pfn=0x10 order=0 migratetype=0 gfp_flags=GFP_BOGUS"), -1);
	assert_string_equal(err, "unknown gfp flag 'GFP_BOGUS'");
	assert_int_equal(parse("  a-1 [000] ..... 1.0: mm_page_alloc: page=0 pfn=0x10 order=77 migratetype=0 gfp_flags=none"), -1);
	assert_string_equal(err, "mm_page_alloc: absurd order 77");
	assert_int_equal(parse("  a-1 [000] ..... 1.0: mm_page_free: page=0 pfn=0x1g order=0"), -1);
	assert_non_null(strstr(err, "bad value in 'pfn=0x1g'"));
	assert_int_equal(parse("  a-1 [000] ..... 1.0: mm_page_free: page=0 pfn=99999999999999999999999 order=0"), -1);
	assert_int_equal(parse("  a-1 [000] ..... 1.0: mm_page_alloc: page=0 pfn=0x10 order=0 migratetype=0 gfp_flags=|"), -1);
	static const char junk[] = "  a-1 [000] ..... 1.0: mm_page_free: page=0 pfn=\0\x01\xff order=0";
	assert_int_equal(tp_parse_line(junk, sizeof junk - 1, &rec, err, sizeof err), -1);
	assert_non_null(strstr(err, "NUL"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_2_6_33), cmocka_unit_test(test_3_x_4_x), cmocka_unit_test(test_6_12),
		cmocka_unit_test(test_printers), cmocka_unit_test(test_ignored), cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
