/*
 * test_dirty_limits: node_dirty_limit / node_dirty_ok and the global thresholds follow
 * mm/page-writeback.c (6.12) for vm.dirty_ratio and vm.dirty_bytes, __GFP_WRITE requests pass
 * over a node beyond its dirty limit on the first attempt only (spread_dirty_pages), the four
 * sysctls exclude each other as the kernel's handlers do, and FAST_OFF_PLACEMENT is set
 * exactly while a thread has a cpuset or policy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"
#include "pf_testlib.h"

#define MACHINE                                                                                    \
	"cpus 4\nnode 0 cpus 0-1\nnode 1 cpus 2-3\ndistance 0 1 21\n"                              \
	"mem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\nmem 1 0x8000000-0xfffffff\n"

static long free_of_node(pg_data_t *pgdat)
{
	long x = 0;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (populated_zone(&pgdat->node_zones[z]))
			x += zone_page_state(&pgdat->node_zones[z], NR_FREE_PAGES);
	return x;
}

static void set_node(pg_data_t *pgdat, int item, long v)
{
	atomic_store(&pgdat->vm_stat[item], v);
}

static int node_of_alloc(struct pf_machine *m, pf_gfp_t gfp)
{
	struct pf_page *p = pf_alloc_pages(m, gfp, 0);
	assert_non_null(p);
	int nid = pf_page_to_nid(p);
	pf_free_pages(p, 0);
	return nid;
}

/*
 * node_dirtyable_memory = free pages of the node - its totalreserve_pages + file LRU pages;
 * node_dirty_limit = dirty_ratio * that / 100, or with dirty_bytes
 * DIV_ROUND_UP(dirty_bytes, 4096) * that / global_dirtyable_memory, where the global one is
 * free - totalreserve + file LRU over the machine, plus one.
 */
static void limits_by_hand(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	pg_data_t *n0 = m->node_data[0], *n1 = m->node_data[1];

	pf_bind_cpu(0);
	set_node(n0, NR_INACTIVE_FILE, 1000);
	set_node(n0, NR_ACTIVE_FILE, 500);
	set_node(n1, NR_INACTIVE_FILE, 300);
	long f0 = free_of_node(n0), f1 = free_of_node(n1);
	long r0 = (long)n0->totalreserve_pages, r1 = (long)n1->totalreserve_pages;
	assert_true(f0 > r0 && f1 > r1 && r0 > 0);
	unsigned long d0 = (unsigned long)(f0 - r0 + 1500), d1 = (unsigned long)(f1 - r1 + 300);
	assert_int_equal(node_dirtyable_memory(n0), d0);
	assert_int_equal(node_dirtyable_memory(n1), d1);
	unsigned long g = (unsigned long)(f0 + f1) - m->totalreserve_pages + 1800 + 1;
	assert_int_equal(global_dirtyable_memory(m), g);
	assert_int_equal(m->totalreserve_pages, n0->totalreserve_pages + n1->totalreserve_pages);

	/* dirty_ratio 20 */
	assert_int_equal(node_dirty_limit(n0), 20 * d0 / 100);
	unsigned long bg, thresh;
	global_dirty_limits(m, &bg, &thresh);
	/* ratios in 1/4096 steps: 20 * 4096 / 100 = 819, 10 * 4096 / 100 = 409 */
	assert_int_equal(thresh, 819 * g / 4096);
	assert_int_equal(bg, 409 * g / 4096);
	/* /proc/vmstat's nr_dirty_threshold is the same computation */
	char *text = pf_test_show(m, "vmstat");
	const char *at = strstr(text, "\nnr_dirty_threshold ");
	assert_non_null(at);
	unsigned long shown = strtoul(at + strlen("\nnr_dirty_threshold "), NULL, 10);
	free(text);
	global_dirty_limits(m, &bg, &thresh);	/* free pages as the view saw them (nothing allocated since) */
	assert_int_equal(shown, thresh);

	/* node_dirty_ok: dirty + writeback up to the limit inclusive */
	unsigned long lim = node_dirty_limit(n0);
	set_node(n0, NR_FILE_DIRTY, (long)lim - 10);
	set_node(n0, NR_WRITEBACK, 10);
	assert_true(node_dirty_ok(n0));
	set_node(n0, NR_WRITEBACK, 11);
	assert_false(node_dirty_ok(n0));

	/* dirty_bytes 8 MiB = 2048 pages: the node's share of them */
	assert_int_equal(pf_sysctl_set(m, "vm.dirty_bytes", "8388608"), 0);
	assert_int_equal(m->dirty_ratio, 0);
	assert_int_equal(node_dirty_limit(n0), 2048 * node_dirtyable_memory(n0) / global_dirtyable_memory(m));
	global_dirty_limits(m, &bg, &thresh);
	assert_int_equal(thresh, 2048);
	/* the background ratio gives 409 * g / 4096, far above 2048 pages: half the hard limit */
	assert_true(409 * global_dirtyable_memory(m) / 4096 >= 2048);
	assert_int_equal(bg, 1024);
	/* dirty_background_bytes 2 MiB: 512 pages, below the hard limit, kept */
	assert_int_equal(pf_sysctl_set(m, "vm.dirty_background_bytes", "2097152"), 0);
	assert_int_equal(m->dirty_background_ratio, 0);
	global_dirty_limits(m, &bg, &thresh);
	assert_int_equal(bg, 512);
	/* 16 MiB: 4096 pages, not below 2048: half of it again */
	assert_int_equal(pf_sysctl_set(m, "vm.dirty_background_bytes", "16777216"), 0);
	global_dirty_limits(m, &bg, &thresh);
	assert_int_equal(bg, 1024);
	pf_machine_destroy(m);
}

