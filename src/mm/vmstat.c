/* SPDX-License-Identifier: MIT */
/*
 * vmstat.c - counters and the /proc text built from them: buddyinfo,
 * pagetypeinfo, zoneinfo, vmstat, and debugfs's extfrag_index and
 * unusable_index (mm/vmstat.c, Linux 6.12.117), byte for byte.
 *
 * Deliberate difference: zoneinfo's per-CPU block uses the 6.13+ layout
 * (count, high, batch, high_min, high_max) so the auto-tuning range shows.
 * Counters that user space has no source for (file LRUs, swap, THP
 * faults...) print 0, as on a kernel where nothing of the kind happened.
 */
#include "internal.h"
#include "migrate.h"

#include <string.h>
#include <stdlib.h>

#define PF_X_NAME(e, s) s,
static const char *const zone_stat_names[] = { PF_ZONE_STAT_ITEMS(PF_X_NAME) };
static const char *const numa_stat_names[] = { PF_NUMA_STAT_ITEMS(PF_X_NAME) };
static const char *const node_stat_names[] = { PF_NODE_STAT_ITEMS(PF_X_NAME) };
static const char *const vm_stat_names[] = { PF_VM_STAT_ITEMS(PF_X_NAME) };
static const char *const vm_event_names[] = { PF_VM_EVENT_ITEMS(PF_X_NAME) };
#undef PF_X_NAME

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate",
};

/* calculate_normal_threshold (6.12): the per-CPU stat drift allowed before folding. */
int calculate_normal_threshold(struct zone *zone)
{
	struct pf_machine *m = zone_machine(zone);
	int mem = (int)(zone_managed_pages(zone) >> (27 - PAGE_SHIFT));	/* memory in 128 MB units */
	int threshold = 2 * (32 - __builtin_clz((unsigned)m->nr_cpus)) * (1 + (mem ? 32 - __builtin_clz((unsigned)mem) : 0));
	return threshold < 125 ? threshold : 125;
}

/* refresh_zone_stat_thresholds (6.12): every populated zone, every CPU. */
void refresh_zone_stat_thresholds(struct pf_machine *m)
{
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (!populated_zone(zone))
				continue;
			int threshold = calculate_normal_threshold(zone);
			for (int cpu = 0; cpu < m->nr_cpus; cpu++)
				zone->per_cpu_zonestats[cpu].stat_threshold = (signed char)threshold;
		}
}

/* zone_page_state_snapshot (6.12): the counter with every CPU's differential added. */
long zone_page_state_snapshot(const struct zone *zone, enum zone_stat_item item)
{
	const struct pf_machine *m = zone->zone_pgdat->machine;
	long x = atomic_load_explicit(&zone->vm_stat[item], memory_order_relaxed);
	for (int cpu = 0; cpu < m->nr_cpus && zone->per_cpu_zonestats; cpu++)
		x += __atomic_load_n(&zone->per_cpu_zonestats[cpu].vm_stat_diff[item], __ATOMIC_RELAXED);
	return x < 0 ? 0 : x;
}

/*
 * global_zone_page_state_snapshot - a zone counter summed over the zones
 * with every CPU's differential added: what refresh_vm_stats followed by
 * global_zone_page_state would give, without writing anything.  The views
 * and pf_vmstat_get print this, so that reading them leaves the counters
 * the watermark checks read (zone_page_state) as they were.
 */
unsigned long global_zone_page_state_snapshot(const struct pf_machine *m, enum zone_stat_item item)
{
	long x = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &m->node_data[nid]->node_zones[z];
			x += atomic_load_explicit(&zone->vm_stat[item], memory_order_relaxed);
			for (int cpu = 0; cpu < m->nr_cpus && zone->per_cpu_zonestats; cpu++)
				x += __atomic_load_n(&zone->per_cpu_zonestats[cpu].vm_stat_diff[item], __ATOMIC_RELAXED);
		}
	return x < 0 ? 0 : (unsigned long)x;
}

/*
 * fold_zone_cpu_diffs - one CPU's differentials of @zone added to the zone's
 * counters and cleared (refresh_cpu_vm_stats's per-zone step, 6.12).
 * Context: zone->lock held (every writer of the differentials holds it).
 * Return: whether anything was folded.
 */
static bool fold_zone_cpu_diffs(struct zone *zone, int cpu)
{
	bool folded = false;
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) {
		signed char *p = &zone->per_cpu_zonestats[cpu].vm_stat_diff[i];
		long v = __atomic_load_n(p, __ATOMIC_RELAXED);
		if (v) {
			atomic_fetch_add_explicit(&zone->vm_stat[i], v, memory_order_relaxed);
			__atomic_store_n(p, (signed char)0, __ATOMIC_RELAXED);
			folded = true;
		}
	}
	return folded;
}

/*
 * refresh_vm_stats - fold every CPU's differentials into the zones'
 * counters, as writing /proc/sys/vm/stat_refresh does.  The views do not
 * call it (a read must not move the counters the allocator decides on):
 * they print the *_snapshot sums, the same numbers.
 * Context: takes each zone->lock.
 */
