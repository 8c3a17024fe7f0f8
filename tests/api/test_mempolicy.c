/*
 * test_mempolicy: on a 2-node machine, each memory policy, the cpuset's hardwall and softwall
 * requests, the atomic scope and __GFP_THISNODE place pages on the nodes Linux 6.12 would
 * (mm/mempolicy.c, kernel/cgroup/cpuset.c, the zonelists of mm/page_alloc.c), worked by hand
 * below; set_mempolicy's validation; the rebinding of a policy when the cpuset changes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include <pageframe/page.h>
#include "pf_testlib.h"

/*
 * Node 0: DMA (below 16 MiB) and DMA32 up to 128 MiB, CPUs 0-1; node 1: 128 MiB of DMA32,
 * CPUs 2-3; distance 21.  Zonelists (build_zonelists, highest zone first, nearest node first):
 *   node 0: DMA32(0), DMA(0), DMA32(1)      node 1: DMA32(1), DMA32(0), DMA(0)
 * policy_zone is DMA32 (no Normal), so GFP_KERNEL (gfp_zone Normal >= DMA32) is bound by BIND.
 */
#define MACHINE                                                                                    \
	"cpus 4\nnode 0 cpus 0-1\nnode 1 cpus 2-3\ndistance 0 1 21\n"                              \
	"mem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\nmem 1 0x8000000-0xfffffff\n"

#define ZONE_DMA32 1
#define GFP_QUIET (PF_GFP_KERNEL | PF___GFP_NOWARN)

struct held {
	struct pf_page *page[4096];
	unsigned order[4096];
	int n;
};

/* take every block __GFP_THISNODE can get from @nid, largest orders first (the node is then at its min mark) */
static void fill_node(struct pf_machine *m, int nid, struct held *h)
{
	for (int order = PF_MAX_PAGE_ORDER; order >= 0; order--) {
		struct pf_page *p;
		while ((p = pf_alloc_pages_node(m, nid, GFP_QUIET | PF___GFP_THISNODE, (unsigned)order))) {
			assert_int_equal(pf_page_to_nid(p), nid);
			assert_true(h->n < 4096);
			h->page[h->n] = p;
			h->order[h->n++] = (unsigned)order;
		}
	}
}

static void release(struct held *h)
{
	while (h->n > 0) {
		h->n--;
		pf_free_pages(h->page[h->n], h->order[h->n]);
	}
}

/* the node of one pf_alloc_pages(gfp, 0), the page freed again; -1 when it failed */
static int node_of_alloc(struct pf_machine *m, pf_gfp_t gfp)
{
	struct pf_page *p = pf_alloc_pages(m, gfp, 0);
	if (!p)
		return -1;
	int nid = pf_page_to_nid(p);
	pf_free_pages(p, 0);
	return nid;
}

static void reset(struct pf_machine *m)
{
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_DEFAULT, NULL), 0);
	assert_int_equal(pf_set_mems_allowed(m, NULL), 0);
	pf_bind_cpu(-1);
}

static struct pf_machine *boot_on_cpu0(void)
{
	struct pf_machine *m = pf_test_boot(MACHINE);
	assert_int_equal(pf_bind_cpu(0), 0);	/* numa_node_id() is 0 */
	return m;
}

static int failures;
static void count_failures(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	if (strstr(line, "page allocation failure"))
		failures++;
}

/* default and local: this CPU's node; preferred: its node, then node 1's zonelist order */
static void default_local_preferred(void **state)
{
	(void)state;
	struct pf_machine *m = boot_on_cpu0();
	struct held h = { .n = 0 };

	for (int i = 0; i < 4; i++)
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_LOCAL, NULL), 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);
	pf_bind_cpu(2);	/* a CPU of node 1: local follows the CPU */
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	pf_bind_cpu(0);

	/* PREFERRED "1": *nid = first_node = 1, no nodemask: node 1's zonelist from CPU 0 */
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_PREFERRED, "1"), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	/* order 4 and __GFP_COMP take the same policy (alloc_pages_noprof for every order) */
	struct pf_page *big = pf_alloc_pages(m, PF_GFP_KERNEL | PF___GFP_COMP, 4);
	assert_non_null(big);
	assert_int_equal(pf_page_to_nid(big), 1);
	pf_free_pages(big, 4);
	/* node 1 full: the next zone of node 1's zonelist is DMA32 of node 0 */
	fill_node(m, 1, &h);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_int_equal(pf_page_to_nid(p), 0);
	assert_int_equal(pf_page_zonenum(p), ZONE_DMA32);
	pf_free_pages(p, 0);
	release(&h);
	reset(m);
	pf_test_check(m, "default_local_preferred");
	pf_machine_destroy(m);
}