/* __GFP_WRITE from CPU 0: node 0 over its limit sends the page to node 1; both over: node 0 in the slow path */
static void spread_dirty_pages(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	pg_data_t *n0 = m->node_data[0], *n1 = m->node_data[1];

	pf_bind_cpu(0);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL | PF___GFP_WRITE), 0);
	set_node(n0, NR_FILE_DIRTY, (long)node_dirty_limit(n0) + 1);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL | PF___GFP_WRITE), 1);
	assert_int_equal(node_of_alloc(m, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_WRITE), 1);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);	/* not page cache to be written */
	set_node(n1, NR_WRITEBACK, (long)node_dirty_limit(n1) + 1);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL | PF___GFP_WRITE), 0);
	set_node(n0, NR_FILE_DIRTY, 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL | PF___GFP_WRITE), 0);
	set_node(n1, NR_WRITEBACK, 0);
	pf_bind_cpu(-1);
	pf_test_check(m, "spread_dirty_pages");
	pf_machine_destroy(m);
}

/*
 * The same through the fast path's door: a thread not bound to a CPU (bound threads leave the
 * rseq pagesets to the general path) on a machine whose CPUs are all on node 0.  Pages freed
 * to this CPU's list would be handed out again by the fast path, which must not skip the test.
 */
static void spread_dirty_pages_unbound(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 4\nnode 0 cpus 0-3\ndistance 0 1 21\n"
					    "mem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\n"
					    "mem 1 0x8000000-0xfffffff\n");
	pg_data_t *n0 = m->node_data[0];

	for (int i = 0; i < 8; i++)
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);
	set_node(n0, NR_FILE_DIRTY, (long)node_dirty_limit(n0) + 1);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL | PF___GFP_WRITE), 1);
	}
	set_node(n0, NR_FILE_DIRTY, 0);
	pf_test_check(m, "spread_dirty_pages_unbound");
	pf_machine_destroy(m);
}

