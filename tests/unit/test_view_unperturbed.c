/*
 * test_view_unperturbed: reading a view changes nothing the allocator decides on.  Two identical
 * machines run the same operations (allocations of orders 0..4 with every kind of gfp, charged
 * ones in a memcg at its memory.max, frees on either CPU, drains, high decay, kswapd and
 * kcompactd passes, running the machine down to its watermarks); on the first, every view
 * (pf_show of every name docs/VIEWS.md lists, pf_vmstat_get, each file of the memcg) is read
 * between operations, on the second none.  After every step the zone and node counters and
 * every CPU's differentials must be equal (the watermark checks read the zone counter without
 * the differentials: a view that folded them moved it), as must the pages handed out; at
 * checkpoints the whole allocator state (machine_compare.h).  In 6.12 reading /proc/zoneinfo,
 * /proc/vmstat, /proc/meminfo or buddyinfo folds no zone counter either (only writing
 * /proc/sys/vm/stat_refresh does).  A second case checks what the views print is what they
 * printed when they folded first: the same text before and after refresh_vm_stats.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sched.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"
#include "pf_testlib.h"
#include "machine_compare.h"

/*
 * 2 CPUs, 31 MiB (15 of DMA, 16 of DMA32: about 7900 pages): a few thousand steps of the walk ask
 * for more than that (allocations average about 3 pages), so it runs full in the sanitizer build's
 * shorter walk too
 */
#define MACHINE "cpus 2\nmem 0 0x100000-0x1ffffff\n"
#define SLOTS 12000
#if defined(__SANITIZE_ADDRESS__)
#define STEPS 4000
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STEPS 4000
#endif
#endif
#ifndef STEPS
#define STEPS 12000
#endif
/* every view is read this often; the counter views (the ones built from the zone counters) every step */
#define ALL_VIEWS_EVERY 50

static const char *const counter_views[] = { "buddyinfo", "zoneinfo", "vmstat", "meminfo", "pagetypeinfo" };
static const char *const other_views[] = { "extfrag_index", "unusable_index", "fail_page_alloc", "pageblocks",
					   "kpageflags", "kpagecount" };
static const char *const owner_views[] = { "page_owner", "page_owner_stacks", "page_owner_stacks/show_stacks",
					   "page_owner_stacks/count_threshold" };
static const char *const memcg_files[] = { "memory.current", "memory.min", "memory.low", "memory.high",
					   "memory.max", "memory.peak", "memory.events", "memory.events.local",
					   "memory.stat", "memory.numa_stat", "memory.oom.group" };
static const char *const vmstat_items[] = { "nr_free_pages", "nr_free_cma", "pgalloc_normal", "pgalloc_dma32",
					    "pgfree", "numa_hit", "compact_stall", "allocstall_normal" };

static FILE *devnull;

/*
 * With page_owner on, reading pagetypeinfo drains every per-CPU list first, as 6.12's
 * pagetypeinfo_showmixedcount does (drain_all_pages before it walks the pageblocks): the one view
 * read that changes allocator state in the kernel too.  That walk leaves it out (owner_drains
 * checks the drain); the walk with page_owner off reads it.
 */
static bool page_owner_on;

static void read_views(struct pf_machine *m, struct pf_memcg *cg, bool all)
{
	for (size_t i = 0; i < sizeof counter_views / sizeof counter_views[0]; i++)
		if (!page_owner_on || strcmp(counter_views[i], "pagetypeinfo"))
			assert_int_equal(pf_show(m, counter_views[i], devnull), 0);
	for (size_t i = 0; i < sizeof vmstat_items / sizeof vmstat_items[0]; i++) {
		long v;
		assert_int_equal(pf_vmstat_get(m, vmstat_items[i], &v), 0);
	}
	for (size_t i = 0; i < sizeof memcg_files / sizeof memcg_files[0]; i++)
		assert_int_equal(pf_memcg_show(cg, memcg_files[i], devnull), 0);
	if (!all)
		return;
	for (size_t i = 0; i < sizeof other_views / sizeof other_views[0]; i++)
		assert_int_equal(pf_show(m, other_views[i], devnull), 0);
	for (size_t i = 0; i < sizeof owner_views / sizeof owner_views[0]; i++)
		assert_int_equal(pf_show(m, owner_views[i], devnull), page_owner_on ? 0 : -ENOENT);
}

