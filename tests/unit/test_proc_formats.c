/* test_proc_formats: buddyinfo/pagetypeinfo of a small machine match the hand-worked boot layout and buddy splits (incl. unmovable pageblock claim), vmstat lists the 6.12.117 item names in order with nr_free_pages = buddyinfo pages, and unknown views give -ENOENT. */
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
#include "pf_testlib.h"

#define DATA PF_TEST_DATA "/proc/"
#define DESC "cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3ffffff\nthp never\n"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		print_error("cannot open %s\n", path);
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *show(struct pf_machine *m, const char *what)
{
	return pf_test_show(m, what);
}

static void expect_view(struct pf_machine *m, const char *what, const char *file)
{
	char *got = show(m, what);
	char path[512];
	snprintf(path, sizeof path, DATA "%s", file);
	char *exp = read_file(path);
	if (strcmp(got, exp))
		print_error("%s differs from %s:\n--- got ---\n%s--- expected ---\n%s", what, file, got, exp);
	assert_string_equal(got, exp);
	free(got);
	free(exp);
}

/* Sum of nr_free[o] << o over every buddyinfo line. */
static long buddyinfo_pages(struct pf_machine *m)
{
	char *bi = show(m, "buddyinfo");
	long total = 0;
	char *save = NULL;
	for (char *line = strtok_r(bi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "zone");
		assert_non_null(p);
		p += 4;
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
		for (int o = 0; o < PF_NR_PAGE_ORDERS; o++) {
			char *end;
			long c = strtol(p, &end, 10);
			assert_true(end != p);
			total += c << o;
			p = end;
		}
	}
	free(bi);
	return total;
}

static void expect_nr_free(struct pf_machine *m, long want)
{
	long v = -1;
	assert_int_equal(pf_vmstat_get(m, "nr_free_pages", &v), 0);
	assert_int_equal(v, want);
	assert_int_equal(buddyinfo_pages(m), want);
}

static struct pf_machine *boot(void)
{
	return pf_test_boot(DESC);
}

static void boot_layout(void **state)
{
	(void)state;
	struct pf_machine *m = boot();
	expect_view(m, "buddyinfo", "boot.buddyinfo");
	expect_view(m, "pagetypeinfo", "boot.pagetypeinfo");
	expect_nr_free(m, 16286);
	pf_machine_destroy(m);
}

static void splits_and_claim(void **state)
{
	(void)state;
	char err[256];
	struct pf_machine *m = boot();

	struct pf_page *a = pf_alloc_pages(m, PF_GFP_KERNEL, 4);
	assert_non_null(a);
	assert_int_equal(pf_page_to_pfn(a), 4096);
	expect_view(m, "buddyinfo", "after_a.buddyinfo");
	expect_view(m, "pagetypeinfo", "after_a.pagetypeinfo");
	expect_nr_free(m, 16270);

	struct pf_page *b = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 5);
	assert_non_null(b);
	assert_int_equal(pf_page_to_pfn(b), 5120);
	expect_view(m, "buddyinfo", "after_b.buddyinfo");
	expect_view(m, "pagetypeinfo", "after_b.pagetypeinfo");
	expect_nr_free(m, 16238);

	struct pf_page *c = pf_alloc_pages(m, PF_GFP_KERNEL, 4);
	assert_non_null(c);
	assert_int_equal(pf_page_to_pfn(c), 4112);
	expect_view(m, "buddyinfo", "after_c.buddyinfo");
	expect_view(m, "pagetypeinfo", "after_c.pagetypeinfo");
	expect_nr_free(m, 16222);

	pf_free_pages(c, 4);
	pf_free_pages(b, 5);
	pf_free_pages(a, 4);
	expect_view(m, "buddyinfo", "freed.buddyinfo");
	expect_view(m, "pagetypeinfo", "freed.pagetypeinfo");
	expect_nr_free(m, 16286);
	assert_int_equal(pf_check(m, err, sizeof err), 0);
	pf_machine_destroy(m);
}

static void vmstat_names(void **state)
{
	(void)state;
	struct pf_machine *m = boot();
	char *got = show(m, "vmstat");
	char *exp = read_file(DATA "vmstat_names_6.12");
	/* compare the first word of every line, in order */
	char *gs = NULL, *es = NULL;
	char *gl = strtok_r(got, "\n", &gs);
	char *el = strtok_r(exp, "\n", &es);
	int n = 0;
	long nr_free = -1;
	while (gl && el) {
		char name[128];
		long val;
		assert_int_equal(sscanf(gl, "%127s %ld", name, &val), 2);
		if (strcmp(name, el)) {
			print_error("vmstat line %d: got '%s', expected '%s'\n", n + 1, name, el);
			fail();
		}
		if (!strcmp(name, "nr_free_pages"))
			nr_free = val;
		if (!strcmp(name, "nr_unstable"))
			assert_int_equal(val, 0);
		n++;
		gl = strtok_r(NULL, "\n", &gs);
		el = strtok_r(NULL, "\n", &es);
	}
	if (gl || el)
		print_error("vmstat: %d lines matched, then got '%s', expected '%s'\n", n, gl ? gl : "(end)",
			    el ? el : "(end)");
	assert_null(gl);
	assert_null(el);
	assert_int_equal(n, 187);
	assert_int_equal(nr_free, 16286);
	assert_int_equal(nr_free, buddyinfo_pages(m));
	free(got);
	free(exp);
	pf_machine_destroy(m);
}

static void unknown_view(void **state)
{
	(void)state;
	struct pf_machine *m = boot();
	FILE *o = fopen("/dev/null", "w");
	assert_non_null(o);
	assert_int_equal(pf_show(m, "slabinfo", o), -ENOENT);
	assert_int_equal(pf_show(m, "", o), -ENOENT);
	fclose(o);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_proc_formats", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boot_layout),
		cmocka_unit_test(splits_and_claim),
		cmocka_unit_test(vmstat_names),
		cmocka_unit_test(unknown_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