/* BIND "1" from CPU 0: node 1 only; with node 1 full the request fails rather than use node 0 */
static void bind_refuses_other_nodes(void **state)
{
	(void)state;
	struct pf_machine *m = boot_on_cpu0();
	struct held h = { .n = 0 };

	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND, "1"), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	/* pf_alloc_pages_node ignores the policy (alloc_pages_node does) */
	struct pf_page *p = pf_alloc_pages_node(m, 0, PF_GFP_KERNEL, 0);
	assert_int_equal(pf_page_to_nid(p), 0);
	pf_free_pages(p, 0);
	/* so does the bulk allocator (alloc_pages_bulk without _mempolicy) */
	struct pf_page *arr[8] = { NULL };
	assert_int_equal(pf_alloc_pages_bulk(m, PF_GFP_KERNEL, 8, arr), 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pf_page_to_nid(arr[i]), 0);
		pf_free_pages(arr[i], 0);
	}
	/*
	 * BIND does not apply below policy_zone: a GFP_DMA request (gfp_zone DMA < DMA32) gets no
	 * nodemask and takes node 0's zonelist, whose only DMA zone is node 0's.
	 */
	p = pf_alloc_pages(m, PF_GFP_KERNEL | PF___GFP_DMA, 0);
	assert_non_null(p);
	assert_int_equal(pf_page_to_nid(p), 0);
	pf_free_pages(p, 0);

	fill_node(m, 1, &h);
	assert_null(pf_alloc_pages(m, GFP_QUIET, 0));
	assert_null(pf_alloc_pages(m, GFP_QUIET, 3));
	release(&h);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	reset(m);
	pf_test_check(m, "bind");
	pf_machine_destroy(m);
}

/*
 * INTERLEAVE "0-1": set_mempolicy leaves il_prev = MAX_NUMNODES - 1; interleave_nodes gives
 * next_node_in(il_prev) = 0, then 1, 0, 1, ...  Each page lands on the node asked for, so
 * numa_interleave counts every one.
 */
static void interleave_order(void **state)
{
	(void)state;
	struct pf_machine *m = boot_on_cpu0();
	static const int want[8] = { 0, 1, 0, 1, 0, 1, 0, 1 };
	long before, after;

	assert_int_equal(pf_vmstat_get(m, "numa_interleave", &before), 0);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_INTERLEAVE, "0-1"), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), want[i]);
	assert_int_equal(pf_vmstat_get(m, "numa_interleave", &after), 0);
	assert_int_equal(after - before, 8);

	/* setting it again starts over from node 0 */
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_INTERLEAVE, "0-1"), 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);

	/*
	 * __GFP_THISNODE takes the default policy (alloc_pages_noprof): this CPU's node, and
	 * il_prev does not move, so the interleave goes on with node 0.
	 */
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL | PF___GFP_THISNODE), 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	reset(m);
	pf_machine_destroy(m);
}

/*
 * WEIGHTED_INTERLEAVE "0-1" with weights 3 and 1: weighted_interleave_nodes starts with
 * il_weight 0, moves to node 0 and takes its weight 3, using one turn per page; then node 1
 * with weight 1.  Eight pages: 0 0 0 1 0 0 0 1.
 */
static void weighted_interleave_3_1(void **state)
{
	(void)state;
	struct pf_machine *m = boot_on_cpu0();
	static const int want[8] = { 0, 0, 0, 1, 0, 0, 0, 1 };

	assert_int_equal(pf_get_interleave_weight(m, 0), 1);
	assert_int_equal(pf_set_interleave_weight(m, 0, 3), 0);
	assert_int_equal(pf_get_interleave_weight(m, 0), 3);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_WEIGHTED_INTERLEAVE, "0-1"), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), want[i]);
	/* weight 0 is the default, 1: plain alternation from where it stands (node 1 used its turn) */
	assert_int_equal(pf_set_interleave_weight(m, 0, 0), 0);
	assert_int_equal(pf_get_interleave_weight(m, 0), 1);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	assert_int_equal(pf_set_interleave_weight(m, 0, 256), -EINVAL);
	assert_int_equal(pf_set_interleave_weight(m, 2, 1), -EINVAL);
	assert_int_equal(pf_get_interleave_weight(m, -1), -EINVAL);
	reset(m);
	pf_machine_destroy(m);
}