void refresh_vm_stats(struct pf_machine *m)
{
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (!zone->per_cpu_zonestats)
				continue;
			pf_spin_lock(&zone->lock);
			for (int cpu = 0; cpu < m->nr_cpus; cpu++)
				(void)fold_zone_cpu_diffs(zone, cpu);
			pf_spin_unlock(&zone->lock);
		}
}

static int numa_node_id(struct pf_machine *m)
{
	return numa_mem_id(m);
}

/* zone_statistics (6.12): numa_hit/miss/foreign and local/other. */
void zone_statistics(struct zone *preferred_zone, struct zone *z, long nr_account)
{
	struct pf_machine *m = zone_machine(z);
	int local_stat = NUMA_LOCAL;

	if (m->nr_node_ids > 1 && zone_to_nid(z) != numa_node_id(m))
		local_stat = NUMA_OTHER;
	if (zone_to_nid(z) == zone_to_nid(preferred_zone)) {
		atomic_fetch_add_explicit(&z->vm_numa_event[NUMA_HIT], nr_account, memory_order_relaxed);
	} else {
		atomic_fetch_add_explicit(&z->vm_numa_event[NUMA_MISS], nr_account, memory_order_relaxed);
		atomic_fetch_add_explicit(&preferred_zone->vm_numa_event[NUMA_FOREIGN], nr_account,
					  memory_order_relaxed);
	}
	atomic_fetch_add_explicit(&z->vm_numa_event[local_stat], nr_account, memory_order_relaxed);
}

unsigned long global_zone_page_state(struct pf_machine *m, enum zone_stat_item item)
{
	long x = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			x += atomic_load(&m->node_data[nid]->node_zones[z].vm_stat[item]);
	return x < 0 ? 0 : (unsigned long)x;
}

/* zone_numa_event_state with fold_vm_zone_numa_events: the zone's count plus every CPU's. */
static unsigned long zone_numa_event_state(struct pf_machine *m, struct zone *zone, int item)
{
	unsigned long x = (unsigned long)atomic_load_explicit(&zone->vm_numa_event[item], memory_order_relaxed);
	if (!zone->per_cpu_pageset)
		return x;
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		x += __atomic_load_n(&zone->per_cpu_pageset[cpu].ev_numa[item], __ATOMIC_RELAXED);
		if (item == NUMA_HIT || item == NUMA_LOCAL)
			x += __atomic_load_n(&zone->per_cpu_pageset[cpu].ev_local_hit, __ATOMIC_RELAXED);
	}
	return x;
}

static unsigned long global_numa_event_state(struct pf_machine *m, int item)
{
	unsigned long x = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			x += zone_numa_event_state(m, &m->node_data[nid]->node_zones[z], item);
	return x;
}

/* sum_vm_event: the machine-wide count plus what the per-CPU lists counted (PGALLOC_*, PGFREE). */
static unsigned long sum_vm_event(struct pf_machine *m, int item)
{
	unsigned long x = (unsigned long)atomic_load_explicit(&m->vm_events[item], memory_order_relaxed);
	bool pgfree = item == PGFREE;
	bool pgalloc = item >= PGALLOC_DMA && item <= PGALLOC_DEVICE;
	if (!pgfree && !pgalloc)
		return x;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (pgalloc && item - PGALLOC_DMA != z)
				continue;
			if (!zone->per_cpu_pageset)
				continue;
			for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
				struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
				if (pgfree)
					x += __atomic_load_n(&pcp->ev_pgfree, __ATOMIC_RELAXED);
				else
					x += __atomic_load_n(&pcp->ev_pgalloc, __ATOMIC_RELAXED) +
					     __atomic_load_n(&pcp->ev_local_hit, __ATOMIC_RELAXED);
			}
		}
	return x;
}

static unsigned long node_page_state(pg_data_t *pgdat, int item)
{
	long x = atomic_load(&pgdat->vm_stat[item]);
	return x < 0 ? 0 : (unsigned long)x;
}

/* global_node_page_state (include/linux/vmstat.h, 6.12): a node counter summed over the nodes */
unsigned long global_node_page_state(struct pf_machine *m, enum node_stat_item item)
{
	long x = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		x += atomic_load(&m->node_data[nid]->vm_stat[item]);
	return x < 0 ? 0 : (unsigned long)x;
}

/* global_dirty_limits: page_writeback.c */

/* nr_memmap_boot_pages: SPARSEMEM_VMEMMAP maps 2 MiB of memmap (512 pages) per present 128 MiB section. */
static unsigned long memmap_boot_pages(struct pf_machine *m)
{
	unsigned long n = 0, last = ~0UL;
	for (int i = 0; i < m->nr_memory; i++)
		for (unsigned long s = m->memory[i].start_pfn >> 15; s <= (m->memory[i].end_pfn - 1) >> 15; s++)
			if (s != last) {
				n += 512;
				last = s;
			}
	return n;
}