/* What the decisions read: every zone and node counter, every CPU's zone differentials, the events. */
static void compare_counters(struct pf_machine *a, struct pf_machine *b, int step)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *za = &a->node_data[0]->node_zones[zi], *zb = &b->node_data[0]->node_zones[zi];
		if (!populated_zone(za))
			continue;
		for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) {
			long ca = atomic_load(&za->vm_stat[i]), cb = atomic_load(&zb->vm_stat[i]);
			if (ca != cb)
				fail_msg("step %d: zone %s counter %d: %ld on the machine whose views were read, %ld on "
					 "its twin", step, za->name, i, ca, cb);
			for (int cpu = 0; cpu < a->nr_cpus; cpu++)
				if (za->per_cpu_zonestats[cpu].vm_stat_diff[i] != zb->per_cpu_zonestats[cpu].vm_stat_diff[i])
					fail_msg("step %d: zone %s counter %d, CPU %d's differential: %d read, %d twin", step,
						 za->name, i, cpu, za->per_cpu_zonestats[cpu].vm_stat_diff[i],
						 zb->per_cpu_zonestats[cpu].vm_stat_diff[i]);
		}
	}
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		if (atomic_load(&a->node_data[0]->vm_stat[i]) != atomic_load(&b->node_data[0]->vm_stat[i]))
			fail_msg("step %d: node counter %d differs", step, i);
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		if (atomic_load(&a->vm_events[i]) != atomic_load(&b->vm_events[i]))
			fail_msg("step %d: event %d differs", step, i);
}

/* the kernel-log lines each machine printed (memcg OOM reports at memory.max): the same on both */
static int reports[2];

/*
 * The report limits count whole seconds of the host's clock: a second that
 * ends between the two machines' reports of one step would let one print
 * and hold the other back (seen at load 11).  Each step starts both afresh.
 */
static void reset_report_limits(struct pf_machine *m)
{
	struct pf_burst_limit *rs[] = { &m->oom_rs, &m->bad_page_rs, &m->poison_rs, &m->nopage_rs };
	for (unsigned i = 0; i < sizeof rs / sizeof rs[0]; i++) {
		atomic_store(&rs[i]->resume, 0);
		atomic_store(&rs[i]->nr_shown, 0);
		atomic_store(&rs[i]->nr_unshown, 0);
	}
}
static void count_report(void *arg, int level, const char *line)
{
	(void)level;
	(void)line;
	(*(int *)arg)++;
}

static struct pf_machine *boot(void)
{
	struct pf_machine *m = pf_test_boot(page_owner_on ? MACHINE "cmdline page_owner=on\n" : MACHINE);
	m->pcp_rseq = false;	/* spinlocked pagesets: the thread is bound to CPU 0 or 1 (as test_fastpath_diff) */
	return m;
}

static struct pf_memcg *memcg(struct pf_machine *m)
{
	struct pf_memcg *cg = pf_memcg_create(m, NULL, "g");
	assert_non_null(cg);
	assert_int_equal(pf_memcg_set(cg, "memory.max", "8M"), 0);	/* 2048 pages: charges hit it */
	return cg;
}

struct live {
	struct pf_page *page;
	unsigned order;
};

/*
 * The walk: both machines take the same steps, @a's views are read between them. kswapd passes
 * and kcompactd passes decide on the watermarks (zone_watermark_ok, compaction_suitable), the
 * allocations on the same through get_page_from_freelist and the slow path.
 */
