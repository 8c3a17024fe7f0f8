/* test_machine_parse: bad machine descriptions are refused with NULL and a "line N: ..." reason, kernel-log lines are accepted, backing none has no page addresses, and pf_sysctl_set/get validate and round-trip. */
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

/* Expect refusal; if @line > 0 the reason must start with "line N: ". */
static void refused(const char *desc, int line, const char *word)
{
	char err[512];
	memset(err, 0, sizeof err);
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (m) {
		pf_machine_destroy(m);
		print_error("accepted: %s\n", desc);
		fail();
	}
	assert_true(err[0] != '\0');
	if (line > 0) {
		char want[32];
		snprintf(want, sizeof want, "line %d: ", line);
		if (strncmp(err, want, strlen(want))) {
			print_error("description:\n%s\nerror '%s' does not start with '%s'\n", desc, err, want);
			fail();
		}
	}
	if (word && !strstr(err, word)) {
		print_error("error '%s' does not mention '%s'\n", err, word);
		fail();
	}
}

static struct pf_machine *accepted(const char *desc)
{
	char err[512] = "";
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (!m)
		print_error("refused: %s\n", err);
	assert_non_null(m);
	return m;
}

#define MEM "mem 0 0x100000-0x3ffffff\n"

static void unknown_directive(void **state)
{
	(void)state;
	refused("cpus 1\n" MEM "frobnicate 3\n", 3, "frobnicate");
}

static void bad_number(void **state)
{
	(void)state;
	refused("cpus two\n" MEM, 1, "two");
	refused("cpus 1\nmem 0 0x10zz00-0x3ffffff\n", 2, NULL);
	refused("cpus 1\nmem x 0x100000-0x3ffffff\n", 2, NULL);
}

static void overflowing_number(void **state)
{
	(void)state;
	refused("cpus 1\nmem 0 0x100000-0xffffffffffffffffffff\n", 2, NULL);
	refused("cpus 1\nmem 0 0xffffffffffffffffffff-0xfffffffffffffffffffff\n", 2, NULL);
	refused("cpus 99999999999999999999999\n" MEM, 1, NULL);
}

static void range_ends_before_start(void **state)
{
	(void)state;
	refused("cpus 1\nmem 0 0x3ffffff-0x100000\n", 2, NULL);
}

static void overlapping_ranges(void **state)
{
	(void)state;
	/* the second range overlaps the first: the reason should name the line that overlaps */
	refused("cpus 1\nmem 0 0x100000-0x3ffffff\nmem 0 0x2000000-0x4ffffff\n", 3, NULL);
}

static void no_memory(void **state)
{
	(void)state;
	refused("cpus 1\n", 0, "memory");
	refused("cpus 1\nthp never\n", 0, "memory");
}

static void node_without_memory(void **state)
{
	(void)state;
	/* node 1 is declared on line 4 but never given memory */
	refused("cpus 2\nnode 0 cpus 0\n" MEM "node 1 cpus 1\n", 4, "node 1");
}

static void cpu_beyond_cpus(void **state)
{
	(void)state;
	refused("cpus 2\nnode 0 cpus 0-3\n" MEM, 2, NULL);
}

static void unknown_sysctl(void **state)
{
	(void)state;
	refused("cpus 1\n" MEM "sysctl vm.no_such_knob=1\n", 3, "no_such_knob");
	refused("cpus 1\n" MEM "sysctl vm.watermark_scale_factor=banana\n", 3, NULL);
}

static void bad_thp(void **state)
{
	(void)state;
	refused("cpus 1\n" MEM "thp sometimes\n", 3, "sometimes");
}

static void bad_pcp_high_max_fraction(void **state)
{
	(void)state;
	refused("cpus 1\n" MEM "pcp_high_max_fraction 0\n", 3, "pcp_high_max_fraction");
	refused("cpus 1\n" MEM "pcp_high_max_fraction many\n", 3, "many");
	refused("cpus 1\n" MEM "pcp_high_max_fraction 4 5\n", 3, "5");
	pf_machine_destroy(accepted("cpus 1\n" MEM "pcp_high_max_fraction 2\n"));
}

static void kernel_log_lines(void **state)
{
	(void)state;
	struct pf_machine *m = accepted(
		"cpus 1\n"
		"[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"
		"[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000003ffffff] usable\n");
	pf_machine_destroy(m);
	m = accepted("cpus 1\n"
		     "[    0.000000]   node   0: [mem 0x0000000000001000-0x000000000009efff]\n"
		     "[    0.000000]   node   0: [mem 0x0000000000100000-0x0000000003ffffff]\n");
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	unsigned long pfn = pf_page_to_pfn(p);
	assert_true((pfn >= 0x1 && pfn <= 0x9e) || (pfn >= 0x100 && pfn <= 0x3fff));
	pf_free_pages(p, 0);
	pf_machine_destroy(m);
}