int pf_vmstat_get(struct pf_machine *m, const char *name, long *value)
{
	if (!m || !name || !value)
		return -EINVAL;
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		if (!strcmp(name, zone_stat_names[i]))
			return *value = (long)global_zone_page_state_snapshot(m, i), 0;
	for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		if (!strcmp(name, numa_stat_names[i]))
			return *value = (long)global_numa_event_state(m, i), 0;
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		if (!strcmp(name, vm_event_names[i]))
			return *value = (long)sum_vm_event(m, i), 0;
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		if (!strcmp(name, node_stat_names[i])) {
			long x = 0;
			for (int nid = 0; nid < m->nr_node_ids; nid++)
				x += (long)node_page_state(m->node_data[nid], i);
			return *value = x, 0;
		}
	if (!strcmp(name, "pageframe_bad_pages"))
		return *value = atomic_load(&m->nr_bad_pages), 0;
	if (!strcmp(name, "pageframe_fail_page_alloc"))
		return *value = (long)atomic_load(&m->fail_page_alloc.injected), 0;
	if (!strcmp(name, "pageframe_poison_corrupted"))	/* page_poison.c: pages found written while free */
		return *value = atomic_load(&m->nr_poison_corrupted), 0;
	if (!strcmp(name, "pageframe_guard_pages"))	/* debug_page_alloc.c: pages held as guard pages now */
		return *value = atomic_load(&m->nr_guard_pages), 0;
	if (!strcmp(name, "pageframe_writepage_errors"))
		return *value = atomic_load(&m->nr_writepage_errors), 0;
	return -ENOENT;
}

/* ---- the views ------------------------------------------------------------------------ */

typedef void (*zone_print_fn)(FILE *out, pg_data_t *pgdat, struct zone *zone);

/* walk_zones_in_node: each zone in order, populated ones only if asked, under zone->lock. */
static void walk_zones_in_node(FILE *out, pg_data_t *pgdat, bool assert_populated, bool nolock, zone_print_fn print)
{
	for (struct zone *zone = pgdat->node_zones; zone - pgdat->node_zones < MAX_NR_ZONES; ++zone) {
		if (assert_populated && !populated_zone(zone))
			continue;
		if (!nolock)
			pf_spin_lock(&zone->lock);
		print(out, pgdat, zone);
		if (!nolock)
			pf_spin_unlock(&zone->lock);
	}
}

static void frag_show_print(FILE *out, pg_data_t *pgdat, struct zone *zone)
{
	fprintf(out, "Node %d, zone %8s ", pgdat->node_id, zone->name);
	for (int order = 0; order < NR_PAGE_ORDERS; ++order)
		fprintf(out, "%6lu ", zone->free_area[order].nr_free);
	fputc('\n', out);
}

static void pagetypeinfo_showfree_print(FILE *out, pg_data_t *pgdat, struct zone *zone)
{
	for (int mtype = 0; mtype < MIGRATE_TYPES; mtype++) {
		fprintf(out, "Node %4d, zone %8s, type %12s ", pgdat->node_id, zone->name, migratetype_names[mtype]);
		for (int order = 0; order < NR_PAGE_ORDERS; ++order) {
			unsigned long freecount = 0;
			bool overflow = false;
			struct list_head *curr;
			list_for_each(curr, &zone->free_area[order].free_list[mtype]) {
				if (++freecount >= 100000) {
					overflow = true;
					break;
				}
			}
			/* deferred blocks are the list's unwritten tail (deferred_init.c) */
			if (order == MAX_PAGE_ORDER && mtype == MIGRATE_MOVABLE && !overflow) {
				freecount += zone->nr_deferred_blocks;
				if (freecount >= 100000) {
					freecount = 100000;
					overflow = true;
				}
			}
			fprintf(out, "%s%6lu ", overflow ? ">" : "", freecount);
		}
		fputc('\n', out);
	}
}

static void pagetypeinfo_showblockcount_print(FILE *out, pg_data_t *pgdat, struct zone *zone)
{
	struct pf_machine *m = pgdat->machine;
	unsigned long count[MIGRATE_TYPES] = { 0 };
	for (unsigned long pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone); pfn += pageblock_nr_pages) {
		struct pf_page *page = pfn_to_page(m, pfn);
		if (deferred_pfn(m, pfn)) {
			/* unwritten (deferred_init.c): the zone by the memblock range */
			if (deferred_pfn_zone(m, pfn) != zone)
				continue;
		} else if (page_machine_id(page) != (unsigned)m->id || page_zone_peek(m, page) != zone) {
			/* a peek: frees rewrite the flags word around the node and zone bits meanwhile */
			continue;	/* pfn_to_online_page: no memmap here */
		}
		int mtype = usemap_mt(m, pfn);
		if (mtype < MIGRATE_TYPES)
			count[mtype]++;
	}
	fprintf(out, "Node %d, zone %8s ", pgdat->node_id, zone->name);
	for (int mtype = 0; mtype < MIGRATE_TYPES; mtype++)
		fprintf(out, "%12lu ", count[mtype]);
	fputc('\n', out);
}