static void walk(void)
{
	devnull = fopen("/dev/null", "w");
	assert_non_null(devnull);
	struct pf_machine *a = boot(), *b = boot();
	reports[0] = reports[1] = 0;
	pf_set_report_hook(a, count_report, &reports[0]);
	pf_set_report_hook(b, count_report, &reports[1]);
	struct pf_memcg *ca = memcg(a), *cb = memcg(b);
	machine_compare_own_memcgs = true;
	static struct live la[SLOTS], lb[SLOTS];
	const pf_gfp_t gfps[] = { PF_GFP_KERNEL, PF_GFP_HIGHUSER_MOVABLE, PF_GFP_KERNEL | PF___GFP_RECLAIMABLE,
				  PF_GFP_DMA32 | PF_GFP_KERNEL, PF_GFP_ATOMIC, PF_GFP_NOWAIT, PF_GFP_DMA | PF_GFP_KERNEL,
				  PF_GFP_KERNEL | PF___GFP_COMP, PF_GFP_KERNEL_ACCOUNT };
	uint64_t rng = 0x0b5e;
	int failed = 0, allocated = 0;
	for (int step = 0; step < STEPS; step++) {
		reset_report_limits(a);
		reset_report_limits(b);
		read_views(a, ca, step % ALL_VIEWS_EVERY == 0);
		uint64_t r = pf_test_xorshift64s(&rng);
		unsigned k = (unsigned)(r % SLOTS);
		unsigned what = (unsigned)((r >> 20) % 1000);
		assert_int_equal(pf_bind_cpu((int)((r >> 50) & 1)), 0);
		if (what < 3) {
			pf_drain_all_pages(a);
			pf_drain_all_pages(b);
		} else if (what < 8) {
			pf_vmstat_refresh(a);
			pf_vmstat_refresh(b);
		} else if (what < 14) {
			assert_int_equal(pf_kswapd_run(a, 0), pf_kswapd_run(b, 0));
		} else if (what < 18) {
			assert_int_equal(pf_kcompactd_run(a, 0), pf_kcompactd_run(b, 0));
		} else if (la[k].page && what < 400) {
			pf_free_pages(la[k].page, la[k].order);
			pf_free_pages(lb[k].page, lb[k].order);
			la[k].page = lb[k].page = NULL;
		} else if (!la[k].page) {
			unsigned w = (unsigned)((r >> 32) % 100);
			unsigned order = w < 60 ? 0 : w < 72 ? 1 : w < 82 ? 2 : w < 92 ? 3 : 4;
			pf_gfp_t gfp = gfps[(r >> 40) % (sizeof gfps / sizeof gfps[0])] | PF___GFP_NOWARN;
			if (gfp & PF___GFP_ACCOUNT) {
				pf_memcg_attach(ca);
				la[k].page = pf_alloc_pages(a, gfp, order);
				pf_memcg_attach(cb);
				lb[k].page = pf_alloc_pages(b, gfp, order);
				pf_memcg_attach(NULL);
			} else {
				la[k].page = pf_alloc_pages(a, gfp, order);
				lb[k].page = pf_alloc_pages(b, gfp, order);
			}
			la[k].order = lb[k].order = order;
			if ((la[k].page == NULL) != (lb[k].page == NULL))
				fail_msg("step %d: order %u gfp %#x: %s on the machine whose views were read, %s on its twin",
					 step, order, gfp, la[k].page ? "allocated" : "failed",
					 lb[k].page ? "allocated" : "failed");
			if (la[k].page) {
				if (pf_page_to_pfn(la[k].page) != pf_page_to_pfn(lb[k].page))
					fail_msg("step %d: order %u gfp %#x: pfn %#lx on the machine whose views were read, "
						 "%#lx on its twin", step, order, gfp, pf_page_to_pfn(la[k].page),
						 pf_page_to_pfn(lb[k].page));
				allocated++;
			} else
				failed++;
		}
		compare_counters(a, b, step);
		assert_int_equal(reports[0], reports[1]);
		if (step % 2000 == 1999)
			compare_machines(a, b);
	}
	/* the walk reached the watermarks: some requests failed there, most were served */
	assert_true(failed > 0);
	assert_true(allocated > STEPS / 4);
	read_views(a, ca, true);
	compare_bulk_refills(a, b);
	compare_machines(a, b);
	for (unsigned k = 0; k < SLOTS; k++)
		if (la[k].page) {
			pf_free_pages(la[k].page, la[k].order);
			pf_free_pages(lb[k].page, lb[k].order);
			la[k].page = lb[k].page = NULL;
		}
	pf_drain_all_pages(a);
	pf_drain_all_pages(b);
	compare_machines(a, b);
	pf_test_check(a, "after the walk (views read)");
	pf_test_check(b, "after the walk (twin)");
	pf_memcg_destroy(ca);
	pf_memcg_destroy(cb);
	machine_compare_own_memcgs = false;
	pf_machine_destroy(a);
	pf_machine_destroy(b);
	pf_bind_cpu(-1);
	fclose(devnull);
}