/*
 * PREFERRED_MANY "1": the first attempt is node 1 only, without direct reclaim and with
 * __GFP_NOWARN; when node 1 is full the second attempt takes node 0's zonelist whole.
 * Nothing is reported on the way.
 */
static void preferred_many_two_attempts(void **state)
{
	(void)state;
	struct pf_machine *m = boot_on_cpu0();
	struct held h = { .n = 0 };

	pf_set_report_hook(m, count_failures, NULL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_PREFERRED_MANY, "1"), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	fill_node(m, 1, &h);
	failures = 0;
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_int_equal(pf_page_to_nid(p), 0);
	assert_int_equal(failures, 0);
	pf_free_pages(p, 0);
	release(&h);
	reset(m);
	pf_machine_destroy(m);
}

/*
 * cpuset mems "1" from CPU 0: every first attempt uses node 1 (the cpuset is the nodemask).
 * With node 1 full, a __GFP_HARDWALL request (GFP_USER) fails; GFP_KERNEL, softwall, goes on
 * in the slow path with ALLOC_CPUSET and may use the nearest hardwall ancestor's nodes - the
 * root's in cgroup v2, so node 0.
 */
static void cpuset_hardwall_softwall(void **state)
{
	(void)state;
	struct pf_machine *m = boot_on_cpu0();
	struct held h = { .n = 0 };
	char buf[32];

	assert_int_equal(pf_set_mems_allowed(m, "1"), 0);
	assert_int_equal(pf_get_mems_allowed(m, buf, sizeof buf), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	assert_int_equal(node_of_alloc(m, PF_GFP_USER), 1);
	assert_int_equal(node_of_alloc(m, PF_GFP_ATOMIC), 1);
	/* the cpuset applies to alloc_pages_node and the bulk allocator too */
	assert_int_equal(pf_page_to_nid(h.page[0] = pf_alloc_pages_node(m, 0, PF_GFP_KERNEL, 0)), 1);
	pf_free_pages(h.page[0], 0);
	struct pf_page *arr[8] = { NULL };
	assert_int_equal(pf_alloc_pages_bulk(m, PF_GFP_KERNEL, 8, arr), 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pf_page_to_nid(arr[i]), 1);
		pf_free_pages(arr[i], 0);
	}

	assert_int_equal(pf_set_mems_allowed(m, NULL), 0);
	fill_node(m, 1, &h);
	assert_int_equal(pf_set_mems_allowed(m, "1"), 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_USER | PF___GFP_NOWARN), -1);
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 0);
	/* GFP_ATOMIC: non-blocking __GFP_HIGH drops ALLOC_CPUSET in gfp_to_alloc_flags: any node */
	assert_int_equal(node_of_alloc(m, PF_GFP_ATOMIC), 0);
	release(&h);
	reset(m);
	pf_test_check(m, "cpuset");
	pf_machine_destroy(m);
}

/* In the atomic scope (in_interrupt) the cpuset and the policy do not apply. */
static void atomic_scope(void **state)
{
	(void)state;
	struct pf_machine *m = boot_on_cpu0();

	assert_int_equal(pf_set_mems_allowed(m, "1"), 0);
	pf_enter_atomic();
	/* prepare_alloc_pages: not in_task, so ALLOC_CPUSET instead of the nodemask; cpuset_node_allowed says yes */
	assert_int_equal(node_of_alloc(m, PF_GFP_ATOMIC), 0);
	pf_enter_atomic();	/* nested */
	assert_int_equal(node_of_alloc(m, PF_GFP_USER), 0);
	assert_int_equal(pf_exit_atomic(), 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_USER), 0);
	assert_int_equal(pf_exit_atomic(), 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_ATOMIC), 1);
	assert_int_equal(pf_exit_atomic(), -EINVAL);	/* unbalanced */

	assert_int_equal(pf_set_mems_allowed(m, NULL), 0);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_PREFERRED, "1"), 0);
	pf_enter_atomic();	/* alloc_pages_noprof: the default policy in interrupt context */
	assert_int_equal(node_of_alloc(m, PF_GFP_ATOMIC), 0);
	assert_int_equal(pf_exit_atomic(), 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_ATOMIC), 1);
	reset(m);
	pf_machine_destroy(m);
}

