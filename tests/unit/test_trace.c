/* test_trace: pf_set_trace delivers mm_page_alloc / mm_page_free lines in the 6.12 ftrace text format (context prefix, kmem.h TP_printk, show_gfp_flags names), traces failed allocations as page=0 pfn=0x0, and refuses unknown events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

#define MAXLINES 256

struct sink {
	int n;
	char *lines[MAXLINES];
};

static void collect(void *arg, const char *line)
{
	struct sink *s = arg;
	if (s->n < MAXLINES)
		s->lines[s->n++] = strdup(line);
}

static void sink_clear(struct sink *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->lines[i]);
	s->n = 0;
}

/*
 * trace_print_context: "%16s-%-7d " "[%03d] " five irq-info flag chars, " %5lu.%06lu", ": ",
 * then "<event>: " and the TP_printk body (include/trace/events/kmem.h, 6.12).
 */
#define PREFIX "^ *[^ ].{0,15}-[0-9]+ *\\[[0-9]{3}\\] [.a-zA-Z0-9]{5} +[0-9]{1,}\\.[0-9]{6}: "
#define ALLOC_RE PREFIX "mm_page_alloc: page=([0-9a-f]{16}) pfn=0x([0-9a-f]+) order=([0-9]+) migratetype=(-?[0-9]+) gfp_flags=([A-Za-z0-9_|]+)$"
#define FREE_RE PREFIX "mm_page_free: page=([0-9a-f]{16}) pfn=0x([0-9a-f]+) order=([0-9]+)$"

struct parsed {
	char page[17];
	unsigned long pfn;
	int order;
	int mt;
	char gfp[128];
};

static int match(const char *re_text, const char *line, struct parsed *out)
{
	regex_t re;
	regmatch_t mm[6];
	assert_int_equal(regcomp(&re, re_text, REG_EXTENDED), 0);
	int rc = regexec(&re, line, 6, mm, 0);
	regfree(&re);
	if (rc)
		return 0;
	memset(out, 0, sizeof *out);
	memcpy(out->page, line + mm[1].rm_so, 16);
	out->pfn = strtoul(line + mm[2].rm_so, NULL, 16);
	out->order = atoi(line + mm[3].rm_so);
	if (mm[4].rm_so >= 0 && mm[5].rm_so >= 0) {
		out->mt = atoi(line + mm[4].rm_so);
		int len = (int)(mm[5].rm_eo - mm[5].rm_so);
		assert_true(len < (int)sizeof out->gfp);
		memcpy(out->gfp, line + mm[5].rm_so, (size_t)len);
	}
	return 1;
}

/* The context prefix is exactly "%16s-%-7d [%03d] ": check the column layout. */
static void check_prefix_columns(const char *line)
{
	/* "%16s-%-7d " puts the '[' of the CPU field at column >= 25 and the pid padded to 7 */
	const char *br = strchr(line, '[');
	assert_non_null(br);
	assert_true(br - line >= 16 + 1 + 7 + 1);
	assert_int_equal(br[4], ']');
	assert_int_equal(br[5], ' ');
	assert_int_equal(br[-1], ' ');
}

static struct pf_machine *boot(const char *desc)
{
	return pf_test_boot(desc);
}

static void one_alloc(struct pf_machine *m, struct sink *s, pf_gfp_t gfp, unsigned order, const char *want_gfp,
		      int want_mt)
{
	sink_clear(s);
	struct pf_page *p = pf_alloc_pages(m, gfp, order);
	assert_non_null(p);
	unsigned long pfn = pf_page_to_pfn(p);
	assert_int_equal(s->n, 1);
	struct parsed a;
	if (!match(ALLOC_RE, s->lines[0], &a)) {
		print_error("no match: '%s'\n", s->lines[0]);
		fail();
	}
	check_prefix_columns(s->lines[0]);
	assert_int_equal(a.pfn, pfn);
	assert_int_equal(a.order, order);
	assert_int_equal(a.mt, want_mt);
	assert_string_equal(a.gfp, want_gfp);
	assert_string_not_equal(a.page, "0000000000000000");

	sink_clear(s);
	pf_free_pages(p, order);
	assert_int_equal(s->n, 1);
	struct parsed f;
	if (!match(FREE_RE, s->lines[0], &f)) {
		print_error("no match: '%s'\n", s->lines[0]);
		fail();
	}
	check_prefix_columns(s->lines[0]);
	assert_int_equal(f.pfn, pfn);
	assert_int_equal(f.order, order);
	sink_clear(s);
}

