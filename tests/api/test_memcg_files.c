/* test_memcg_files: the cgroup v2 memory files print byte for byte as Linux 6.12's (memory.stat in memory_stats[] / memcg_vm_event_stat[] order for an x86-64 distribution config, memory.numa_stat, memory.events, the tunables as "max" or bytes) and parse as page_counter_memparse / kstrtoint do: "max", K/M/G suffixes, hex, rounding down to pages; bad values and unknown or read-only files are -EINVAL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

static char *show(struct pf_memcg *cg, const char *file)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(pf_memcg_show(cg, file, f), 0);
	fclose(f);
	return buf;
}

static void expect(struct pf_memcg *cg, const char *file, const char *want)
{
	char *got = show(cg, file);
	if (strcmp(got, want))
		fail_msg("%s is\n%s\nwant\n%s", file, got, want);
	free(got);
}

/*
 * Written by hand from Linux 6.12's mm/memcontrol.c: memory_stats[] with CONFIG_ZSWAP,
 * CONFIG_SWAP, CONFIG_TRANSPARENT_HUGEPAGE and CONFIG_NUMA_BALANCING (the "slab" line after
 * slab_unreclaimable), then "pgscan", "pgsteal" and memcg_vm_event_stat[] without v1's
 * pgpgin/pgpgout.  3 kmem pages: kernel 12288.
 */
static const char stat_3_kmem_pages[] =
	"anon 0\nfile 0\nkernel 12288\nkernel_stack 0\npagetables 0\nsec_pagetables 0\npercpu 0\nsock 0\n"
	"vmalloc 0\nshmem 0\nzswap 0\nzswapped 0\nfile_mapped 0\nfile_dirty 0\nfile_writeback 0\n"
	"swapcached 0\nanon_thp 0\nfile_thp 0\nshmem_thp 0\ninactive_anon 0\nactive_anon 0\n"
	"inactive_file 0\nactive_file 0\nunevictable 0\nslab_reclaimable 0\nslab_unreclaimable 0\nslab 0\n"
	"workingset_refault_anon 0\nworkingset_refault_file 0\nworkingset_activate_anon 0\n"
	"workingset_activate_file 0\nworkingset_restore_anon 0\nworkingset_restore_file 0\n"
	"workingset_nodereclaim 0\npgdemote_kswapd 0\npgdemote_direct 0\npgdemote_khugepaged 0\n"
	"pgpromote_success 0\npgscan 0\npgsteal 0\npgscan_kswapd 0\npgscan_direct 0\npgscan_khugepaged 0\n"
	"pgsteal_kswapd 0\npgsteal_direct 0\npgsteal_khugepaged 0\npgfault 0\npgmajfault 0\npgrefill 0\n"
	"pgactivate 0\npgdeactivate 0\npglazyfree 0\npglazyfreed 0\nswpin_zero 0\nswpout_zero 0\n"
	"zswpin 0\nzswpout 0\nzswpwb 0\nthp_fault_alloc 0\nthp_collapse_alloc 0\nthp_swpout 0\n"
	"thp_swpout_fallback 0\nnuma_pages_migrated 0\nnuma_pte_updates 0\nnuma_hint_faults 0\n";

/* memory_numa_stat_show: the node items of memory_stats[], one " N<nid>=" per node with memory */
static const char numa_stat_2_nodes[] =
	"anon N0=0 N1=0\nfile N0=0 N1=0\nkernel_stack N0=0 N1=0\npagetables N0=0 N1=0\n"
	"sec_pagetables N0=0 N1=0\nshmem N0=0 N1=0\nfile_mapped N0=0 N1=0\nfile_dirty N0=0 N1=0\n"
	"file_writeback N0=0 N1=0\nswapcached N0=0 N1=0\nanon_thp N0=0 N1=0\nfile_thp N0=0 N1=0\n"
	"shmem_thp N0=0 N1=0\ninactive_anon N0=0 N1=0\nactive_anon N0=0 N1=0\ninactive_file N0=0 N1=0\n"
	"active_file N0=0 N1=0\nunevictable N0=0 N1=0\nslab_reclaimable N0=0 N1=0\n"
	"slab_unreclaimable N0=0 N1=0\nworkingset_refault_anon N0=0 N1=0\nworkingset_refault_file N0=0 N1=0\n"
	"workingset_activate_anon N0=0 N1=0\nworkingset_activate_file N0=0 N1=0\n"
	"workingset_restore_anon N0=0 N1=0\nworkingset_restore_file N0=0 N1=0\n"
	"workingset_nodereclaim N0=0 N1=0\npgdemote_kswapd N0=0 N1=0\npgdemote_direct N0=0 N1=0\n"
	"pgdemote_khugepaged N0=0 N1=0\npgpromote_success N0=0 N1=0\n";