/* __GFP_THISNODE walks the node's no-fallback zonelist: node 0 full means failure, never node 1 */
static void thisnode_stays(void **state)
{
	(void)state;
	struct pf_machine *m = boot_on_cpu0();
	struct held h = { .n = 0 };

	fill_node(m, 0, &h);
	assert_int_equal(node_of_alloc(m, GFP_QUIET | PF___GFP_THISNODE), -1);
	assert_null(pf_alloc_pages_node(m, 0, GFP_QUIET | PF___GFP_THISNODE, 2));
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);	/* without it, the fallback node */
	/* a policy does not take a __GFP_THISNODE request elsewhere either */
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_PREFERRED, "1"), 0);
	assert_int_equal(node_of_alloc(m, GFP_QUIET | PF___GFP_THISNODE), -1);
	/*
	 * A cpuset of node 1: the first attempt's nodemask {1} over node 0's own zones leaves no
	 * zone.  A hardwall request stops there; a softwall one goes on in the slow path with the
	 * nodemask dropped and ALLOC_CPUSET, which the root cpuset's nodes satisfy: node 0.
	 */
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_DEFAULT, NULL), 0);
	release(&h);
	assert_int_equal(pf_set_mems_allowed(m, "1"), 0);
	assert_int_equal(node_of_alloc(m, PF_GFP_USER | PF___GFP_NOWARN | PF___GFP_THISNODE), -1);
	assert_int_equal(node_of_alloc(m, GFP_QUIET | PF___GFP_THISNODE), 0);
	reset(m);
	pf_test_check(m, "thisnode");
	pf_machine_destroy(m);
}

/* set_mempolicy(2)'s checks (sanitize_mpol_flags, mpol_new, mpol_set_nodemask) and get_mempolicy */
static void mempolicy_validation(void **state)
{
	(void)state;
	struct pf_machine *m = boot_on_cpu0();
	char buf[32];
	int mode;

	pf_set_report_hook(m, count_failures, NULL);	/* the refusals are reported; keep stderr quiet */
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_MAX, "0"), -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, -1, "0"), -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND, NULL), -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_INTERLEAVE, ""), -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_DEFAULT, "0"), -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_LOCAL, "0"), -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_LOCAL | PF_MPOL_F_STATIC_NODES, NULL), -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_PREFERRED | PF_MPOL_F_RELATIVE_NODES, NULL), -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND | PF_MPOL_F_STATIC_NODES | PF_MPOL_F_RELATIVE_NODES, "0"),
			 -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_INTERLEAVE | PF_MPOL_F_NUMA_BALANCING, "0"), -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND, "5"), -EINVAL);	/* no such node: empty after the cut */
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND, "64"), -EINVAL);	/* beyond MAX_NUMNODES */
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND, "1-0"), -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND, "0,"), -EINVAL);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND, "x"), -EINVAL);
	assert_int_equal(pf_set_mems_allowed(m, "2"), -EINVAL);
	assert_int_equal(pf_set_mems_allowed(m, "0-"), -EINVAL);
	/* nothing took effect */
	assert_int_equal(pf_get_mempolicy(m, &mode, buf, sizeof buf), 0);
	assert_int_equal(mode, PF_MPOL_DEFAULT);
	assert_string_equal(buf, "");

	/* a node that does not exist is dropped when another one remains */
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND, " 0 , 5 "), 0);
	assert_int_equal(pf_get_mempolicy(m, &mode, buf, sizeof buf), 0);
	assert_int_equal(mode, PF_MPOL_BIND);
	assert_string_equal(buf, "0");
	/* PREFERRED keeps the first node; without nodes it is LOCAL */
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_PREFERRED, "0-1"), 0);
	assert_int_equal(pf_get_mempolicy(m, &mode, buf, sizeof buf), 0);
	assert_int_equal(mode, PF_MPOL_PREFERRED);
	assert_string_equal(buf, "0");
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_PREFERRED, NULL), 0);
	assert_int_equal(pf_get_mempolicy(m, &mode, buf, sizeof buf), 0);
	assert_int_equal(mode, PF_MPOL_LOCAL);
	/* NUMA_BALANCING goes with BIND, and get_mempolicy shows it */
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND | PF_MPOL_F_NUMA_BALANCING, "0-1"), 0);
	assert_int_equal(pf_get_mempolicy(m, &mode, buf, sizeof buf), 0);
	assert_int_equal(mode, PF_MPOL_BIND | PF_MPOL_F_NUMA_BALANCING);
	assert_string_equal(buf, "0-1");
	assert_int_equal(pf_get_mempolicy(m, NULL, buf, 2), -ERANGE);
	/* a cpuset of node 1 leaves nothing of "0" */
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_DEFAULT, NULL), 0);
	assert_int_equal(pf_set_mems_allowed(m, "1"), 0);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND, "0"), -EINVAL);
	/* RELATIVE: "0" means the cpuset's first node, node 1 */
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND | PF_MPOL_F_RELATIVE_NODES, "0"), 0);
	assert_int_equal(pf_get_mempolicy(m, &mode, buf, sizeof buf), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	reset(m);
	pf_machine_destroy(m);
}