static void alloc_free_lines(void **state)
{
	(void)state;
	struct pf_machine *m = boot("cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3ffffff\n");
	struct sink s = { 0 };
	assert_int_equal(pf_set_trace(m, "mm_page_alloc,mm_page_free", collect, &s), 0);
	/* GFP_KERNEL = __GFP_RECLAIM|__GFP_IO|__GFP_FS: first full match in __def_gfpflag_names is GFP_KERNEL */
	one_alloc(m, &s, PF_GFP_KERNEL, 0, "GFP_KERNEL", 0);
	/* GFP_TRANSHUGE(_LIGHT) need __GFP_NOMEMALLOC|__GFP_NOWARN, so GFP_HIGHUSER_MOVABLE matches, __GFP_COMP is left */
	one_alloc(m, &s, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_COMP, 3, "GFP_HIGHUSER_MOVABLE|__GFP_COMP", 1);
	/* GFP_ATOMIC = __GFP_HIGH|__GFP_KSWAPD_RECLAIM comes before GFP_NOWAIT in the list */
	one_alloc(m, &s, PF_GFP_ATOMIC | PF___GFP_NOWARN, 2, "GFP_ATOMIC|__GFP_NOWARN", 0);
	/* disabling stops delivery */
	assert_int_equal(pf_set_trace(m, NULL, NULL, NULL), 0);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	pf_free_pages(p, 0);
	assert_int_equal(s.n, 0);
	pf_machine_destroy(m);
}

static void only_selected_event(void **state)
{
	(void)state;
	struct pf_machine *m = boot("cpus 1\nmem 0 0x100000-0x3ffffff\n");
	struct sink s = { 0 };
	assert_int_equal(pf_set_trace(m, "mm_page_free", collect, &s), 0);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 1);
	assert_non_null(p);
	assert_int_equal(s.n, 0);
	pf_free_pages(p, 1);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.lines[0], ": mm_page_free: "));
	sink_clear(&s);
	pf_machine_destroy(m);
}

static void failed_alloc_traced(void **state)
{
	(void)state;
	/* 2 MiB of memory: no order-10 (4 MiB) block can exist, so the allocation fails */
	struct pf_machine *m = boot("cpus 1\nmem 0 0x100000-0x2fffff\n");
	struct sink s = { 0 };
	assert_int_equal(pf_set_trace(m, "mm_page_alloc", collect, &s), 0);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_ATOMIC | PF___GFP_NOWARN, 10);
	assert_null(p);
	assert_true(s.n >= 1);
	struct parsed a;
	const char *last = s.lines[s.n - 1];
	if (!match(ALLOC_RE, last, &a)) {
		print_error("no match: '%s'\n", last);
		fail();
	}
	assert_string_equal(a.page, "0000000000000000");
	assert_int_equal(a.pfn, 0);
	assert_non_null(strstr(last, " page=0000000000000000 pfn=0x0 order=10 migratetype=0 gfp_flags=GFP_ATOMIC|__GFP_NOWARN"));
	sink_clear(&s);
	pf_machine_destroy(m);
}

static void unknown_event(void **state)
{
	(void)state;
	struct pf_machine *m = boot("cpus 1\nmem 0 0x100000-0x3ffffff\n");
	struct sink s = { 0 };
	assert_int_equal(pf_set_trace(m, "mm_page_alloc,no_such_event", collect, &s), -ENOENT);
	assert_int_equal(pf_set_trace(m, "bogus", collect, &s), -ENOENT);
	pf_machine_destroy(m);
}

/*
 * mm_page_alloc_zone_locked and mm_page_pcpu_drain (kmem.h, 6.12): a refill of this CPU's list
 * takes blocks under zone->lock with percpu_refill = pcp_allowed_order(order) && migratetype <
 * MIGRATE_PCPTYPES; draining returns each to the buddy lists with its pageblock's migratetype.
 */
#define ZONE_LOCKED_RE PREFIX "mm_page_alloc_zone_locked: page=[0-9a-f]{16} pfn=0x[0-9a-f]+ order=0 migratetype=1 percpu_refill=1$"
#define DRAIN_RE PREFIX "mm_page_pcpu_drain: page=[0-9a-f]{16} pfn=0x[0-9a-f]+ order=0 migratetype=1$"

static void pcpu_drain_and_zone_locked(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000-0x3ffffff\n");
	assert_int_equal(pf_set_trace(m, "mm_page_alloc_zone_locked,mm_page_pcpu_drain", collect, &s), 0);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(p);
	int locked = s.n;
	assert_true(locked > 1);	/* a batch, not one page */
	regex_t re;
	assert_int_equal(regcomp(&re, ZONE_LOCKED_RE, REG_EXTENDED | REG_NOSUB), 0);
	for (int i = 0; i < s.n; i++)
		if (regexec(&re, s.lines[i], 0, NULL, 0))
			fail_msg("not a zone_locked line: %s", s.lines[i]);
	regfree(&re);
	sink_clear(&s);
	pf_free_pages(p, 0);
	assert_int_equal(s.n, 0);	/* stays on the per-CPU list */
	pf_drain_all_pages(m);
	assert_int_equal(s.n, locked);	/* every page of the batch goes back */
	assert_int_equal(regcomp(&re, DRAIN_RE, REG_EXTENDED | REG_NOSUB), 0);
	for (int i = 0; i < s.n; i++)
		if (regexec(&re, s.lines[i], 0, NULL, 0))
			fail_msg("not a pcpu_drain line: %s", s.lines[i]);
	regfree(&re);
	sink_clear(&s);
	pf_set_trace(m, NULL, NULL, NULL);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_trace", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alloc_free_lines),
		cmocka_unit_test(only_selected_event),
		cmocka_unit_test(failed_alloc_traced),
		cmocka_unit_test(unknown_event),
		cmocka_unit_test(pcpu_drain_and_zone_locked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
