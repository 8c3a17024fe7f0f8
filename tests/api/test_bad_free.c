/* test_bad_free: a double free, wrong-order free, put_page at refcount 0, free with a mapping, tail-page free and free of a never-allocated page are each reported once as "BUG: Bad page state", counted, leave pf_check clean, and the program goes on. */
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
#include <pageframe/page.h>

#define MACHINE "cpus 2\nmem 0 0x1000-0x3fffffff\n"

struct log {
	int bug_lines;		/* "BUG: Bad page state" lines */
	int lines;
	char reasons[1024];	/* the "page dumped because:" texts, ';'-separated */
};

static void hook(void *arg, int level, const char *line)
{
	struct log *log = arg;
	(void)level;
	log->lines++;
	if (strncmp(line, "BUG: Bad page state", 19) == 0)
		log->bug_lines++;
	const char *r = strstr(line, "page dumped because: ");
	if (r) {
		size_t used = strlen(log->reasons);
		snprintf(log->reasons + used, sizeof log->reasons - used, "%s;", r + 21);
	}
}

struct env {
	struct pf_machine *m;
	struct log log;
	char *boot_buddyinfo;
};

static char *show(struct pf_machine *m, const char *what)
{
	return pf_test_show_drained(m, what);
}

static long bad_pages(struct pf_machine *m)
{
	return pf_test_vmstat(m, "pageframe_bad_pages");
}

static void check_clean(struct pf_machine *m)
{
	pf_test_check(m, "after the bad free");
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	char err[256];
	e->m = pf_machine_create(MACHINE, err, sizeof err);
	if (!e->m) {
		fprintf(stderr, "machine: %s\n", err);
		return -1;
	}
	pf_set_report_hook(e->m, hook, &e->log);
	e->boot_buddyinfo = show(e->m, "buddyinfo");
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	pf_machine_destroy(e->m);
	free(e->boot_buddyinfo);
	free(e);
	return 0;
}

/* Exactly one report and one count since @bad_before, pf_check clean. */
static void expect_one_report(struct env *e, long bad_before)
{
	if (e->log.bug_lines != 1)
		fail_msg("%d \"BUG: Bad page state\" lines, expected 1 (reasons: %s)", e->log.bug_lines, e->log.reasons);
	assert_int_equal(bad_pages(e->m), bad_before + 1);
	check_clean(e->m);
}

/* The machine still works: every order allocates and frees without a report, and memory is back as at boot. */
static void expect_working_and_boot_state(struct env *e)
{
	int bug_before = e->log.bug_lines;
	long bad_before = bad_pages(e->m);
	for (unsigned o = 0; o <= PF_MAX_PAGE_ORDER; o++) {
		struct pf_page *p = pf_alloc_pages(e->m, PF_GFP_KERNEL, o);
		assert_non_null(p);
		pf_free_pages(p, o);
	}
	assert_int_equal(e->log.bug_lines, bug_before);
	assert_int_equal(bad_pages(e->m), bad_before);
	check_clean(e->m);
	char *now = show(e->m, "buddyinfo");
	if (strcmp(now, e->boot_buddyinfo) != 0)
		fail_msg("buddyinfo differs from boot:\n%s\nboot:\n%s", now, e->boot_buddyinfo);
	free(now);
}

