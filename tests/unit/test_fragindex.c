/* test_fragindex: extfrag_index and unusable_index computed from a /proc/buddyinfo text match mm/vmstat.c's formulas worked by hand, via the API and the CLI, and malformed input is refused naming the line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

#define DATA PF_TEST_DATA "/fragindex/"

static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *s = slurp(f, NULL);
	fclose(f);
	return s;
}

static void check_api(const char *input, const char *what, const char *expected_path)
{
	char err[256] = "";
	FILE *in = fopen(input, "r");
	assert_non_null(in);
	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen);
	assert_non_null(o);
	int rc = pf_frag_index_from_buddyinfo(in, what, o, err, sizeof err);
	fclose(in);
	fclose(o);
	if (rc)
		print_error("rc=%d err=%s\n", rc, err);
	assert_int_equal(rc, 0);
	char *exp = read_file(expected_path);
	assert_string_equal(out, exp);
	free(exp);
	free(out);
}

static void check_cli(const char *cmd, const char *input, const char *expected_path)
{
	char line[1024];
	snprintf(line, sizeof line, "'%s' %s '%s'", PF_CLI, cmd, input);
	FILE *p = popen(line, "r");
	assert_non_null(p);
	char *out = slurp(p, NULL);
	int st = pclose(p);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	char *exp = read_file(expected_path);
	assert_string_equal(out, exp);
	free(exp);
	free(out);
}

static void extfrag_api(void **state)
{
	(void)state;
	check_api(DATA "buddyinfo_mixed", "extfrag_index", DATA "buddyinfo_mixed.extfrag_index");
}

static void unusable_api(void **state)
{
	(void)state;
	check_api(DATA "buddyinfo_mixed", "unusable_index", DATA "buddyinfo_mixed.unusable_index");
}

static void extfrag_cli(void **state)
{
	(void)state;
	check_cli("extfrag", DATA "buddyinfo_mixed", DATA "buddyinfo_mixed.extfrag_index");
}

static void unusable_cli(void **state)
{
	(void)state;
	check_cli("unusable", DATA "buddyinfo_mixed", DATA "buddyinfo_mixed.unusable_index");
}

static void malformed_api(void **state)
{
	(void)state;
	const char *whats[] = { "extfrag_index", "unusable_index" };
	for (int i = 0; i < 2; i++) {
		char err[256] = "";
		FILE *in = fopen(DATA "buddyinfo_bad", "r");
		assert_non_null(in);
		FILE *o = fopen("/dev/null", "w");
		assert_non_null(o);
		int rc = pf_frag_index_from_buddyinfo(in, whats[i], o, err, sizeof err);
		fclose(in);
		fclose(o);
		assert_int_equal(rc, -EINVAL);
		assert_non_null(strstr(err, "line 3"));
	}
}

/* a count past 2^40 (here ULONG_MAX) is refused, not summed into an overflowed index; a long line is one line */
static void out_of_range_and_long_lines(void **state)
{
	(void)state;
	static const char big[] = "Node 0, zone   Normal  1 1 1 1 1 1 1 1 1 1 1\n"
				  "Node 0, zone   Normal  18446744073709551615 18446744073709551615 1 1 1 1 1 1 1 1 1\n";
	char err[256] = "";
	FILE *in = fmemopen((void *)big, sizeof big - 1, "r");
	FILE *o = fopen("/dev/null", "w");
	assert_non_null(in);
	assert_non_null(o);
	assert_int_equal(pf_frag_index_from_buddyinfo(in, "unusable_index", o, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "line 2: order 0 count 18446744073709551615 is out of range"));
	fclose(in);

	/* 3000 blanks after the counts, then a bad second line: the error names line 2, not a piece of line 1 */
	char *longtext = malloc(4096);
	assert_non_null(longtext);
	int n = snprintf(longtext, 4096, "Node 0, zone   Normal  1 1 1 1 1 1 1 1 1 1 1");
	memset(longtext + n, ' ', 3000);
	snprintf(longtext + n + 3000, 4096 - (size_t)n - 3000, "\nNode 0, zone   Normal  x\n");
	in = fmemopen(longtext, strlen(longtext), "r");
	assert_non_null(in);
	err[0] = '\0';
	assert_int_equal(pf_frag_index_from_buddyinfo(in, "extfrag_index", o, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "line 2"));
	fclose(in);
	fclose(o);
	free(longtext);
}

static void malformed_cli(void **state)
{
	(void)state;
	const char *cmds[] = { "extfrag", "unusable" };
	for (int i = 0; i < 2; i++) {
		char line[1024];
		snprintf(line, sizeof line, "'%s' %s '%s' 2>&1 >/dev/null", PF_CLI, cmds[i], DATA "buddyinfo_bad");
		FILE *p = popen(line, "r");
		assert_non_null(p);
		char *msg = slurp(p, NULL);
		int st = pclose(p);
		assert_true(WIFEXITED(st));
		assert_int_not_equal(WEXITSTATUS(st), 0);
		assert_non_null(strstr(msg, "line 3"));
		free(msg);
	}
}

int main(void)
{
	pf_test_watchdog("test_fragindex", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(extfrag_api),  cmocka_unit_test(unusable_api),  cmocka_unit_test(extfrag_cli),
		cmocka_unit_test(unusable_cli), cmocka_unit_test(malformed_api), cmocka_unit_test(malformed_cli),
		cmocka_unit_test(out_of_range_and_long_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