static void pagetypeinfo_show(FILE *out, pg_data_t *pgdat)
{
	fprintf(out, "Page block order: %d\n", pageblock_order);
	fprintf(out, "Pages per block:  %lu\n", pageblock_nr_pages);
	fputc('\n', out);
	fprintf(out, "%-43s ", "Free pages count per migrate type at order");
	for (int order = 0; order < NR_PAGE_ORDERS; ++order)
		fprintf(out, "%6d ", order);
	fputc('\n', out);
	walk_zones_in_node(out, pgdat, true, false, pagetypeinfo_showfree_print);
	fprintf(out, "\n%-23s", "Number of blocks type ");
	for (int mtype = 0; mtype < MIGRATE_TYPES; mtype++)
		fprintf(out, "%12s ", migratetype_names[mtype]);
	fputc('\n', out);
	walk_zones_in_node(out, pgdat, true, false, pagetypeinfo_showblockcount_print);
	pagetypeinfo_showmixedcount(pgdat->machine, out, pgdat);	/* page_owner.c: nothing while it is off */
}

static bool is_zone_first_populated(pg_data_t *pgdat, struct zone *zone)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *compare = &pgdat->node_zones[i];
		if (populated_zone(compare))
			return zone == compare;
	}
	return false;
}

static bool vmstat_item_print_in_thp(int item)
{
	return item == NR_ANON_THPS || item == NR_SHMEM_THPS || item == NR_SHMEM_PMDMAPPED || item == NR_FILE_THPS ||
	       item == NR_FILE_PMDMAPPED;
}

/* The figures of one pageset zoneinfo prints. */
struct pcp_snapshot {
	int count, high, batch, high_min, high_max;
};

/*
 * pcp_snapshot_read - the pageset's figures read without its lock, as
 * zoneinfo_show_print reads them (6.12): the owning CPU may be changing
 * them, and a view only reports what it saw.
 */
static __data_race void pcp_snapshot_read(const struct per_cpu_pages *pcp, struct pcp_snapshot *s)
{
	s->count = *(const volatile int *)&pcp->count;
	s->high = *(const volatile int *)&pcp->high;
	s->batch = *(const volatile int *)&pcp->batch;
	s->high_min = *(const volatile int *)&pcp->high_min;
	s->high_max = *(const volatile int *)&pcp->high_max;
}

static void zoneinfo_show_print(FILE *out, pg_data_t *pgdat, struct zone *zone)
{
	struct pf_machine *m = pgdat->machine;
	int i;

	fprintf(out, "Node %d, zone %8s", pgdat->node_id, zone->name);
	if (is_zone_first_populated(pgdat, zone)) {
		fprintf(out, "\n  per-node stats");
		for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++) {
			unsigned long pages = node_page_state(pgdat, i);
			if (vmstat_item_print_in_thp(i))
				pages /= 512;	/* HPAGE_PMD_NR */
			fprintf(out, "\n      %-12s %lu", node_stat_names[i], pages);
		}
	}
	fprintf(out,
		"\n  pages free     %lu"
		"\n        boost    %lu"
		"\n        min      %lu"
		"\n        low      %lu"
		"\n        high     %lu"
		"\n        promo    %lu"
		"\n        spanned  %lu"
		"\n        present  %lu"
		"\n        managed  %lu"
		"\n        cma      %lu",
		(unsigned long)zone_page_state_snapshot(zone, NR_FREE_PAGES),
		__atomic_load_n(&zone->watermark_boost, __ATOMIC_RELAXED), min_wmark_pages(zone),
		low_wmark_pages(zone), high_wmark_pages(zone), promo_wmark_pages(zone), zone->spanned_pages,
		zone->present_pages, zone_managed_pages(zone), zone->cma_pages);
	fprintf(out, "\n        protection: (%ld", zone->lowmem_reserve[0]);
	for (i = 1; i < MAX_NR_ZONES; i++)
		fprintf(out, ", %ld", zone->lowmem_reserve[i]);
	fputc(')', out);

	/* An empty zone stops after its protection line, as zoneinfo_show_print does. */
	if (!populated_zone(zone)) {
		fputc('\n', out);
		return;
	}
	for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		fprintf(out, "\n      %-12s %lu", zone_stat_names[i], (unsigned long)zone_page_state_snapshot(zone, i));
	for (i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		fprintf(out, "\n      %-12s %lu", numa_stat_names[i], zone_numa_event_state(m, zone, i));

	fprintf(out, "\n  pagesets");
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct pcp_snapshot pcp;
		pcp_snapshot_read(&zone->per_cpu_pageset[cpu], &pcp);
		fprintf(out,
			"\n    cpu: %i"
			"\n              count:    %i"
			"\n              high:     %i"
			"\n              batch:    %i"
			"\n              high_min: %i"
			"\n              high_max: %i",
			cpu, pcp.count, pcp.high, pcp.batch, pcp.high_min, pcp.high_max);
		fprintf(out, "\n  vm stats threshold: %d", zone->per_cpu_zonestats[cpu].stat_threshold);
	}
	fprintf(out,
		"\n  node_unreclaimable:  %u"
		"\n  start_pfn:           %lu",
		(unsigned)(__atomic_load_n(&zone->zone_pgdat->kswapd_failures, __ATOMIC_RELAXED) >= MAX_RECLAIM_RETRIES),
		zone->zone_start_pfn);
	fputc('\n', out);
}