static void views_change_nothing(void **state)
{
	(void)state;
	page_owner_on = false;
	walk();
}

/* the same with page_owner on: its views too, pagetypeinfo left out (above) */
static void views_change_nothing_page_owner(void **state)
{
	(void)state;
	page_owner_on = true;
	walk();
	page_owner_on = false;
}

/*
 * pagetypeinfo with page_owner on drains every CPU's lists (6.12's pagetypeinfo_showmixedcount
 * calls drain_all_pages(NULL)); without page_owner it leaves them.  An order-0 page freed on
 * each CPU (the lists drained before) waits there: count 1 after the free, 0 after the read
 * with page_owner, still 1 without.
 */
static void owner_drains(void **state)
{
	(void)state;
	for (int owner = 0; owner < 2; owner++) {
		page_owner_on = owner;
		struct pf_machine *m = boot();
		struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
		struct pf_page *p[2];
		for (int cpu = 0; cpu < 2; cpu++) {
			assert_int_equal(pf_bind_cpu(cpu), 0);
			p[cpu] = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
			assert_non_null(p[cpu]);
		}
		pf_drain_all_pages(m);
		for (int cpu = 0; cpu < 2; cpu++) {
			assert_int_equal(pf_bind_cpu(cpu), 0);
			pf_free_pages(p[cpu], 0);
			assert_int_equal(z->per_cpu_pageset[cpu].count, 1);
		}
		free(pf_test_show(m, "pagetypeinfo"));
		for (int cpu = 0; cpu < 2; cpu++)
			assert_int_equal(z->per_cpu_pageset[cpu].count, owner ? 0 : 1);
		pf_machine_destroy(m);
	}
	page_owner_on = false;
	pf_bind_cpu(-1);
}

/*
 * pf_vmstat_refresh is the vmstat worker: every CPU's counter differentials folded into the
 * zone counters (refresh_cpu_vm_stats, 6.12), which change by what was pending and no more.
 * Operations on both CPUs until some differential is pending, then the step: every
 * differential zero, every counter equal to what it plus its differentials was before.
 */