/*
 * mpol_rebind_task when the cpuset changes (worked from nodes_remap and the flags):
 *   INTERLEAVE {0,1} set under mems {0,1}; mems -> {1}: node 0 (rank 0) and node 1 (rank 1)
 *   map to rank 0 and 1 % 1 = 0 of {1}: {1}.  mems -> {0,1}: node 1 is rank 0 of {1}, so
 *   rank 0 of {0,1}: {0}.
 *   STATIC_NODES keeps the list as given: {0,1} & {1} = {1}, then {0,1} & {0,1} = {0,1}.
 *   PREFERRED keeps its node whatever the cpuset.
 */
static void rebind_on_cpuset_change(void **state)
{
	(void)state;
	struct pf_machine *m = boot_on_cpu0();
	char buf[32];

	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_INTERLEAVE, "0-1"), 0);
	assert_int_equal(pf_set_mems_allowed(m, "1"), 0);
	assert_int_equal(pf_get_mempolicy(m, NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(pf_set_mems_allowed(m, ""), 0);
	assert_int_equal(pf_get_mems_allowed(m, buf, sizeof buf), 0);
	assert_string_equal(buf, "0-1");
	assert_int_equal(pf_get_mempolicy(m, NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "0");

	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_INTERLEAVE | PF_MPOL_F_STATIC_NODES, "0-1"), 0);
	assert_int_equal(pf_set_mems_allowed(m, "1"), 0);
	assert_int_equal(pf_get_mempolicy(m, NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(node_of_alloc(m, PF_GFP_KERNEL), 1);
	assert_int_equal(pf_set_mems_allowed(m, "0-1"), 0);
	assert_int_equal(pf_get_mempolicy(m, NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "0-1");

	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_PREFERRED, "1"), 0);
	assert_int_equal(pf_set_mems_allowed(m, "0"), 0);
	assert_int_equal(pf_get_mempolicy(m, NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "1");
	reset(m);
	pf_machine_destroy(m);
}

/* a thread's settings belong to one machine: another machine's requests see none of them */
static void settings_follow_the_machine(void **state)
{
	(void)state;
	struct pf_machine *a = boot_on_cpu0();
	struct pf_machine *b = pf_test_boot(MACHINE);
	char buf[32];

	assert_int_equal(pf_set_mempolicy(a, PF_MPOL_BIND, "1"), 0);
	assert_int_equal(node_of_alloc(a, PF_GFP_KERNEL), 1);
	assert_int_equal(node_of_alloc(b, PF_GFP_KERNEL), 0);
	/* a setting on b moves the thread's settings there: a's policy is gone */
	assert_int_equal(pf_set_mems_allowed(b, "1"), 0);
	assert_int_equal(node_of_alloc(a, PF_GFP_KERNEL), 0);
	assert_int_equal(node_of_alloc(b, PF_GFP_KERNEL), 1);
	assert_int_equal(pf_get_mems_allowed(a, buf, sizeof buf), 0);
	assert_string_equal(buf, "0-1");
	assert_int_equal(pf_set_mems_allowed(b, NULL), 0);
	reset(a);
	pf_machine_destroy(a);
	pf_machine_destroy(b);
}

int main(void)
{
	pf_test_watchdog("test_mempolicy", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_local_preferred),
		cmocka_unit_test(bind_refuses_other_nodes),
		cmocka_unit_test(interleave_order),
		cmocka_unit_test(weighted_interleave_3_1),
		cmocka_unit_test(preferred_many_two_attempts),
		cmocka_unit_test(cpuset_hardwall_softwall),
		cmocka_unit_test(atomic_scope),
		cmocka_unit_test(thisnode_stays),
		cmocka_unit_test(mempolicy_validation),
		cmocka_unit_test(rebind_on_cpuset_change),
		cmocka_unit_test(settings_follow_the_machine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