static void vmstat_show(FILE *out, struct pf_machine *m)
{
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		fprintf(out, "%s %lu\n", zone_stat_names[i], global_zone_page_state_snapshot(m, i));
	for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		fprintf(out, "%s %lu\n", numa_stat_names[i], global_numa_event_state(m, i));
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++) {
		unsigned long x = 0;
		for (int nid = 0; nid < m->nr_node_ids; nid++)
			x += node_page_state(m->node_data[nid], i);
		if (vmstat_item_print_in_thp(i))
			x /= 512;
		fprintf(out, "%s %lu\n", node_stat_names[i], x);
	}
	unsigned long v[NR_VM_STAT_ITEMS] = { 0 };
	global_dirty_limits(m, &v[NR_DIRTY_BG_THRESHOLD], &v[NR_DIRTY_THRESHOLD]);
	v[NR_MEMMAP_BOOT_PAGES] = memmap_boot_pages(m);
	for (int i = 0; i < NR_VM_STAT_ITEMS; i++)
		fprintf(out, "%s %lu\n", vm_stat_names[i], v[i]);
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		fprintf(out, "%s %lu\n", vm_event_names[i], sum_vm_event(m, i));
	/* deprecated counters kept for userspace */
	fprintf(out, "nr_unstable 0\n");
}

/* ---- fragmentation indices (debugfs extfrag/) ---------------------------------------------- */

struct contig_page_info {
	unsigned long free_pages;
	unsigned long free_blocks_total;
	unsigned long free_blocks_suitable;
};

static void fill_contig_page_info(const unsigned long *nr_free, unsigned int suitable_order,
				  struct contig_page_info *info)
{
	info->free_pages = 0;
	info->free_blocks_total = 0;
	info->free_blocks_suitable = 0;
	for (unsigned order = 0; order < NR_PAGE_ORDERS; order++) {
		unsigned long blocks = nr_free[order];
		info->free_blocks_total += blocks;
		info->free_pages += blocks << order;
		if (order >= suitable_order)
			info->free_blocks_suitable += blocks << (order - suitable_order);
	}
}

/* __fragmentation_index: -1000 when the request would succeed, else 0..1000 (1000: fragmentation). */
static int __fragmentation_index(unsigned int order, const struct contig_page_info *info)
{
	unsigned long requested = 1UL << order;
	if (!info->free_blocks_total)
		return 0;
	/* A suitable free block exists: the request would succeed, so report -1000. */
	if (info->free_blocks_suitable)
		return -1000;
	return (int)(1000 - ((1000 + (info->free_pages * 1000ULL / requested)) / info->free_blocks_total));
}

/* unusable_free_index: the share of free memory unusable for this order, in thousandths. */
static int unusable_free_index(unsigned int order, const struct contig_page_info *info)
{
	if (info->free_pages == 0)
		return 1000;
	return (int)((info->free_pages - (info->free_blocks_suitable << order)) * 1000ULL / info->free_pages);
}

static void zone_contig_page_info(struct zone *zone, unsigned int order, struct contig_page_info *info)
{
	unsigned long nr_free[NR_PAGE_ORDERS];
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		nr_free[o] = __atomic_load_n(&zone->free_area[o].nr_free, __ATOMIC_RELAXED);
	fill_contig_page_info(nr_free, order, info);
}

/*
 * extfrag_for_order (6.12): the percentage of the zone's free memory that
 * lies in blocks smaller than @order (0 when nothing is free); compaction's
 * fragmentation score.
 */
unsigned int extfrag_for_order(struct zone *zone, unsigned int order)
{
	struct contig_page_info info;
	zone_contig_page_info(zone, order, &info);
	if (info.free_pages == 0)
		return 0;
	return (unsigned int)((info.free_pages - (info.free_blocks_suitable << order)) * 100 / info.free_pages);
}

/* fragmentation_index (6.12): __fragmentation_index of the zone's free lists now. */
int fragmentation_index(struct zone *zone, unsigned int order)
{
	struct contig_page_info info;
	zone_contig_page_info(zone, order, &info);
	return __fragmentation_index(order, &info);
}