static void double_free(void **state)
{
	struct env *e = *state;
	long bad0 = bad_pages(e->m);
	struct pf_page *p = pf_alloc_pages(e->m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	pf_free_pages(p, 0);
	assert_int_equal(e->log.bug_lines, 0);
	char *before = show(e->m, "buddyinfo");
	pf_free_pages(p, 0);
	expect_one_report(e, bad0);
	char *after = show(e->m, "buddyinfo");
	assert_string_equal(before, after);	/* the second free changed nothing */
	free(before);
	free(after);
	expect_working_and_boot_state(e);
}

static void wrong_order(struct env *e, unsigned alloc_order, unsigned free_order)
{
	long bad0 = bad_pages(e->m);
	struct pf_page *p = pf_alloc_pages(e->m, PF_GFP_KERNEL, alloc_order);
	assert_non_null(p);
	char *before = show(e->m, "buddyinfo");
	pf_free_pages(p, free_order);
	expect_one_report(e, bad0);
	char *after = show(e->m, "buddyinfo");
	assert_string_equal(before, after);	/* nothing went to the free lists */
	free(before);
	free(after);
	assert_int_equal(pf_page_count(p), 1);
	/* the right free still works */
	pf_free_pages(p, alloc_order);
	assert_int_equal(e->log.bug_lines, 1);
	expect_working_and_boot_state(e);
}

static void free_order2_as_order3(void **state)
{
	wrong_order(*state, 2, 3);
}

static void free_order3_as_order2(void **state)
{
	wrong_order(*state, 3, 2);
}

static void put_page_at_zero(void **state)
{
	struct env *e = *state;
	long bad0 = bad_pages(e->m);
	struct pf_page *p = pf_alloc_pages(e->m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	pf_free_pages(p, 0);
	char *before = show(e->m, "buddyinfo");
	pf_put_page(p);
	expect_one_report(e, bad0);
	char *after = show(e->m, "buddyinfo");
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(pf_page_count(p), 0);
	expect_working_and_boot_state(e);
}

static void free_with_mapping(void **state)
{
	struct env *e = *state;
	long bad0 = bad_pages(e->m);
	struct pf_page *p = pf_alloc_pages(e->m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	unsigned long pfn = pf_page_to_pfn(p);
	char *before = show(e->m, "buddyinfo");
	p->mapping = (void *)0x1234;
	pf_free_pages(p, 0);
	expect_one_report(e, bad0);
	if (!strstr(e->log.reasons, "non-NULL mapping"))
		fail_msg("reason \"%s\", expected \"non-NULL mapping\"", e->log.reasons);
	/* kept out of the free lists */
	assert_false(pf_PageBuddy(p));
	char *after = show(e->m, "buddyinfo");
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* its buddy and the block around it are not free as a whole: a fresh order-0..10 allocation never returns it */
	for (int i = 0; i < 64; i++) {
		struct pf_page *q = pf_alloc_pages(e->m, PF_GFP_KERNEL, 0);
		assert_non_null(q);
		assert_int_not_equal(pf_page_to_pfn(q), pfn);
		pf_free_pages(q, 0);
	}
	/* once its user clears the mapping, the page frees normally */
	p->mapping = NULL;
	pf_free_pages(p, 0);
	assert_int_equal(e->log.bug_lines, 1);
	assert_int_equal(bad_pages(e->m), bad0 + 1);
	expect_working_and_boot_state(e);
}

static void free_tail_page(void **state)
{
	struct env *e = *state;
	long bad0 = bad_pages(e->m);
	struct pf_page *head = pf_alloc_pages(e->m, PF_GFP_KERNEL | PF_GFP_COMP, 2);
	assert_non_null(head);
	struct pf_page *tail = pf_pfn_to_page(e->m, pf_page_to_pfn(head) + 1);
	assert_true(pf_PageTail(tail));
	char *before = show(e->m, "buddyinfo");
	pf_free_pages(tail, 0);
	expect_one_report(e, bad0);
	char *after = show(e->m, "buddyinfo");
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(pf_page_count(head), 1);
	assert_true(pf_PageHead(head));
	pf_free_pages(head, 2);
	assert_int_equal(e->log.bug_lines, 1);
	expect_working_and_boot_state(e);
}

static void free_never_allocated(void **state)
{
	struct env *e = *state;
	long bad0 = bad_pages(e->m);
	/* a free block's first page, straight from the free lists */
	struct pf_page *p = NULL;
	for (unsigned long pfn = 0x2000; pfn < 0x40000 && !p; pfn++) {
		struct pf_page *q = pf_pfn_to_page(e->m, pfn);
		if (q && pf_PageBuddy(q))
			p = q;
	}
	assert_non_null(p);
	char *before = show(e->m, "buddyinfo");
	pf_free_pages(p, 0);
	expect_one_report(e, bad0);
	char *after = show(e->m, "buddyinfo");
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_true(pf_PageBuddy(p));
	/* and a page inside a free block (not its head) */
	struct pf_page *inner = pf_pfn_to_page(e->m, pf_page_to_pfn(p) + 1);
	if (inner && !pf_PageBuddy(inner)) {
		e->log.bug_lines = 0;
		pf_free_pages(inner, 0);
		expect_one_report(e, bad0 + 1);
	}
	expect_working_and_boot_state(e);
}

static void not_a_page(void **state)
{
	struct env *e = *state;
	long bad0 = bad_pages(e->m);
	pf_free_pages(NULL, 0);
	pf_put_page(NULL);
	struct pf_page local;
	memset(&local, 0xa5, sizeof local);
	pf_free_pages(&local, 0);
	pf_put_page(&local);
	void *heap = malloc(4 * sizeof(struct pf_page));
	assert_non_null(heap);
	memset(heap, 0, 4 * sizeof(struct pf_page));
	pf_free_pages((struct pf_page *)heap + 1, 3);
	free(heap);
	/* a pointer into the memmap that is not at a struct page boundary */
	struct pf_page *p = pf_alloc_pages(e->m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	pf_free_pages((struct pf_page *)(void *)((char *)p + 8), 0);
	assert_int_equal(pf_page_count(p), 1);
	pf_free_pages(p, 0);
	/* none of that was a page of this machine's free lists: nothing changed */
	assert_true(bad_pages(e->m) >= bad0);
	check_clean(e->m);
	expect_working_and_boot_state(e);
}

int main(void)
{
	pf_test_watchdog("test_bad_free", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(double_free, setup, teardown),
		cmocka_unit_test_setup_teardown(free_order2_as_order3, setup, teardown),
		cmocka_unit_test_setup_teardown(free_order3_as_order2, setup, teardown),
		cmocka_unit_test_setup_teardown(put_page_at_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(free_with_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(free_tail_page, setup, teardown),
		cmocka_unit_test_setup_teardown(free_never_allocated, setup, teardown),
		cmocka_unit_test_setup_teardown(not_a_page, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