static void vmstat_refresh_folds(void **state)
{
	(void)state;
	struct pf_machine *m = boot();
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	struct pf_page *held[64];
	int n = 0;
	bool pending = false;
	for (int step = 0; step < 64 && !pending; step++) {
		assert_int_equal(pf_bind_cpu(step & 1), 0);
		held[n] = pf_alloc_pages(m, PF_GFP_KERNEL, (unsigned)(step % 3));
		assert_non_null(held[n]);
		n++;
		for (int cpu = 0; cpu < m->nr_cpus; cpu++)
			if (z->per_cpu_zonestats[cpu].vm_stat_diff[NR_FREE_PAGES])
				pending = true;
	}
	assert_true(pending);
	long want[NR_VM_ZONE_STAT_ITEMS];
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		want[i] = zone_page_state_snapshot(z, (enum zone_stat_item)i);
	assert_int_not_equal(zone_page_state(z, NR_FREE_PAGES), want[NR_FREE_PAGES]);
	pf_vmstat_refresh(m);
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) {
		assert_int_equal(zone_page_state(z, (enum zone_stat_item)i), want[i]);
		for (int cpu = 0; cpu < m->nr_cpus; cpu++)
			assert_int_equal(z->per_cpu_zonestats[cpu].vm_stat_diff[i], 0);
	}
	for (int i = 0; i < n; i++)
		pf_free_pages(held[i], (unsigned)(i % 3));
	pf_test_check(m, "after the vmstat step");
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * The vmstat step's remote drain (refresh_cpu_vm_stats, 6.12, CONFIG_NUMA): two nodes, CPU 0 on
 * node 0.  CPU 0 takes a page of node 1 and gives it back, so its list of node 1's zone holds
 * what the refill brought.  A differential of that zone pending on CPU 0 (a write-pending count
 * of 1, given back afterwards) is folded by the next step, which sets the list's expire to 3 and
 * counts it down to 2 at once; the second step counts to 1; the third reaches 0 and gives back
 * one batch (drain_zone_pages: min(count, batch)); the fourth finds expire 0 and does nothing.
 * CPU 0's list of its own node's zone, with a differential folded the same way, is never drained
 * (expire is reset to 0 for a local list).
 */
static void vmstat_refresh_drains_remote_lists(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 2\nnode 0 cpus 0\nnode 1 cpus 1\ndistance 0 1 21\n"
					    "mem 0 0x100000-0x1ffffff\nmem 1 0x2000000-0x3ffffff\n");
	m->pcp_rseq = false;
	struct zone *remote = &m->node_data[1]->node_zones[ZONE_DMA32];
	struct zone *local = &m->node_data[0]->node_zones[ZONE_DMA32];
	assert_true(populated_zone(remote) && populated_zone(local));
	assert_int_equal(pf_bind_cpu(0), 0);
	struct pf_page *r = pf_alloc_pages_node(m, 1, PF_GFP_KERNEL, 0);
	struct pf_page *l = pf_alloc_pages_node(m, 0, PF_GFP_KERNEL, 0);
	assert_non_null(r);
	assert_non_null(l);
	assert_int_equal(pf_page_to_nid(r), 1);
	pf_free_pages(r, 0);
	pf_free_pages(l, 0);
	struct per_cpu_pages *rp = &remote->per_cpu_pageset[0], *lp = &local->per_cpu_pageset[0];
	int rcount = rp->count, lcount = lp->count, batch = rp->batch;
	assert_true(rcount > 0 && lcount > 0 && batch > 0);
	/* a differential of each zone pending on CPU 0 */
	pf_spin_lock(&remote->lock);
	__mod_zone_page_state(remote, NR_ZONE_WRITE_PENDING, 1);
	pf_spin_unlock(&remote->lock);
	pf_spin_lock(&local->lock);
	__mod_zone_page_state(local, NR_ZONE_WRITE_PENDING, 1);
	pf_spin_unlock(&local->lock);
	assert_int_equal(remote->per_cpu_zonestats[0].vm_stat_diff[NR_ZONE_WRITE_PENDING], 1);

	pf_vmstat_refresh(m);	/* folded: expire 3, counted to 2 */
	assert_int_equal(rp->expire, 2);
	assert_int_equal(rp->count, rcount);
	assert_int_equal(lp->expire, 0);
	pf_vmstat_refresh(m);	/* 1 */
	assert_int_equal(rp->expire, 1);
	assert_int_equal(rp->count, rcount);
	pf_vmstat_refresh(m);	/* 0: one batch goes back */
	assert_int_equal(rp->expire, 0);
	int drained = rcount < batch ? rcount : batch;
	assert_int_equal(rp->count, rcount - drained);
	pf_vmstat_refresh(m);	/* expire 0: nothing */
	assert_int_equal(rp->count, rcount - drained);
	assert_int_equal(lp->count, lcount);

	pf_spin_lock(&remote->lock);
	__mod_zone_page_state(remote, NR_ZONE_WRITE_PENDING, -1);
	pf_spin_unlock(&remote->lock);
	pf_spin_lock(&local->lock);
	__mod_zone_page_state(local, NR_ZONE_WRITE_PENDING, -1);
	pf_spin_unlock(&local->lock);
	pf_vmstat_refresh(m);
	assert_int_equal(zone_page_state(remote, NR_ZONE_WRITE_PENDING), 0);
	pf_test_check(m, "after the remote drain");
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