static void print_frag_line(FILE *out, int nid, const char *zname, const unsigned long *nr_free, bool extfrag)
{
	struct contig_page_info info;
	fprintf(out, "Node %d, zone %8s ", nid, zname);
	for (unsigned order = 0; order < NR_PAGE_ORDERS; ++order) {
		fill_contig_page_info(nr_free, order, &info);
		int index;
		if (extfrag) {
			index = __fragmentation_index(order, &info);
			fprintf(out, "%2d.%03d ", index / 1000, index % 1000 < 0 ? -(index % 1000) : index % 1000);
		} else {
			index = unusable_free_index(order, &info);
			fprintf(out, "%d.%03d ", index / 1000, index % 1000);
		}
	}
	fputc('\n', out);
}

static void extfrag_show_print(FILE *out, pg_data_t *pgdat, struct zone *zone)
{
	unsigned long nr_free[NR_PAGE_ORDERS];
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		nr_free[o] = zone->free_area[o].nr_free;
	print_frag_line(out, pgdat->node_id, zone->name, nr_free, true);
}

static void unusable_show_print(FILE *out, pg_data_t *pgdat, struct zone *zone)
{
	unsigned long nr_free[NR_PAGE_ORDERS];
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		nr_free[o] = zone->free_area[o].nr_free;
	print_frag_line(out, pgdat->node_id, zone->name, nr_free, false);
}

/* ---- pageblocks (pageframe's own view, docs/VIEWS.md) ------------------------------------- */

enum { PB_FREE, PB_MOVABLE, PB_UNMOVABLE, PB_RECLAIMABLE, PB_HIGHATOMIC, PB_CMA, PB_ISOLATED, PB_RESERVED, PB_NR };

/*
 * The column an allocated page that is not movable counts in: the migratetype
 * an allocation asked for is not recorded (the kernel keeps it only with
 * page_owner), so the page takes its pageblock's type, and in a movable
 * pageblock it is an unmovable page (nothing can migrate it).
 */
static int pageblock_column_of_pinned(int block_mt)
{
	switch (block_mt) {
	case MIGRATE_RECLAIMABLE: return PB_RECLAIMABLE;
	case MIGRATE_HIGHATOMIC: return PB_HIGHATOMIC;
	case MIGRATE_CMA: return PB_CMA;
	case MIGRATE_ISOLATE: return PB_ISOLATED;
	default: return PB_UNMOVABLE;
	}
}

/* a pageblock holds pages of a type other than its own */
static bool pageblock_mixed(int block_mt, const unsigned *c)
{
	switch (block_mt) {
	case MIGRATE_MOVABLE: return c[PB_UNMOVABLE] || c[PB_RECLAIMABLE];
	case MIGRATE_CMA: return c[PB_CMA] != 0;	/* only movable pages belong in CMA */
	case MIGRATE_UNMOVABLE:
	case MIGRATE_RECLAIMABLE:
	case MIGRATE_HIGHATOMIC: return c[PB_MOVABLE] != 0;
	default: return false;
	}
}

static void pageblocks_print_line(FILE *out, struct zone *zone, unsigned long block_pfn, int mt, const unsigned *c)
{
	fprintf(out, "%4d %-8s %#10lx %-11s %5u %7u %9u %11u %10u %5u %8u %8u %s\n", zone->node, zone->name, block_pfn,
		mt < MIGRATE_TYPES ? migratetype_names[mt] : "?", c[PB_FREE], c[PB_MOVABLE], c[PB_UNMOVABLE],
		c[PB_RECLAIMABLE], c[PB_HIGHATOMIC], c[PB_CMA], c[PB_ISOLATED], c[PB_RESERVED],
		pageblock_mixed(mt, c) ? "mixed" : "-");
}

/*
 * pageblocks_page_column - the column of pageblocks_show_zone a page at @pfn
 * starts (PB_RESERVED for one not in @zone), and through @run how many
 * pages from it on go there.  The locks the view holds keep free pages
 * still, not allocated ones: an owner may be freeing one right now, its
 * free_pages_prepare rewriting the flags word before the per-CPU list's
 * lock is taken, so the page is read racily, as the kernel's pagetypeinfo
 * walk reads pages (the zone and machine bits never change; a page caught
 * on its way out counts as free or as still allocated).
 */