static void formats(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 2\nmem 0 0x1000000-0x7ffffff\nmem 1 0x10000000-0x17ffffff\n");
	struct pf_memcg *cg = pf_memcg_create(m, NULL, "fmt");
	assert_non_null(cg);

	/* a fresh memcg (mem_cgroup_css_alloc: no limits, no protection) */
	expect(cg, "memory.current", "0\n");
	expect(cg, "memory.peak", "0\n");
	expect(cg, "memory.max", "max\n");
	expect(cg, "memory.high", "max\n");
	expect(cg, "memory.low", "0\n");
	expect(cg, "memory.min", "0\n");
	expect(cg, "memory.oom.group", "0\n");
	expect(cg, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
	expect(cg, "memory.events.local", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");

	pf_memcg_attach(cg);
	struct pf_page *a = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 1);
	struct pf_page *b = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);
	assert_non_null(a);
	assert_non_null(b);
	expect(cg, "memory.stat", stat_3_kmem_pages);
	expect(cg, "memory.numa_stat", numa_stat_2_nodes);
	pf_free_pages(a, 1);
	pf_free_pages(b, 0);
	pf_memcg_attach(NULL);
	pf_memcg_destroy(cg);
	pf_machine_destroy(m);
}

static void parsing(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000000-0x7ffffff\n");
	struct pf_memcg *cg = pf_memcg_create(m, NULL, "parse");

	/* page_counter_memparse: memparse's suffixes, rounded down to pages */
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "16M", "16777216\n" },	{ "16m\n", "16777216\n" },	{ "  4k  ", "4096\n" },
		{ "4097", "4096\n" },		{ "4095", "0\n" },		{ "0x2000", "8192\n" },
		{ "1G", "1073741824\n" },	{ "max", "max\n" },		{ "max\n", "max\n" },
		{ "0", "0\n" },			{ "010", "0\n" },		{ "1T", "1099511627776\n" },
	};
	static const char *const files[] = { "memory.max", "memory.high", "memory.low", "memory.min" };
	for (size_t f = 0; f < 4; f++) {
		for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
			pf_test_phase("%s <- '%s'", files[f], ok[i].in);
			assert_int_equal(pf_memcg_set(cg, files[f], ok[i].in), 0);
			expect(cg, files[f], ok[i].out);
		}
		/* refused, the value stays */
		assert_int_equal(pf_memcg_set(cg, files[f], "12M"), 0);
		static const char *const bad[] = { "abc", "-1", "+5", "16Q", "16MB", "1 2", "maxx", "", "\n" };
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			assert_int_equal(pf_memcg_set(cg, files[f], bad[i]), -EINVAL);
		expect(cg, files[f], "12582912\n");
		assert_int_equal(pf_memcg_set(cg, files[f], "max"), 0);
	}
	assert_int_equal(pf_memcg_set(cg, "memory.low", "0"), 0);
	assert_int_equal(pf_memcg_set(cg, "memory.min", "0"), 0);

	/* memory.oom.group: kstrtoint, 0 or 1 */
	assert_int_equal(pf_memcg_set(cg, "memory.oom.group", "1\n"), 0);
	expect(cg, "memory.oom.group", "1\n");
	assert_int_equal(pf_memcg_set(cg, "memory.oom.group", "2"), -EINVAL);
	assert_int_equal(pf_memcg_set(cg, "memory.oom.group", "yes"), -EINVAL);
	assert_int_equal(pf_memcg_set(cg, "memory.oom.group", ""), -EINVAL);
	expect(cg, "memory.oom.group", "1\n");
	assert_int_equal(pf_memcg_set(cg, "memory.oom.group", "0"), 0);
	expect(cg, "memory.oom.group", "0\n");

	/* unknown, read-only, NULL */
	assert_int_equal(pf_memcg_set(cg, "memory.current", "0"), -EINVAL);
	assert_int_equal(pf_memcg_set(cg, "memory.stat", "0"), -EINVAL);
	assert_int_equal(pf_memcg_set(cg, "memory.swap.max", "0"), -EINVAL);
	assert_int_equal(pf_memcg_set(cg, NULL, "0"), -EINVAL);
	assert_int_equal(pf_memcg_set(cg, "memory.max", NULL), -EINVAL);
	assert_int_equal(pf_memcg_set(NULL, "memory.max", "0"), -EINVAL);
	assert_int_equal(pf_memcg_show(cg, "memory.nothing", stdout), -EINVAL);
	assert_int_equal(pf_memcg_show(cg, NULL, stdout), -EINVAL);
	assert_int_equal(pf_memcg_show(NULL, "memory.current", stdout), -EINVAL);
	assert_int_equal(pf_memcg_show(cg, "memory.current", NULL), -EINVAL);

	/* bad create arguments: NULL, with a report */
	assert_null(pf_memcg_create(m, NULL, ""));
	assert_null(pf_memcg_create(m, NULL, "a/b"));
	assert_null(pf_memcg_create(m, NULL, NULL));
	assert_null(pf_memcg_create(NULL, NULL, "x"));
	struct pf_machine *other = pf_test_boot("cpus 1\nmem 0 0x1000000-0x3ffffff\n");
	assert_null(pf_memcg_create(other, cg, "x"));	/* a parent of another machine */
	pf_machine_destroy(other);

	pf_memcg_destroy(cg);
	pf_memcg_destroy(NULL);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_memcg_files", 30);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(formats),
		cmocka_unit_test(parsing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