static void backing_none(void **state)
{
	(void)state;
	struct pf_machine *m = accepted("cpus 1\n" MEM "backing none\n");
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 2);
	assert_non_null(p);
	assert_null(pf_page_address(p));
	pf_free_pages(p, 2);
	pf_machine_destroy(m);

	m = accepted("cpus 1\n" MEM "backing hosted\n");
	p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_non_null(pf_page_address(p));
	pf_free_pages(p, 0);
	pf_machine_destroy(m);
}

/* CRLF text (docs/MACHINE.md): the same machine as with LF, and an error still names its line */
static void crlf_lines(void **state)
{
	(void)state;
	struct pf_machine *a = accepted("cpus 1\r\nmem 0 0x1000000-0x3ffffff\r\nsysctl vm.min_free_kbytes=2048\r\n");
	char v[32];
	assert_int_equal(pf_sysctl_get(a, "min_free_kbytes", v, sizeof v), 0);
	assert_string_equal(v, "2048");
	pf_machine_destroy(a);
	refused("cpus 1\r\nmem 0 0x1000000-0x3ffffff\r\nbogus 1\r\n", 3, "bogus");
}

static void strip_nl(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
}

static void sysctl_set_get(void **state)
{
	(void)state;
	struct pf_machine *m = accepted("cpus 1\n" MEM);
	char buf[256];
	assert_int_equal(pf_sysctl_set(m, "no_such_knob", "1"), -ENOENT);
	assert_int_equal(pf_sysctl_get(m, "no_such_knob", buf, sizeof buf), -ENOENT);
	assert_int_equal(pf_sysctl_set(m, "min_free_kbytes", "lots"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "min_free_kbytes", "-5"), -EINVAL);
	/* watermark_scale_factor is bounded 1..3000 (proc_dointvec_minmax, SYSCTL_ONE..SYSCTL_THREE_THOUSAND) */
	assert_int_equal(pf_sysctl_set(m, "watermark_scale_factor", "0"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "watermark_scale_factor", "3001"), -EINVAL);

	assert_int_equal(pf_sysctl_set(m, "min_free_kbytes", "2048"), 0);
	assert_int_equal(pf_sysctl_get(m, "min_free_kbytes", buf, sizeof buf), 0);
	strip_nl(buf);
	assert_string_equal(buf, "2048");
	assert_int_equal(pf_sysctl_set(m, "watermark_scale_factor", "150"), 0);
	assert_int_equal(pf_sysctl_get(m, "watermark_scale_factor", buf, sizeof buf), 0);
	strip_nl(buf);
	assert_string_equal(buf, "150");
	assert_int_equal(pf_sysctl_set(m, "watermark_boost_factor", "0"), 0);
	assert_int_equal(pf_sysctl_get(m, "watermark_boost_factor", buf, sizeof buf), 0);
	strip_nl(buf);
	assert_string_equal(buf, "0");

	/* lowmem_reserve_ratio: what get prints can be written back unchanged */
	char first[256], again[256];
	assert_int_equal(pf_sysctl_get(m, "lowmem_reserve_ratio", first, sizeof first), 0);
	assert_int_equal(pf_sysctl_set(m, "lowmem_reserve_ratio", first), 0);
	assert_int_equal(pf_sysctl_get(m, "lowmem_reserve_ratio", again, sizeof again), 0);
	assert_string_equal(first, again);

	/* a value set in the description reads back */
	pf_machine_destroy(m);
	m = accepted("cpus 1\n" MEM "sysctl vm.min_free_kbytes=4096\n");
	assert_int_equal(pf_sysctl_get(m, "min_free_kbytes", buf, sizeof buf), 0);
	strip_nl(buf);
	assert_string_equal(buf, "4096");
	assert_int_equal(pf_sysctl_get(m, "min_free_kbytes", buf, 2), -ERANGE);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_directive),   cmocka_unit_test(bad_number),
		cmocka_unit_test(overflowing_number),  cmocka_unit_test(range_ends_before_start),
		cmocka_unit_test(overlapping_ranges),  cmocka_unit_test(no_memory),
		cmocka_unit_test(node_without_memory), cmocka_unit_test(cpu_beyond_cpus),
		cmocka_unit_test(unknown_sysctl),      cmocka_unit_test(bad_thp),
		cmocka_unit_test(kernel_log_lines),    cmocka_unit_test(backing_none),
		cmocka_unit_test(sysctl_set_get),      cmocka_unit_test(bad_pcp_high_max_fraction),
		cmocka_unit_test(crlf_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