static __data_race int pageblocks_page_column(struct pf_machine *m, struct zone *zone, struct pf_page *page,
					       unsigned long pfn, int mt, unsigned long *run)
{
	/* one read of each word, outside the sanitizer's view (the header's accessors are not) */
	unsigned long flags = *(const volatile unsigned long *)&page->flags;
	unsigned long mapping = (unsigned long)*(void *const volatile *)&page->mapping;
	*run = 1;
	if (((flags >> PF_MACHINE_PGSHIFT) & PF_MACHINE_MASK) != (unsigned)m->id || page_zone_peek(m, page) != zone ||
	    ((flags >> PG_reserved) & 1))
		return PB_RESERVED;
	unsigned rec = __atomic_load_n(&m->alloc_order[pfn], __ATOMIC_RELAXED);
	if ((*(const volatile unsigned int *)&page->page_type >> 24) == PGTY_buddy) {
		unsigned long order = *(const volatile unsigned long *)&page->private;
		*run = 1UL << (order <= MAX_PAGE_ORDER ? order : 0);
		return PB_FREE;
	}
	if (!rec)
		return PB_FREE;	/* no record, not PageBuddy: a page on a per-CPU list (or a tail of one) */
	*run = 1UL << (rec - 1);
	if ((flags >> PG_isolated) & 1)
		return PB_ISOLATED;
	/* PageMovable without the page lock: the movable kind, operations still set */
	if ((mapping & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_MOVABLE && (mapping & ~(unsigned long)PAGE_MAPPING_FLAGS))
		return PB_MOVABLE;
	return pageblock_column_of_pinned(mt);
}

/* Whether the first page of a pageblock is @zone's (read as pageblocks_page_column reads pages). */
static __data_race bool pageblocks_first_in_zone(struct pf_machine *m, struct zone *zone, struct pf_page *page)
{
	return page_machine_id(page) == (unsigned)m->id && page_zone_peek(m, page) == zone;
}

/*
 * pageblocks_show_zone - one line per pageblock whose first page belongs to
 * @zone.  Walks the zone's pfns once: a free buddy block or an allocated
 * block (its allocation record) is counted page by page into the pageblocks
 * it covers.  Context: every pcp->lock of the zone, then zone->lock (as
 * pf_check), so pages on the per-CPU lists hold still; they count as free.
 */
static void pageblocks_show_zone(FILE *out, struct pf_machine *m, struct zone *zone)
{
	unsigned long start = zone->zone_start_pfn & ~(pageblock_nr_pages - 1), end = zone_end_pfn(zone);
	unsigned long run_end = 0;	/* pages below this belong to the block found at run_pfn */
	int run_col = PB_RESERVED;

	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		pcp_spin_lock(zone, &zone->per_cpu_pageset[cpu]);
	pf_spin_lock(&zone->lock);
	for (unsigned long bpfn = start; bpfn < end; bpfn += pageblock_nr_pages) {
		unsigned c[PB_NR] = { 0 };
		unsigned long first = bpfn < zone->zone_start_pfn ? zone->zone_start_pfn : bpfn;
		if (!pfn_valid(m, first))
			continue;
		if (deferred_pfn(m, first)) {
			/* an unwritten top-order block (deferred_init.c): free from end to end */
			if (deferred_pfn_zone(m, first) != zone)
				continue;
			c[PB_FREE] = pageblock_nr_pages;
			pageblocks_print_line(out, zone, bpfn, usemap_mt(m, first), c);
			run_col = PB_FREE;
			run_end = (first | (MAX_ORDER_NR_PAGES - 1)) + 1;
			continue;
		}
		struct pf_page *fp = pfn_to_page(m, first);
		if (!pageblocks_first_in_zone(m, zone, fp))
			continue;	/* as pagetypeinfo's block count: the block is another zone's */
		int mt = get_pfnblock_migratetype(fp, first);
		c[PB_RESERVED] = (unsigned)(first - bpfn);
		for (unsigned long pfn = first; pfn < bpfn + pageblock_nr_pages; pfn++) {
			if (pfn >= end || !pfn_valid(m, pfn)) {
				c[PB_RESERVED]++;
				continue;
			}
			if (pfn < run_end) {	/* inside a block that started earlier */
				c[run_col]++;
				continue;
			}
			unsigned long run;
			int col = pageblocks_page_column(m, zone, pfn_to_page(m, pfn), pfn, mt, &run);
			if (col == PB_RESERVED) {
				c[PB_RESERVED]++;
				continue;
			}
			run_col = col;
			run_end = pfn + run;
			c[run_col]++;
		}
		pageblocks_print_line(out, zone, bpfn, mt, c);
	}
	pf_spin_unlock(&zone->lock);
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		pcp_spin_unlock(&zone->per_cpu_pageset[cpu]);
}

static void pageblocks_show(FILE *out, struct pf_machine *m)
{
	fprintf(out, "%4s %-8s %10s %-11s %5s %7s %9s %11s %10s %5s %8s %8s %s\n", "node", "zone", "pfn", "type",
		"free", "movable", "unmovable", "reclaimable", "highatomic", "cma", "isolated", "reserved", "mixed");
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (populated_zone(zone))
				pageblocks_show_zone(out, m, zone);
		}
}