/* the handlers of page-writeback.c: ranges, and each ratio / bytes pair excluding the other */
static void dirty_sysctls(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	char buf[64];

	assert_int_equal(pf_sysctl_get(m, "vm.dirty_ratio", buf, sizeof buf), 0);
	assert_string_equal(buf, "20");
	assert_int_equal(pf_sysctl_get(m, "dirty_background_ratio", buf, sizeof buf), 0);
	assert_string_equal(buf, "10");
	assert_int_equal(pf_sysctl_get(m, "dirty_bytes", buf, sizeof buf), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(pf_sysctl_set(m, "dirty_ratio", "101"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "dirty_bytes", "8191"), -EINVAL);	/* below 2 pages */
	assert_int_equal(pf_sysctl_set(m, "dirty_bytes", "-8192"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "dirty_background_bytes", "0"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "dirty_bytes", "0x2000"), 0);
	assert_int_equal(pf_sysctl_get(m, "dirty_bytes", buf, sizeof buf), 0);
	assert_string_equal(buf, "8192");
	assert_int_equal(pf_sysctl_get(m, "dirty_ratio", buf, sizeof buf), 0);
	assert_string_equal(buf, "0");
	/* writing the same byte count again changes nothing (the ratio stays 0 either way) */
	assert_int_equal(pf_sysctl_set(m, "dirty_ratio", "0"), 0);
	assert_int_equal(m->dirty_bytes, 8192);	/* an unchanged ratio keeps the bytes */
	assert_int_equal(pf_sysctl_set(m, "dirty_ratio", "15"), 0);
	assert_int_equal(m->dirty_bytes, 0);
	/* too many pages for an unsigned int: -ERANGE, the old value kept */
	assert_int_equal(pf_sysctl_set(m, "dirty_bytes", "17592186044416"), -ERANGE);	/* 2^44: 2^32 pages */
	assert_int_equal(m->dirty_bytes, 0);
	assert_int_equal(m->dirty_ratio, 15);
	assert_int_equal(pf_sysctl_set(m, "dirty_background_bytes", "4096"), 0);
	assert_int_equal(m->dirty_background_ratio, 0);
	assert_int_equal(pf_sysctl_set(m, "dirty_background_ratio", "5"), 0);
	assert_int_equal(m->dirty_background_bytes, 0);
	pf_machine_destroy(m);
}

/* the placement bit: on while a thread has a cpuset or policy on the machine, off after */
static void placement_fast_off_bit(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);

	assert_int_equal(m->fast_off & FAST_OFF_PLACEMENT, 0);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_INTERLEAVE, "0-1"), 0);
	assert_int_equal(m->fast_off, FAST_OFF_PLACEMENT);
	assert_int_equal(pf_set_mems_allowed(m, "1"), 0);
	assert_int_equal(atomic_load(&m->placement_threads), 1);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_DEFAULT, NULL), 0);
	assert_int_equal(m->fast_off, FAST_OFF_PLACEMENT);
	assert_int_equal(pf_set_mems_allowed(m, "0-1"), 0);	/* every node: the root cpuset */
	assert_int_equal(m->fast_off, 0);
	assert_int_equal(atomic_load(&m->placement_threads), 0);
	pf_machine_destroy(m);
}

static void *policy_then_exit(void *arg)
{
	struct pf_machine *m = arg;
	if (pf_set_mempolicy(m, PF_MPOL_INTERLEAVE, "0-1") != 0 || m->fast_off != FAST_OFF_PLACEMENT)
		return (void *)1;
	return NULL;	/* ends with its policy set */
}

/*
 * A thread that ends with a policy set gives its count back at exit: the bit goes, and the
 * other threads have their fast paths again (before, it stayed set for the machine's life).
 */
static void placement_thread_exit(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	for (int round = 0; round < 3; round++) {
		pthread_t t;
		void *ret;
		assert_int_equal(pthread_create(&t, NULL, policy_then_exit, m), 0);
		assert_int_equal(pthread_join(t, &ret), 0);
		assert_null(ret);
		assert_int_equal(atomic_load(&m->placement_threads), 0);
		assert_int_equal(m->fast_off, 0);
	}
	/* this thread's own count is not touched by the others' exits */
	assert_int_equal(pf_set_mems_allowed(m, "1"), 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, policy_then_exit, m), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(atomic_load(&m->placement_threads), 1);
	assert_int_equal(m->fast_off, FAST_OFF_PLACEMENT);
	assert_int_equal(pf_set_mems_allowed(m, NULL), 0);
	assert_int_equal(m->fast_off, 0);
	pf_machine_destroy(m);
}

static void *no_placement_thread(void *arg)
{
	struct pf_machine *m = arg;
	for (int i = 0; i < 64; i++)
		if (node_of_alloc(m, PF_GFP_KERNEL) != 0)
			return (void *)1;
	return NULL;
}

/*
 * Policies through the fast path's door (unbound, CPUs all on node 0): the thread with BIND
 * "1" gets node 1 every time although its CPU's list holds node-0 pages; a thread without a
 * policy meanwhile keeps node 0 (alloc_fast_off's way back to the fast path).
 */
static void placement_unbound(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 4\nnode 0 cpus 0-3\ndistance 0 1 21\n"
					    "mem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\n"
					    "mem 1 0x8000000-0xfffffff\n");
	for (int i = 0; i < 8; i++)
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND, "1"), 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	pthread_t t;
	void *ret;
	assert_int_equal(pthread_create(&t, NULL, no_placement_thread, m), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_null(ret);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_DEFAULT, NULL), 0);
	assert_int_equal(pf_set_mems_allowed(m, "1"), 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	assert_int_equal(pf_set_mems_allowed(m, NULL), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);
	pf_test_check(m, "placement_unbound");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_dirty_limits", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(limits_by_hand),
		cmocka_unit_test(spread_dirty_pages),
		cmocka_unit_test(spread_dirty_pages_unbound),
		cmocka_unit_test(dirty_sysctls),
		cmocka_unit_test(placement_fast_off_bit),
		cmocka_unit_test(placement_thread_exit),
		cmocka_unit_test(placement_unbound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