/*
 * The views print the counters with the differentials added: exactly what they printed when
 * they folded first.  1.5 GiB of DMA32 (pfn 0x1000..0x5ffff = 389120 pages) and 2 CPUs:
 * calculate_normal_threshold = 2 * fls(2) * (1 + fls(389120 >> 15 = 11)) = 2 * 2 * (1 + 4) = 20.
 * Order-4 blocks come from the buddy lists (not a per-CPU order): taking a free order-4 block
 * puts -16 in the allocating CPU's differential, where it stays (16 <= 20); splitting a larger
 * block moves the counter by more than 20 at once (folded).  Order-4 allocations alternate
 * between the CPUs until both differentials hold something; then every counter view and
 * pf_vmstat_get are read, the zone counter must not have moved, refresh_vm_stats folds (moving
 * it by the differentials' sum) and the views must print the same text as before.
 */
#define BIG "cpus 2\nmem 0 0x1000000-0x5fffffff\nbacking none\n"

static void views_print_the_folded_counters(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(BIG);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	assert_int_equal(zone_managed_pages(z), 389120);
	assert_int_equal(z->per_cpu_zonestats[0].stat_threshold, 20);
	struct pf_page *p[16];
	int n = 0;
	signed char *d0 = &z->per_cpu_zonestats[0].vm_stat_diff[NR_FREE_PAGES];
	signed char *d1 = &z->per_cpu_zonestats[1].vm_stat_diff[NR_FREE_PAGES];
	while (n < 16 && (!*d0 || !*d1)) {
		assert_int_equal(pf_bind_cpu(n & 1), 0);
		p[n] = pf_alloc_pages(m, PF_GFP_KERNEL, 4);
		assert_non_null(p[n++]);
	}
	assert_true(*d0 && *d1);
	long diffs = *d0 + *d1;
	long before = atomic_load(&z->vm_stat[NR_FREE_PAGES]);
	char *v[5];
	long nr_free;
	for (size_t i = 0; i < 5; i++)
		v[i] = pf_test_show(m, counter_views[i]);
	assert_int_equal(pf_vmstat_get(m, "nr_free_pages", &nr_free), 0);
	assert_int_equal(atomic_load(&z->vm_stat[NR_FREE_PAGES]), before);	/* no fold */
	assert_int_equal(*d0 + *d1, diffs);
	refresh_vm_stats(m);
	assert_int_equal(*d0 + *d1, 0);
	assert_int_equal(atomic_load(&z->vm_stat[NR_FREE_PAGES]), before + diffs);
	assert_int_equal(nr_free, before + diffs);	/* the only populated zone */
	assert_int_equal(nr_free, 389120 - 16 * n);	/* and exact: every page not handed out */
	for (size_t i = 0; i < 5; i++) {
		char *w = pf_test_show(m, counter_views[i]);
		assert_string_equal(v[i], w);
		free(w);
		free(v[i]);
	}
	for (int i = 0; i < n; i++)
		pf_free_pages(p[i], 4);
	pf_machine_destroy(m);
	pf_bind_cpu(-1);
}

int main(void)
{
	/* one host CPU: the comparison must not depend on which host CPU the thread runs on (test_fastpath_diff) */
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof one, &one))
		perror("sched_setaffinity (the comparison may then depend on scheduling)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(views_change_nothing),
		cmocka_unit_test(views_change_nothing_page_owner),
		cmocka_unit_test(owner_drains),
		cmocka_unit_test(vmstat_refresh_folds),
		cmocka_unit_test(vmstat_refresh_drains_remote_lists),
		cmocka_unit_test(views_print_the_folded_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