int pf_vmstat_show(struct pf_machine *m, const char *what, FILE *out)
{
	if (!strcmp(what, "buddyinfo")) {
		for (int nid = 0; nid < m->nr_node_ids; nid++)
			walk_zones_in_node(out, m->node_data[nid], true, false, frag_show_print);
	} else if (!strcmp(what, "pagetypeinfo")) {
		for (int nid = 0; nid < m->nr_node_ids; nid++)
			pagetypeinfo_show(out, m->node_data[nid]);
	} else if (!strcmp(what, "zoneinfo")) {
		for (int nid = 0; nid < m->nr_node_ids; nid++)
			walk_zones_in_node(out, m->node_data[nid], false, false, zoneinfo_show_print);
	} else if (!strcmp(what, "vmstat")) {
		vmstat_show(out, m);
	} else if (!strcmp(what, "fail_page_alloc")) {
		return fail_page_alloc_show(m, out);
	} else if (!strcmp(what, "pageblocks")) {
		pageblocks_show(out, m);
	} else if (!strcmp(what, "meminfo")) {
		return meminfo_proc_show(m, out);
	} else if (!strncmp(what, "page_owner", 10)) {
		return page_owner_show(m, what, out);	/* page_owner.c */
	} else if (!strcmp(what, "kpageflags") || !strcmp(what, "kpagecount")) {
		return proc_page_show(m, what, out);	/* proc_page.c */
	} else if (!strcmp(what, "extfrag_index")) {
		for (int nid = 0; nid < m->nr_node_ids; nid++)
			walk_zones_in_node(out, m->node_data[nid], true, false, extfrag_show_print);
	} else if (!strcmp(what, "unusable_index")) {
		for (int nid = 0; nid < m->nr_node_ids; nid++)
			walk_zones_in_node(out, m->node_data[nid], true, false, unusable_show_print);
	} else {
		return -ENOENT;
	}
	return ferror(out) ? -EIO : 0;
}

/*
 * pf_frag_index_from_buddyinfo - the indices for a real machine's
 * /proc/buddyinfo: each "Node N, zone NAME c0 .. c10" line gives one line
 * of output, as debugfs would print it for that zone.
 */
int pf_frag_index_from_buddyinfo(FILE *in, const char *what, FILE *out, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, zones = 0, rc = 0;
	bool extfrag;

	if (!in || !what || !out)
		return -EINVAL;
	if (!strcmp(what, "extfrag_index"))
		extfrag = true;
	else if (!strcmp(what, "unusable_index"))
		extfrag = false;
	else {
		if (err && errlen)
			snprintf(err, errlen, "unknown index '%s' (extfrag_index, unusable_index)", what);
		return -EINVAL;
	}
	while (getline(&line, &cap, in) != -1) {
		int nid, pos = 0;
		char zname[32];
		unsigned long nr_free[NR_PAGE_ORDERS];
		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (sscanf(line, "Node %d, zone %31s%n", &nid, zname, &pos) != 2) {
			if (err && errlen)
				snprintf(err, errlen, "line %d: not a /proc/buddyinfo line (\"Node N, zone NAME counts...\")",
					 lineno);
			rc = -EINVAL;
			goto out;
		}
		const char *p = line + pos;
		int o;
		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			char *end;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p < '0' || *p > '9')
				break;
			errno = 0;
			nr_free[o] = strtoul(p, &end, 10);
			/*
			 * 2^40 free blocks of one order is more than any machine has; a
			 * larger count would overflow the page sums of the indices.
			 */
			if (errno == ERANGE || nr_free[o] > (1UL << 40)) {
				if (err && errlen)
					snprintf(err, errlen, "line %d: order %d count %.*s is out of range (at most 2^40)",
						 lineno, o, (int)(end - p), p);
				rc = -EINVAL;
				goto out;
			}
			p = end;
		}
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (o != NR_PAGE_ORDERS || *p) {
			if (err && errlen)
				snprintf(err, errlen, "line %d: expected %d free counts (orders 0..%d)", lineno,
					 NR_PAGE_ORDERS, MAX_PAGE_ORDER);
			rc = -EINVAL;
			goto out;
		}
		print_frag_line(out, nid, zname, nr_free, extfrag);
		zones++;
	}
	if (!zones) {
		if (err && errlen)
			snprintf(err, errlen, "no zones in the input");
		rc = -EINVAL;
		goto out;
	}
	rc = ferror(out) ? -EIO : 0;
out:
	free(line);
	return rc;
}

/* pf_show: the public call (pageframe.h) */
int pf_show(struct pf_machine *m, const char *what, FILE *out)
{
	if (!m || !what || !out)
		return -EINVAL;
	return pf_vmstat_show(m, what, out);
}

/*
 * vmstat_update -> refresh_cpu_vm_stats(true) (6.12), as every CPU's worker
 * runs it each second, for each CPU and each populated zone: the CPU's
 * counter differentials folded into the zone's counters (under zone->lock,
 * which every writer of them holds), decay_pcp_high, then the drain of a
 * list of another node left idle for three steps (pcp_expire_step).
 */
void pf_vmstat_refresh(struct pf_machine *m)
{
	if (!m)
		return;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (!populated_zone(zone) || !zone->per_cpu_zonestats)
				continue;
			for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
				pf_spin_lock(&zone->lock);
				bool folded = fold_zone_cpu_diffs(zone, cpu);
				pf_spin_unlock(&zone->lock);
				decay_pcp_high(zone, &zone->per_cpu_pageset[cpu]);
				pcp_expire_step(zone, cpu, folded);
			}
		}
}
